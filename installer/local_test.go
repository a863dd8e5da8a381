package installer_test

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

func TestMachineCheck(t *testing.T) {
	all := func(string) bool { return true }
	only := func(names ...string) func(string) bool {
		return func(c string) bool {
			for _, n := range names {
				if n == c {
					return true
				}
			}
			return false
		}
	}
	for _, tc := range []struct {
		name     string
		m        installer.Machine
		needRoot bool
		reason   string
		os       string
	}{
		{"windows", installer.Machine{GOOS: "windows", Has: all}, false, installer.LocalNotLinux, "Windows"},
		{"macOS", installer.Machine{GOOS: "darwin", Has: all}, true, installer.LocalNotLinux, "macOS"},
		{"fedora", installer.Machine{GOOS: "linux", OSRelease: "ID=fedora\nPRETTY_NAME=\"Fedora Linux 40\"\n", Has: only("sudo", "dpkg")}, false, installer.LocalNotDebian, "Fedora Linux 40"},
		{"no os-release", installer.Machine{GOOS: "linux", Has: only("sudo")}, false, installer.LocalNotDebian, "Linux"},
		{"ubuntu, no sudo, install", installer.Machine{GOOS: "linux", Has: only("apt-get", "dpkg")}, true, installer.LocalNoSudo, "Linux"},
		{"ubuntu, no sudo, configure", installer.Machine{GOOS: "linux", Has: only("apt-get", "dpkg")}, false, "", ""},
		{"ubuntu as root without sudo", installer.Machine{GOOS: "linux", Root: true, Has: only("apt-get", "dpkg")}, true, "", ""},
		{"ubuntu with sudo", installer.Machine{GOOS: "linux", Has: all}, true, "", ""},
	} {
		err := tc.m.Check(tc.needRoot)
		var le *installer.LocalError
		switch {
		case tc.reason == "" && err != nil:
			t.Errorf("%s: %v, want none", tc.name, err)
		case tc.reason != "" && (!errors.As(err, &le) || le.Reason != tc.reason || le.OS != tc.os):
			t.Errorf("%s: %#v, want %s (%s)", tc.name, err, tc.reason, tc.os)
		case tc.reason != "":
			if key, data := installer.Explain(err); key != "installer.err.local_"+tc.reason || data["OS"] != tc.os {
				t.Errorf("%s: Explain gives %s %v", tc.name, key, data)
			}
		}
	}
	// This computer, as the tests run on it (Debian, as root in CI).
	m := installer.ThisMachine()
	if m.GOOS != runtime.GOOS || m.Root != (os.Geteuid() == 0) {
		t.Errorf("ThisMachine: %+v", m)
	}
	if _, err := os.Stat("/usr/bin/apt-get"); err == nil && m.Check(false) != nil {
		t.Errorf("a machine with apt-get refused: %v", m.Check(false))
	}
}

// The firewall keeps the SSH port of the session the local install runs
// in, else the one sshd is configured with.
func TestMachineSSHPort(t *testing.T) {
	for _, tc := range []struct {
		conn, config string
		want         int
	}{
		{"", "", 0},
		{"203.0.113.9 51000 10.0.0.5 2222", "Port 22\n", 2222},
		{"203.0.113.9 51000 10.0.0.5 22", "Port 2200\n", 22},
		{"", "# Port 2000\n  port 2201\nPort 2202\n", 2201},
		{"", "Match User backup\n  Port 2300\n", 0},
		{"garbage", "Port x\nPort 70000\n", 0},
	} {
		m := installer.Machine{SSHConnection: tc.conn, SSHDConfig: tc.config}
		if got := m.SSHPort(); got != tc.want {
			t.Errorf("SSH_CONNECTION %q, sshd_config %q: %d, want %d", tc.conn, tc.config, got, tc.want)
		}
	}
}

// On the server itself the summary asks for the user's own sudo password,
// not an SSH user's; the steps are the same.
func TestSummaryLocal(t *testing.T) {
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	opt := installer.Options{AdminUser: "xrdadmin", AdminPassword: "Zq7-unique-Adm1n-Pa55", Hostname: "ss1", Address: "10.0.0.5", Force: true}
	keys := func(o installer.Options) map[string]bool {
		m := map[string]bool{}
		for _, it := range installer.Summary(p, o) {
			m[it.Key] = true
			for _, lang := range []string{"en", "ru", "ky"} {
				if s := it.Text(lang); s == it.Key || strings.Contains(s, "{{") {
					t.Errorf("%s in %s: %q", it.Key, lang, s)
				}
			}
		}
		return m
	}
	if k := keys(opt); !k["installer.summary.ask_sudo"] || k["installer.summary.ask_sudo_local"] {
		t.Errorf("over SSH: %v", k)
	}
	remoteSteps, _ := installer.Plan(p, nil, opt)
	opt.Local = true
	if k := keys(opt); k["installer.summary.ask_sudo"] || !k["installer.summary.ask_sudo_local"] {
		t.Errorf("on this computer: %v", k)
	}
	localSteps, _ := installer.Plan(p, nil, opt)
	if installer.DryRun(localSteps, "en") != installer.DryRun(remoteSteps, "en") {
		t.Error("the plan on this computer differs from the one over SSH")
	}
}
