package configure_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestResumeEveryPartialState: whatever a cut run (or a hand in the admin
// UI) left set, Initialize sends only what is missing (X-Road refuses a
// part already set with invalid_init_params), overrides the warnings the
// set parts bring, and ends initialised and logged in.
func TestResumeEveryPartialState(t *testing.T) {
	owner := func(p *xroadtest.Preset) { p.OwnerClass, p.OwnerCode = params.MemberClass, params.MemberCode }
	code := func(p *xroadtest.Preset) { p.ServerCode = params.ServerCode }
	token := func(p *xroadtest.Preset) { p.SoftTokenPIN = softPIN }
	for _, tc := range []struct {
		name  string
		set   []func(*xroadtest.Preset)
		anch  bool
		sent  []string // the fields of the accepted initialisation
		warns bool     // the server warned first, so ignore_warnings was sent
	}{
		{"nothing", nil, false, []string{"owner_member_class", "owner_member_code", "security_server_code", "software_token_pin"}, false},
		{"anchor only", nil, true, []string{"owner_member_class", "owner_member_code", "security_server_code", "software_token_pin"}, false},
		{"server code only", []func(*xroadtest.Preset){code}, true, []string{"owner_member_class", "owner_member_code", "software_token_pin"}, true},
		{"owner only", []func(*xroadtest.Preset){owner}, true, []string{"security_server_code", "software_token_pin"}, true},
		{"token only (owner not saved)", []func(*xroadtest.Preset){token}, true, []string{"owner_member_class", "owner_member_code", "security_server_code"}, true},
		{"server code and owner", []func(*xroadtest.Preset){code, owner}, true, []string{"software_token_pin"}, true},
		{"server code and token", []func(*xroadtest.Preset){code, token}, true, []string{"owner_member_class", "owner_member_code"}, true},
		{"owner and token", []func(*xroadtest.Preset){owner, token}, true, []string{"security_server_code"}, true},
		{"all of it", []func(*xroadtest.Preset){code, owner, token}, true, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := xroadtest.Preset{Anchor: tc.anch}
			for _, f := range tc.set {
				f(&pre)
			}
			e := start(t, xroadtest.Options{Preset: pre})
			ctx := context.Background()
			err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), softPIN, e.progress)
			e.seen(err)
			if err != nil {
				t.Fatalf("%v (%s)", err, strings.Join(e.took(), " "))
			}
			steps := strings.Join(e.took(), " ")
			if tc.anch != strings.HasPrefix(steps, "anchor:skipped") {
				t.Fatalf("steps %q", steps)
			}
			posts := e.f.Count("POST", "/initialization")
			if tc.sent == nil {
				if posts != 0 || !strings.Contains(steps, "init:skipped") {
					t.Fatalf("a fully initialised server was initialised again: %d posts, %q", posts, steps)
				}
			} else {
				var got []string
				for k := range e.f.InitRequest() {
					if k != "ignore_warnings" {
						got = append(got, k)
					}
				}
				slices.Sort(got)
				if !slices.Equal(got, tc.sent) || e.f.InitRequest()["ignore_warnings"] != tc.warns {
					t.Fatalf("initialisation sent %v, want the fields %v and ignore_warnings %v", e.f.InitRequest(), tc.sent, tc.warns)
				}
				if want := map[bool]int{false: 1, true: 2}[tc.warns]; posts != want {
					t.Fatalf("%d initialisations, want %d", posts, want)
				}
			}
			st, err := e.s.Status(ctx, params)
			if err != nil || !st.Init.Done() || !st.SoftTokenLoggedIn || !st.TSAConfigured {
				t.Fatalf("status after the resumed run %+v, %v", st, err)
			}
			e.noSecrets(t)
		})
	}
}

// TestResumeNeedsNoNewPIN: with the software token initialised, a run
// without a PIN does not ask for a new one: it initialises the rest and
// then asks for the PIN only to log the token in.
func TestResumeNeedsNoNewPIN(t *testing.T) {
	e := start(t, xroadtest.Options{Preset: xroadtest.Preset{Anchor: true, SoftTokenPIN: softPIN}})
	ctx := context.Background()
	err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), "", e.progress)
	data := wantKey(t, err, "configure.err.pin_needed")
	if data["Token"] != "softToken-0" {
		t.Fatalf("data %v", data)
	}
	if st, err := e.s.Status(ctx, params); err != nil || !st.Init.Done() || st.SoftTokenLoggedIn {
		t.Fatalf("status %+v, %v", st.Init, err)
	}
	if _, ok := e.f.InitRequest()["software_token_pin"]; ok {
		t.Fatal("a PIN was sent for a token already initialised")
	}
	if st, _ := e.s.Status(ctx, params); st.Init.SoftwareTokenInitStatus != xroad.TokenInitialized {
		t.Fatal("the token lost its initialisation")
	}
	if err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), softPIN, e.progress); err != nil {
		t.Fatal(err)
	}
}
