package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/installer/ansible"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// TestAnsibleExportInstalls: Debian's ansible-playbook runs an export on
// a real Debian host booted under systemd-nspawn (non-root login, password
// sudo), with the stand-in X-Road packages. The host fails readiness (a
// container is not a server) and is stopped, untouched; with the override
// it is installed and the override recorded; a second run reports
// changed=0; then install (our runner) finds every step done from the
// same journal and applies nothing. No password appears in Ansible's
// output, the export or the host.
func TestAnsibleExportInstalls(t *testing.T) {
	if testing.Short() {
		t.Skip("installs packages on a booted container (minutes)")
	}
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ansible-playbook missing (build/deps.sh installs ansible)")
		}
		t.Skip("ansible-playbook missing (apt-get install ansible)")
	}
	h := targethost.Start(t, targethost.Options{})
	debs := targethost.StandinDebs(t)
	prof := targethost.StandinProfile(t, debs)
	const adminPW = "Ansible-admin-pw-never-logged-9"
	dir := filepath.Join(t.TempDir(), "fleet")
	hosts := filepath.Join(t.TempDir(), "hosts")
	line := h.Target().String() + " member=70000001 server=SS-A hostname=" + h.Hostname + " address=" + h.IP + " name=ssa\n"
	if err := os.WriteFile(hosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "", "ansible", "export", "--out", dir, "--hosts", hosts, "--identity", h.KeyPath,
		"--known-hosts", h.KnownHostsFile(), "--packages-dir", debs, "--profile", prof, "--admin-user", "ssadmin",
		"--admin-network", targethost.Subnet, "--cli", staticCLI(t), "--lang", "en")
	if code != exitOK {
		t.Fatalf("export: exit %d: %s %s", code, out, errOut)
	}
	secrets := filepath.Join(t.TempDir(), "secrets.json")
	b, _ := json.Marshal(map[string]string{"ansible_become_password": h.Password, ansible.AdminPasswordVar: adminPW})
	if err := os.WriteFile(secrets, b, 0o600); err != nil {
		t.Fatal(err)
	}
	play := func(extra ...string) (string, error) {
		start := time.Now()
		cmd := exec.Command("ansible-playbook", append([]string{"site.yml", "-e", "@" + secrets}, extra...)...)
		cmd.Dir = dir
		cp, err := os.MkdirTemp("", "a18cp")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(cp)
		cmd.Env = append(ansibleEnv(t), "ANSIBLE_SSH_CONTROL_PATH_DIR="+cp, "ANSIBLE_NOCOLOR=1")
		b, err := cmd.CombinedOutput()
		t.Logf("timing: ansible-playbook %v: %s", extra, time.Since(start).Round(100*time.Millisecond))
		for _, s := range []string{adminPW, h.Password} {
			if strings.Contains(string(b), s) {
				t.Fatal("a password appears in Ansible's output")
			}
		}
		return string(b), err
	}

	// Readiness fails on a container: the host is stopped before the
	// install play, nothing installed, nothing journaled.
	out, err := play()
	if err == nil || !strings.Contains(out, "The readiness check failed") {
		t.Fatalf("a host failing readiness was not stopped: %v\n%s", err, tailOf(out, 4000))
	}
	if r := recap(t, out, "ssa"); r["failed"] != 1 {
		t.Errorf("recap %v", r)
	}
	if _, err := os.Stat(h.Path(installer.DefaultJournalPath)); err == nil {
		t.Error("the install began on a host that failed readiness")
	}

	out, err = play("-e", "tunduk_readiness_override=true")
	if err != nil {
		t.Fatalf("install: %v\n%s", err, tailOf(out, 6000))
	}
	if r := recap(t, out, "ssa"); r["failed"] != 0 || r["changed"] < 8 {
		t.Errorf("first install recap %v", r)
	}
	var over struct {
		Overridden  bool     `json:"overridden"`
		FailedRules []string `json:"failed_rules"`
	}
	if b, err := os.ReadFile(h.Path(ansible.ReadinessRecord)); err != nil || json.Unmarshal(b, &over) != nil || !over.Overridden || len(over.FailedRules) == 0 {
		t.Errorf("the override is not recorded on the host: %+v %v", over, err)
	}
	j := readJournal(t, h)
	for _, id := range []string{"preflight", "local-repository", "firewall", "postgresql", "admin-user", "xroad-package", "verify"} {
		if e := j[id]; e.Status != installer.JournalDone || e.ApplySHA256 == "" {
			t.Errorf("journal %s after Ansible: %+v", id, e)
		}
	}
	state, err := h.RootExec(context.Background(), "systemctl is-active postgresql; id -nG ssadmin; passwd -S ssadmin | cut -d ' ' -f 2")
	if err != nil || strings.Contains(state, "inactive") || !strings.HasSuffix(state, "P\n") {
		t.Errorf("host after Ansible: %q %v", state, err)
	}

	out, err = play("-e", "tunduk_readiness_override=true")
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, tailOf(out, 4000))
	}
	if r := recap(t, out, "ssa"); r["changed"] != 0 || r["failed"] != 0 {
		t.Errorf("second run recap %v, want changed=0; changed: %v", r, changedTasks(out))
	}

	// Our runner after Ansible: the same journal, every step done.
	code, out, errOut = cli(t, h.Password+"\n"+adminPW+"\n", "install", "--ssh", h.Target().String(), "--identity", h.KeyPath,
		"--known-hosts", h.KnownHostsFile(), "--packages-dir", debs, "--profile", prof, "--force", "--admin-user", "ssadmin",
		"--admin-network", targethost.Subnet, "--lang", "en", "--sudo-password-stdin", "--admin-password-stdin", "--format", "json")
	if code != exitOK {
		t.Fatalf("install after Ansible: exit %d\n%s\n%s", code, errOut, tailOf(out, 4000))
	}
	events, _ := installEvents(t, out)
	for _, ev := range events {
		if ev.Kind == installer.EventApplying {
			t.Errorf("install applied %s again after Ansible", ev.Step)
		}
	}
	grep, _ := h.RootExec(context.Background(), "grep -rlF -e "+remote.Quote(adminPW)+" -e "+remote.Quote(h.Password)+
		" /var/lib/tunduk-onboard /var/log /tmp /etc /home /root 2>/dev/null | grep -v '^/etc/shadow' || true")
	if strings.TrimSpace(grep) != "" {
		t.Errorf("a password was written on the host: %s", grep)
	}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), adminPW) || strings.Contains(string(b), h.Password) {
				t.Errorf("%s holds a password", p)
			}
		}
		return nil
	})
}

