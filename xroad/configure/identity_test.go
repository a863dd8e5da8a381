package configure_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestServerOfAnotherOwner: a server initialised before for another
// member, or with another server code, is not taken for ours: Initialize
// stops before it sends anything and names what differs, and so does
// MakeCSRs; the server's own identifier (GET /security-servers?current_server=true)
// is what tells.
func TestServerOfAnotherOwner(t *testing.T) {
	for _, tc := range []struct {
		name, key, server string
		pre               xroadtest.Preset
	}{
		{"member code", "configure.err.owner_differs", "GOV/70000999",
			xroadtest.Preset{Anchor: true, OwnerClass: "GOV", OwnerCode: "70000999", ServerCode: params.ServerCode, SoftTokenPIN: softPIN}},
		{"member class", "configure.err.owner_differs", "COM/" + params.MemberCode,
			xroadtest.Preset{Anchor: true, OwnerClass: "COM", OwnerCode: params.MemberCode, ServerCode: params.ServerCode, SoftTokenPIN: softPIN}},
		{"server code", "configure.err.server_code_differs", "SS9",
			xroadtest.Preset{Anchor: true, OwnerClass: params.MemberClass, OwnerCode: params.MemberCode, ServerCode: "SS9"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, xroadtest.Options{Preset: tc.pre})
			ctx := context.Background()
			err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), softPIN, e.progress)
			e.seen(err)
			var ce *configure.Error
			if !errors.As(err, &ce) || ce.Key != tc.key || ce.Data["Server"] != tc.server {
				t.Fatalf("Initialize on a server of another owner: %v", err)
			}
			if n := e.f.Count("POST", "/initialization") + e.f.Count("PUT", "/tokens/"); n != 0 {
				t.Fatalf("%d calls changed the other server", n)
			}
			_, err = e.s.MakeCSRs(ctx, params, configure.CSROptions{SoftPIN: softPIN}, e.progress)
			if !errors.As(err, &ce) || ce.Key != tc.key || e.f.KeyCount() != 0 {
				t.Fatalf("MakeCSRs on a server of another owner: %v, %d keys", err, e.f.KeyCount())
			}
		})
	}
}

// TestServerOfOursAfterInit: a server initialised now is asked who it is
// once the owner and code are saved, and passes.
func TestServerOfOursAfterInit(t *testing.T) {
	e := start(t, xroadtest.Options{})
	if err := e.s.Initialize(context.Background(), params, e.f.Anchor(xroadtest.Instance), softPIN, e.progress); err != nil {
		t.Fatal(err)
	}
	if e.f.Count("GET", "/security-servers") != 1 {
		t.Fatalf("the server's identifier was read %d times", e.f.Count("GET", "/security-servers"))
	}
}
