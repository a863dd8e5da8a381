package configure_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestBeforeChange: the session's BeforeChange is called once, before
// the first change a flow makes (the anchor's upload), and not at all by
// a flow, an import or a registration that finds its work done; its error
// stops the flow with nothing sent. Import tells a certificate it put on
// the server (New) from one already there.
func TestBeforeChange(t *testing.T) {
	e := start(t, xroadtest.Options{})
	ctx := context.Background()
	anchor := e.f.Anchor(xroadtest.Instance)
	calls := 0
	hook := func(ctx context.Context) error {
		if calls++; calls == 1 && e.f.AnchorImported() {
			t.Errorf("BeforeChange after the anchor was uploaded")
		}
		return nil
	}

	stop := errors.New("backup refused")
	e.s.BeforeChange = func(context.Context) error { return stop }
	if err := e.s.Initialize(ctx, params, anchor, softPIN, e.progress); !errors.Is(err, stop) || e.f.AnchorImported() {
		t.Fatalf("a failing BeforeChange: %v, anchor imported %v", err, e.f.AnchorImported())
	}
	e.took()

	e.s.BeforeChange = hook
	if err := e.s.Initialize(ctx, params, anchor, softPIN, e.progress); err != nil || calls != 1 {
		t.Fatalf("initialise: %v, BeforeChange called %d times", err, calls)
	}
	e.took()
	e.s.BeforeChange = hook
	if err := e.s.Initialize(ctx, params, anchor, softPIN, e.progress); err != nil || calls != 1 {
		t.Fatalf("initialise again: %v, BeforeChange called %d times (want none)", err, calls)
	}
	for _, st := range e.took() {
		if st[len(st)-len(configure.StateSkipped):] != configure.StateSkipped {
			t.Errorf("a re-run did %s", st)
		}
	}

	csrs, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SoftPIN: softPIN}, e.progress)
	if err != nil || calls != 2 {
		t.Fatalf("CSRs: %v, BeforeChange called %d times", err, calls)
	}
	e.s.BeforeChange = hook
	if _, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SoftPIN: softPIN}, e.progress); err != nil || calls != 2 {
		t.Fatalf("CSRs again: %v, BeforeChange called %d times (want none)", err, calls)
	}
	cert := e.f.Issue(t, csrs.Auth.CSR)
	e.s.BeforeChange = hook
	imp, err := e.s.Import(ctx, cert, [][]byte{csrs.Auth.CSR})
	if err != nil || !imp.New || calls != 3 {
		t.Fatalf("import: %v, new %v, BeforeChange called %d times", err, imp.New, calls)
	}
	e.s.BeforeChange = hook
	if imp, err = e.s.Import(ctx, cert, [][]byte{csrs.Auth.CSR}); err != nil || imp.New || calls != 3 {
		t.Fatalf("import again: %v, new %v, BeforeChange called %d times", err, imp.New, calls)
	}
	// The hook the import found no use for is the registration's.
	if err := e.s.Register(ctx, imp.Hash, "ss1.example.kg"); err != nil || calls != 4 {
		t.Fatalf("register: %v, BeforeChange called %d times", err, calls)
	}
	e.s.BeforeChange = hook
	if err := e.s.Register(ctx, imp.Hash, "ss1.example.kg"); err != nil || calls != 4 {
		t.Fatalf("register again: %v, BeforeChange called %d times (want none)", err, calls)
	}
	e.noSecrets(t)
}
