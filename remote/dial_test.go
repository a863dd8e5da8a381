package remote_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// silentServer accepts TCP connections and never answers.
func silentServer(t *testing.T) remote.Target {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return remote.Target{User: "u", Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port}
}

func TestDialCancelDuringHandshake(t *testing.T) {
	t.Parallel()
	tg := silentServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := remote.Dial(ctx, remote.Config{Target: tg, KnownHostsFile: t.TempDir() + "/kh", ConnectTimeout: time.Minute})
	if !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
}

func TestDialTimeout(t *testing.T) {
	t.Parallel()
	tg := silentServer(t)
	start := time.Now()
	_, err := remote.Dial(context.Background(), remote.Config{Target: tg, KnownHostsFile: t.TempDir() + "/kh", ConnectTimeout: 300 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
	t.Log(err)
}

func TestDialConfigErrors(t *testing.T) {
	t.Parallel()
	if _, err := remote.Dial(context.Background(), remote.Config{}); err == nil {
		t.Fatal("empty config accepted")
	}
	if _, err := remote.Dial(context.Background(), remote.Config{Target: remote.Target{Host: "h"}}); err == nil {
		t.Fatal("missing user accepted")
	}
}
