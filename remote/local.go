package remote

// This computer as a Host: when the wizard or the CLI runs on the future
// security server itself, the installer's runner and the configure flows
// work here without SSH, through the same Run and Start (local_unix.go)
// and a direct connection to the admin API on 127.0.0.1.

import (
	"context"
	"errors"
	"net"
	"os"
	"time"
)

// ErrLocalUnsupported is what Local's commands return where this
// computer cannot run them (not a Unix system).
var ErrLocalUnsupported = errors.New("commands on this computer need Linux")

// Local runs commands on this computer, as the user the program runs as
// (the installer's runner adds sudo itself, exactly as over SSH). Each
// command is /bin/sh -c in a session of its own with no controlling
// terminal, as an SSH exec has: sudo never asks on the terminal, and
// Ctrl-C typed there never reaches a step. Its environment is a clean one
// (the standard PATH, HOME, USER, LOGNAME, LANG=C.UTF-8), not the
// program's.
type Local struct {
	// MaxOutput bounds each stream of a Run (default DefaultMaxOutput).
	MaxOutput int
}

var _ Host = (*Local)(nil)

// localCloseWait is how long Proc.Close waits for a started command to
// end after its input was closed, before it kills it (a variable for the
// tests).
var localCloseWait = 3 * time.Second

func (l *Local) maxOutput() int {
	if l.MaxOutput > 0 {
		return l.MaxOutput
	}
	return DefaultMaxOutput
}

// localEnv is the environment of every command: what an SSH login gives,
// not what the wizard's desktop session holds.
func localEnv() []string {
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"}
	for _, k := range []string{"HOME", "USER", "LOGNAME"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// DialTCP connects to addr on this computer.
func (l *Local) DialTCP(ctx context.Context, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: DefaultConnectTimeout}
	return d.DialContext(ctx, "tcp", addr)
}

// Close does nothing: there is no connection to end.
func (l *Local) Close() error { return nil }
