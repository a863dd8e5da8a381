package installer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// Runner defaults.
const (
	DefaultJournalPath = StateDir + "/journal.json"
	DefaultLogDir      = StateDir + "/logs"
	DefaultPoll        = time.Second
	// DefaultCommandTimeout bounds each command the runner waits on in
	// the foreground (a check, a short step, the journal, a poll of a
	// detached step): a host that stalls one ends the run with a
	// remote.StalledError instead of holding it for ever. Long steps run
	// detached and are polled, each poll bounded.
	DefaultCommandTimeout = 10 * time.Minute
	// DefaultStepTimeout bounds a long (detached) step from its launch,
	// across reconnects and resumes: apt installing X-Road takes minutes
	// on a slow mirror, never an hour; one still running then hangs (a
	// maintainer script waiting on a prompt, a mirror that stalls) and is
	// stopped (StepTimeoutError).
	DefaultStepTimeout = 60 * time.Minute
	DefaultLockFile    = "/var/lib/dpkg/lock-frontend"

	maxLogTail   = 4 << 10  // StepError.LogTail
	maxLogLine   = 2 << 10  // one "log" event
	pollChunk    = 64 << 10 // log bytes fetched per poll
	maxBackoff   = 30 * time.Second
	firstBackoff = time.Second
)

// Event kinds.
const (
	EventChecking     = "checking"
	EventAlreadyDone  = "already-done"
	EventSkipped      = "skipped"
	EventApplying     = "applying"
	EventLog          = "log"
	EventWaitingLock  = "waiting-lock"
	EventReconnecting = "reconnecting"
	EventDone         = "done"
	EventFailed       = "failed"
)

// Event is one progress report of a Run. Text is sanitised (no control
// sequences) and never carries a secret.
type Event struct {
	StepID string
	Kind   string
	Text   string
}

// ErrSudoPassword is returned (wrapped) when sudo refuses the password.
// Nothing has been changed on the host when it is returned.
var ErrSudoPassword = errors.New("installer: sudo did not accept the password")

// ErrSudoNeeded is what a Runner.Sudo returns when it has no password to
// give (none in the form, no terminal to ask on). Nothing has been changed
// on the host when the run stops with it.
var ErrSudoNeeded = errors.New("installer: sudo needs a password and none was given")

// StepError is a step whose Apply failed.
type StepError struct {
	ID       string
	ExitCode int    // -1 when the step's process ended without a status
	LogTail  string // last ~4 KiB of its output, sanitised, secrets masked
}

func (e *StepError) Error() string {
	msg := fmt.Sprintf("installer: step %s failed (exit status %d)", e.ID, e.ExitCode)
	if e.ExitCode < 0 {
		msg = fmt.Sprintf("installer: step %s ended without an exit status (killed, or the host restarted)", e.ID)
	}
	lines := strings.Split(strings.TrimRight(e.LogTail, "\n"), "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	if t := strings.TrimSpace(strings.Join(lines, " | ")); t != "" {
		msg += ": " + t
	}
	return msg
}

// Connector dials the host (an SSH connection, or this computer:
// remote.Local); the runner calls it again after a dropped connection.
type Connector func(ctx context.Context) (remote.Host, error)

// Runner applies a plan's steps on a host: over SSH, or on this computer
// when the program runs on the future security server itself.
type Runner struct {
	Conn Connector
	// Sudo returns the sudo password; nil means the login user is root or
	// has passwordless sudo. It is asked only when needed; without a
	// password to give it returns ErrSudoNeeded.
	Sudo     func() (string, error)
	Progress func(Event)
	// JournalPath (default DefaultJournalPath) and LogDir (default
	// DefaultLogDir) are paths on the host.
	JournalPath string
	LogDir      string
	// Poll is how often a detached step is polled (default 1 s).
	Poll time.Duration
	// CommandTimeout bounds each foreground command (default
	// DefaultCommandTimeout).
	CommandTimeout time.Duration
	// StepTimeout bounds each long step from its launch (default
	// DefaultStepTimeout).
	StepTimeout time.Duration
	// LockFile is the dpkg lock waited for before apt steps (default
	// /var/lib/dpkg/lock-frontend).
	LockFile string
	// DetectSystemd says whether detached steps run under systemd-run; nil
	// asks the host whether systemd is running ([ -d /run/systemd/system ]).
	DetectSystemd func(ctx context.Context, h remote.Host) (bool, error)
	// After, when set, runs once every step is done, on the same
	// connection: the client-side checks that need the finished host (the
	// admin API, through the SSH tunnel or on this computer).
	After func(ctx context.Context, h HostAccess) error
	// RunLock is the lock file on the host that keeps a second run out
	// (default DefaultRunLock); Holder is how this run names itself to
	// one it keeps out ("tunduk-onboard-cli, alice@laptop").
	RunLock string
	Holder  string
}

