package configure_test

import (
	"context"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestWrongPIN: X-Road answers a wrong token PIN 400 pin_incorrect; the
// flow says it is a wrong PIN, and for a hardware token (which counts
// wrong PINs and locks itself) how close it is to locking, and stops
// sending PINs to a locked one. The software token never locks.
func TestWrongPIN(t *testing.T) {
	e := start(t, xroadtest.Options{HardwareToken: true, HWPINTries: 3})
	ctx := context.Background()
	if err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), softPIN, nil); err != nil {
		t.Fatal(err)
	}
	// The software token: logged out again, as after a restart of the signer.
	e.f.LogOut()
	for i := 0; i < 3; i++ {
		_, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SoftPIN: "Wrong-soft-PIN-12345"}, nil)
		e.seen(err)
		if data := wantKey(t, err, "configure.err.pin_wrong"); data["Token"] != "softToken-0" {
			t.Fatalf("data %v", data)
		}
	}
	if _, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SoftPIN: softPIN}, nil); err != nil {
		t.Fatalf("the right PIN after three wrong ones: %v", err)
	}

	hw := configure.CSROptions{SoftPIN: softPIN, SignOnServer: true, HWTokenID: xroadtest.HWTokenID, HWPIN: "Wrong-HW-PIN-4321"}
	for _, want := range []string{"configure.err.pin_wrong_hw", "configure.err.pin_final_try", "configure.err.pin_locked"} {
		_, err := e.s.MakeCSRs(ctx, params, hw, nil)
		e.seen(err)
		if data := wantKey(t, err, want); data["Token"] != xroadtest.HWTokenName {
			t.Fatalf("%s: data %v", want, data)
		}
	}
	logins := e.f.Count("PUT", "/tokens/"+xroadtest.HWTokenID+"/login")
	hw.HWPIN = xroadtest.HWPIN
	_, err := e.s.MakeCSRs(ctx, params, hw, nil)
	wantKey(t, err, "configure.err.pin_locked")
	if n := e.f.Count("PUT", "/tokens/"+xroadtest.HWTokenID+"/login"); n != logins {
		t.Fatalf("a PIN was sent to a locked token (%d logins, %d before)", n, logins)
	}
	e.noSecrets(t)
}

// TestStatusLoggedOut: X-Road makes a CSR again to download it, which a
// logged-out token refuses (409); the status of a server whose signer
// restarted still reads, its CSR left out until the token is logged in.
func TestStatusLoggedOut(t *testing.T) {
	e := start(t, xroadtest.Options{})
	ctx := context.Background()
	if err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), softPIN, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SoftPIN: softPIN}, nil); err != nil {
		t.Fatal(err)
	}
	e.f.LogOut()
	st, err := e.s.Status(ctx, params)
	if err != nil || st.Auth == nil || st.Auth.CSRID == "" || len(st.Auth.CSR) != 0 || st.SoftTokenLoggedIn {
		t.Fatalf("status of a logged-out server %+v, %v", st.Auth, err)
	}
	csrs, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SoftPIN: softPIN}, nil)
	if err != nil || len(csrs.Auth.CSR) == 0 || e.f.KeyCount() != 1 {
		t.Fatalf("after logging in again: %+v, %v, %d keys", csrs.Auth, err, e.f.KeyCount())
	}
}
