package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestClientTLSFromURL: the certificate a real local HTTPS server
// presents is read through the SSH connection, shown, and imported only
// when confirmed: a wrong --fingerprint, a "no" and no terminal import
// nothing; "да" in Russian and the right fingerprint do.
func TestClientTLSFromURL(t *testing.T) {
	is := isHTTPS(t)
	sum := sha256.Sum256(is.TLS.Certificates[0].Certificate[0])
	want := fmt.Sprintf("%X", sum)
	f := xroadtest.StartWith(t, xroadtest.Options{Preset: xroadtest.Preset{Anchor: true, ServerCode: "SS1",
		OwnerClass: "GOV", OwnerCode: "70000001", SoftTokenPIN: serverTestPIN}})
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	api := f.AdminAPI()
	base := []string{"--ssh", h.Target().String(), "--identity", h.ClientKeyPath, "--known-hosts", kh,
		"--admin-user", xroadtest.AdminUser, "--admin-password-stdin", "--admin-api", api.Addr, "--admin-api-cert", api.CertPath,
		"--member-class", "GOV", "--member-code", "70000001", "--code", "crm"}
	admin := xroadtest.AdminPassword + "\n"
	if code, out, errOut := cli(t, admin, append([]string{"client", "add", "--connection", "HTTPS"}, base...)...); code != exitOK {
		t.Fatalf("add: %d %s %s", code, out, errOut)
	}
	imported := func() int {
		n := 0
		for _, c := range f.Calls() {
			if c.Method == "POST" && strings.HasSuffix(c.Path, "/tls-certificates") && c.Status == http.StatusCreated {
				n++
			}
		}
		return n
	}
	answer, asked := "", 0
	prev := confirmTTY
	t.Cleanup(func() { confirmTTY = prev })
	confirmTTY = func(prompt string) (string, error) {
		asked++
		if !strings.Contains(prompt, want[:2]) {
			t.Errorf("the prompt shows no fingerprint: %q", prompt)
		}
		if answer == "" {
			return "", errNoTTY
		}
		return answer + "\n", nil
	}
	tlsImport := func(lang string, extra ...string) (int, string) {
		args := append(append([]string{"client", "tls", "import", "--from-url", is.URL, "--lang", lang}, extra...), base...)
		code, out, errOut := cli(t, admin, args...)
		return code, out + errOut
	}
	// A fingerprint that is not the server's: refused, nothing asked.
	code, out := tlsImport("en", "--fingerprint", strings.Repeat("AB", 32))
	if code != exitFailed || !strings.Contains(out, "not imported") || imported() != 0 || asked != 0 {
		t.Fatalf("wrong fingerprint: %d\n%s", code, out)
	}
	// Shown in full, then no terminal, then "no".
	code, out = tlsImport("en")
	if code != exitFailed || !strings.Contains(out, "CN=is.example.kg") || !strings.Contains(out, "--fingerprint") || imported() != 0 {
		t.Fatalf("no terminal: %d\n%s", code, out)
	}
	if colons := strings.Count(out[strings.Index(out, "SHA-256: "):], ":"); colons < 32 {
		t.Fatalf("fingerprint not shown in pairs:\n%s", out)
	}
	answer = "no"
	if code, out = tlsImport("en"); code != exitFailed || imported() != 0 {
		t.Fatalf("no: %d\n%s", code, out)
	}
	answer = "Да"
	code, out = tlsImport("ru")
	if code != exitOK || imported() != 1 || !strings.Contains(out, "Информационная система по адресу") {
		t.Fatalf("да: %d\n%s", code, out)
	}
	// Non-interactive, the fingerprint as openssl prints it: imported
	// already, nothing asked.
	asked = 0
	code, out = tlsImport("en", "--fingerprint", "sha256 Fingerprint="+strings.ToLower(want))
	if code != exitOK || !strings.Contains(out, "trusts this certificate already") || asked != 0 || imported() != 1 {
		t.Fatalf("fingerprint: %d\n%s", code, out)
	}
	// --fingerprint without --from-url is refused before any connection.
	calls := len(f.Calls())
	code, _, errOut := cli(t, admin, append([]string{"client", "tls", "import", "--fingerprint", want}, base...)...)
	if code != exitCannot || !strings.Contains(errOut, "--from-url") || len(f.Calls()) != calls {
		t.Fatalf("fingerprint alone: %d %s", code, errOut)
	}
}

// isHTTPS is the information system's HTTPS server on loopback, with a
// self-signed certificate naming it (CN is.example.kg: the admin API
// shows a certificate's common names).
func isHTTPS(t *testing.T) *httptest.Server {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "is.example.kg", Organization: []string{"Минцифры"}},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewUnstartedServer(http.NotFoundHandler())
	s.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}
