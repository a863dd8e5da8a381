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

// TestAnsibleExportInstallsAFleet: Debian's ansible-playbook runs one
// export for three real Debian hosts booted under systemd-nspawn
// (non-root logins, password sudo), with the stand-in X-Road packages,
// the hosts in parallel (forks). A fails readiness (a container is not a
// server) and is stopped, untouched; B and C go on by the override, which
// is recorded on them. C is lost mid-step, deterministically: its
// admin-user Apply (a step Ansible runs over its SSH session, not async:
// a cut during an async step's polls is retried by Ansible until the
// step's bound) is held on the host by a chpasswd of the test's, which
// counts its runs; then C's sshd is stopped and its connections reset, so
// Ansible gives C up as unreachable, and sshd comes back 25 s later. The
// Apply goes on on C without its session, keeping the run lock's lease:
// the first run ends with C unreachable and C's holder still there. The
// second run, started at once with a 90-second idle bound, waits on C for
// that Ansible holder and says so; the test lets the Apply end once the
// wait has begun; the holder lets go 90 s later, and the second run takes
// the lock and finishes C (failed=0, unreachable=0): the admin-user Apply
// ran once on C in all, and nothing changes on B. A third run changes
// nothing on B and C; then install (our runner) finds every step of B
// done in the same journal and applies nothing. No holder is left after
// the runs. No password appears in Ansible's output, the export or the
// hosts.
func TestAnsibleExportInstallsAFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("installs packages on three booted containers (minutes)")
	}
	needAnsible(t, "ansible-playbook")
	names := []string{"ssa", "ssb", "ssc"}
	var hs []*targethost.Host
	for range names {
		hs = append(hs, targethost.Start(t, targethost.Options{}))
	}
	debs := targethost.StandinDebs(t)
	prof := targethost.StandinProfile(t, debs)
	const adminPW = "Ansible-admin-pw-never-logged-9"
	// A fails readiness and has no override; B and C have one.
	f := exportHosts(t, hs, names, func(i int) bool { return i > 0 }, debs, prof, adminPW)
	dir, inv, vars, secrets := f.dir, f.inv, f.vars, f.secrets
	// A short idle bound: the second run's wait for C's holder. Not
	// shorter: on a loaded machine (make test's two lanes) B once went 30 s
	// between two step tasks, its hold lapsed and its next Apply was
	// refused (rightly: it no longer held the lock).
	const idle = 90
	play := func() string {
		start := time.Now()
		cmd := exec.Command("ansible-playbook", "site.yml", "-i", "hosts.yml", "-i", inv, "-e", "@"+vars,
			"-e", ansible.IdleVar+"="+strconv.Itoa(idle))
		cmd.Dir = dir
		cp, err := os.MkdirTemp("", "a18cp")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(cp)
		cmd.Env = append(ansibleEnv(t), "ANSIBLE_SSH_CONTROL_PATH_DIR="+cp, "ANSIBLE_NOCOLOR=1")
		b, _ := cmd.CombinedOutput() // A fails: the exit status is never 0
		t.Logf("timing: ansible-playbook, three hosts: %s", time.Since(start).Round(100*time.Millisecond))
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Fatal("a password appears in Ansible's output")
			}
		}
		return string(b)
	}

	// C's admin-user Apply is held on the host by a chpasswd of the test's
	// (in sudo's PATH first) while /run/stall is there, and C is cut off
	// then: sshd stopped, its connections reset (the task's session dies:
	// C unreachable), sshd back 25 s later.
	c := hs[2]
	bg := context.Background()
	if _, err := c.RootExec(bg, `set -e
cat > /usr/local/sbin/chpasswd <<'STALL'
#!/bin/sh
echo run >> /var/log/test-chpasswd.count
if [ -e /run/stall ]; then
  touch /run/stalled
  i=0; while [ -e /run/stall ] && [ $i -lt 600 ]; do sleep 1; i=$((i+1)); done
fi
exec /usr/sbin/chpasswd "$@"
STALL
chmod 755 /usr/local/sbin/chpasswd
touch /run/stall`); err != nil {
		t.Fatal(err)
	}
	release := func() { c.RootExec(bg, "rm -f /run/stall") }
	defer release()
	cut := make(chan int, 1)
	go func() {
		ctx, cancel := context.WithTimeout(bg, 8*time.Minute)
		defer cancel()
		for ctx.Err() == nil {
			if _, err := c.RootExec(ctx, "test -e /run/stalled"); err == nil {
				unit, _ := c.RootExec(ctx, "systemctl is-active --quiet ssh.socket && echo ssh.socket || echo ssh.service")
				if _, err := c.RootExec(ctx, "systemctl stop ssh.socket ssh.service"); err != nil {
					t.Error(err)
				}
				n, err := c.CutSSH()
				if err != nil {
					t.Error(err)
				}
				time.Sleep(25 * time.Second)
				if _, err := c.RootExec(ctx, "systemctl start "+strings.TrimSpace(unit)); err != nil {
					t.Error(err)
				}
				cut <- n
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		cut <- 0
	}()
	// While Ansible drives B, install is refused there: the run lock is
	// held for the whole run, by the holder Ansible started.
	installB := func(pw string) (int, string, string) {
		b := hs[1]
		return cli(t, b.Password+"\n"+pw+"\n", "install", "--ssh", b.Target().String(), "--identity", b.KeyPath,
			"--known-hosts", b.KnownHostsFile(), "--packages-dir", debs, "--profile", prof, "--force", "--admin-user", "ssadmin",
			"--admin-network", targethost.Subnet, "--lang", "en", "--sudo-password-stdin", "--admin-password-stdin", "--format", "json")
	}
	refused := make(chan string, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		for ctx.Err() == nil {
			who, _ := hs[1].RootExec(ctx, "cat "+installer.DefaultRunLock+".who 2>/dev/null")
			if strings.Contains(who, ansible.HoldUnit) {
				_, out, errOut := installB(adminPW)
				refused <- out + errOut
				return
			}
			time.Sleep(500 * time.Millisecond)
		}
		refused <- "B's run lock was never held by Ansible"
	}()
	out := play()
	if r := <-refused; !strings.Contains(r, "installer.err.busy") || !strings.Contains(r, ansible.HoldUnit) {
		t.Errorf("install during Ansible's run on B was not refused as busy:\n%s", tailOf(r, 2000))
	}
	holders := func(h *targethost.Host) string {
		st, _ := h.RootExec(bg, "systemctl list-units --plain --no-legend --state=active '"+ansible.HoldUnit+"-*'")
		return strings.TrimSpace(st)
	}
	if holders(hs[1]) != "" {
		t.Error("ssb: the run lock's holder outlived the run")
	}
	if n := <-cut; n == 0 {
		t.Fatal("C's connections were never cut: the test did not test finishing a cut install")
	}
	if r := recap(t, out, "ssc"); r["unreachable"] != 1 {
		t.Errorf("C was not given up as unreachable: %v\n%s", r, failures(out))
	}
	if holders(c) == "" {
		t.Error("ssc: no holder of the run lock while the lost run's Apply still runs there")
	}
	if r := recap(t, out, "ssa"); r["failed"] != 1 || !strings.Contains(out, "The readiness check failed") {
		t.Errorf("A, failing readiness, was not stopped: %v", r)
	}
	if _, err := os.Stat(hs[0].Path(installer.DefaultJournalPath)); err == nil {
		t.Error("the install began on a host that failed readiness")
	}
	if r := recap(t, out, "ssb"); r["failed"] != 0 || r["unreachable"] != 0 || r["changed"] < 8 {
		t.Errorf("B's first run: %v\n%s", r, failures(out))
	}

	// The second run, at once: on C it waits for the lost run's holder;
	// the Apply held there ends once that wait has begun.
	go func() {
		ctx, cancel := context.WithTimeout(bg, 4*time.Minute)
		defer cancel()
		for ctx.Err() == nil {
			if out, _ := c.RootExec(ctx, "pgrep -f 'hold-run-lock[.]sh' || true"); strings.TrimSpace(out) != "" {
				time.Sleep(3 * time.Second)
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
		release()
	}()
	out = play()
	for _, n := range names[1:] {
		r := recap(t, out, n)
		if r["failed"] != 0 || r["unreachable"] != 0 || (n == "ssb" && r["changed"] != 0) || (n == "ssc" && r["changed"] == 0) {
			t.Errorf("%s's second run: %v; changed: %v\n%s", n, r, changedTasks(out), failures(out))
		}
	}
	if !strings.Contains(out, "Waiting for the run lock, held by Ansible (lets go "+strconv.Itoa(idle)+" seconds after the last step's activity") ||
		!strings.Contains(out, "Waited ") {
		t.Errorf("the second run did not say it waited for the lost run's holder on C:\n%s", tailOf(out, 4000))
	}
	t.Logf("the second run finished C: %v; %s", changedTasks(out), waitedRE.FindString(out))
	if n, err := c.RootExec(bg, "wc -l < /var/log/test-chpasswd.count"); err != nil || strings.TrimSpace(n) != "1" {
		t.Errorf("C's admin-user Apply ran %q times, want once (%v)", strings.TrimSpace(n), err)
	}
	out = play()
	for _, n := range names[1:] {
		if r := recap(t, out, n); r["changed"] != 0 || r["failed"] != 0 || r["unreachable"] != 0 {
			t.Errorf("%s's third run: %v, want changed=0; changed: %v", n, r, changedTasks(out))
		}
	}
	for i, h := range hs[1:] {
		if holders(h) != "" {
			t.Errorf("%s: the run lock's holder outlived the runs", names[i+1])
		}
	}
	for i, h := range hs[1:] {
		var over struct {
			Overridden  bool     `json:"overridden"`
			FailedRules []string `json:"failed_rules"`
		}
		if b, err := os.ReadFile(h.Path(ansible.ReadinessRecord)); err != nil || json.Unmarshal(b, &over) != nil || !over.Overridden || len(over.FailedRules) == 0 {
			t.Errorf("%s: the override is not recorded: %+v %v", names[i+1], over, err)
		}
		j := readJournal(t, h)
		for _, id := range []string{"preflight", "local-repository", "firewall", "postgresql", "admin-user", "xroad-package", "verify"} {
			if e := j[id]; e.Status != installer.JournalDone || e.ApplySHA256 == "" {
				t.Errorf("%s: journal %s after Ansible: %+v", names[i+1], id, e)
			}
		}
		state, err := h.RootExec(context.Background(), "systemctl is-active postgresql; passwd -S ssadmin | cut -d ' ' -f 2")
		if err != nil || state != "active\nP\n" {
			t.Errorf("%s after Ansible: %q %v", names[i+1], state, err)
		}
	}

	// Our runner after Ansible: the same journal, every step done.
	code, out, errOut := installB(adminPW)
	if code != exitOK {
		t.Fatalf("install after Ansible: exit %d\n%s\n%s", code, errOut, tailOf(out, 4000))
	}
	events, _ := installEvents(t, out)
	for _, ev := range events {
		if ev.Kind == installer.EventApplying {
			t.Errorf("install applied %s again after Ansible", ev.Step)
		}
	}
	grep := "grep -rlF"
	for _, s := range secrets {
		grep += " -e " + remote.Quote(s)
	}
	grep += " /var/lib/tunduk-onboard /var/log /tmp /etc /home /root 2>/dev/null | grep -v '^/etc/shadow' || true"
	for i, h := range hs {
		if found, _ := h.RootExec(context.Background(), grep); strings.TrimSpace(found) != "" {
			t.Errorf("%s: a password was written on the host: %s", names[i], found)
		}
	}
	noSecretFiles(t, secrets, dir)
}

var recapRE = regexp.MustCompile(`(\w+)=(\d+)`)

// waitedRE is how long a run's hold waited for an earlier run's.
var waitedRE = regexp.MustCompile(`Waited [0-9]+ s for the run lock`)

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

// failures are the tasks Ansible reported failed, each with what it
// said, or the output's tail when none failed.
func failures(out string) string {
	var b strings.Builder
	task := ""
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "TASK [") {
			task = l
		}
		if strings.HasPrefix(l, "fatal: ") || strings.HasPrefix(l, "failed: ") {
			b.WriteString(task + "\n" + strings.Join(lines[i:min(i+12, len(lines))], "\n") + "\n")
		}
	}
	if b.Len() == 0 {
		return tailOf(out, 4000)
	}
	return tailOf(b.String(), 6000)
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
