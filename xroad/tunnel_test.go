package xroad_test

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// tunnel returns an HTTP client that reaches the fake the way the product
// reaches port 4000: a direct-tcpip channel of a real SSH connection to a
// real sshd, TLS pinned to the fake's certificate.
func tunnel(t *testing.T, f *xroadtest.Server) (*http.Client, string) {
	t.Helper()
	host := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, host.KnownHostsLine())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := remote.Dial(ctx, host.Config(kh))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
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
