package installer

// The runner's connection to the host: privileges (root, sudo with the
// password on stdin), command execution, and reconnecting after a drop.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// privMode is how the login gets root (remote/sudo.go, shared with the
// configure flows).
type privMode = remote.Sudo

const (
	privRoot     = remote.SudoAsRoot     // logged in as root
	privSudoN    = remote.SudoNoPassword // passwordless sudo
	privSudoPass = remote.SudoPassword   // sudo -S with a password
)

// session is one Run: the current connection and what was learnt about
// the host.
type session struct {
	r       *Runner
	c       remote.Host
	mode    privMode
	pw      string
	systemd bool
	secrets []string // masked in every event and error
	// shell is the connection's root shell (runner_shell.go); after two
	// failed starts the runner uses a session per command.
	shell         *rootShell
	shellFailures int
	// runID names this run in the host's run lock; held is the lock
	// (runner_lock.go).
	runID string
	held  *runLock
	// follows keeps a detached step's log position across reconnects, so
	// re-attaching does not repeat log lines.
	follows map[string]*followState
}

type followState struct {
	off int64
	lb  *lineBuf
}

// connError is a failure of the connection (not of a remote command):
// the runner reconnects and re-enters the step.
type connError struct{ err error }

func (e *connError) Error() string { return "connection lost: " + e.err.Error() }
func (e *connError) Unwrap() error { return e.err }

func (s *session) emit(id, kind, text string) {
	if s.r.Progress != nil {
		s.r.Progress(Event{StepID: id, Kind: kind, Text: s.mask(text)})
	}
}

func (s *session) mask(text string) string {
	for _, sec := range s.secrets {
		if sec != "" {
			text = strings.ReplaceAll(text, sec, Masked)
		}
	}
	return text
}

// sudoWrap is the command line that runs cmd as root in the given mode;
// the password is never part of it (remote.Sudo.Wrap).
func sudoWrap(mode privMode, cmd string) string { return mode.Wrap(cmd) }

// exec runs cmd as root on the host. A failure of the connection is
// returned as *connError; a non-zero exit as *remote.ExitError.
//
// Commands without stdin go through the root shell. stdin is treated as
// secret: such commands get a session of their own, so it passes only
// through that session's stdin (after the sudo password line).
func (s *session) exec(ctx context.Context, cmd, stdin string) (string, string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.r.commandTimeout())
	defer cancel()
	if stdin == "" {
		if out, errb, err, ok := s.viaShell(ctx, cmd, nil); ok {
			return out, errb, err
		}
	}
	if s.c == nil {
		return "", "", &connError{errors.New("not connected")}
	}
	in := s.mode.Input(s.pw, stdin)
	var rd io.Reader
	if in != "" {
		rd = strings.NewReader(in)
	}
	out, errb, err := s.c.Run(ctx, sudoWrap(s.mode, cmd), rd)
	if err != nil {
		var ee *remote.ExitError
		var stalled *remote.StalledError
		switch {
		case errors.As(err, &ee), errors.As(err, &stalled):
			return string(out), string(errb), err
		case ctx.Err() != nil:
			return string(out), string(errb), ctx.Err()
		}
		return string(out), string(errb), &connError{err}
	}
	return string(out), string(errb), nil
}

// execData runs cmd as root with data, which is not secret (a script,
// the journal), on its standard input.
func (s *session) execData(ctx context.Context, cmd, data string) (string, string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.r.commandTimeout())
	defer cancel()
	if out, errb, err, ok := s.viaShell(ctx, cmd, []byte(data)); ok {
		return out, errb, err
	}
	return s.exec(ctx, cmd, data)
}

// setup learns who we are on the host, checks sudo, prepares LogDir.
func (s *session) setup(ctx context.Context) error {
	mode, err := remote.SudoOf(ctx, s.c)
	if err != nil {
		return fmt.Errorf("installer: %w", err)
	}
	if mode == privSudoPass {
		if s.r.Sudo == nil {
			return fmt.Errorf("%w: the login user is not root and sudo needs a password, but none was given", ErrSudoPassword)
		}
		pw, err := s.r.Sudo()
		if err != nil {
			return fmt.Errorf("installer: sudo password: %w", err)
		}
		s.pw = pw
		s.secrets = append(s.secrets, pw)
		// The harmless check: validates the password, changes nothing.
		if err := remote.CheckSudoPassword(ctx, s.c, pw); err != nil {
			var re *remote.SudoRefusedError
			if errors.As(err, &re) {
				return fmt.Errorf("%w (sudo said: %s)", ErrSudoPassword, s.mask(i18n.Sanitize(re.Said)))
			}
			return fmt.Errorf("installer: %w", err)
		}
	}
	s.mode = mode
	if s.r.DetectSystemd != nil {
		if s.systemd, err = s.r.DetectSystemd(ctx, s.c); err != nil {
			return err
		}
	} else {
		_, _, err := s.exec(ctx, "[ -d /run/systemd/system ] && command -v systemd-run >/dev/null", "")
		s.systemd = err == nil
	}
	_, _, err = s.exec(ctx, "umask 077 && mkdir -p "+q(s.r.logDir())+" && chmod 700 "+q(s.r.logDir()), "")
	if err != nil {
		return fmt.Errorf("installer: creating %s on the host: %s", s.r.logDir(), s.mask(err.Error()))
	}
	return nil
}

// reconnect closes the dropped connection and dials again: at once (a
// reset connection is usually back straight away), then with backoff
// (1 s, 2 s, 4 s ... 30 s) until it works or ctx is done.
func (s *session) reconnect(ctx context.Context, id string, cause error) error {
	if s.shell != nil {
		s.shell.close()
		s.shell = nil
	}
	if s.c != nil {
		s.c.Close()
		s.c = nil
	}
	var delay time.Duration
	why := cause.Error()
	for {
		s.emit(id, EventReconnecting, "connection lost ("+i18n.Sanitize(why)+"); reconnecting in "+delay.String())
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		c, err := s.r.Conn(ctx)
		if err == nil {
			s.c = c
			// The run's lock went with the old connection (or soon will):
			// take it back before touching the host again.
			s.held.release()
			s.held = nil
			var ce *connError
			if err = s.lock(ctx); err == nil {
				return nil
			} else if !errors.As(err, &ce) {
				return err
			}
			s.c.Close()
			s.c = nil
		}
		var changed *remote.HostKeyChangedError
		if errors.As(err, &changed) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		why = err.Error()
		switch {
		case delay == 0:
			delay = firstBackoff
		case delay < maxBackoff:
			delay = min(2*delay, maxBackoff)
		}
	}
}
