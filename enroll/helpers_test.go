package enroll

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"testing"
)

// makeCSR signs a real CSR with a fresh key (ECDSA keeps the tests fast;
// Build does not care which algorithm).
func makeCSR(t testing.TB, cn string) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{Country: []string{"KG"}, Organization: []string{cn}, CommonName: cn, SerialNumber: "70000001"},
	}, k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

const orgName = "ГУ «Түндүк» тестовое учреждение"

func testInput(t testing.TB) Input {
	return Input{
		Participant: Participant{Instance: "central-server", MemberClass: "GOV", MemberCode: "70000001",
			Name: orgName, ServerCode: "SS1", ServerAddress: "203.0.113.10"},
		CSRs: []CSR{
			{Usage: UsageAuth, DER: makeCSR(t, "SS1"), Source: "security server, software token"},
			{Usage: UsageSign, DER: makeCSR(t, orgName), Source: "Rutoken 0a1b2c3d"},
		},
		ReportJSON: []byte(`{"schema":"tunduk-onboard.readiness/v1","summary":{"pass":12}}`),
		ReportHTML: []byte("<!doctype html><title>Проверка готовности</title>"),
		Lang:       "ky",
	}
}

func buildTest(t testing.TB) *Package {
	t.Helper()
	p, err := Build(t.TempDir(), testInput(t))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// errKey is the translation key of an *Error, "" for anything else.
func errKey(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

func parseOnly(der []byte) (*x509.CertificateRequest, error) {
	return x509.ParseCertificateRequest(der)
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
