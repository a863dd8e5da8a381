package installer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// rig is one sshd, a runner pointed at it and the events it reported.
type rig struct {
	t       *testing.T
	h       *testhost.Host
	dir     string
	marker  string
	dials   atomic.Int32
	fail    atomic.Bool // the connector refuses while set
	user    string      // login user; "" = the current (root)
	mu      sync.Mutex
	cur     *remote.Client
	events  []Event
	onEvent func(Event)
	r       *Runner
}

func newRig(t *testing.T) *rig {
	t.Helper()
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	dir := t.TempDir()
	g := &rig{t: t, h: h, dir: dir, marker: filepath.Join(dir, "marker")}
	g.r = &Runner{
		Conn: func(ctx context.Context) (remote.Host, error) {
			g.dials.Add(1)
			if g.fail.Load() {
				return nil, errors.New("test: connector refuses")
			}
			cfg := h.Config(kh)
			if g.user != "" {
				cfg.Target = h.TargetAs(g.user)
			}
			c, err := remote.Dial(ctx, cfg)
			if err != nil {
				return nil, err
			}
			g.mu.Lock()
			g.cur = c
			g.mu.Unlock()
			return c, nil
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
		JournalPath: filepath.Join(dir, "state", "journal.json"),
		LogDir:      filepath.Join(dir, "state", "logs"),
		RunLock:     filepath.Join(dir, "state", "run.lock"),
		Poll:        100 * time.Millisecond,
	}
	return g
}

// dropConnection closes the runner's current connection, as a network cut
// would.
func (g *rig) dropConnection() {
	g.mu.Lock()
	c := g.cur
	g.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

func (g *rig) kinds(id string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, e := range g.events {
		if e.StepID == id && e.Kind != EventLog {
			out = append(out, e.Kind)
		}
	}
	return out
}

func (g *rig) reset() {
	g.mu.Lock()
	g.events = nil
	g.mu.Unlock()
}

func (g *rig) allEvents() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var b strings.Builder
	for _, e := range g.events {
		fmt.Fprintf(&b, "%s %s %s\n", e.StepID, e.Kind, e.Text)
	}
	return b.String()
}

func (g *rig) journal() Journal {
	g.t.Helper()
	b, err := os.ReadFile(g.r.JournalPath)
	if err != nil {
		g.t.Fatalf("journal: %v", err)
	}
	j := Journal{}
	if err := json.Unmarshal(b, &j); err != nil {
		g.t.Fatalf("journal: %v\n%s", err, b)
	}
	return j
}

// waitJournal polls the journal until cond holds for step id or the
// timeout passes. A journal mid-write reads as not yet.
func (g *rig) waitJournal(id string, cond func(JournalEntry) bool, timeout time.Duration) {
	for end := time.Now().Add(timeout); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		b, err := os.ReadFile(g.r.JournalPath)
		j := Journal{}
		if err == nil && json.Unmarshal(b, &j) == nil && cond(j[id]) {
			return
		}
	}
}

// applies counts how often each step appended its ID to the marker.
func (g *rig) applies() map[string]int {
	b, _ := os.ReadFile(g.marker)
	m := map[string]int{}
	for _, l := range strings.Fields(string(b)) {
		m[l]++
	}
	return m
}

// markStep is done when its ID is in the marker file; Apply appends it.
func (g *rig) markStep(id, before string, long bool) Step {
	return Step{
		ID:    id,
		Check: fmt.Sprintf("grep -qx %s %s", q(id), q(g.marker)),
		Apply: before + fmt.Sprintf("echo %s >> %s", q(id), q(g.marker)),
		Long:  long,
	}
}

func (g *rig) run(ctx context.Context, steps ...Step) error {
	start := time.Now()
	err := g.r.Run(ctx, steps)
	g.t.Logf("Run took %v (err=%v)", time.Since(start).Round(time.Millisecond), err)
	return err
}

