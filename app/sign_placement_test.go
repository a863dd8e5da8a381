package app

import (
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// placementLabel is the radio's option for pl on the Certificates step.
func placementLabel(t *testing.T, cs *certStep, pl string) string {
	t.Helper()
	for _, o := range cs.v.place.radio.Options {
		if o == T(placeTexts[pl].label) {
			return o
		}
	}
	t.Fatalf("no option for %s among %q", pl, cs.v.place.radio.Options)
	return ""
}

// pickPlacement chooses pl on the Certificates step, as a user does.
func (h *cfgHarness) pickPlacement(t *testing.T, pl string) {
	t.Helper()
	h.show(stepCertificates)
	h.wz.certs.v.place.radio.SetSelected(placementLabel(t, h.wz.certs, pl))
	if h.wz.signPlacement() != pl {
		t.Fatalf("placement %s, want %s", h.wz.signPlacement(), pl)
	}
}

// The signing key on the server's software token, through the wizard:
// chosen on Certificates among the places the profile allows (the
// operator's recommendation marked and chosen first), explained there and
// on the Token step; Configure makes it with its CSR beside the
// authentication key, Submit takes it, Register imports its certificate,
// and the server shows it active. The record keeps the place.
func TestSigningKeyOnSoftTokenInTheWizard(t *testing.T) {
	h := newCfgHarness(t, xroadtest.Options{})
	wz := h.wz
	h.show(stepCertificates)
	cs := wz.certs
	radio := cs.v.place.radio
	if len(radio.Options) != 3 || radio.Selected != T("cert.place.usb_token") ||
		!hasText(cs.v.place.box, T("cert.place.recommended", map[string]any{"Place": T("cert.place.usb_token")})) {
		t.Fatalf("options %q, selected %q, said %q", radio.Options, radio.Selected, labelsIn(cs.v.place.box))
	}
	if wz.rec.snapshot().SignPlacement != onboarding.PlaceRutoken {
		t.Errorf("the place seen is not recorded: %q", wz.rec.snapshot().SignPlacement)
	}
	if cs.v.usb.Visible() != true || cs.v.atServer.Visible() || !strings.Contains(cs.v.place.about.Text, "Rutoken ECP 2.0") {
		t.Fatalf("the token at this computer: usb %v, at server %v, about %q", cs.v.usb.Visible(), cs.v.atServer.Visible(), cs.v.place.about.Text)
	}

	h.pickPlacement(t, profile.PlacementServerSoftToken)
	if cs.v.usb.Visible() || !cs.v.atServer.Visible() || !hasText(cs.v.atServer, T("cert.at_server.server_soft_token")) ||
		cs.v.place.about.Text != T("cert.place.server_soft_token.about", map[string]any{"Token": "Rutoken ECP 2.0"}) || cs.v.handover.Visible() {
		t.Fatalf("the software token: %q / %q", labelsIn(cs.v.atServer), cs.v.place.about.Text)
	}
	if h.prefs[prefSignPlacement] != profile.PlacementServerSoftToken || wz.rec.snapshot().SignPlacement != onboarding.PlaceSoftToken {
		t.Fatalf("the place is not kept: prefs %v, record %q", h.prefs[prefSignPlacement], wz.rec.snapshot().SignPlacement)
	}
	if wz.stepState(wz.stepIndex(stepToken)) != onboarding.Done || wz.stepState(wz.stepIndex(stepCertificates)) != onboarding.Done {
		t.Error("the Token and Certificates steps are not done with the key on the server's software token")
	}
	if !hasText(wz.placementNote(), T("token.place.server_soft_token")) {
		t.Errorf("the Token step's note: %q", labelsIn(wz.placementNote()))
	}

	h.show(stepConfigure)
	c := wz.configure
	v := c.v
	if v.signPlace.Text != T("configure.sign_place.server_soft_token") || !v.hwBox.Hidden {
		t.Fatalf("Configure: %q, hardware token fields hidden %v", v.signPlace.Text, v.hwBox.Hidden)
	}
	v.adminUser.SetText(h.fake.Admin().User)
	v.adminPW.SetText(h.fake.Admin().Password)
	h.initialise(t)
	st := rowStates(c)
	if _, hw := st["hw_login"]; hw || st["sign_csr"] != rowDone || st["auth_csr"] != rowDone {
		t.Fatalf("rows %v, outcome %q", st, labelsIn(v.outcome))
	}
	auth, sign := wz.csrs.get()
	if auth == nil || sign == nil || sign.Where != keyOnSoftToken || sign.Token != "" || string(sign.DER) != string(h.fake.CSR(xroad.UsageSigning)) {
		t.Fatalf("hand-over: auth %v, sign %+v", auth != nil, sign)
	}
	if !hasText(v.csrs, T("configure.sign_csr")) {
		t.Errorf("the signing CSR is not shown: %q", labelsIn(v.csrs))
	}
	if got := sign.source("ru"); got != i18n.T("ru", "csr.where.soft_token", nil) {
		t.Errorf("the letter names the key's place %q", got)
	}
	rec := wz.rec.snapshot()
	if c := rec.LatestCSR(onboarding.UsageSign); c == nil || c.Key.Place != onboarding.PlaceSoftToken {
		t.Fatalf("the record's signing CSR: %+v", c)
	}

	// Both certificates come back; the signing one is active once imported.
	rs := wz.register
	h.show(stepRegister)
	rs.v.authPath.SetText(h.writeFile(t, "auth.der", h.fake.Issue(t, auth.DER)))
	rs.v.signPath.SetText(h.writeFile(t, "sign.der", h.fake.Issue(t, sign.DER)))
	test.Tap(rs.v.importBtn)
	h.idle(t, &rs.sessionRunner, "import of both")
	if len(rs.imported) != 2 || rs.imported[1].Usage != xroad.UsageSigning {
		t.Fatalf("imported %+v, outcome %q", rs.imported, labelsIn(rs.v.outcome))
	}
	h.show(stepConfigure)
	c.refreshStatus()
	h.idle(t, &c.sessionRunner, "status")
	if s := c.status; s == nil || s.Sign == nil || s.Sign.TokenID != xroad.SoftwareTokenID || s.Sign.Cert == nil || !s.Sign.Cert.Active || s.Sign.Cert.Status != xroad.CertRegistered {
		t.Fatalf("the server's signing key: %+v", c.status)
	}
	logText, _ := os.ReadFile(h.logFile)
	if strings.Contains(string(logText), cfgPIN) || strings.Contains(string(logText), h.fake.Admin().Password) {
		t.Error("the log holds a secret")
	}
}

// Only the places the operator allows are offered; a place kept from an
// earlier run that the profile no longer allows gives way to the
// recommended one, and back to this computer the page's own CSR returns
// to Submit.
func TestPlacementsFollowTheProfile(t *testing.T) {
	prefs := mapPrefs{prefSignPlacement: profile.PlacementServerSoftToken}
	wz, _ := newTestWizard(t, prefs)
	p := *wz.profile
	p.SigningKey = profile.SigningKey{Placements: []string{profile.PlacementServerHWToken, profile.PlacementUSBToken}, Default: profile.PlacementServerHWToken, TokenVendor: "jacarta"}
	wz.profile = &p
	if wz.signPlacement() != profile.PlacementServerHWToken {
		t.Fatalf("a place the profile does not allow is kept: %s", wz.signPlacement())
	}
	wz.cur = wz.stepIndex(stepCertificates)
	wz.showStep()
	cs := wz.certs
	if got := cs.v.place.radio.Options; len(got) != 2 || got[0] != T("cert.place.usb_token") || got[1] != T("cert.place.server_hw_token") ||
		cs.v.place.radio.Selected != got[1] || !hasText(cs.v.place.box, T("cert.place.recommended", map[string]any{"Place": got[1]})) {
		t.Fatalf("options %q, said %q", got, labelsIn(cs.v.place.box))
	}
	if !strings.Contains(cs.v.place.about.Text, "JaCarta PKI") || !hasText(cs.v.atServer, T("cert.at_server.server_hw_token")) {
		t.Fatalf("the hardware token at the server: %q", cs.v.place.about.Text)
	}
	// A CSR made on this page for the token here goes to Submit only while
	// that is the place.
	cs.madeSign = &madeCSR{DER: []byte{1}, Where: keyOnRutoken, Token: "0a1b"}
	cs.v.place.radio.SetSelected(cs.v.place.radio.Options[0])
	if _, sign := wz.csrs.get(); sign != cs.madeSign || !cs.v.usb.Visible() {
		t.Fatalf("back to the token here: sign %+v", sign)
	}
	cs.v.place.radio.SetSelected(cs.v.place.radio.Options[1])
	if _, sign := wz.csrs.get(); sign != nil {
		t.Fatalf("the token-here CSR stays for a key at the server: %+v", sign)
	}
}
