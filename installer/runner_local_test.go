package installer

// The runner on this computer (remote.Local): the same journal, detached
// steps, run lock and resume as over SSH, as root or as a user with
// password sudo.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// newLocalRig is a rig whose runner works on this computer, in a state
// directory of its own (dir, which may be given: a child process's).
func newLocalRig(t *testing.T, dir ...string) *rig {
	t.Helper()
	d := ""
	if len(dir) > 0 {
		d = dir[0]
	} else {
		d = t.TempDir()
	}
	g := &rig{t: t, dir: d, marker: filepath.Join(d, "marker")}
	g.r = &Runner{
		Conn: func(context.Context) (remote.Host, error) {
			g.dials.Add(1)
			return &remote.Local{}, nil
		},
		Progress: func(e Event) {
			g.mu.Lock()
			g.events = append(g.events, e)
			f := g.onEvent
			g.mu.Unlock()
			if f != nil {
				f(e)
			}
		},
		JournalPath: filepath.Join(d, "state", "journal.json"),
		LogDir:      filepath.Join(d, "state", "logs"),
		RunLock:     filepath.Join(d, "state", "run.lock"),
		Poll:        100 * time.Millisecond,
		Holder:      "local test",
	}
	return g
}

func needRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the runner as root on this computer: run the tests as root (CI does)")
	}
}

// As root: short, detached and stdin steps, an upload, a second run that
// applies nothing, and a second driver kept out by the run lock while the
// first runs.
func TestLocalRunnerAsRoot(t *testing.T) {
	needRoot(t)
	t.Parallel()
	g := newLocalRig(t)
	secret := "admin:Adm1n-" + fmt.Sprint(time.Now().UnixNano())
	from := t.TempDir()
	if err := os.WriteFile(filepath.Join(from, "a_1.0_all.deb"), []byte("payload a"), 0o644); err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(g.dir, "packages")
	steps := []Step{
		g.markStep("short", "id -u\n", false),
		g.markStep("long", "sleep 1; id -u\n", true),
		{ID: "stdin", Long: true, Stdin: secret + "\n", Check: "false",
			Apply: fmt.Sprintf("read line\n[ \"$line\" = %s ] || exit 9\necho stdin >> %s", q(secret), q(g.marker))},
		{ID: "upload", Upload: &Upload{From: from, To: to}, Check: "false", Apply: "cat " + q(filepath.Join(to, "a_1.0_all.deb"))},
	}
	// While the long step runs, a second driver is refused, naming this one.
	var busy error
	var once sync.Once
	g.onEvent = func(e Event) {
		if e.StepID == "long" && e.Kind == EventApplying {
			once.Do(func() {
				other := newLocalRig(t, g.dir)
				other.r.Holder = "the other one"
				busy = other.r.Run(context.Background(), steps[:1])
			})
		}
	}
	if err := g.run(context.Background(), steps...); err != nil {
		t.Fatalf("Run: %v\n%s", err, g.allEvents())
	}
	var be *BusyError
	if !errors.As(busy, &be) || be.Holder != "local test" {
		t.Errorf("the second driver got %v, want BusyError naming the first", busy)
	}
	if got := g.applies(); got["short"] != 1 || got["long"] != 1 || got["stdin"] != 1 {
		t.Fatalf("applies %v\n%s", got, g.allEvents())
	}
	j := g.journal()
	if e := j["long"]; !e.Detached || e.PID == 0 || e.Unit != "tunduk-onboard-long-1" || e.Status != JournalDone {
		t.Errorf("journal long %+v", e)
	}
	ev := g.allEvents()
	for _, want := range []string{"short log 0\n", "long log 0\n", "upload log payload a\n"} {
		if !strings.Contains(ev, want) {
			t.Errorf("events lack %q:\n%s", want, ev)
		}
	}
	if strings.Contains(ev, secret) {
		t.Fatal("the secret leaked into the events")
	}
	assertNotInDir(t, g.dir, secret)

	// Again: every step is done and checked, nothing is applied (the
	// lock is free again).
	g.reset()
	if err := g.run(context.Background(), steps[:2]...); err != nil {
		t.Fatal(err)
	}
	if got := g.applies(); got["short"] != 1 || got["long"] != 1 {
		t.Fatalf("the second run applied again: %v", got)
	}
	if k := g.kinds("long"); len(k) != 2 || k[1] != EventSkipped {
		t.Errorf("second run, long: %v", k)
	}
}