func TestRunnerPlanRunsThenRerunAppliesNothing(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	steps := []Step{
		g.markStep("one", "echo first line\n", false),
		g.markStep("two", "echo 'coloured \033[31mred\033[0m'\n", true),
		g.markStep("three", "", false),
	}
	if err := g.run(context.Background(), steps...); err != nil {
		t.Fatalf("Run: %v\n%s", err, g.allEvents())
	}
	j := g.journal()
	for _, s := range steps {
		e := j[s.ID]
		if e.Status != JournalDone || e.ApplySHA256 != applySHA(s) || e.Finished == "" || e.Attempt != 1 {
			t.Errorf("journal %s = %+v", s.ID, e)
		}
	}
	if !j["two"].Detached || j["two"].Unit != "tunduk-onboard-two-1" || j["two"].PID == 0 {
		t.Errorf("journal two = %+v, want a detached unit with a PID", j["two"])
	}
	if got := g.applies(); got["one"] != 1 || got["two"] != 1 || got["three"] != 1 {
		t.Fatalf("applies = %v", got)
	}
	if ev := g.allEvents(); !strings.Contains(ev, "two log coloured red\n") || !strings.Contains(ev, "one log first line\n") || strings.Contains(ev, "\033") {
		t.Errorf("log events not streamed/sanitised:\n%q", ev)
	}
	st, err := os.Stat(g.r.LogDir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("LogDir mode: %v %v", st.Mode(), err)
	}
	logs, _ := filepath.Glob(filepath.Join(g.r.LogDir, "*"))
	for _, f := range logs {
		if st, _ := os.Stat(f); st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s mode %v", f, st.Mode())
		}
	}

	g.reset()
	if err := g.run(context.Background(), steps...); err != nil {
		t.Fatalf("second Run: %v", err)
	}
	if got := g.applies(); got["one"] != 1 || got["two"] != 1 || got["three"] != 1 {
		t.Fatalf("second Run applied again: %v", got)
	}
	for _, s := range steps {
		if k := g.kinds(s.ID); strings.Join(k, ",") != "checking,skipped" {
			t.Errorf("second Run %s events = %v", s.ID, k)
		}
	}
}

