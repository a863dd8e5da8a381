// Package checkstest holds probe outputs of hostile and broken hosts, for
// the tests of checks and of both front ends: what a server that does not
// deserve trust may print in answer to the readiness probe.
package checkstest

import "strings"

// Hostile is what a host slips into text it knows will be shown: a colour
// (CSI), a window title (OSC ended by BEL), a CSI as one C1 byte in UTF-8,
// a bare carriage return and backspace (to overwrite what was printed), a
// right-to-left override, and bytes that are not UTF-8.
const Hostile = "\x1b[31m\x1b]0;pwned\x07\xc2\x9b2J\r\b\u202e\xff\xfe"

// Controls lists what must never reach a person's screen or a file shown
// to one from a host: escape and control characters, the C1 CSI, the
// replacement of an invalid byte, and bytes that are not UTF-8 (checked
// apart, with utf8.Valid).
var Controls = []string{"\x1b", "\x07", "\r", "\b", "\u009b", "\u202e", "\ufffd"}

// HostileProbe is a probe output with Hostile in a value of every
// section, in file names of the configuration sections, and in a marker
// line; what the sections say otherwise is a server that can be judged
// (Ubuntu 22.04, enough CPU, RAM and disk, a static address), so every
// rule shows what the host said.
func HostileProbe() []byte {
	h := Hostile
	sections := []struct{ name, body string }{
		{"hostname", "ss1" + h + "evil"},
		{"uname-m", "x86_64"},
		{"os-release", `PRETTY_NAME="Ubuntu 22.04.4 LTS` + h + `"` + "\nID=ubuntu\nVERSION_ID=\"22.04\""},
		{"cpuinfo", "processor\t: 0\nmodel name\t: Xeon" + h + "\nflags\t\t: fpu aes avx\nprocessor\t: 1\nprocessor\t: 2\nprocessor\t: 3"},
		{"meminfo", "MemTotal:        16384000 kB"},
		{"route", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
			"ens18\t00000000\t017100CB\t0003\t0\t0\t100\t00000000\t0\t0\t0"},
		{"ip-addr", "2: ens18    inet 203.0.113.10/24 brd 203.0.113.255 scope global ens18\\       valid_lft forever preferred_lft forever\n" +
			"7: ev" + h + "il    inet 10.7.0.1/24 scope global ev" + h + "il\\       valid_lft forever preferred_lft forever"},
		{"speed", "/sys/class/net/ens18/speed:1000\n/sys/class/net/ev" + h + "il/speed:10"},
		{"netplan", "@@tunduk:file:/etc/netplan/00-" + h + ".yaml@@\nnetwork:\n  ethernets:\n    ens18:\n      addresses: [203.0.113.10/24]\n  version: 2\n" +
			"@@tunduk:unreadable:/etc/netplan/99-" + h + ".yaml@@"},
		{"nm", "@@tunduk:unreadable:/etc/NetworkManager/system-connections/" + h + ".nmconnection@@"},
		{"ifupdown", "@@tunduk:file:/etc/network/interfaces@@\niface ev" + h + "il inet dhcp"},
		{"df", "Filesystem 1-blocks Used Available Capacity Mounted on\n/dev/sda1 105089261568 9313267712 90388361216 10% /\n" +
			"/dev/sdb1 536608768000 1048576 509286674432 1% /var/lib" + h},
		{"listen", "tool: ss\n" +
			`tcp   LISTEN 0      128      0.0.0.0:22    0.0.0.0:*    users:(("sshd",pid=801,fd=3))` + "\n" +
			`tcp   LISTEN 0      128      0.0.0.0:4000  0.0.0.0:*    users:(("ev` + h + `il",pid=802,fd=3))`},
		{"locale", "C.UTF-8\nen_US.UTF-8\nev" + h + "il.UTF-8"},
		{"timesync", "synchronized-file: no\ntimedatectl: yes" + h},
		{"usb", "/sys/bus/usb/devices/1-1/idVendor:0a89\n/sys/bus/usb/devices/1-1/idProduct:0030\n/sys/bus/usb/devices/1-1/product:Rutoken" + h},
		{"pcscd", "running" + h},
		{"sudo", "id=uid=1000(ad" + h + "min) gid=1000(admin) groups=1000(admin),27(sudo)\nsudo_n=1"},
	}
	var b strings.Builder
	b.WriteString(h + "\n") // before any section: a login banner
	for _, s := range sections {
		b.WriteString("\n@@tunduk:" + s.name + "@@\n" + s.body + "\n")
	}
	b.WriteString("\n@@tunduk:" + h + "@@\n" + h + "\n") // a section of its own
	b.WriteString("\n@@tunduk:end@@\n")
	return []byte(b.String())
}

// EmptyProbe is a probe output with every section and nothing in any:
// a host whose shell ran the probe but none of its commands.
func EmptyProbe() []byte {
	var b strings.Builder
	for _, n := range []string{"hostname", "uname-m", "os-release", "cpuinfo", "meminfo", "route", "ip-addr", "speed",
		"netplan", "nm", "ifupdown", "df", "listen", "locale", "timesync", "usb", "pcscd", "sudo", "end"} {
		b.WriteString("\n@@tunduk:" + n + "@@\n")
	}
	return []byte(b.String())
}
