package installer

// One driver at a time. The wizard on one laptop and the CLI on another
// (or two engineers) must never apply the same plan to one server at
// once: two apts, two PostgreSQL set-ups, two journals racing. A Run
// holds an flock(1) on the host for as long as it drives it, from a
// session of its own (on this computer, a process) whose standard input
// stays open: when the run ends or its connection dies (or the program
// does), the shell ends and the kernel drops the lock. A run that reconnects takes its own lock back from the dead
// session still holding it (sshd may notice a cut connection only much
// later), but never another run's.

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// DefaultRunLock is where the lock lives on the host; the file beside it
// with the suffix ".who" says which run holds it.
const DefaultRunLock = StateDir + "/run.lock"

const (
	lockTimeout = 20 * time.Second
	maxLockInfo = 4 << 10
	lockBusy    = 75 // EX_TEMPFAIL: the script's "someone else holds it"
)

// BusyError is a Run refused because another run drives the host.
type BusyError struct {
	Holder string // who, as that run described itself (sanitised)
	Since  string // when it took the lock, RFC 3339 UTC
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("installer: another install drives this server (%s, since %s); wait until it ends", e.Holder, e.Since)
}

func (r *Runner) runLock() string {
	if r.RunLock != "" {
		return r.RunLock
	}
	return DefaultRunLock
}

// runLock is a held lock: closing its command's stdin releases it.
type runLock struct{ proc *remote.Proc }

func (l *runLock) release() {
	if l == nil {
		return
	}
	l.proc.Close()
}

// lockScript takes the lock (or, for the same run id, takes it back from
// this run's dead session), records the holder, says LOCKED and then
// holds it until its standard input ends. Its children never inherit the
// lock (9>&-), so nothing it starts keeps it after it ends.
func lockScript(path, id, holder string) string {
	who := path + ".who"
	return `umask 022; mkdir -p "$(dirname ` + q(path) + `)" || exit 1
exec 9>>` + q(path) + `
if ! flock -n 9; then
	if [ "$(sed -n 1p ` + q(who) + ` 2>/dev/null)" = ` + q(id) + ` ]; then
		kill "$(sed -n 2p ` + q(who) + `)" 2>/dev/null
		flock -w 10 9 || { echo BUSY; cat ` + q(who) + `; exit ` + fmt.Sprint(lockBusy) + `; }
	else
		echo BUSY; head -c ` + fmt.Sprint(maxLockInfo) + ` ` + q(who) + ` 2>/dev/null; exit ` + fmt.Sprint(lockBusy) + `
	fi
fi
printf '%s\n%s\n%s\n%s\n' ` + q(id) + ` "$$" ` + q(holder) + ` "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > ` + q(who) + `
echo LOCKED
cat >/dev/null 9>&-
`
}

// lock takes the run lock on the host for s's run.
func (s *session) lock(ctx context.Context) error {
	if s.runID == "" {
		b := make([]byte, 8)
		rand.Read(b)
		s.runID = hex.EncodeToString(b)
	}
	proc, err := s.c.Start(sudoWrap(s.mode, lockScript(s.r.runLock(), s.runID, s.r.holder())))
	if err != nil {
		return &connError{err}
	}
	out := proc.Stdout
	if s.mode == privSudoPass {
		io.WriteString(proc.Stdin, s.pw+"\n")
	}
	type answer struct {
		first string
		rest  []string
		err   error
	}
	done := make(chan answer, 1)
	go func() {
		rd := bufio.NewReader(io.LimitReader(out, maxLockInfo))
		line, err := rd.ReadString('\n')
		a := answer{first: strings.TrimSpace(line), err: err}
		if a.first == "BUSY" {
			for i := 0; i < 4; i++ {
				l, err := rd.ReadString('\n')
				a.rest = append(a.rest, strings.TrimSpace(l))
				if err != nil {
					break
				}
			}
		}
		done <- a
	}()
	t := time.NewTimer(lockTimeout)
	defer t.Stop()
	var a answer
	select {
	case a = <-done:
	case <-ctx.Done():
		proc.Close()
		return ctx.Err()
	case <-t.C:
		proc.Close()
		return fmt.Errorf("installer: taking the run lock %s on the host did not answer in %s", s.r.runLock(), lockTimeout)
	}
	switch a.first {
	case "LOCKED":
		s.held = &runLock{proc: proc}
		return nil
	case "BUSY":
		proc.Close()
		for len(a.rest) < 4 {
			a.rest = append(a.rest, "")
		}
		return &BusyError{Holder: i18n.Line(a.rest[2], 200), Since: i18n.Line(a.rest[3], 40)}
	}
	proc.Close()
	if a.err != nil && a.first == "" {
		return &connError{fmt.Errorf("taking the run lock: %w", a.err)}
	}
	return fmt.Errorf("installer: taking the run lock %s on the host failed: %q", s.r.runLock(), i18n.Line(a.first, 200))
}

// holder is how this run describes itself to a run it keeps waiting.
func (r *Runner) holder() string {
	if r.Holder != "" {
		return i18n.Line(r.Holder, 200)
	}
	return "tunduk-onboard"
}

// Holder describes a run of tool by this computer's user, for the run
// lock: the person kept out sees who to ask.
func Holder(tool string) string {
	who := "?"
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	if h, err := os.Hostname(); err == nil {
		who += "@" + h
	}
	return tool + ", " + who
}