func TestRunnerCheckPassingNeverApplies(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	s := Step{ID: "present", Check: "true", Apply: "echo present >> " + q(g.marker)}
	if err := g.run(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(g.marker); !os.IsNotExist(err) {
		t.Fatal("Apply ran although Check passed")
	}
	if k := g.kinds("present"); strings.Join(k, ",") != "checking,already-done" {
		t.Fatalf("events %v", k)
	}
	if e := g.journal()["present"]; e.Status != JournalDone {
		t.Fatalf("journal %+v", e)
	}
}

func TestRunnerLongStepSurvivesDroppedConnection(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	var once sync.Once
	g.onEvent = func(e Event) {
		if e.StepID == "slow" && e.Kind == EventApplying {
			once.Do(func() {
				go func() {
					// As below: the cut lands while the step runs detached.
					g.waitJournal("slow", func(e JournalEntry) bool { return e.PID != 0 }, 20*time.Second)
					time.Sleep(300 * time.Millisecond)
					g.dropConnection()
				}()
			})
		}
	}
	steps := []Step{
		g.markStep("slow", "echo before\nsleep 2\necho after\n", true),
		g.markStep("next", "", false),
	}
	start := time.Now()
	if err := g.run(context.Background(), steps...); err != nil {
		t.Fatalf("Run: %v\n%s", err, g.allEvents())
	}
	if g.dials.Load() < 2 {
		t.Fatalf("dials = %d: the connection was not re-dialled", g.dials.Load())
	}
	if got := g.applies(); got["slow"] != 1 || got["next"] != 1 {
		t.Fatalf("applies = %v (slow must run exactly once)", got)
	}
	ev := g.allEvents()
	if !strings.Contains(ev, "slow reconnecting") || !strings.Contains(ev, "slow log after") {
		t.Fatalf("events:\n%s", ev)
	}
	if n := strings.Count(ev, "slow log before\n"); n != 1 {
		t.Fatalf("log line repeated %d times after the reconnect:\n%s", n, ev)
	}
	if j := g.journal(); j["slow"].Status != JournalDone || j["slow"].Attempt != 1 {
		t.Fatalf("journal %+v", j["slow"])
	}
	t.Logf("2 s step with a dropped connection finished after %v", time.Since(start).Round(time.Millisecond))
}

// A connection that stays down until the user gives up: the next Run
// re-attaches to the step still running on the host instead of starting
// it again.
func TestRunnerReattachesAcrossRuns(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	g.onEvent = func(e Event) {
		if e.StepID == "slow" && e.Kind == EventApplying {
			once.Do(func() {
				go func() {
					// Cut only once the step runs detached on the host
					// (its PID is in the journal): a cut during the launch
					// itself is a different case, where a fresh attempt
					// is right, and a loaded machine can take seconds to
					// get there.
					g.waitJournal("slow", func(e JournalEntry) bool { return e.PID != 0 }, 20*time.Second)
					g.fail.Store(true)
					g.dropConnection()
					time.Sleep(1500 * time.Millisecond)
					cancel()
				}()
			})
		}
	}
	slow := g.markStep("slow", "sleep 3\n", true)
	if err := g.run(ctx, slow); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if e := g.journal()["slow"]; e.Status != JournalStarted || e.PID == 0 {
		t.Fatalf("journal after the cut %+v", e)
	}
	g.fail.Store(false)
	g.onEvent = nil
	g.reset()
	if err := g.run(context.Background(), slow); err != nil {
		t.Fatalf("resumed Run: %v\n%s", err, g.allEvents())
	}
	g.reattachedOnce(t)
}

func TestRunnerFailedStepThenResume(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	fix := filepath.Join(g.dir, "fixed")
	steps := []Step{
		g.markStep("a", "", false),
		g.markStep("b", fmt.Sprintf("echo 'it went \033[31mwrong' >&2\n[ -f %s ] || exit 3\n", q(fix)), true),
		g.markStep("c", fmt.Sprintf("[ -f %s ] || exit 4\n", q(fix)), false),
	}
	err := g.run(context.Background(), steps...)
	var se *StepError
	if !errors.As(err, &se) || se.ID != "b" || se.ExitCode != 3 {
		t.Fatalf("Run = %v, want StepError b/3", err)
	}
	if !strings.Contains(se.LogTail, "it went wrong") || strings.Contains(se.LogTail, "\033") || !strings.Contains(se.Error(), "it went wrong") {
		t.Fatalf("LogTail %q / %q", se.LogTail, se.Error())
	}
	j := g.journal()
	if j["a"].Status != JournalDone || j["b"].Status != JournalFailed || j["b"].ExitCode != 3 {
		t.Fatalf("journal %+v", j)
	}
	if _, ok := j["c"]; ok {
		t.Fatal("c ran after b failed")
	}
	if err := os.WriteFile(fix, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	g.reset()
	if err := g.run(context.Background(), steps...); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if got := g.applies(); got["a"] != 1 || got["b"] != 1 || got["c"] != 1 {
		t.Fatalf("applies %v", got)
	}
	if k := g.kinds("a"); strings.Join(k, ",") != "checking,skipped" {
		t.Fatalf("a events %v", k)
	}
	if e := g.journal()["b"]; e.Status != JournalDone || e.Attempt != 2 || e.ExitCode != 0 {
		t.Fatalf("journal b %+v", e)
	}

	// Short step failure.
	bad := Step{ID: "short-bad", Check: "false", Apply: "echo nope; exit 5"}
	err = g.run(context.Background(), bad)
	if !errors.As(err, &se) || se.ID != "short-bad" || se.ExitCode != 5 || !strings.Contains(se.LogTail, "nope") {
		t.Fatalf("short failure = %v", err)
	}
}

func TestRunnerCancelBetweenSteps(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	g.onEvent = func(e Event) {
		if e.StepID == "a" && e.Kind == EventApplying {
			cancel() // while a (detached) runs: a finishes, b never starts
		}
	}
	steps := []Step{g.markStep("a", "sleep 1\n", true), g.markStep("b", "", false), g.markStep("c", "", true)}
	if err := g.run(ctx, steps...); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	j := g.journal()
	if j["a"].Status != JournalDone || len(j) != 1 {
		t.Fatalf("journal after cancel %+v", j)
	}
	if got := g.applies(); got["a"] != 1 || got["b"] != 0 {
		t.Fatalf("applies %v", got)
	}
	g.onEvent = nil
	if err := g.run(context.Background(), steps...); err != nil {
		t.Fatal(err)
	}
	if got := g.applies(); got["a"] != 1 || got["b"] != 1 || got["c"] != 1 {
		t.Fatalf("applies %v", got)
	}
}

func TestRunnerWaitsForDpkgLock(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("fuser"); err != nil {
		t.Skip("fuser (psmisc) not installed")
	}
	g := newRig(t)
	lock := filepath.Join(g.dir, "lock-frontend")
	f, err := os.Create(lock)
	if err != nil {
		t.Fatal(err)
	}
	// The holder lets go only once the runner says it waits (plus a
	// second), so the test does not race a loaded machine's clock.
	holder := exec.Command("sleep", "60")
	holder.Stdin = f // holds the lock file open, as apt would
	err = holder.Start()
	f.Close() // only the holder has it open now
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Wait()
	defer holder.Process.Kill()
	var release sync.Once
	var released atomic.Int64
	g.onEvent = func(e Event) {
		if e.StepID == "apt" && e.Kind == EventWaitingLock {
			release.Do(func() {
				time.AfterFunc(time.Second, func() { released.Store(time.Now().UnixNano()); holder.Process.Kill() })
			})
		}
	}
	g.r.LockFile = lock
	s := g.markStep("apt", ": apt-get install nothing\n", false)
	if err := g.run(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if k := strings.Join(g.kinds("apt"), ","); k != "checking,waiting-lock,applying,done" {
		t.Fatalf("events %s", k)
	}
	if released.Load() == 0 {
		t.Fatal("did not wait for the lock")
	}
	if !strings.Contains(g.allEvents(), "waiting for the package manager") {
		t.Fatal(g.allEvents())
	}
}

func TestRunnerStdinSecretStaysSecret(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	secret := "admin:S3cret-" + fmt.Sprint(time.Now().UnixNano())
	steps := []Step{
		{ID: "detached-secret", Long: true, Stdin: secret + "\n", Check: "false",
			Apply: fmt.Sprintf("read line\n[ \"$line\" = %s ] || exit 9\necho read-ok\necho ok >> %s", q(secret), q(g.marker))},
		// A script that prints its input: the events show it masked.
		{ID: "short-secret", Stdin: secret + "\n", Check: "false", Apply: "cat; echo short-ok"},
	}
	if err := g.run(context.Background(), steps...); err != nil {
		t.Fatalf("Run: %v", err)
	}
	ev := g.allEvents()
	if !strings.Contains(ev, "read-ok") || !strings.Contains(ev, "short-ok") || !strings.Contains(ev, Masked) {
		t.Fatalf("events:\n%s", ev)
	}
	if strings.Contains(ev, "S3cret") {
		t.Fatalf("secret in events:\n%s", ev)
	}
	assertNotInDir(t, filepath.Dir(g.r.LogDir), "S3cret")
	// A failing step with a secret: not in the error either.
	bad := Step{ID: "bad-secret", Stdin: secret + "\n", Check: "false", Apply: "cat >&2; exit 2", Long: true}
	err := g.run(context.Background(), bad)
	if err == nil || strings.Contains(err.Error(), "S3cret") {
		t.Fatalf("err = %v", err)
	}
	var se *StepError
	if !errors.As(err, &se) || strings.Contains(se.LogTail, "S3cret") {
		t.Fatalf("err = %#v", err)
	}
}

func assertNotInDir(t *testing.T, dir, s string) {
	t.Helper()
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || info.Mode()&os.ModeNamedPipe != 0 {
			return nil
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), s) {
			t.Errorf("%s contains the secret", p)
		}
		return nil
	})
}

