package installer

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestProbeCommand runs probe's shell in sh on files of a step: a live
// process, a dead one, a status, the log from an offset, and a step that
// ends while it is looked at (its status written as its process is
// asked about), which must read as its exit, not as killed.
func TestProbeCommand(t *testing.T) {
	dir := t.TempDir()
	f := stepFiles{script: filepath.Join(dir, "s.sh"), log: filepath.Join(dir, "s.log"), status: filepath.Join(dir, "s.status"),
		pid: filepath.Join(dir, "s.pid"), fifo: filepath.Join(dir, "s.in")}
	live := exec.Command("sleep", "60")
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	defer live.Process.Kill()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.log, []byte("one\ntwo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(prefix string, offset int64) (string, string) {
		t.Helper()
		out, err := exec.Command("sh", "-c", prefix+probeCommand(f, offset, 1)).Output()
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		state, log, _ := strings.Cut(string(out), "\n")
		return state, log
	}
	setPID := func(p int) {
		if err := os.WriteFile(f.pid, []byte(strconv.Itoa(p)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	setPID(live.Process.Pid)
	if st, log := run("", 4); st != "running" || log != "two\n" {
		t.Errorf("live process: %q, log %q", st, log)
	}
	setPID(gone.Process.Pid)
	if st, _ := run("", -1); st != "dead" {
		t.Errorf("process gone, no status: %q", st)
	}
	// The step ends as the probe asks about its process: the wrapper has
	// written its status, then exited.
	ends := "kill() { echo 0 > " + q(f.status) + "; return 1; }; "
	if st, _ := run(ends, -1); st != "exit 0" {
		t.Errorf("a step that ended during the look: %q, want exit 0", st)
	}
	if err := os.WriteFile(f.status, []byte("3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if st, log := run("", 0); st != "exit 3" || log != "one\ntwo\n" {
		t.Errorf("status 3: %q, log %q", st, log)
	}
}
