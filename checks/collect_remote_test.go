package checks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// fixtureProbeOutput is what the probe prints on the Ubuntu 22.04 fixture
// host (the same facts fixtureEnv serves to the local collector).
func fixtureProbeOutput(t *testing.T) string {
	t.Helper()
	h := func(p string) string { return readTestdata(t, "host-ubuntu2204/"+p) }
	var b strings.Builder
	sec := func(name, body string) { b.WriteString("\n@@tunduk:" + name + "@@\n" + body) }
	sec("hostname", "xroad-ss1\n")
	sec("uname-m", "x86_64\n")
	sec("os-release", h("etc/os-release"))
	sec("cpuinfo", "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\n"+
		"flags\t\t: fpu vme aes avx\nprocessor\t: 1\n")
	sec("meminfo", "MemTotal:        8148392 kB\n")
	sec("route", h("proc/net/route"))
	sec("ip-addr", readTestdata(t, "ip-addr.txt"))
	sec("speed", "/sys/class/net/ens18/speed:1000\n/sys/class/net/ens19/speed:-1\n")
	sec("netplan", "@@tunduk:file:/etc/netplan/00-installer-config.yaml@@\n"+h("etc/netplan/00-installer-config.yaml")+"\n")
	sec("nm", "")
	sec("ifupdown", "@@tunduk:file:/etc/network/interfaces@@\n"+h("etc/network/interfaces")+"\n")
	sec("df", readTestdata(t, "df.txt"))
	sec("listen", "tool: ss\n"+readTestdata(t, "ss.txt"))
	sec("locale", readTestdata(t, "locale-a.txt"))
	sec("timesync", "timedatectl: \nsynchronized-file: yes\n")
	sec("usb", "/sys/bus/usb/devices/1-1/idVendor:0a89\n/sys/bus/usb/devices/1-1/idProduct:0030\n"+
		"/sys/bus/usb/devices/1-1/bDeviceClass:00\n/sys/bus/usb/devices/1-1/product:Rutoken ECP\n"+
		"/sys/bus/usb/devices/usb1/idVendor:1d6b\n/sys/bus/usb/devices/usb1/idProduct:0002\n"+
		"/sys/bus/usb/devices/usb1/bDeviceClass:09\n/sys/bus/usb/devices/usb1/product:EHCI Host Controller\n")
	sec("pcscd", "running\n")
	sec("sudo", "user=admin\nuid=1000\ngroups=admin adm sudo\nsudo_n=1\n")
	sec("end", "")
	return b.String()
}

func TestParseProbeFixture(t *testing.T) {
	f, err := ParseProbe([]byte(fixtureProbeOutput(t)))
	if err != nil {
		t.Fatal(err)
	}
	want := wantFixtureFacts()
	want.Notes = map[string]string{"addressing": "x", "speed_mbps": "x"}
	if d := CompareFacts(f, want); len(d) > 0 {
		t.Errorf("differences from the expected facts:\n%s", strings.Join(d, "\n"))
	}
	if f.Sudo == nil || *f.Sudo != (Sudo{User: "admin", InSudoGroup: true}) {
		t.Errorf("sudo: %+v", f.Sudo)
	}
	// The local collector on the same fixture host must agree exactly.
	local, err := fixtureEnv(t).collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := CompareFacts(local, f); len(d) > 0 {
		t.Errorf("local and remote disagree on the fixture host:\n%s", strings.Join(d, "\n"))
	}
}

func TestParseProbeNetstatAndUnknowns(t *testing.T) {
	out := "junk before\n@@tunduk:listen@@\ntool: netstat\n" + readTestdata(t, "netstat.txt") +
		"@@tunduk:pcscd@@\n@@tunduk:timesync@@\ntimedatectl: no\nsynchronized-file: no\n@@tunduk:end@@\n"
	f, err := ParseProbe([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Listening) != 8 || f.Listening[0] != (Listener{22, "tcp", "0.0.0.0", "sshd"}) {
		t.Errorf("listening: %v", f.Listening)
	}
	if !eqBool(f.TimeSynced, bp(false)) {
		t.Errorf("time_synced: %s", showBool(f.TimeSynced))
	}
	for _, k := range []string{"hostname", "arch", "os", "cpu", "memory", "disks", "interfaces", "locales", "pcscd_running", "sudo"} {
		if f.Notes[k] == "" {
			t.Errorf("no note for %s", k)
		}
	}
	if f.PCSCD != nil || f.Sudo != nil {
		t.Errorf("unknowns should be nil")
	}
}

func TestParseProbeRejects(t *testing.T) {
	tests := map[string][]byte{
		"empty":     nil,
		"no marker": []byte("sh: 1: Syntax error\n"),
		"cut short": []byte("@@tunduk:hostname@@\nh\n@@tunduk:uname-m@@\n"),
		"too large": append([]byte("@@tunduk:hostname@@\n"), bytes.Repeat([]byte("x"), MaxProbeOutput)...),
	}
	for name, in := range tests {
		if _, err := ParseProbe(in); !errors.Is(err, ErrProbeOutput) {
			t.Errorf("%s: got %v, want ErrProbeOutput", name, err)
		}
	}
}

type fakeCommander struct {
	t      *testing.T
	stdout string
	stderr string
	err    error
}

func (c fakeCommander) Run(_ context.Context, cmd string, stdin io.Reader) ([]byte, []byte, error) {
	if cmd != "sh -s" {
		c.t.Errorf("command %q, want sh -s", cmd)
	}
	got, _ := io.ReadAll(stdin)
	want, _ := ProbeScript()
	if !bytes.Equal(got, want) {
		c.t.Errorf("stdin is not the probe script")
	}
	return []byte(c.stdout), []byte(c.stderr), c.err
}

func TestCollectRemote(t *testing.T) {
	out := fixtureProbeOutput(t)
	if f, err := CollectRemote(context.Background(), fakeCommander{t: t, stdout: out}); err != nil || f.Hostname != "xroad-ss1" {
		t.Errorf("plain run: %v %+v", err, f)
	}
	// A non-zero exit after a complete output still counts.
	if _, err := CollectRemote(context.Background(), fakeCommander{t: t, stdout: out, err: errors.New("exit status 1")}); err != nil {
		t.Errorf("complete output with an exit status: %v", err)
	}
	_, err := CollectRemote(context.Background(), fakeCommander{t: t, stdout: "@@tunduk:hostname@@\n", stderr: "Connection closed", err: errors.New("exit status 255")})
	if err == nil || !strings.Contains(err.Error(), "Connection closed") {
		t.Errorf("failed run: %v", err)
	}
}

func TestProbeScriptIsPOSIX(t *testing.T) {
	script, err := ProbeScript()
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range []string{"dash", "sh", "busybox"} {
		path, err := exec.LookPath(sh)
		if err != nil {
			continue
		}
		args := []string{"-n"}
		if sh == "busybox" {
			args = []string{"sh", "-n"}
		}
		cmd := exec.Command(path, args...)
		cmd.Stdin = bytes.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", sh, err, out)
		}
	}
	for _, bashism := range []string{"[[ ", "function ", "$'", "<<<", "&>", "pipefail", "local "} {
		if bytes.Contains(script, []byte(bashism)) {
			t.Errorf("probe.sh contains the bashism %q", bashism)
		}
	}
}
