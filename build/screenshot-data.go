//go:build ignore

// screenshot-data prepares what build/screenshot.sh shows on the Submit
// and Summary steps: two real CSRs (auth.der, sign.der, for
// TUNDUK_ONBOARD_CSR_DIR) and a submissions store (for
// TUNDUK_ONBOARD_SUBMISSIONS_DIR) holding one application of the demo
// organisation, sent by e-mail.
//
//	go run build/screenshot-data.go DIR
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run build/screenshot-data.go DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "screenshot-data:", err)
		os.Exit(1)
	}
}

func csr(cn string) ([]byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{Country: []string{"KG"}, SerialNumber: "70000001", CommonName: cn}}, key)
}

func run(dir string) error {
	auth, err := csr("SS1")
	if err != nil {
		return err
	}
	sign, err := csr("Министерство цифрового развития")
	if err != nil {
		return err
	}
	csrs := filepath.Join(dir, "csr")
	if err := os.MkdirAll(csrs, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(csrs, "auth.der"), auth, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(csrs, "sign.der"), sign, 0o600); err != nil {
		return err
	}
	store, err := enroll.OpenStore(filepath.Join(dir, "submissions"))
	if err != nil {
		return err
	}
	// The same organisation as the screenshot's preferences.
	_, rec, err := store.Create(enroll.Input{
		Participant: enroll.Participant{Instance: "central-server", MemberClass: "GOV", MemberCode: "70000001",
			Name: "Министерство цифрового развития", ServerCode: "SS1", ServerAddress: "93.184.216.34"},
		CSRs: []enroll.CSR{{Usage: enroll.UsageAuth, DER: auth, Source: "security server, software token"},
			{Usage: enroll.UsageSign, DER: sign, Source: "Rutoken 0a1b2c3d"}},
		Lang: "ru",
	})
	if err != nil {
		return err
	}
	_, err = store.Advance(rec.ID, enroll.StageSent, enroll.ViaEmail, "")
	return err
}
