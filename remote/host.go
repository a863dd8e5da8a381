package remote

// Host is what the installer's runner and the configure flows need of the
// machine they work on, so that the same plan, runner and flows serve a
// server reached over SSH (*Client) and the computer the program runs on
// (*Local: the wizard or the CLI on the future security server itself).

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"
)

// Host is a machine commands run on.
type Host interface {
	// Run runs cmd with the shell and returns its output. A non-zero exit
	// is *ExitError, with the output; cancelling ctx kills the command.
	Run(ctx context.Context, cmd string, stdin io.Reader) (stdout, stderr []byte, err error)
	// Start starts cmd with its standard input and output open for the
	// caller (stderr is discarded) until Proc.Close.
	Start(cmd string) (*Proc, error)
	// DialTCP connects to addr as the host sees it: 127.0.0.1 is the
	// host's own loopback (over SSH, a direct-tcpip channel).
	DialTCP(ctx context.Context, addr string) (net.Conn, error)
	// Close ends the connection (a no-op for this computer).
	Close() error
}

// Proc is a command started with Host.Start.
type Proc struct {
	Stdin  io.WriteCloser
	Stdout io.Reader
	end    func() error
}

// Close closes the command's standard input first (a shell that reads it
// ends), then ends the session or the process.
func (p *Proc) Close() error {
	p.Stdin.Close()
	return p.end()
}

var _ Host = (*Client)(nil)

// Start runs cmd in a session of its own on the connection. A host that
// does not open the session or start the command within ConnectTimeout
// gets *StalledError (Opening); the session it may open later is closed.
// Reading Stdout is the caller's to bound (installer: the root shell's
// frames, the run lock's answer).
func (c *Client) Start(cmd string) (*Proc, error) {
	type started struct {
		p   *Proc
		err error
	}
	ch := make(chan started) // unbuffered: a late result is closed, not left behind
	abandoned := make(chan struct{})
	go func() {
		p, err := c.start(cmd)
		select {
		case ch <- started{p, err}:
		case <-abandoned:
			if p != nil {
				p.Close()
			}
		}
	}()
	t := time.NewTimer(c.cfg.ConnectTimeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.p, r.err
	case <-t.C:
		close(abandoned)
		// A result that came as the timer fired is not lost.
		select {
		case r := <-ch:
			return r.p, r.err
		default:
		}
		return nil, fmt.Errorf("ssh: %s: %w", c.cfg.Target.String(), &StalledError{After: c.cfg.ConnectTimeout, Opening: true})
	}
}

func (c *Client) start(cmd string) (*Proc, error) {
	sess, err := c.client.NewSession()
	if err != nil {
		return nil, err
	}
	in, err := sess.StdinPipe()
	if err != nil {
		sess.Close()
		return nil, err
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		sess.Close()
		return nil, err
	}
	sess.Stderr = io.Discard
	if err := sess.Start(cmd); err != nil {
		sess.Close()
		return nil, err
	}
	return &Proc{Stdin: in, Stdout: out, end: sess.Close}, nil
}

// DialTCP opens a direct-tcpip channel to addr on the host's side, as
// `ssh -L` does.
func (c *Client) DialTCP(ctx context.Context, addr string) (net.Conn, error) {
	return c.client.DialContext(ctx, "tcp", addr)
}
