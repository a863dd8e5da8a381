package configure_test

import (
	"context"
	"crypto/x509"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestWholeFlow: init -> CSRs (auth on the software token, sign for the
// key already on the hardware token) -> import -> register -> approval
// -> activate, through a real SSH tunnel to the spec-validated fake; then
// a second run skips every part and makes no key; Close revokes the key.
func TestWholeFlow(t *testing.T) {
	e := start(t, xroadtest.Options{HardwareToken: true, HWKey: true, TSAAfterPolls: 2})
	ctx := context.Background()
	f := e.f
	if keys := f.LiveKeys(); len(keys) != 1 {
		t.Fatalf("live API keys after Open: %v", keys)
	} else {
		for _, roles := range keys {
			slices.Sort(roles)
			if strings.Join(roles, ",") != "XROAD_REGISTRATION_OFFICER,XROAD_SECURITY_OFFICER,XROAD_SYSTEM_ADMINISTRATOR" {
				t.Fatalf("roles %v", roles)
			}
		}
	}

	anchor := f.Anchor(xroadtest.Instance)
	info, err := configure.ReadAnchor(anchor)
	if err != nil || info.Instance != xroadtest.Instance || info.Hash != xroadtest.AnchorHash(anchor) || info.Created == "" {
		t.Fatalf("ReadAnchor %+v, %v", info, err)
	}
	err = e.s.Initialize(ctx, params, anchor, softPIN, e.progress)
	e.seen(err)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"anchor:running", "anchor:done", "init:running", "init:done", "tsa:running", "tsa:done", "login:running", "login:done"}
	if got := e.took(); !slices.Equal(got, want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	sent := f.InitRequest()
	if sent["owner_member_class"] != "GOV" || sent["owner_member_code"] != "70000001" || sent["security_server_code"] != "SS1" || sent["ignore_warnings"] != false {
		t.Fatalf("initialization sent %v", sent)
	}
	if n := f.Count("GET", "/timestamping-services"); n != 3 {
		t.Fatalf("asked for approved TSAs %d times, want 3 (two empty answers, then one)", n)
	}

	csrs, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SoftPIN: softPIN, SignOnServer: true, HWTokenID: xroadtest.HWTokenID, HWPIN: xroadtest.HWPIN}, e.progress)
	e.seen(err)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"login:skipped", "auth_csr:running", "auth_csr:done", "hw_login:running", "hw_login:done", "sign_csr:running", "sign_csr:done"}
	if got := e.took(); !slices.Equal(got, want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	if csrs.Auth == nil || csrs.Sign == nil || csrs.Auth.TokenID != "0" || csrs.Sign.TokenID != xroadtest.HWTokenID || csrs.Sign.CSRID == "" {
		t.Fatalf("CSRs %+v / %+v", csrs.Auth, csrs.Sign)
	}
	if f.KeyCount() != 2 || f.Count("POST", "/keys/") != 1 || f.Count("POST", "/tokens/"+xroadtest.HWTokenID+"/keys-with-csrs") != 0 {
		t.Fatalf("the sign CSR was not made for the key already on the hardware token: %d keys, calls %v", f.KeyCount(), f.Calls())
	}
	for _, k := range []*configure.KeyState{csrs.Auth, csrs.Sign} {
		csr, err := x509.ParseCertificateRequest(k.CSR)
		if err != nil || csr.Subject.Organization[0] != "Test Agency" || csr.Subject.CommonName != "70000001" ||
			csr.Subject.SerialNumber != "central-server/SS1/GOV" || csr.Subject.Country[0] != "KG" {
			t.Fatalf("CSR of %s: %v %v", k.Label, csr.Subject, err)
		}
	}

	authCert, signCert := f.Issue(t, csrs.Auth.CSR), f.Issue(t, csrs.Sign.CSR)
	both := [][]byte{csrs.Auth.CSR, csrs.Sign.CSR}
	auth, err := e.s.Import(ctx, authCert, both)
	if err != nil || auth.Usage != xroad.UsageAuthentication || auth.Hash != xroadtest.CertHash(authCert) || auth.Cert.Status != xroad.CertSaved {
		t.Fatalf("auth import %+v, %v", auth, err)
	}
	sign, err := e.s.Import(ctx, signCert, both)
	if err != nil || sign.Usage != xroad.UsageSigning || !sign.Cert.Active {
		t.Fatalf("sign import %+v, %v", sign, err)
	}
	// Importing again is not an error and sends nothing.
	before := f.Count("POST", "/token-certificates")
	if again, err := e.s.Import(ctx, authCert, both); err != nil || again.Hash != auth.Hash || f.Count("POST", "/token-certificates") != before {
		t.Fatalf("second import %+v, %v", again, err)
	}

	f.ApproveAfter(2)
	if err := e.s.Register(ctx, auth.Hash, "ss1.agency.kg"); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Register(ctx, auth.Hash, "ss1.agency.kg"); err != nil || f.Count("PUT", "/token-certificates/") != 1 {
		t.Fatalf("second register: %v, %d PUTs", err, f.Count("PUT", "/token-certificates/"))
	}
	if f.RegisteredAddress() != "ss1.agency.kg" {
		t.Fatalf("registered with %q", f.RegisteredAddress())
	}
	var states []string
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := e.s.WaitRegistered(wctx, auth.Hash, 10*time.Millisecond, func(tc xroad.TokenCertificate) { states = append(states, tc.Status) }); err != nil {
		t.Fatal(err)
	}
	// Two polls before approval: the second Register's look was one.
	if !slices.Equal(states, []string{"REGISTRATION_IN_PROGRESS", "REGISTERED"}) {
		t.Fatalf("states seen %v", states)
	}
	if err := e.s.Activate(ctx, auth.Hash); err != nil {
		t.Fatal(err)
	}
	st, err := e.s.Status(ctx, params)
	// X-Road drops a key's CSR when its certificate is imported
	// (ImportCertReqHandler): the certificates stand in for them.
	if err != nil || !st.Init.Done() || !st.TSAConfigured || !st.SoftTokenLoggedIn || st.Auth == nil || st.Auth.Cert == nil ||
		!st.Auth.Cert.Active || st.Auth.Cert.Status != xroad.CertRegistered || st.Sign == nil || st.Sign.Cert == nil || len(st.Auth.CSR) != 0 {
		t.Fatalf("status %+v, %v", st, err)
	}

	// A second run: every part skipped, nothing posted, no new key.
	posts := f.Count("POST", "") + f.Count("PUT", "")
	if err := e.s.Initialize(ctx, params, anchor, softPIN, e.progress); err != nil {
		t.Fatal(err)
	}
	again, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SoftPIN: softPIN, SignOnServer: true, HWTokenID: xroadtest.HWTokenID, HWPIN: xroadtest.HWPIN}, e.progress)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"anchor:skipped", "init:skipped", "tsa:skipped", "login:skipped", "login:skipped", "auth_csr:skipped", "hw_login:skipped", "sign_csr:skipped"}
	if got := e.took(); !slices.Equal(got, want) {
		t.Fatalf("second run steps %v, want %v", got, want)
	}
	if n := f.Count("POST", "") + f.Count("PUT", ""); n != posts || f.KeyCount() != 2 {
		t.Fatalf("the second run changed the server: %d POST/PUT before, %d after, %d keys", posts, n, f.KeyCount())
	}
	if again.Auth.KeyID != csrs.Auth.KeyID || again.Sign.KeyID != csrs.Sign.KeyID || again.Auth.Cert == nil || again.Sign.Cert == nil {
		t.Fatal("the second run did not give back the same keys with their certificates")
	}

	if err := e.s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if keys := f.LiveKeys(); len(keys) != 0 {
		t.Fatalf("API keys left after Close: %v", keys)
	}
	if _, err := e.s.Status(ctx, params); err == nil {
		t.Fatal("the session still works after Close")
	} else if key, _ := configure.Explain(err); key != "configure.err.closed" {
		t.Fatalf("a call after Close explained as %s: %v", key, err)
	}
	if !strings.Contains(e.logs.String(), "/tokens/0/login") {
		t.Fatalf("the session logged no calls, so the secret check saw nothing")
	}
	e.noSecrets(t)
}
