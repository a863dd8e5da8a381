package xroadtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// testCA is a throwaway CA standing in for Tunduk's: it signs what a CSR
// asks for, as the operator's CA would after checking it. ECDSA keeps its
// signatures short enough for the API's certificate details.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: CAName, Country: []string{"KG"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(3, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key}
}

// IssuedFor is how long the test CA's certificates are valid: a year,
// as a CA issues them, so a renewed certificate is not due for renewal.
// guess: the validity Tunduk's CA gives (the operator's page says only
// that certificates are issued for a limited time).
const IssuedFor = 365 * 24 * time.Hour

// issue signs the CSR (DER) after checking its own signature; usage is
// the key usage X-Road expects for an authentication or a signing
// certificate.
func (ca *testCA) issue(t testing.TB, csrDER []byte, usage x509.KeyUsage) []byte {
	t.Helper()
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		t.Fatal(err)
	}
	if err := csr.CheckSignature(); err != nil {
		t.Fatalf("the CSR's signature: %v", err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: csr.Subject,
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(IssuedFor), KeyUsage: usage,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, csr.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// Issue is the test CA's certificate (DER) for a CSR (DER): the key usage
// of a signing certificate when the CSR's key is a signing key the fake
// holds, else that of an authentication certificate.
func (s *Server) Issue(t testing.TB, csrDER []byte) []byte {
	t.Helper()
	usage := x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	if csr, err := x509.ParseCertificateRequest(csrDER); err == nil {
		s.mu.Lock()
		for _, k := range s.keys {
			if pub, ok := csr.PublicKey.(*rsa.PublicKey); ok && pub.Equal(&k.priv.PublicKey) && k.usage == xroad.UsageSigning {
				usage = x509.KeyUsageContentCommitment
			}
		}
		s.mu.Unlock()
	}
	return s.ca.issue(t, csrDER, usage)
}

// IssueFor is a certificate for a key the fake never made (a stranger's
// CSR signed by the same CA), for tests of refusals.
func (s *Server) IssueFor(t testing.TB, subject string) []byte {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: subject}}, priv)
	if err != nil {
		t.Fatal(err)
	}
	return s.ca.issue(t, csr, x509.KeyUsageDigitalSignature)
}

// serverCert is a self-signed certificate like proxy-ui-api.crt.
func serverCert(t testing.TB) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: ServerName},
		DNSNames:     []string{ServerName},
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
