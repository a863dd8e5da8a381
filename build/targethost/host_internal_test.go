package targethost

import (
	"context"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// Without ss -K (a kernel without socket destroy) CutSSH still drops the
// session, by killing the user's sshd processes, and sshd keeps serving.
func TestCutSSHFallback(t *testing.T) {
	h := Start(t, Options{})
	useSSKill = false
	t.Cleanup(func() { useSSKill = true })
	ctx := context.Background()
	kh := h.KnownHostsFile()
	c, err := remote.Dial(ctx, h.Config(kh))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	CheckCutSSH(t, h, c, kh, func(n int) bool { return n == 1 })
	if n, err := h.CutSSH(); err != nil || n != 0 {
		t.Errorf("CutSSH with no session: %d, %v", n, err)
	}
}

// A RootExec still running when the container powers off must not hang
// the shutdown (nsenter stops itself with its stopped child; see unstop).
func TestRootExecDuringShutdown(t *testing.T) {
	h := Start(t, Options{})
	res := make(chan error, 1)
	go func() {
		_, err := h.RootExec(context.Background(), "sleep 600")
		res <- err
	}()
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	h.Stop()
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("Stop took %s with a RootExec running", d)
	}
	select {
	case err := <-res:
		if err == nil {
			t.Error("RootExec of sleep 600 ended without an error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RootExec still blocked after the container stopped")
	}
}

// CheckCutSSH runs a long command on c, cuts the connection with CutSSH
// (whose count must satisfy okCount), and checks that the command fails
// at once and that sshd still takes a new connection. Exported for the
// package's external tests.
func CheckCutSSH(t *testing.T, h *Host, c *remote.Client, kh string, okCount func(int) bool) {
	t.Helper()
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		_, _, err := c.Run(ctx, "sleep 120", nil)
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	if n, err := h.CutSSH(); err != nil || !okCount(n) {
		t.Fatalf("CutSSH: %d, %v", n, err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the cut session ended without an error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the session survived CutSSH")
	}
	c2, err := remote.Dial(ctx, h.Config(kh))
	if err != nil {
		t.Fatalf("dial after CutSSH: %v", err)
	}
	c2.Close()
}
