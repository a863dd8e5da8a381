package targethost_test

import (
	"os"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
)

// The image is a zstd tarball of a bookworm root with systemd and sshd; a
// second call returns the cached file without rebuilding it.
func TestImage(t *testing.T) {
	start := time.Now()
	p := targethost.Image(t)
	t.Logf("image: %s (%s)", p, time.Since(start).Round(100*time.Millisecond))
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() < 20<<20 {
		t.Fatalf("image %s: only %d bytes", p, st.Size())
	}
	again := time.Now()
	if p2 := targethost.Image(t); p2 != p || time.Since(again) > time.Second {
		t.Fatalf("second Image call: %s after %s, want cached %s", p2, time.Since(again), p)
	}
}
