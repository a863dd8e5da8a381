package configure_test

import (
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// The signing key on the server's software token: made in the same
// session and login as the authentication key, with the signing profile
// (the member in the request, the member code as the subject's CN), its
// certificate imported and active; a second run reuses both keys; both
// placements at once are refused before anything is sent.
func TestSigningKeyOnSoftToken(t *testing.T) {
	e := start(t, xroadtest.Options{})
	ctx := context.Background()
	if err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), softPIN, e.progress); err != nil {
		t.Fatal(err)
	}
	e.took()
	posts := e.f.Count("POST", "")
	_, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SignOnSoftToken: true, SignOnServer: true, HWTokenID: xroadtest.HWTokenID}, e.progress)
	var ce *configure.Error
	if !errors.As(err, &ce) || ce.Key != "configure.err.sign_one_place" || e.f.Count("POST", "") != posts {
		t.Fatalf("both placements: %v", err)
	}

	csrs, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SignOnSoftToken: true}, e.progress)
	e.seen(err)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.took(), []string{"login:skipped", "auth_csr:running", "auth_csr:done", "sign_csr:running", "sign_csr:done"}; !slices.Equal(got, want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	if csrs.Auth == nil || csrs.Sign == nil || csrs.Sign.TokenID != xroad.SoftwareTokenID || csrs.Sign.KeyID == csrs.Auth.KeyID ||
		e.f.Count("POST", "/tokens/"+xroad.SoftwareTokenID+"/keys-with-csrs") != 2 {
		t.Fatalf("CSRs %+v / %+v", csrs.Auth, csrs.Sign)
	}
	req, err := x509.ParseCertificateRequest(csrs.Sign.CSR)
	if err != nil || req.Subject.CommonName != params.MemberCode || string(e.f.CSR(xroad.UsageSigning)) != string(csrs.Sign.CSR) {
		t.Fatalf("signing CSR %v: %v", req, err)
	}

	again, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SignOnSoftToken: true}, e.progress)
	if err != nil || again.Sign == nil || again.Sign.KeyID != csrs.Sign.KeyID || e.f.KeyCount() != 2 {
		t.Fatalf("second run: %+v %v, %d keys", again.Sign, err, e.f.KeyCount())
	}

	imp, err := e.s.Import(ctx, e.f.Issue(t, csrs.Sign.CSR), [][]byte{csrs.Auth.CSR, csrs.Sign.CSR})
	if err != nil || imp.Usage != xroad.UsageSigning {
		t.Fatalf("import: %+v %v", imp, err)
	}
	if err := e.s.Activate(ctx, imp.Hash); err != nil {
		t.Fatal(err)
	}
	st, err := e.s.Status(ctx, params)
	if err != nil || st.Sign == nil || st.Sign.TokenID != xroad.SoftwareTokenID || st.Sign.Cert == nil || !st.Sign.Cert.Active || st.Sign.Cert.Status != xroad.CertRegistered {
		t.Fatalf("status: %+v %v", st.Sign, err)
	}
}