func (r *Runner) journalPath() string {
	if r.JournalPath != "" {
		return r.JournalPath
	}
	return DefaultJournalPath
}

func (r *Runner) logDir() string {
	if r.LogDir != "" {
		return r.LogDir
	}
	return DefaultLogDir
}

func (r *Runner) poll() time.Duration {
	if r.Poll > 0 {
		return r.Poll
	}
	return DefaultPoll
}

func (r *Runner) commandTimeout() time.Duration {
	if r.CommandTimeout > 0 {
		return r.CommandTimeout
	}
	return DefaultCommandTimeout
}

func (r *Runner) stepTimeout() time.Duration {
	if r.StepTimeout > 0 {
		return r.StepTimeout
	}
	return DefaultStepTimeout
}

func (r *Runner) lockFile() string {
	if r.LockFile != "" {
		return r.LockFile
	}
	return DefaultLockFile
}

// Run applies steps in order, skipping those whose Check passes. It
// returns nil when every step is done, a *StepError for a failed step,
// an error wrapping ErrSudoPassword for a refused sudo password, or
// context.Canceled when ctx was cancelled (the runner stops after the
// current step; a detached step keeps running and is re-attached by the
// next Run).
func (r *Runner) Run(ctx context.Context, steps []Step) error {
	if r.Conn == nil {
		return errors.New("installer: Runner.Conn is nil")
	}
	s := &session{r: r}
	defer func() {
		s.held.release()
		if s.shell != nil {
			s.shell.close()
		}
		if s.c != nil {
			s.c.Close()
		}
	}()
	for _, st := range steps {
		s.secrets = append(s.secrets, st.Secrets...)
		if v := strings.TrimSpace(st.Stdin); v != "" {
			s.secrets = append(s.secrets, v)
		}
	}
	c, err := r.Conn(ctx)
	if err != nil {
		return err
	}
	s.c = c
	if err := s.setup(ctx); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	for _, st := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		for {
			err := s.step(ctx, st)
			var ce *connError
			if errors.As(err, &ce) {
				if rerr := s.reconnect(ctx, st.ID, ce.err); rerr != nil {
					return rerr
				}
				continue
			}
			if err != nil {
				return err
			}
			break
		}
	}
	return s.after(ctx)
}

// stepFiles are one attempt's files in LogDir.
type stepFiles struct {
	script, log, status, pid, fifo string
}

var unitUnsafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9_.-]+`) }) // compiled when first used (validate.go)

func (s *session) files(id string, attempt int) stepFiles {
	base := path.Join(s.r.logDir(), unitUnsafe().ReplaceAllString(id, "_")+"-"+strconv.Itoa(attempt))
	return stepFiles{script: base + ".sh", log: base + ".log", status: base + ".status", pid: base + ".pid", fifo: base + ".in"}
}

func unitName(id string, attempt int) string {
	return "tunduk-onboard-" + unitUnsafe().ReplaceAllString(id, "_") + "-" + strconv.Itoa(attempt)
}

// isAptStep says whether Apply uses the package manager.
func isAptStep(st Step) bool {
	return strings.Contains(st.Apply, "apt-get") || strings.Contains(st.Apply, "apt ") || strings.Contains(st.Apply, "dpkg ")
}

func now() string { return time.Now().UTC().Format(time.RFC3339) }

// step runs one step; it is re-entered after a reconnect, and decides from
// the journal and Check what is left to do.
func (s *session) step(ctx context.Context, st Step) error {
	// Commands of a step already under way are not cut by Cancel.
	sctx := context.WithoutCancel(ctx)
	j, err := s.readJournal(sctx)
	if err != nil {
		return err
	}
	e := j[st.ID]
	if e.Status == JournalStarted && e.Detached && e.Attempt > 0 {
		f := s.files(st.ID, e.Attempt)
		state, _, err := s.probe(sctx, f, -1, false)
		if err != nil {
			return err
		}
		if state != "dead" {
			s.emit(st.ID, EventApplying, "re-attaching to "+e.Unit)
			if st.Stdin != "" {
				if err := s.feedFifo(sctx, f, st.Stdin, true); err != nil {
					return err
				}
			}
			return s.follow(ctx, st, j, e, f)
		}
		// Never launched, or killed without a status: decide afresh.
	}
	s.emit(st.ID, EventChecking, "")
	done, err := s.check(sctx, st)
	if err != nil {
		return err
	}
	sha := applySHA(st)
	if done {
		ne, write := passedEntry(e, sha)
		if !write {
			s.emit(st.ID, EventSkipped, "done earlier, and its check passes")
			return nil
		}
		j[st.ID] = ne
		if err := s.writeJournal(sctx, j); err != nil {
			return err
		}
		s.emit(st.ID, EventAlreadyDone, "its check passes: nothing to apply")
		return nil
	}
	if isAptStep(st) {
		if err := s.waitLock(ctx, st.ID); err != nil {
			return err
		}
	}
	if st.Upload != nil {
		if err := s.upload(sctx, st); err != nil {
			return err
		}
	}
	e = startedEntry(e, sha, st.Long)
	f := s.files(st.ID, e.Attempt)
	if _, _, err := s.execData(sctx, "umask 077 && cat > "+q(f.script), st.Apply); err != nil {
		return s.stepErr(err, "writing the step's script")
	}
	if st.Long {
		e.Unit = unitName(st.ID, e.Attempt)
	}
	j[st.ID] = e
	if err := s.writeJournal(sctx, j); err != nil {
		return err
	}
	s.emit(st.ID, EventApplying, "")
	if !st.Long {
		return s.short(sctx, st, j, e, f)
	}
	out, _, err := s.exec(sctx, detachCommand(s.systemd, e.Unit, f, st.Stdin != ""), "")
	if err != nil {
		return s.stepErr(err, "starting the step")
	}
	if pid, perr := strconv.Atoi(strings.TrimSpace(out)); perr == nil {
		e.PID = pid
		j[st.ID] = e
		if err := s.writeJournal(sctx, j); err != nil {
			return err
		}
	}
	if st.Stdin != "" {
		if err := s.feedFifo(sctx, f, st.Stdin, false); err != nil {
			return err
		}
	}
	return s.follow(ctx, st, j, e, f)
}

// upload copies the .deb files of st.Upload.From into st.Upload.To on the
// host, each through a temp file and mv, so a cut upload leaves no half
// file under the final name (a re-entered step uploads again).
func (s *session) upload(ctx context.Context, st Step) error {
	debs, err := filepath.Glob(filepath.Join(st.Upload.From, "*.deb"))
	if err != nil {
		return err
	}
	if len(debs) == 0 {
		return fmt.Errorf("installer: step %s: no .deb files in %s", st.ID, st.Upload.From)
	}
	if _, _, err := s.exec(ctx, "mkdir -p "+q(st.Upload.To), ""); err != nil {
		return s.stepErr(err, "creating "+st.Upload.To)
	}
	for _, d := range debs {
		dst := path.Join(st.Upload.To, filepath.Base(d))
		f, err := os.Open(d)
		if err != nil {
			return fmt.Errorf("installer: step %s: %w", st.ID, err)
		}
		s.emit(st.ID, EventLog, "uploading "+filepath.Base(d))
		var in io.Reader = f
		if s.mode == privSudoPass {
			in = io.MultiReader(strings.NewReader(s.pw+"\n"), f)
		}
		if s.c == nil {
			f.Close()
			return &connError{errors.New("not connected")}
		}
		_, _, err = s.c.Run(ctx, sudoWrap(s.mode, "cat > "+q(dst+".part")+" && mv -f "+q(dst+".part")+" "+q(dst)), in)
		f.Close()
		if err != nil {
			var ee *remote.ExitError
			if errors.As(err, &ee) {
				return fmt.Errorf("installer: uploading %s: %s", filepath.Base(d), s.mask(err.Error()))
			}
			return &connError{err}
		}
	}
	return nil
}

// holdsSecret says whether text contains one of the run's secrets.
func (s *session) holdsSecret(text string) bool {
	return s.mask(text) != text
}

// stepErr passes connection errors through and explains the others.
func (s *session) stepErr(err error, doing string) error {
	var ce *connError
	if errors.As(err, &ce) {
		return err
	}
	return fmt.Errorf("installer: %s: %s", doing, s.mask(err.Error()))
}

func (s *session) check(ctx context.Context, st Step) (bool, error) {
	if strings.TrimSpace(st.Check) == "" {
		return false, nil
	}
	_, _, err := s.exec(ctx, st.Check, "")
	if err == nil {
		return true, nil
	}
	var ee *remote.ExitError
	if errors.As(err, &ee) {
		return false, nil
	}
	return false, err
}

// waitLock waits while a process holds the dpkg lock (unattended-upgrades
// on a fresh Ubuntu). fuser (psmisc) sees any process with the lock file
// open; flock(1) would not see dpkg's fcntl lock. Without fuser the wait
// is left to apt's own DPkg::Lock::Timeout.
func (s *session) waitLock(ctx context.Context, id string) error {
	cmd := "command -v fuser >/dev/null 2>&1 && fuser " + q(s.r.lockFile()) + " >/dev/null 2>&1"
	told := false
	for {
		_, _, err := s.exec(ctx, cmd, "")
		if err != nil {
			var ee *remote.ExitError
			if errors.As(err, &ee) {
				return nil // free
			}
			return err
		}
		if !told {
			s.emit(id, EventWaitingLock, "waiting for the package manager (another apt, e.g. unattended-upgrades, holds "+s.r.lockFile()+")")
			told = true
		}
		t := time.NewTimer(s.r.poll())
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// short runs a short step in the foreground.
func (s *session) short(ctx context.Context, st Step, j Journal, e JournalEntry, f stepFiles) error {
	// The script stays in LogDir, as a detached step's does: what ran on
	// the server can be read there afterwards. Plan steps take their
	// secrets on stdin; a script that has one in it is removed.
	run := "sh " + q(f.script) + " 2>&1"
	if s.holdsSecret(st.Apply) {
		run += "; rc=$?; rm -f " + q(f.script) + "; exit $rc"
	}
	out, _, err := s.exec(ctx, run, st.Stdin)
	var ce *connError
	if errors.As(err, &ce) {
		return err // re-entered: Check decides whether it happened
	}
	code := 0
	if err != nil {
		var ee *remote.ExitError
		if !errors.As(err, &ee) {
			return err
		}
		code = ee.Code
	}
	lb := &lineBuf{s: s, id: st.ID}
	lb.write(out)
	lb.flush()
	return s.finish(ctx, st, j, e, code, lb.tail.String())
}

func (s *session) finish(ctx context.Context, st Step, j Journal, e JournalEntry, code int, tail string) error {
	e = finishedEntry(e, code)
	j[st.ID] = e
	if err := s.writeJournal(ctx, j); err != nil {
		return err
	}
	if code != 0 {
		se := &StepError{ID: st.ID, ExitCode: code, LogTail: s.mask(tail)}
		s.emit(st.ID, EventFailed, se.Error())
		return se
	}
	s.emit(st.ID, EventDone, "")
	return nil
}
