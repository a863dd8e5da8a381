package configure_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// The CSR flow, through the SSH connection to the fake, checks the jar on
// the host for the operator's certificate profile class first: NIIS's
// proxy-1.0.jar (no class) stops it before any key is made, with the
// reason in every language; Tunduk's lets it on.
func TestCSRsNeedTheProfileClass(t *testing.T) {
	e := start(t, xroadtest.Options{})
	ctx := context.Background()
	if err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), softPIN, e.progress); err != nil {
		t.Fatal(err)
	}
	e.took()
	p := params
	p.ProfileClass = xroadtest.KyrgyzProfileClass
	o := configure.CSROptions{SoftPIN: softPIN}

	e.f.SetProxyJar(false) // NIIS's packages
	_, err := e.s.MakeCSRs(ctx, p, o, e.progress)
	e.seen(err)
	data := wantKey(t, err, "configure.err.profile_class_missing")
	if e.f.KeyCount() != 0 || len(e.took()) != 0 {
		t.Fatalf("a key was made or a part started: %d keys", e.f.KeyCount())
	}
	for _, lang := range i18n.Languages {
		s := i18n.T(lang, "configure.err.profile_class_missing", data)
		if !strings.Contains(s, "KgSkKlass3CertificateProfileInfoProvider") || !strings.Contains(s, "NIIS") || !strings.Contains(s, e.f.AdminAPI().ProxyJar) {
			t.Errorf("%s: %q", lang, s)
		}
	}

	os.Remove(e.f.AdminAPI().ProxyJar)
	_, err = e.s.MakeCSRs(ctx, p, o, e.progress)
	wantKey(t, err, "configure.err.profile_class_nojar")

	e.f.SetProxyJar(true) // Tunduk's
	csrs, err := e.s.MakeCSRs(ctx, p, o, e.progress)
	e.seen(err)
	if err != nil || csrs.Auth == nil || e.f.KeyCount() != 1 {
		t.Fatalf("with the class: %v, %+v", err, csrs)
	}
	if got := e.took(); !slices.Contains(got, "auth_csr:done") {
		t.Errorf("steps %v", got)
	}
	e.noSecrets(t)
}

// Where the jar was not checked (no class in the profile, or the check
// passed on a jar the admin service does not load), the server itself
// refuses: X-Road answers the CA's subject fields and the CSR with 500
// certificate_profile_instantiation_failure, and the flow tells it as the
// operator's class missing, NIIS's packages in place of Tunduk's; no key
// stays behind.
func TestServerWithoutTheClassExplained(t *testing.T) {
	e := start(t, xroadtest.Options{})
	ctx := context.Background()
	if err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), softPIN, e.progress); err != nil {
		t.Fatal(err)
	}
	e.f.SetProxyJar(false)
	_, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SoftPIN: softPIN, SignOnSoftToken: true}, e.progress)
	e.seen(err)
	key, data := configure.Explain(err)
	if key != "configure.err.profile_instantiation" || data["Code"] != "certificate_profile_instantiation_failure" {
		t.Fatalf("explained as %s %v (%v)", key, data, err)
	}
	if e.f.KeyCount() != 0 || e.f.Count("GET", "/certificate-authorities/") != 1 {
		t.Fatalf("%d keys kept, %d subject field reads", e.f.KeyCount(), e.f.Count("GET", "/certificate-authorities/"))
	}
	for _, lang := range i18n.Languages {
		if s := i18n.T(lang, key, data); !strings.Contains(s, "NIIS") || !strings.Contains(s, "certificate_profile_instantiation_failure") {
			t.Errorf("%s: %q", lang, s)
		}
	}
	e.noSecrets(t)
}
