package xroad_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
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
