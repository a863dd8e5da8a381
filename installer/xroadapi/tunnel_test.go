package xroadapi_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/installer/ssh"
)

// serverName is the name in the fake server's own TLS certificate, as the
// security server's proxy-ui-api certificate names the host.
const serverName = "ss1.example.kg"

// tunnel serves h over TLS on loopback and returns an HTTP client that
// reaches it the way the product reaches port 4000: a direct-tcpip channel
// of a real SSH connection to a real sshd, TLS pinned to the certificate.
func tunnel(t *testing.T, h http.Handler) (*http.Client, string) {
	t.Helper()
	host := testhost.StartSSHD(t, testhost.Options{})
	cert, certPEM := serverCert(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	kh := testhost.WriteKnownHosts(t, host.KnownHostsLine())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := ssh.Dial(ctx, host.Config(kh))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	hc, st, err := installer.TunnelHTTP(c, ln.Addr().String(), certPEM)
	if err != nil {
		t.Fatal(err)
	}
	return hc, "https://" + st.ServerName + "/api/v1"
}

// serverCert is a self-signed certificate like proxy-ui-api.crt.
func serverCert(t *testing.T) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: serverName},
		DNSNames:     []string{serverName},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
