package xroad_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// tunnel returns an HTTP client that reaches the fake the way the product
// reaches port 4000: a direct-tcpip channel of a real SSH connection to a
// real sshd, TLS pinned to the fake's certificate.
func tunnel(t *testing.T, f *xroadtest.Server) (*http.Client, string) {
	t.Helper()
	c, _ := testhost.Dial(t, testhost.Options{})
	api := f.AdminAPI()
	certPEM, err := os.ReadFile(api.CertPath)
	if err != nil {
		t.Fatal(err)
	}
	hc, st, err := remote.TunnelHTTP(c, api.Addr, certPEM)
	if err != nil {
		t.Fatal(err)
	}
	return hc, "https://" + st.ServerName + "/api/v1"
}

// dialCounter is a host that counts the channels opened through it.
type dialCounter struct {
	remote.Host
	n atomic.Int32
}

func (d *dialCounter) DialTCP(ctx context.Context, addr string) (net.Conn, error) {
	d.n.Add(1)
	return d.Host.DialTCP(ctx, addr)
}

// TestTunnelKeepsTheConnection: a flow's calls share one channel and one
// TLS session (each new one costs three round trips over a slow link),
// and CloseIdle lets it go, so the next call opens a new one.
func TestTunnelKeepsTheConnection(t *testing.T) {
	f := xroadtest.StartWith(t, xroadtest.Options{})
	c, _ := testhost.Dial(t, testhost.Options{})
	d := &dialCounter{Host: c}
	api := f.AdminAPI()
	certPEM, err := os.ReadFile(api.CertPath)
	if err != nil {
		t.Fatal(err)
	}
	hc, st, err := remote.TunnelHTTP(d, api.Addr, certPEM)
	if err != nil {
		t.Fatal(err)
	}
	cl := xroad.New(hc, "https://"+st.ServerName+"/api/v1")
	ctx := context.Background()
	if _, err := cl.CreateAPIKey(ctx, adminUser, adminPass, []string{xroad.RoleSystemAdministrator}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := cl.Version(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := d.n.Load(); got != 1 {
		t.Fatalf("six calls opened %d channels, want 1", got)
	}
	cl.CloseIdle()
	if _, err := cl.Version(ctx); err != nil {
		t.Fatal(err)
	}
	if got := d.n.Load(); got != 2 {
		t.Fatalf("a call after CloseIdle opened %d channels in all, want 2", got)
	}
}
