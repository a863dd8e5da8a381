package checks

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func bp(b bool) *bool { return &b }
func ip(i int) *int   { return &i }

func TestParseOSRelease(t *testing.T) {
	tests := []struct {
		file string
		want OSRelease
	}{
		{"os-release/ubuntu-18.04", OSRelease{ID: "ubuntu", VersionID: "18.04", PrettyName: "Ubuntu 18.04.6 LTS"}},
		{"os-release/ubuntu-20.04", OSRelease{ID: "ubuntu", VersionID: "20.04", PrettyName: "Ubuntu 20.04.6 LTS"}},
		{"os-release/ubuntu-22.04", OSRelease{ID: "ubuntu", VersionID: "22.04", PrettyName: "Ubuntu 22.04.4 LTS"}},
		{"os-release/debian-12", OSRelease{ID: "debian", VersionID: "12", PrettyName: "Debian GNU/Linux 12 (bookworm)"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if got := ParseOSRelease(readTestdata(t, tt.file)); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	// Quoting variants.
	got := ParseOSRelease("# c\nID='ubuntu'\nVERSION_ID=\"22.04\"\r\nPRETTY_NAME=\"A \\\"q\\\" B\"\nbroken\n")
	if want := (OSRelease{ID: "ubuntu", VersionID: "22.04", PrettyName: `A "q" B`}); got != want {
		t.Errorf("quoted: got %+v, want %+v", got, want)
	}
}

func TestParseCPUInfo(t *testing.T) {
	tests := []struct {
		file string
		want CPU
	}{
		{"cpuinfo/xeon-aes", CPU{Model: "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz", Cores: 2, AES: bp(true)}},
		{"cpuinfo/qemu-noaes", CPU{Model: "QEMU Virtual CPU version 2.5+", Cores: 4, AES: bp(false)}},
		{"cpuinfo/arm64", CPU{Model: "", Cores: 2, AES: bp(true)}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if got := ParseCPUInfo(readTestdata(t, tt.file)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v (aes %s), want %+v", got, showBool(got.AES), tt.want)
			}
		})
	}
	if got := ParseCPUInfo(""); got.AES != nil || got.Cores != 0 {
		t.Errorf("empty: got %+v", got)
	}
}

func TestParseMeminfo(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{readTestdata(t, "meminfo"), 8148392 * 1024},
		{"MemTotal: 1024 kB\n", 1 << 20},
		{"MemTotal:\n", 0},
		{"MemTotal: 99999999999999999999 kB\n", 0},
		{"MemFree: 5 kB\n", 0},
	}
	for i, tt := range tests {
		if got := ParseMeminfo(tt.in); got != tt.want {
			t.Errorf("%d: got %d, want %d", i, got, tt.want)
		}
	}
}

func TestParseRouteAndIPAddr(t *testing.T) {
	if got, want := ParseRoute(readTestdata(t, "route.txt")), map[string]bool{"ens18": true}; !reflect.DeepEqual(got, want) {
		t.Errorf("route: got %v, want %v", got, want)
	}
	got := ParseIPAddr(readTestdata(t, "ip-addr.txt"))
	want := []Interface{
		{Name: "lo", Addresses: []string{"127.0.0.1/8", "::1/128"}},
		{Name: "ens18", Addresses: []string{"203.0.113.10/24", "fe80::be24:11ff:fe5a:1b2c/64"}},
		{Name: "ens19", Addresses: []string{"10.0.0.5/8"}},
		{Name: "veth1", Addresses: []string{"10.9.0.1/30"}},
		{Name: "tun0", Addresses: []string{"10.8.0.1/32"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ip addr:\n got %+v\nwant %+v", got, want)
	}
	speeds := ParseSpeeds("/sys/class/net/ens18/speed:1000\n/sys/class/net/ens19/speed:-1\nveth1 10000\ntun0 \n")
	fin := finishInterfaces(got, speeds, map[string]bool{"ens18": true})
	if len(fin) != 4 || fin[0].Name != "ens18" || !fin[0].DefaultRoute || *fin[0].SpeedMbps != 1000 ||
		fin[1].Name != "ens19" || fin[1].SpeedMbps != nil || fin[2].Name != "tun0" || fin[2].SpeedMbps != nil ||
		fin[3].Name != "veth1" || *fin[3].SpeedMbps != 10000 || fin[0].Addressing != AddressingUnknown {
		t.Errorf("finishInterfaces: %+v", fin)
	}
}

func TestParseListeners(t *testing.T) {
	ss := ParseSS(readTestdata(t, "ss.txt"))
	wantSS := []Listener{
		{22, "tcp", "0.0.0.0", "sshd"},
		{22, "tcp", "::", "sshd"},
		{53, "tcp", "127.0.0.53", "systemd-resolve"},
		{53, "udp", "127.0.0.53", "systemd-resolve"},
		{68, "udp", "203.0.113.10", "systemd-network"},
		{80, "tcp", "::", "apache2"},
		{123, "udp", "0.0.0.0", "chronyd"},
		{4000, "tcp", "::", "xroad-proxy-ui-"},
		{5432, "tcp", "127.0.0.1", "postgres"},
		{5558, "tcp", "::ffff:127.0.0.1", ""},
	}
	if !reflect.DeepEqual(ss, wantSS) {
		t.Errorf("ss:\n got %v\nwant %v", ss, wantSS)
	}
	ns := ParseNetstat(readTestdata(t, "netstat.txt"))
	wantNS := []Listener{
		{22, "tcp", "0.0.0.0", "sshd"},
		{22, "tcp", "::", "sshd"},
		{53, "tcp", "127.0.0.53", "systemd-resolve"},
		{53, "udp", "127.0.0.53", "systemd-resolve"},
		{80, "tcp", "::", "apache2"},
		{123, "udp", "0.0.0.0", "chronyd"},
		{4000, "tcp", "::", ""},
		{5432, "tcp", "127.0.0.1", "postgres"},
	}
	if !reflect.DeepEqual(ns, wantNS) {
		t.Errorf("netstat:\n got %v\nwant %v", ns, wantNS)
	}
	// Old ss printed IPv4 any as "*".
	old := ParseSS("State Recv-Q Send-Q Local Address:profile.Port Peer Address:profile.Port\ntcp LISTEN 0 128 *:22 0.0.0.0:*\n")
	if want := []Listener{{22, "tcp", "0.0.0.0", ""}}; !reflect.DeepEqual(old, want) {
		t.Errorf("old ss: got %v", old)
	}
}

func TestParseLocales(t *testing.T) {
	got := ParseLocales(readTestdata(t, "locale-a.txt"))
	want := []string{"C", "C.UTF-8", "POSIX", "de_DE@euro", "en_US.UTF-8", "ky_KG.UTF-8", "ru_RU.UTF-8"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for in, want := range map[string]string{"en_US.utf8": "en_US.UTF-8", "sr_RS.utf8@latin": "sr_RS.UTF-8@latin", "en_US.ISO-8859-1": "en_US.ISO-8859-1", "C": "C"} {
		if got := NormalizeLocale(in); got != want {
			t.Errorf("NormalizeLocale(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseDF(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Disk
	}{
		{"two filesystems", readTestdata(t, "df.txt"), []Disk{
			{Mount: "/", TotalBytes: 105089261568, FreeBytes: 90388361216},
			{Mount: "/var/lib", TotalBytes: 536608768000, FreeBytes: 509286674432},
		}},
		{"same filesystem twice", "Filesystem 1-blocks Used Available Capacity Mounted on\n/dev/vda 1000 10 900 2% /\n/dev/vda 1000 10 900 2% /\n",
			[]Disk{{Mount: "/", TotalBytes: 1000, FreeBytes: 900}}},
		{"kilobytes, spaces", "Filesystem 1024-blocks Used Available Capacity Mounted on\nmy dev 10 1 9 10% /mnt/my disk\n",
			[]Disk{{Mount: "/mnt/my disk", TotalBytes: 10240, FreeBytes: 9216}}},
		{"garbage", "Filesystem\nx y z\n1 2 3 4 5%\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseDF(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseUSB(t *testing.T) {
	in := "/sys/bus/usb/devices/1-1/idVendor:0a89\n/sys/bus/usb/devices/1-1/idProduct:0030\n" +
		"/sys/bus/usb/devices/1-1/bDeviceClass:00\n/sys/bus/usb/devices/1-1/product:Rutoken ECP  2.0\n" +
		"/sys/bus/usb/devices/usb1/idVendor:1d6b\n/sys/bus/usb/devices/usb1/idProduct:0002\n/sys/bus/usb/devices/usb1/bDeviceClass:09\n" +
		"/sys/bus/usb/devices/2-1/idVendor:046D\n/sys/bus/usb/devices/2-1/idProduct:c52b\n/sys/bus/usb/devices/2-1/product:Unifying: A/B\n" +
		"/sys/bus/usb/devices/3-1/idVendor:zzzz\n/sys/bus/usb/devices/3-1/idProduct:0001\n"
	want := []USBDevice{{ID: "046d:c52b", Product: "Unifying: A/B"}, {ID: "0a89:0030", Product: "Rutoken ECP 2.0"}}
	if got := ParseUSB(in); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParseTimeSync(t *testing.T) {
	tests := []struct {
		td      string
		file    bool
		chrony  string
		want    *bool
		unknown bool
	}{
		{"yes\n", false, "", bp(true), false},
		{"no", true, "", bp(true), false}, // the flag file wins: collectors do not even run timedatectl then
		{"", true, "", bp(true), false},
		{"", false, "Reference ID    : A9FEA97B (169.254.169.123)\nLeap status     : Normal\n", bp(true), false},
		{"", false, "Leap status     : Not synchronised\n", bp(false), false},
		{"", false, "506 Cannot talk to daemon\n", nil, true},
		{"System has not been booted with systemd", false, "", nil, true},
	}
	for i, tt := range tests {
		got, why := ParseTimeSync(tt.td, tt.file, tt.chrony)
		if !eqBool(got, tt.want) || (why != "") != tt.unknown {
			t.Errorf("%d: got %s %q, want %s", i, showBool(got), why, showBool(tt.want))
		}
	}
	if got, _ := parseTimeSection("timedatectl: \nsynchronized-file: no\nchronyc: Leap status     : Normal\n"); !eqBool(got, bp(true)) {
		t.Errorf("section: got %s", showBool(got))
	}
}

func TestParseSudo(t *testing.T) {
	tests := []struct {
		in   string
		want *Sudo
	}{
		{"user=admin\nuid=1000\ngroups=admin adm sudo\nsudo_n=1\n", &Sudo{User: "admin", InSudoGroup: true}},
		{"user=root\nuid=0\ngroups=root\nsudo_n=absent\n", &Sudo{User: "root", IsRoot: true}},
		{"user=ops\nuid=1001\ngroups=ops wheel\nsudo_n=0\n", &Sudo{User: "ops", InSudoGroup: true, Passwordless: true}},
		{"user=\nuid=\ngroups=\n", nil},
	}
	for i, tt := range tests {
		if got := ParseSudo(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%d: got %+v, want %+v", i, got, tt.want)
		}
	}
}

func netplanFiles(t *testing.T, names ...string) []ConfigFile {
	var out []ConfigFile
	for _, n := range names {
		out = append(out, ConfigFile{Path: "/etc/netplan/" + n, Data: readTestdata(t, "netplan/"+n)})
	}
	return out
}

func TestParseNetplan(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  []AddrDecl
	}{
		{"18.04 cloud-init dhcp", []string{"18.04-cloud-init-dhcp.yaml"}, []AddrDecl{
			{Name: "ens3", Method: AddressingDHCP, Source: "/etc/netplan/18.04-cloud-init-dhcp.yaml"}}},
		{"22.04 installer static", []string{"22.04-installer-static.yaml"}, []AddrDecl{
			{Name: "ens18", Method: AddressingStatic, Source: "/etc/netplan/22.04-installer-static.yaml"},
			{Name: "ens19", Method: "", Source: "/etc/netplan/22.04-installer-static.yaml"}}},
		{"20.04 flow style and match", []string{"20.04-static-flow.yaml"}, []AddrDecl{
			{Name: "eth0", Method: AddressingStatic, Source: "/etc/netplan/20.04-static-flow.yaml"},
			{Name: "enp*", Method: AddressingDHCP, Source: "/etc/netplan/20.04-static-flow.yaml"},
			{Name: "br0", Method: AddressingDHCP, Source: "/etc/netplan/20.04-static-flow.yaml"}}},
		{"later file overrides", []string{"18.04-cloud-init-dhcp.yaml", "99-override.yaml"}, []AddrDecl{
			{Name: "ens3", Method: AddressingStatic, Source: "/etc/netplan/99-override.yaml"}}},
		{"renderer only", []string{"nm-renderer.yaml"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseNetplan(netplanFiles(t, tt.files...)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseIfupdownAndNM(t *testing.T) {
	iu := ParseIfupdown([]ConfigFile{
		{Path: "/etc/network/interfaces", Data: readTestdata(t, "ifupdown/interfaces-static")},
		{Path: "/etc/network/interfaces.d/50-cloud", Data: readTestdata(t, "ifupdown/interfaces-dhcp")},
	})
	wantIU := []AddrDecl{
		{Name: "lo", Method: "", Source: "/etc/network/interfaces.d/50-cloud"},
		{Name: "eth0", Method: AddressingStatic, Source: "/etc/network/interfaces"},
		{Name: "ens4", Method: AddressingDHCP, Source: "/etc/network/interfaces.d/50-cloud"},
		{Name: "ens5", Method: "", Source: "/etc/network/interfaces.d/50-cloud"},
		{Name: "ens6", Method: AddressingStatic, Source: "/etc/network/interfaces.d/50-cloud"},
	}
	if !reflect.DeepEqual(iu, wantIU) {
		t.Errorf("ifupdown:\n got %+v\nwant %+v", iu, wantIU)
	}
	var files []ConfigFile
	for _, n := range []string{"Wired-manual.nmconnection", "Wired-auto.nmconnection", "no-ifname.nmconnection"} {
		files = append(files, ConfigFile{Path: "/etc/NetworkManager/system-connections/" + n, Data: readTestdata(t, "nm/"+n)})
	}
	nm := ParseNMKeyfiles(files)
	wantNM := []AddrDecl{
		{Name: "enp1s0", Method: AddressingStatic, Source: "/etc/NetworkManager/system-connections/Wired-manual.nmconnection"},
		{Name: "enp2s0", Method: AddressingDHCP, Source: "/etc/NetworkManager/system-connections/Wired-auto.nmconnection"},
	}
	if !reflect.DeepEqual(nm, wantNM) {
		t.Errorf("nm:\n got %+v\nwant %+v", nm, wantNM)
	}
}

func TestAddressingPrecedence(t *testing.T) {
	cfg := addressingConfig{
		netplan: netplanFiles(t, "20.04-static-flow.yaml", "nm-renderer.yaml"),
		nm: []ConfigFile{
			{Path: "/etc/NetworkManager/system-connections/a.nmconnection", Data: "[connection]\ninterface-name=eth0\n[ipv4]\nmethod=auto\n"},
			{Path: "/etc/NetworkManager/system-connections/b.nmconnection", Data: "[connection]\ninterface-name=ens4\n[ipv4]\nmethod=manual\n"},
			{Path: "/etc/NetworkManager/system-connections/secret.nmconnection", Unreadable: true},
		},
		ifupdown: []ConfigFile{{Path: "/etc/network/interfaces", Data: "iface ens4 inet dhcp\niface ens5 inet dhcp\n"}},
	}
	f := &Facts{Interfaces: []Interface{{Name: "eth0"}, {Name: "enp3s0"}, {Name: "ens4"}, {Name: "ens5"}, {Name: "wg0"}}}
	cfg.apply(f)
	want := []struct{ method, source string }{
		{AddressingStatic, "/etc/netplan/20.04-static-flow.yaml"},
		{AddressingDHCP, "/etc/netplan/20.04-static-flow.yaml"},
		{AddressingStatic, "/etc/NetworkManager/system-connections/b.nmconnection"},
		{AddressingDHCP, "/etc/network/interfaces"},
		{AddressingUnknown, ""},
	}
	for i, w := range want {
		it := f.Interfaces[i]
		if it.Addressing != w.method || it.AddressingSource != w.source {
			t.Errorf("%s: got %s (%s), want %s (%s)", it.Name, it.Addressing, it.AddressingSource, w.method, w.source)
		}
	}
	if n := f.Notes["addressing"]; n == "" || !strings.Contains(n, "wg0") || !strings.Contains(n, "secret.nmconnection") {
		t.Errorf("note: %q", n)
	}
}

func TestYAMLWalkTolerance(t *testing.T) {
	// Comments with quotes, a quoted boolean and unrelated nested flow
	// collections must not confuse the reader.
	in := "network:\n  ethernets:\n    eth9: # 'x'\n      dhcp4: 'true' # yes\n\"q\": {a: [1, {b: 2}], c: d}\n"
	d := ParseNetplan([]ConfigFile{{Path: "x", Data: in}})
	if len(d) != 1 || d[0].Name != "eth9" || d[0].Method != AddressingDHCP {
		t.Errorf("got %+v", d)
	}
	// Tab indentation and junk lines are not YAML: netplan refuses such a
	// file, so it declares nothing and is reported, and nothing panics.
	bad := "network:\n\tethernets:\n\t\teth9: # 'x'\n\t\t\tdhcp4: 'true' # yes\n  junk line without colon\n  - stray item\n"
	decls, invalid := netplanDecls([]ConfigFile{{Path: "x", Data: bad}})
	if len(decls) != 0 || len(invalid) != 1 || invalid[0].Path != "x" || invalid[0].Reason == "" {
		t.Errorf("invalid file: got %+v, %+v", decls, invalid)
	}
}

func readFileOrEmpty(name string) string {
	b, _ := os.ReadFile(name)
	return string(b)
}
