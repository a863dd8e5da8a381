package configure_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestInitWarnings: a warning judged safe (the owner not yet in global
// configuration) is overridden with ignore_warnings; another (the server
// id already taken) stops the flow, names it, and nothing is initialised.
func TestInitWarnings(t *testing.T) {
	t.Run("safe", func(t *testing.T) {
		e := start(t, xroadtest.Options{OwnerUnknown: true})
		if err := e.s.Initialize(context.Background(), params, e.f.Anchor(xroadtest.Instance), softPIN, nil); err != nil {
			t.Fatal(err)
		}
		if e.f.Count("POST", "/initialization") != 2 || e.f.InitRequest()["ignore_warnings"] != true {
			t.Fatalf("%d initialisations, last %v", e.f.Count("POST", "/initialization"), e.f.InitRequest()["ignore_warnings"])
		}
	})
	t.Run("unsafe", func(t *testing.T) {
		e := start(t, xroadtest.Options{OwnerUnknown: true, ServerIDTaken: true})
		err := e.s.Initialize(context.Background(), params, e.f.Anchor(xroadtest.Instance), softPIN, nil)
		e.seen(err)
		data := wantKey(t, err, "configure.err.init_warnings")
		if data["Warnings"] != "init_server_id_exists" || e.f.InitRequest() != nil || e.f.Count("POST", "/initialization") != 1 {
			t.Fatalf("data %v, init %v", data, e.f.InitRequest())
		}
		e.noSecrets(t)
	})
}

// TestHostileEcho: a server that echoes the PIN it was sent back into its
// error never gets it into our error, its explanation or the log.
func TestHostileEcho(t *testing.T) {
	e := start(t, xroadtest.Options{HardwareToken: true})
	ctx := context.Background()
	if err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), softPIN, nil); err != nil {
		t.Fatal(err)
	}
	e.f.EchoSecrets(true)
	wrongPIN := "Wrong-HW-PIN-4321"
	_, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SignOnServer: true, HWTokenID: xroadtest.HWTokenID, HWPIN: wrongPIN}, nil)
	e.seen(err)
	wantKey(t, err, "configure.err.pin_wrong_hw")
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("the echo did not reach the error, so the check saw nothing: %v", err)
	}
	e.noSecrets(t)
	for _, s := range e.errs {
		if strings.Contains(s, wrongPIN) {
			t.Fatalf("the wrong PIN leaked: %q", s)
		}
	}
}
