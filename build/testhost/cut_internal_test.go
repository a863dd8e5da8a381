package testhost

import (
	"context"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// TestCutSSH: a cut ends the client's connection (its next command
// fails) and sshd serves the next one; by ss -K and by the fallback that
// kills sshd's session processes.
func TestCutSSH(t *testing.T) {
	for _, kill := range []bool{true, false} {
		useSSKill = kill
		t.Cleanup(func() { useSSKill = true })
		c, h := Dial(t, Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if _, _, err := c.Run(ctx, "true", nil); err != nil {
			t.Fatal(err)
		}
		if n, err := h.CutSSH(); err != nil || n != 1 {
			t.Fatalf("ss -K %v: cut %d connections, %v", kill, n, err)
		}
		if _, _, err := c.Run(ctx, "true", nil); err == nil {
			t.Fatalf("ss -K %v: the connection still works after the cut", kill)
		}
		c2, err := remote.Dial(ctx, h.Config(WriteKnownHosts(t, h.KnownHostsLine())))
		if err != nil {
			t.Fatalf("ss -K %v: sshd after the cut: %v", kill, err)
		}
		c2.Close()
	}
}