func TestRunnerSudoPassword(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("sudo"); err != nil {
		t.Skip("sudo not installed (build/deps.sh installs it)")
	}
	g := newRig(t)
	name, pw := testhost.AddUser(t)
	sudoers := "/etc/sudoers.d/tunduk-test-" + name
	if err := os.WriteFile(sudoers, []byte(name+" ALL=(ALL:ALL) ALL\n"), 0o440); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(sudoers) })
	g.user = name
	secret := "admin:Adm1n-" + fmt.Sprint(time.Now().UnixNano())
	steps := []Step{
		g.markStep("as-root", "", false),
		g.markStep("as-root-long", "id -u\n", true),
		{ID: "stdin", Long: true, Stdin: secret + "\n", Check: "false",
			Apply: fmt.Sprintf("read line\n[ \"$line\" = %s ] || exit 9\necho stdin >> %s", q(secret), q(g.marker))},
	}

	t.Run("wrong", func(t *testing.T) {
		wrong := "Wrong-" + pw
		g.r.Sudo = func() (string, error) { return wrong, nil }
		err := g.run(context.Background(), steps...)
		if !errors.Is(err, ErrSudoPassword) {
			t.Fatalf("Run = %v, want ErrSudoPassword", err)
		}
		if strings.Contains(err.Error(), wrong) || strings.Contains(g.allEvents(), wrong) {
			t.Fatal("the password leaked into the error or the events")
		}
		if _, err := os.Stat(g.marker); !os.IsNotExist(err) {
			t.Fatal("something was applied")
		}
		if _, err := os.Stat(filepath.Join(g.dir, "state")); !os.IsNotExist(err) {
			t.Fatal("the wrong password changed the host (state dir created)")
		}
	})
	t.Run("none", func(t *testing.T) {
		g.r.Sudo = nil
		if err := g.run(context.Background(), steps...); !errors.Is(err, ErrSudoPassword) {
			t.Fatalf("Run = %v, want ErrSudoPassword", err)
		}
	})
	t.Run("right", func(t *testing.T) {
		g.r.Sudo = func() (string, error) { return pw, nil }
		g.reset()
		if err := g.run(context.Background(), steps...); err != nil {
			t.Fatalf("Run: %v\n%s", err, g.allEvents())
		}
		st, err := os.Stat(g.marker)
		if err != nil {
			t.Fatal(err)
		}
		if uid := st.Sys().(*syscall.Stat_t).Uid; uid != 0 {
			t.Fatalf("marker owned by uid %d, want root", uid)
		}
		if got := g.applies(); got["as-root"] != 1 || got["as-root-long"] != 1 || got["stdin"] != 1 {
			t.Fatalf("applies %v", got)
		}
		ev := g.allEvents()
		if !strings.Contains(ev, "as-root-long log 0\n") {
			t.Fatalf("long step not root:\n%s", ev)
		}
		if strings.Contains(ev, pw) || strings.Contains(ev, "Adm1n") {
			t.Fatal("a secret leaked into the events")
		}
		assertNotInDir(t, filepath.Join(g.dir, "state"), pw)
		assertNotInDir(t, filepath.Join(g.dir, "state"), "Adm1n")
	})
}