// localChildEnv names the state directory of TestLocalRunnerResumesAfterTheProgramDies's child.
const localChildEnv = "TUNDUK_LOCAL_RUNNER_CHILD"

func resumeSteps(g *rig) []Step { return []Step{g.markStep("slow", "sleep 3\n", true)} }

// The program that drives the install is killed while a detached step
// runs (the wizard closed, the terminal lost): the step goes on, the run
// lock is freed, and the next run re-attaches to it and applies it once.
func TestLocalRunnerResumesAfterTheProgramDies(t *testing.T) {
	if dir := os.Getenv(localChildEnv); dir != "" {
		g := newLocalRig(t, dir)
		t.Log(g.run(context.Background(), resumeSteps(g)...)) // killed before it ends
		return
	}
	needRoot(t)
	t.Parallel()
	g := newLocalRig(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(self, "-test.run", "^TestLocalRunnerResumesAfterTheProgramDies$", "-test.count=1")
	child.Env = append(os.Environ(), localChildEnv+"="+g.dir)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	g.waitJournal("slow", func(e JournalEntry) bool { return e.PID != 0 }, 20*time.Second)
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	if e := g.journal()["slow"]; e.Status != JournalStarted || e.PID == 0 {
		t.Fatalf("journal after the kill %+v", e)
	}
	if err := g.run(context.Background(), resumeSteps(g)...); err != nil {
		t.Fatalf("resumed Run: %v\n%s", err, g.allEvents())
	}
	g.reattachedOnce(t)
}

// As a user who is not root, with password sudo: a wrong password changes
// nothing; the right one (on standard input only) runs every step as root
// through the same root shell, lock and detached steps. The test runs
// itself again as that user (testhost.RunTestAs); the password reaches it
// on stdin, the state directory (root's) in the environment.
func TestLocalRunnerSudoPassword(t *testing.T) {
	if os.Getenv(testhost.AsUserEnv) != "" {
		localRunnerAsUser(t)
		return
	}
	name, pw := testhost.SudoUser(t)
	dir := t.TempDir()
	// The user may look for names in it (never list it): to see that a
	// wrong password made nothing.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	out, err := testhost.RunTestAs(t, name, "TestLocalRunnerSudoPassword", []string{localChildEnv + "=" + dir}, pw+"\n")
	if err != nil || !strings.Contains(out, "--- PASS: TestLocalRunnerSudoPassword") {
		t.Fatalf("as %s: %v\n%s", name, err, out)
	}
	if strings.Contains(out, pw) {
		t.Fatal("the password appears in the output")
	}
	g := newLocalRig(t, dir)
	if got := g.applies(); got["as-root"] != 1 || got["as-root-long"] != 1 {
		t.Fatalf("applies %v\n%s", got, out)
	}
	for _, p := range []string{g.marker, g.r.JournalPath, g.r.LogDir} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if uid := st.Sys().(*syscall.Stat_t).Uid; uid != 0 {
			t.Errorf("%s is owned by uid %d, want root", p, uid)
		}
	}
	assertNotInDir(t, dir, pw)
}

func localRunnerAsUser(t *testing.T) {
	pw, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	pw = strings.TrimSuffix(pw, "\n")
	g := newLocalRig(t, os.Getenv(localChildEnv))
	steps := []Step{g.markStep("as-root", "id -u\n", false), g.markStep("as-root-long", "id -u\n", true)}

	g.r.Sudo = func() (string, error) { return "Wrong-" + pw, nil }
	if err := g.run(context.Background(), steps...); !errors.Is(err, ErrSudoPassword) || strings.Contains(err.Error(), pw) {
		t.Fatalf("a wrong password: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(g.dir, "state")); !os.IsNotExist(err) {
		t.Fatalf("a wrong password changed the computer: %v", err)
	}
	g.r.Sudo = nil
	if err := g.run(context.Background(), steps...); !errors.Is(err, ErrSudoPassword) {
		t.Fatalf("no password: %v", err)
	}
	g.r.Sudo = func() (string, error) { return pw, nil }
	g.reset()
	if err := g.run(context.Background(), steps...); err != nil {
		t.Fatalf("Run: %v\n%s", err, g.allEvents())
	}
	ev := g.allEvents()
	if !strings.Contains(ev, "as-root log 0\n") || !strings.Contains(ev, "as-root-long log 0\n") {
		t.Fatalf("not run as root:\n%s", ev)
	}
	if strings.Contains(ev, pw) {
		t.Fatal("the password leaked into the events")
	}
}
