//go:build unix

package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// localWaitDelay bounds how long Run waits, once its command has ended or
// was killed, for the output pipes a leftover child may still hold.
const localWaitDelay = time.Second

func (l *Local) command(ctx context.Context, cmd string) *exec.Cmd {
	c := exec.CommandContext(ctx, "/bin/sh", "-c", cmd)
	c.Env = localEnv()
	// A session of its own: no controlling terminal (sudo -S then reads
	// only standard input, and Ctrl-C on the terminal stays the
	// program's), and a process group that Cancel can kill whole.
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	c.Cancel = func() error { return killGroup(c) }
	c.WaitDelay = localWaitDelay
	return c
}

// killGroup kills the command's process group. Processes sudo runs as
// root are not this user's to kill: as over SSH, a step under way goes on.
func killGroup(c *exec.Cmd) error {
	if c.Process == nil {
		return nil
	}
	if err := syscall.Kill(-c.Process.Pid, syscall.SIGKILL); err != nil {
		return c.Process.Kill()
	}
	return nil
}

// Run runs cmd with /bin/sh on this computer. A non-zero exit returns
// *ExitError with the output; cancelling ctx kills the command's process
// group and returns the output so far with an error wrapping ctx.Err()
// (*StalledError when ctx's deadline passed). A stream past MaxOutput
// kills it too (*OutputLimitError). stdin may be nil.
func (l *Local) Run(ctx context.Context, cmd string, stdin io.Reader) (stdout, stderr []byte, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	start := time.Now()
	// A stream past the limit cancels the command as ctx would.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := l.command(cctx, cmd)
	outBuf := newBoundedBuffer(l.maxOutput(), "stdout")
	errBuf := newBoundedBuffer(l.maxOutput(), "stderr")
	c.Stdout, c.Stderr = outBuf, errBuf
	if stdin != nil {
		c.Stdin = stdin
	}
	go func() {
		select {
		case <-outBuf.over:
		case <-errBuf.over:
		case <-cctx.Done():
		}
		cancel()
	}()
	err = c.Run()
	stdout, stderr = outBuf.Bytes(), errBuf.Bytes()
	switch {
	case outBuf.Truncated():
		return stdout, stderr, outBuf.err()
	case errBuf.Truncated():
		return stdout, stderr, errBuf.err()
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return stdout, stderr, Stalled(ctx, start)
	case ctx.Err() != nil:
		return stdout, stderr, fmt.Errorf("local command interrupted: %w", ctx.Err())
	}
	var ee *exec.ExitError
	switch {
	case err == nil, errors.Is(err, exec.ErrWaitDelay):
		// ErrWaitDelay: the command ended well; a child it left in the
		// background still held its output.
	case errors.As(err, &ee):
		tail := stderr
		if len(tail) > exitErrorTail {
			tail = tail[len(tail)-exitErrorTail:]
		}
		xe := &ExitError{Code: ee.ExitCode(), Stderr: append([]byte(nil), tail...)}
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			xe.Code = 128 + int(ws.Signal())
			xe.Signal = strings.TrimPrefix(unix.SignalName(ws.Signal()), "SIG")
		}
		return stdout, stderr, xe
	default:
		return stdout, stderr, fmt.Errorf("local command: %w", err)
	}
	return stdout, stderr, nil
}

// Start starts cmd with /bin/sh on this computer, its standard input and
// output open for the caller. Close closes the input, waits a moment for
// the command to end, then kills its process group.
func (l *Local) Start(cmd string) (*Proc, error) {
	c := l.command(context.Background(), cmd)
	in, err := c.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := c.StdoutPipe()
	if err != nil {
		in.Close()
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, err
	}
	// No Wait until Close: Wait closes the output pipe, and what the
	// command printed before it ended must stay readable.
	var once sync.Once
	end := func() error {
		once.Do(func() {
			exited := make(chan struct{})
			go func() { c.Wait(); close(exited) }()
			select {
			case <-exited:
			case <-time.After(localCloseWait):
				killGroup(c)
				<-exited
			}
		})
		return nil
	}
	return &Proc{Stdin: in, Stdout: out, end: end}, nil
}
