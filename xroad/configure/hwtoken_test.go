package configure_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// A hardware token's ID is the server's (the hex X-Road makes from the
// PKCS#11 module, slot, serial and label), not a placeholder: with none
// given, the signing key goes on the one hardware token GET /tokens
// lists; a server without one says so before any key is made.
func TestHardwareTokenIDFromTheServer(t *testing.T) {
	if !regexp.MustCompile(`^[0-9a-f]{16,}$`).MatchString(xroadtest.HWTokenID) {
		t.Fatalf("the fake's hardware token ID %q is not X-Road's hex", xroadtest.HWTokenID)
	}
	e := start(t, xroadtest.Options{HardwareToken: true})
	ctx := context.Background()
	if err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), softPIN, e.progress); err != nil {
		t.Fatal(err)
	}
	csrs, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SignOnServer: true, HWPIN: xroadtest.HWPIN}, e.progress)
	e.seen(err)
	if err != nil || csrs.Sign == nil || csrs.Sign.TokenID != xroadtest.HWTokenID ||
		e.f.Count("POST", "/tokens/"+xroadtest.HWTokenID+"/keys-with-csrs") != 1 || e.f.Count("PUT", "/tokens/"+xroadtest.HWTokenID+"/login") != 1 {
		t.Fatalf("signing key on the listed token: %v %+v", err, csrs.Sign)
	}
	st, err := e.s.Status(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := st.HardwareToken(""); err != nil || tok.ID != xroadtest.HWTokenID {
		t.Fatalf("the only hardware token: %+v %v", tok, err)
	}

	bare := start(t, xroadtest.Options{})
	if err := bare.s.Initialize(ctx, params, bare.f.Anchor(xroadtest.Instance), softPIN, bare.progress); err != nil {
		t.Fatal(err)
	}
	_, err = bare.s.MakeCSRs(ctx, params, configure.CSROptions{SignOnServer: true, HWPIN: xroadtest.HWPIN}, bare.progress)
	wantKey(t, err, "configure.err.hw_token_none")
	if bare.f.KeyCount() != 0 {
		t.Fatalf("%d keys made on a server without a hardware token", bare.f.KeyCount())
	}
	e.noSecrets(t)
}
