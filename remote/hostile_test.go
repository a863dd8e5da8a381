package remote_test

// A host that accepts the login and then stalls, trickles or floods: Run
// and Start end within their bounds, stop reading at the limit, and say
// which happened.

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

func TestRunHostile(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	cfg := h.Config(testhost.WriteKnownHosts(t, h.KnownHostsLine()))
	cfg.MaxOutput = 1 << 20
	c := dial(t, cfg)
	for _, tc := range []struct {
		name, cmd string
		check     func(t *testing.T, out []byte, err error)
	}{
		{"stall", "sleep 600", stalled},
		{"trickle", "while :; do printf x; sleep 1; done", stalled},
		// The read stops at the limit: the command is ended, not drained
		// (yes prints gigabytes in the seconds the deadline gives).
		{"flood-stdout", "yes", flooded("stdout")},
		{"flood-stderr", "cat /dev/zero >&2", flooded("stderr")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			start := time.Now()
			out, _, err := c.Run(ctx, tc.cmd, nil)
			if took := time.Since(start); took > 4*time.Second {
				t.Errorf("Run returned after %v", took)
			}
			tc.check(t, out, err)
		})
	}
	// The connection still serves the next command.
	if out := run(t, c, "echo ok"); out != "ok\n" {
		t.Errorf("after the hostile commands: %q", out)
	}
}

func stalled(t *testing.T, _ []byte, err error) {
	t.Helper()
	var st *remote.StalledError
	if !errors.As(err, &st) || st.Opening || st.After.Round(time.Second) != 2*time.Second || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v (%T), want a stall after 2s", err, err)
	}
	if kind, data := remote.Classify(err); kind != remote.KindTimeout || data["After"] != "2s" {
		t.Errorf("classified %s %v", kind, data)
	}
}

func flooded(stream string) func(t *testing.T, out []byte, err error) {
	return func(t *testing.T, out []byte, err error) {
		t.Helper()
		var ol *remote.OutputLimitError
		if !errors.As(err, &ol) || !errors.Is(err, remote.ErrOutputLimit) || ol.Stream != stream || ol.Limit != 1<<20 {
			t.Fatalf("err %v, want the %s limit", err, stream)
		}
		if stream == "stdout" && len(out) != 1<<20 {
			t.Errorf("%d bytes kept, want the limit", len(out))
		}
		if got := err.Error(); got != "the host sent more than 1 MiB on "+stream+"; the read stopped and the command was ended" {
			t.Errorf("message %q", got)
		}
	}
}

// A host that stops answering right after the login (every packet held):
// opening a session ends within ConnectTimeout, for Run and for Start.
func TestSessionOpenStalls(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	p := startFreezeProxy(t, h.Addr())
	_, port, _ := net.SplitHostPort(p.addr)
	cfg := h.Config(testhost.WriteKnownHosts(t, remote.KnownHostsLine(p.addr, h.HostKeys[0], false)))
	cfg.Port = atoiMust(t, port)
	cfg.ConnectTimeout = time.Second
	cfg.KeepAlive = -1 // the bound under test, not the keepalive's
	c := dial(t, cfg)
	p.frozen.Store(true)
	for name, f := range map[string]func() error{
		"run":   func() error { _, _, err := c.Run(context.Background(), "true", nil); return err },
		"start": func() error { _, err := c.Start("true"); return err },
	} {
		start := time.Now()
		err := f()
		var st *remote.StalledError
		if !errors.As(err, &st) || !st.Opening {
			t.Errorf("%s: err %v, want a stall while opening", name, err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s returned after %v", name, took)
		}
	}
}

func TestLocalRunHostile(t *testing.T) {
	t.Parallel()
	l := &remote.Local{MaxOutput: 1 << 20}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, _, err := l.Run(ctx, "sleep 600", nil)
	stalledAfter(t, err, time.Second)
	_, _, err = l.Run(context.Background(), "yes", nil)
	var ol *remote.OutputLimitError
	if !errors.As(err, &ol) || ol.Stream != "stdout" {
		t.Errorf("flood: %v", err)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("took %v", took)
	}
}

func stalledAfter(t *testing.T, err error, d time.Duration) {
	t.Helper()
	var st *remote.StalledError
	if !errors.As(err, &st) || st.After.Round(time.Second) != d {
		t.Errorf("err %v, want a stall after %v", err, d)
	}
}