func TestDetachCommand(t *testing.T) {
	f := stepFiles{script: "/l/x-1.sh", log: "/l/x-1.log", status: "/l/x-1.status", pid: "/l/x-1.pid", fifo: "/l/x-1.in"}
	sd := detachCommand(true, "tunduk-onboard-x-1", f, true)
	for _, want := range []string{
		"systemd-run --quiet --unit='tunduk-onboard-x-1' --collect --service-type=exec sh -c ",
		"mkfifo -m 600 '/l/x-1.in'",
		"'/l/x-1.sh' '/l/x-1.in' '/l/x-1.log' '/l/x-1.status' '/l/x-1.pid'",
		"echo $$$$ > \"$$5.tmp\"", // ExecStart makes "$$" of every "$$$$" (found on a real systemd)
	} {
		if !strings.Contains(sd, want) {
			t.Errorf("systemd command lacks %q:\n%s", want, sd)
		}
	}
	if strings.Contains(sd, "setsid") {
		t.Errorf("systemd command uses setsid:\n%s", sd)
	}
	ss := detachCommand(false, "tunduk-onboard-x-1", f, false)
	if !strings.Contains(ss, "setsid nohup sh -c ") || !strings.Contains(ss, "'/dev/null' '/l/x-1.log'") || strings.Contains(ss, "systemd-run") || strings.Contains(ss, "mkfifo") {
		t.Errorf("setsid command:\n%s", ss)
	}
	if got := sudoWrap(privSudoPass, "echo 'x'"); got != `sudo -k -S -p '' sh -c 'echo '\''x'\'''` {
		t.Errorf("sudoWrap = %s", got)
	}
	if unitName("a b/c", 2) != "tunduk-onboard-a_b_c-2" {
		t.Error(unitName("a b/c", 2))
	}
}

func TestRunnerUploadsPackages(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	from := t.TempDir()
	for _, n := range []string{"a_1.0_all.deb", "b_2.0_all.deb"} {
		if err := os.WriteFile(filepath.Join(from, n), []byte("payload "+n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	to := filepath.Join(g.dir, "packages")
	s := Step{ID: "local-repository", Upload: &Upload{From: from, To: to}, Check: "false",
		Apply: fmt.Sprintf("cd %s && ls *.deb | wc -l && cat a_1.0_all.deb", q(to))}
	if err := g.run(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(to, "b_2.0_all.deb")); err != nil || string(b) != "payload b_2.0_all.deb" {
		t.Fatalf("uploaded %q %v", b, err)
	}
	if ev := g.allEvents(); !strings.Contains(ev, "local-repository log 2\n") || !strings.Contains(ev, "payload a_1.0_all.deb") {
		t.Fatalf("events:\n%s", ev)
	}
}

// reattachedOnce: the resumed run found the detached step "slow" still
// running, re-attached to it and applied it once, in one attempt.
func (g *rig) reattachedOnce(t *testing.T) {
	t.Helper()
	if !strings.Contains(g.allEvents(), "re-attaching to tunduk-onboard-slow-1") {
		t.Fatalf("not re-attached:\n%s", g.allEvents())
	}
	if got := g.applies(); got["slow"] != 1 {
		t.Fatalf("applies %v", got)
	}
	if e := g.journal()["slow"]; e.Status != JournalDone || e.Attempt != 1 {
		t.Fatalf("journal %+v", e)
	}
}
