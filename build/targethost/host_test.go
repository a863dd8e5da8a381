package targethost_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// Two hosts at once get their own names and addresses; an in-container
// reboot comes back (systemd-nspawn's exit 133 boots it again); when the
// last host is gone the shared bridge is gone too.
func TestParallelHostsAndReboot(t *testing.T) {
	targethost.Image(t) // build outside the parallel part
	var mu sync.Mutex
	seen := map[string]bool{}
	t.Run("hosts", func(t *testing.T) {
		for _, reboot := range []bool{true, false} {
			name := "plain"
			if reboot {
				name = "reboot"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				h := targethost.Start(t, targethost.Options{Hostname: "tg-" + name + ".example.test"})
				mu.Lock()
				if seen[h.IP] || seen[h.Name] {
					t.Errorf("address or name shared: %s %s", h.IP, h.Name)
				}
				seen[h.IP], seen[h.Name] = true, true
				mu.Unlock()
				ctx := context.Background()
				if reboot {
					rebootHost(t, ctx, h)
				}
				c, err := remote.Dial(ctx, h.Config(h.KnownHostsFile()))
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				out, _, err := c.Run(ctx, "hostname", nil)
				if err != nil || strings.TrimSpace(string(out)) != "tg-"+name+".example.test" {
					t.Fatalf("hostname over SSH: %q, %v", out, err)
				}
			})
		}
	})
	leases, _ := filepath.Glob(filepath.Join(targethost.CacheDir, "net", "lease-*"))
	if len(leases) == 0 && exec.Command("ip", "link", "show", targethost.Bridge).Run() == nil {
		t.Errorf("bridge %s left behind with no host using it", targethost.Bridge)
	}
}

func rebootHost(t *testing.T, ctx context.Context, h *targethost.Host) {
	t.Helper()
	// /run is a fresh tmpfs on every boot: the marker tells the old boot
	// from the new one.
	if _, err := h.RootExec(ctx, "touch /run/targethost-marker"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	h.RootExec(ctx, "systemctl reboot") // may be killed by the shutdown
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := h.RootExec(ctx, "test ! -e /run/targethost-marker"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new boot after 2 minutes:\n%s", h.Console())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := h.WaitReady(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	t.Logf("timing: reboot %s", time.Since(start).Round(10*time.Millisecond))
	if !strings.Contains(h.Console(), "reboot (exit 133)") {
		t.Errorf("console does not show the reboot:\n%s", h.Console())
	}
	if time.Since(start) > 10*time.Second {
		t.Logf("slow reboot; console:\n%s", h.Console())
	}
	if _, err := os.Stat(h.Path("etc/hostname")); err != nil {
		t.Error(err)
	}
}
