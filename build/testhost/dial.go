package testhost

import (
	"context"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// Dial starts an sshd with opts, trusts its host key and connects to it
// as the current user, giving the connection 30 seconds; the connection
// is closed in t.Cleanup, before the sshd stops.
func Dial(t testing.TB, opts Options) (*remote.Client, *Host) {
	t.Helper()
	host := StartSSHD(t, opts)
	kh := WriteKnownHosts(t, host.KnownHostsLine())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := remote.Dial(ctx, host.Config(kh))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, host
}