var recapRE = regexp.MustCompile(`(\w+)=(\d+)`)

// recap is host's counts in the PLAY RECAP.
func recap(t *testing.T, out, host string) map[string]int {
	t.Helper()
	_, after, ok := strings.Cut(out, "PLAY RECAP")
	if !ok {
		t.Fatalf("no PLAY RECAP:\n%s", tailOf(out, 2000))
	}
	for _, l := range strings.Split(after, "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[0] == host {
			r := map[string]int{}
			for _, m := range recapRE.FindAllStringSubmatch(l, -1) {
				r[m[1]], _ = strconv.Atoi(m[2])
			}
			return r
		}
	}
	t.Fatalf("%s is not in the recap:\n%s", host, after)
	return nil
}

// changedTasks are the names of the tasks Ansible reported changed.
func changedTasks(out string) []string {
	var names []string
	task := ""
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "TASK [") {
			task = l
		}
		if strings.HasPrefix(l, "changed: ") {
			names = append(names, task)
		}
	}
	return names
}

// ansibleEnv keeps Ansible's files in the test's own folders.
func ansibleEnv(t *testing.T) []string {
	home := t.TempDir()
	return append(os.Environ(), "ANSIBLE_HOME="+home, "ANSIBLE_LOCAL_TEMP="+filepath.Join(home, "tmp"), "HOME="+home)
}
