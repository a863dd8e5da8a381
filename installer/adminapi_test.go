package installer

import (
	"context"
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/internal/testcert"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// fakeAPI serves status on the probe path with cert, on loopback: the
// real sshd forwards the runner's channel to it as it would to X-Road.
func fakeAPI(t *testing.T, cert tls.Certificate, status int) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/system/version" { // the probe X-Road answers 401 without a key
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func TestAdminAPIThroughTunnel(t *testing.T) { checkAdminAPI(t, newRig(t)) }

// On this computer the check dials the API directly, with the same pinning.
func TestAdminAPIOnThisComputer(t *testing.T) { checkAdminAPI(t, newLocalRig(t)) }

func checkAdminAPI(t *testing.T, g *rig) {
	cert, certPEM := testcert.KeyPair(t, "ss1.example.kg")
	_, otherPEM := testcert.KeyPair(t, "ss1.example.kg") // same name, other key
	certFile := filepath.Join(g.dir, "proxy-ui-api.crt")
	otherFile := filepath.Join(g.dir, "other.crt")
	os.WriteFile(certFile, certPEM, 0o644)
	os.WriteFile(otherFile, otherPEM, 0o644)
	up := fakeAPI(t, cert, http.StatusUnauthorized)
	broken := fakeAPI(t, cert, http.StatusInternalServerError)

	for _, tc := range []struct {
		name, addr, certPath, wantErr string
	}{
		{"pinned certificate, 401", up, certFile, ""},
		{"another certificate under the same name", up, otherFile, "certificate"},
		{"server error", broken, certFile, "500"},
		{"nothing listens", "127.0.0.1:1", certFile, "does not answer"},
		{"no certificate file", up, filepath.Join(g.dir, "missing.crt"), "reading"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var st remote.PinnedCert
			var verr error
			g.r.After = func(ctx context.Context, h HostAccess) error {
				st, verr = VerifyAdminAPI(ctx, xroad.AdminAPI{Addr: tc.addr, CertPath: tc.certPath}, h)
				return nil
			}
			if err := g.r.Run(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			if tc.wantErr == "" {
				if verr != nil || st.HTTPStatus != http.StatusUnauthorized || st.ServerName != "ss1.example.kg" || len(st.CertSHA256) != 64 {
					t.Fatalf("status %+v, err %v", st, verr)
				}
				return
			}
			if verr == nil || !strings.Contains(verr.Error(), tc.wantErr) {
				t.Fatalf("want an error with %q, got %v (%+v)", tc.wantErr, verr, st)
			}
		})
	}
}
