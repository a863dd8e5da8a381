package installer

// One root shell per connection. Every privileged command used to be its
// own SSH session (or local process) with its own `sudo -S`, and each sudo is a PAM password
// check (yescrypt on Debian/Ubuntu) and two auth.log lines: a whole
// install made ~150 of them, which cost more than a third of the plain
// commands' time on the test host. The shell is started once (`sudo sh`),
// and the runner's non-secret commands go through it, framed so that any
// output is read back exactly. Commands with a secret on stdin and binary
// uploads keep their own session.

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

const (
	shellStartTimeout = 20 * time.Second
	maxShellOutput    = 16 << 20
)

type rootShell struct {
	c     remote.Host  // the connection it lives on
	proc  *remote.Proc // the shell: its session, or its local process
	in    io.WriteCloser
	out   *bufio.Reader
	nonce string
}

// startShell opens the shell with the session's privileges and waits for
// it to say it is ready.
func startShell(ctx context.Context, c remote.Host, mode privMode, pw string) (*rootShell, error) {
	proc, err := c.Start(sudoWrap(mode, "exec sh"))
	if err != nil {
		return nil, err
	}
	in := proc.Stdin
	nb := make([]byte, 8)
	rand.Read(nb)
	sh := &rootShell{c: c, proc: proc, in: in, out: bufio.NewReader(proc.Stdout), nonce: hex.EncodeToString(nb)}
	init := "umask 077; T=$(mktemp -d) || exit 1; trap 'rm -rf \"$T\"' EXIT; echo READY_" + sh.nonce + "\n"
	if mode == privSudoPass {
		init = pw + "\n" + init
	}
	err = sh.await(ctx, shellStartTimeout, func() error {
		if _, err := io.WriteString(in, init); err != nil {
			return err
		}
		for {
			line, err := readLine(sh.out)
			if err != nil {
				return fmt.Errorf("the root shell did not start: %w", err)
			}
			if strings.TrimSpace(line) == "READY_"+sh.nonce {
				return nil
			}
		}
	})
	if err != nil {
		proc.Close()
		return nil, err
	}
	return sh, nil
}

// shellCloseWait is how long await waits, after closing the shell, for
// f to see it: a host that stalled may never confirm the close, and f's
// goroutine then ends with the connection.
const shellCloseWait = 2 * time.Second

// await runs f, closing the shell if ctx ends or timeout passes first
// (which makes f's read fail). Only a nil error says f finished: f must
// hand its results over only then.
func (sh *rootShell) await(ctx context.Context, timeout time.Duration, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expire = t.C
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sh.closeAndWait(done)
		return ctx.Err()
	case <-expire:
		sh.closeAndWait(done)
		return errors.New("the root shell did not answer in time")
	}
}

func (sh *rootShell) closeAndWait(done <-chan error) {
	sh.proc.Close()
	select {
	case <-done:
	case <-time.After(shellCloseWait):
	}
}

// run runs cmd in a subshell with data (nil: /dev/null) on its stdin and
// returns its stdout, stderr and exit status. data must not be secret: it
// passes through the shell's input as base64.
func (sh *rootShell) run(ctx context.Context, cmd string, data []byte) (stdout, stderr []byte, code int, err error) {
	var b strings.Builder
	in := "/dev/null"
	if data != nil {
		// The delimiter has "_", which base64 never does.
		fmt.Fprintf(&b, "base64 -d > \"$T/i\" <<'__B64_%s'\n", sh.nonce)
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\n")
			enc = enc[76:]
		}
		fmt.Fprintf(&b, "%s\n__B64_%s\n", enc, sh.nonce)
		in = `"$T/i"`
	}
	fmt.Fprintf(&b, "(\n%s\n) <%s >\"$T/o\" 2>\"$T/e\"; __rc=$?; printf '__END_%s %%d %%d %%d\\n' $__rc $(wc -c <\"$T/o\") $(wc -c <\"$T/e\"); cat \"$T/o\" \"$T/e\"\n",
		cmd, in, sh.nonce)
	// The frame is read into res, handed over only when it was read whole.
	type frame struct {
		stdout, stderr []byte
		code           int
	}
	var res frame
	err = sh.await(ctx, 0, func() error {
		var fr frame
		if _, err := io.WriteString(sh.in, b.String()); err != nil {
			return err
		}
		line, err := readLine(sh.out)
		if err != nil {
			return err
		}
		f := strings.Fields(line)
		if len(f) != 4 || f[0] != "__END_"+sh.nonce {
			return fmt.Errorf("the root shell answered out of frame: %q", i18n.Sanitize(line))
		}
		n := make([]int, 3)
		for i := range n {
			if n[i], err = strconv.Atoi(f[i+1]); err != nil || n[i] < 0 || n[i] > maxShellOutput {
				return fmt.Errorf("the root shell answered out of frame: %q", i18n.Sanitize(line))
			}
		}
		fr.code = n[0]
		fr.stdout, fr.stderr = make([]byte, n[1]), make([]byte, n[2])
		if _, err := io.ReadFull(sh.out, fr.stdout); err != nil {
			return err
		}
		if _, err := io.ReadFull(sh.out, fr.stderr); err != nil {
			return err
		}
		res = fr
		return nil
	})
	if err != nil {
		return nil, nil, 0, err
	}
	return res.stdout, res.stderr, res.code, nil
}

func (sh *rootShell) close() { sh.proc.Close() }

// readLine is the shell's next line, at most the reader's buffer (4 KiB):
// its frame lines are short, and a host that sends one without end is not
// read into memory.
func readLine(r *bufio.Reader) (string, error) {
	b, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", fmt.Errorf("the root shell answered with a line longer than %d bytes", r.Size())
	}
	return string(b), err
}

// viaShell runs a non-secret command (data may be nil) through the
// connection's root shell, starting it when needed. ok is false when no
// shell could be had: the caller then uses a session of its own.
func (s *session) viaShell(ctx context.Context, cmd string, data []byte) (out, errb string, err error, ok bool) {
	if s.c == nil || s.shellFailures >= 2 {
		return "", "", nil, false
	}
	if s.shell == nil || s.shell.c != s.c {
		if s.shell != nil {
			s.shell.close()
		}
		sh, err := startShell(ctx, s.c, s.mode, s.pw)
		if err != nil {
			s.shell = nil
			s.shellFailures++
			return "", "", nil, false
		}
		s.shell, s.shellFailures = sh, 0
	}
	start := time.Now()
	o, e, code, err := s.shell.run(ctx, cmd, data)
	if err != nil {
		s.shell.close()
		s.shell = nil
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return string(o), string(e), remote.Stalled(ctx, start), true
		}
		if ctx.Err() != nil {
			return string(o), string(e), ctx.Err(), true
		}
		return string(o), string(e), &connError{err}, true
	}
	if code != 0 {
		tail := e
		if len(tail) > maxLogTail {
			tail = tail[len(tail)-maxLogTail:]
		}
		return string(o), string(e), &remote.ExitError{Code: code, Stderr: tail}, true
	}
	return string(o), string(e), nil, true
}
