package installer

import (
	"context"
	"errors"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// HostAccess is what a Runner.After hook may use on the host: the live
// connection and commands run as root with the run's own privileges (the
// sudo password, when there is one, goes on stdin as for every step).
type HostAccess struct{ s *session }

// Host is the current connection to the host (or this computer).
func (h HostAccess) Host() remote.Host { return h.s.c }

// RootOutput runs cmd as root and returns its standard output. Errors are
// masked like the runner's own; a dropped connection makes the runner
// reconnect and call the hook again.
func (h HostAccess) RootOutput(ctx context.Context, cmd string) (string, error) {
	out, _, err := h.s.exec(ctx, cmd, "")
	if err != nil {
		var ce *connError
		if errors.As(err, &ce) {
			return "", err
		}
		return "", errors.New(h.s.mask(err.Error()))
	}
	return out, nil
}

// after calls the Runner's After hook, reconnecting as for a step when the
// connection drops under it.
func (s *session) after(ctx context.Context) error {
	if s.r.After == nil {
		return nil
	}
	for {
		err := s.r.After(ctx, HostAccess{s})
		var ce *connError
		if !errors.As(err, &ce) {
			return err
		}
		if rerr := s.reconnect(ctx, "after", ce.err); rerr != nil {
			return rerr
		}
	}
}
