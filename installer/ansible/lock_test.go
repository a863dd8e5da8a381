package ansible

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// TestExportLease: the export's pieces of the run lock's lease. The hold
// task passes the idle bound (a variable of the role and the group,
// 600 by default); every Check and Apply touches the lease first (the
// plan's scripts themselves are the host_vars', byte for byte:
// TestExportIsThePlan), and an Apply also refuses without its run's
// holder and keeps the lease while it runs, in the background, bounded,
// its output nowhere; the release stops the unit the hold named. The
// holder's command reaches ExecStart with every $ doubled and no % in
// it, and its words say when it lets go and how to stop it sooner.
func TestExportLease(t *testing.T) {
	dir := export(t, testProject(t))
	var tasks []task
	readYAML(t, filepath.Join(dir, TasksFile), &tasks)
	lease := remote.Quote(LeaseFile)
	n := 0
	for _, tk := range tasks {
		cmd, _ := tk.Shell["cmd"].(string)
		switch {
		case strings.Contains(tk.Name, "| "+PartCheck):
			if !strings.HasPrefix(cmd, "touch "+lease+" 2>/dev/null\n{{ tunduk_steps[") {
				t.Errorf("%s: %q", tk.Name, cmd)
			}
			n++
		case strings.Contains(tk.Name, "| "+PartApply):
			for _, want := range []string{"touch " + lease + " 2>/dev/null\n",
				"systemctl is-active --quiet {{ tunduk_lock_unit | quote }} ||", "exit 75",
				"while [ $n -lt " + strconv.Itoa(asyncSeconds) + " ] && kill -0 $$ 2>/dev/null; do",
				"touch " + lease + "; sleep " + strconv.Itoa(touchEvery), "</dev/null >/dev/null 2>&1 &\n{{ tunduk_steps["} {
				if !strings.Contains(cmd, want) {
					t.Errorf("%s: no %q in %q", tk.Name, want, cmd)
				}
			}
			n++
		}
	}
	if n != 2*len(testProject(t).Hosts[0].Steps) {
		t.Errorf("%d checks and applies with the lease, want %d", n, 2*len(testProject(t).Hosts[0].Steps))
	}
	for _, f := range []string{"group_vars/all.yml", "roles/" + RoleName + "/defaults/main.yml"} {
		var v map[string]any
		readYAML(t, filepath.Join(dir, f), &v)
		if v[IdleVar] != DefaultIdle {
			t.Errorf("%s: %s = %v", f, IdleVar, v[IdleVar])
		}
	}
	var plays []struct {
		Tasks []map[string]any
	}
	readYAML(t, filepath.Join(dir, "site.yml"), &plays)
	site, _ := os.ReadFile(filepath.Join(dir, "site.yml"))
	if len(plays) < 2 || len(plays[1].Tasks) < 4 {
		t.Fatalf("site.yml: %s", site)
	}
	if s, _ := plays[1].Tasks[0]["ansible.builtin.script"].(map[string]any); s["cmd"] != "hold-run-lock.sh {{ "+IdleVar+" | int }}" {
		t.Errorf("the hold task: %v", plays[1].Tasks[0])
	}
	// The unit is the LOCKED line's: a wait's line names the earlier
	// run's (a run once released that one and kept its own).
	if !strings.Contains(string(site), "tunduk_lock.stdout_lines | select(''match'', ''LOCKED '')") {
		t.Errorf("the unit is not taken from the LOCKED line:\n%s", site)
	}
	if !strings.Contains(string(site), "name: '{{ tunduk_lock_unit }}'") {
		t.Error("the release does not stop the unit the hold named")
	}
	b, _ := os.ReadFile(filepath.Join(dir, HoldScript))
	hold := string(b)
	if strings.Contains(holderCmd(), "%") || !strings.Contains(hold, " sh -c "+remote.Quote(strings.ReplaceAll(holderCmd(), "$", "$$"))+" sh ") {
		t.Error("the holder's command does not reach ExecStart as it is")
	}
	if !strings.Contains(hold, `"Ansible (lets go $after after the last step's activity, or sooner: systemctl stop $unit)"`) ||
		!strings.Contains(hold, `after="$(((idle + 59) / 60)) minutes"`) {
		t.Error("the holder's words")
	}
	if out, err := exec.Command("sh", "-n", "-c", hold).CombinedOutput(); err != nil {
		t.Errorf("sh -n: %v %s", err, out)
	}
}

// TestHolderLetsGo runs the holder's own command (sh, flock and find of
// this machine, no systemd) with a 2-second bound: it holds the lock
// while the lease is touched, writes its lines, and lets go about the
// bound after the last touch.
func TestHolderLetsGo(t *testing.T) {
	tmp := t.TempDir()
	lock := filepath.Join(tmp, "run.lock")
	touch := func() {
		now := time.Now()
		if err := os.WriteFile(lock+".lease", nil, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(lock+".lease", now, now)
	}
	held := func() bool {
		f, err := os.OpenFile(lock, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
			return true
		}
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return false
	}
	touch()
	cmd := exec.Command("sh", "-c", holderCmd(), "sh", lock, "run-1", "Ansible (words)", "2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer cmd.Process.Kill()
	for i := 0; i < 50 && !held(); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	for end := time.Now().Add(4 * time.Second); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
		touch()
		if !held() {
			t.Fatal("the holder let go of a fresh lease")
		}
	}
	last := time.Now()
	if b, _ := os.ReadFile(lock + ".who"); !strings.HasPrefix(string(b), "run-1\n"+strconv.Itoa(cmd.Process.Pid)+"\nAnsible (words)\n") || !strings.HasSuffix(string(b), "\n2\n") {
		t.Errorf("the holder's lines: %q", b)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("holder: %v", err)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("the holder kept a stale lease")
	}
	if d := time.Since(last); d < 1500*time.Millisecond || d > (2+holderPoll+1)*time.Second {
		t.Errorf("let go %s after the last touch, want 2 s to %d s", d, 2+holderPoll+1)
	}
	if held() {
		t.Error("the lock is still held")
	}
}
