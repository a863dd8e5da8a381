package app

import (
	"os/exec"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// cfgLogin types the admin login and reads the server's status.
func (h *cfgHarness) cfgLogin(t *testing.T) *configureWidgets {
	t.Helper()
	cs := h.wz.configure
	h.show(stepConfigure)
	v := cs.v
	v.adminUser.SetText(h.fake.Admin().User)
	v.adminPW.SetText(h.fake.Admin().Password)
	test.Tap(v.refreshBtn)
	h.idle(t, &cs.sessionRunner, "status")
	if cs.status == nil {
		t.Fatalf("no status: %q", labelsIn(v.notice))
	}
	return v
}

// TestConfigureStepAnchorHash: Configure shows the anchor's SHA-224 as
// X-Road does (the same digest openssl computes for the file), says
// whether it matches the published one, and refuses a file that does not
// match (the profile's hash or the one typed) before anything is sent.
func TestConfigureStepAnchorHash(t *testing.T) {
	h := newCfgHarness(t, xroadtest.Options{})
	cs := h.wz.configure
	v := h.cfgLogin(t)
	path := h.writeFile(t, "anchor.xml", h.fake.Anchor(xroadtest.Instance))
	out, err := exec.Command("openssl", "dgst", "-sha224", "-r", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.ToUpper(strings.Fields(string(out))[0])
	v.anchorPath.SetText(path)
	if !strings.Contains(v.anchorLocal.Text, "SHA-224 "+anchorHashText(want)) || strings.ReplaceAll(strings.ReplaceAll(anchorHashText(want), ":", ""), " ", "") != want {
		t.Fatalf("shown %q, openssl %s", v.anchorLocal.Text, want)
	}
	if v.anchorCheck.Hidden || v.anchorCheck.Text != T("configure.anchor_hash_compare") {
		t.Fatalf("no published hash: %q", v.anchorCheck.Text)
	}

	calls := len(h.fake.Calls())
	wrong := strings.Repeat("AB", 28)
	v.anchorHash.SetText(wrong)
	msg := T("configure.anchor_hash_mismatch", map[string]any{"Got": configure.ColonHash(want), "Want": configure.ColonHash(wrong)})
	if v.anchorErr.Hidden || v.anchorErr.Text != msg || v.anchorErr.Importance != widget.DangerImportance || !v.initBtn.Disabled() || !v.previewBtn.Disabled() {
		t.Fatalf("a typed hash that differs: %q (Initialise disabled %v)", v.anchorErr.Text, v.initBtn.Disabled())
	}
	test.Tap(v.initBtn)
	if cs.busy != "" || len(h.fake.Calls()) != calls {
		t.Fatal("a file with the wrong hash went to the server")
	}
	v.anchorHash.SetText("not a hash")
	if v.anchorErr.Text != T("configure.anchor_hash_bad") {
		t.Fatalf("a typed value that is no hash: %q", v.anchorErr.Text)
	}
	v.anchorHash.SetText(strings.ToLower(configure.ColonHash(want)))
	if !v.anchorErr.Hidden || v.anchorCheck.Text != T("configure.anchor_hash_ok") || h.prefs[prefCfgAnchorHash] != strings.ToLower(configure.ColonHash(want)) {
		t.Fatalf("the right hash: error %q, check %q", v.anchorErr.Text, v.anchorCheck.Text)
	}
	test.Tap(v.previewBtn)
	h.idle(t, &cs.sessionRunner, "preview")
	if cs.serverAnchor == nil || !strings.Contains(v.anchorServer.Text, "SHA-224 "+anchorHashText(want)) {
		t.Fatalf("the server's hash: %q", v.anchorServer.Text)
	}

	// The profile's published hash refuses the file as well.
	p := *h.wz.profile
	p.Anchor.SHA224 = wrong
	h.wz.profile = &p
	v.anchorHash.SetText("")
	if v.anchorErr.Hidden || v.anchorErr.Text != msg {
		t.Fatalf("the profile's hash differs: %q", v.anchorErr.Text)
	}
}

// TestConfigureStepResumesHalfInitialised: a server whose software token
// was initialised but whose owner was never saved (a cut run) is taken
// to the end: the PIN asked once (to log in), only the missing parts sent.
func TestConfigureStepResumesHalfInitialised(t *testing.T) {
	h := newCfgHarness(t, xroadtest.Options{Preset: xroadtest.Preset{Anchor: true, SoftTokenPIN: cfgPIN}})
	cs := h.wz.configure
	v := h.cfgLogin(t)
	if !v.pin2.Hidden || cs.anchorImported() != true {
		t.Fatalf("token initialised: PIN asked twice (%v), anchor imported %v", !v.pin2.Hidden, cs.anchorImported())
	}
	v.pin.SetText(cfgPIN)
	if v.initBtn.Disabled() {
		t.Fatalf("Initialise disabled: %q", v.problem.Text)
	}
	test.Tap(v.initBtn)
	h.idle(t, &cs.sessionRunner, "initialise")
	st := rowStates(cs)
	if st["anchor"] != rowAlreadyDone || st["init"] != rowDone || st["auth_csr"] != rowDone {
		t.Fatalf("rows %v, outcome %q", st, labelsIn(v.outcome))
	}
	if _, sent := h.fake.InitRequest()["software_token_pin"]; sent || h.fake.InitRequest()["security_server_code"] == nil {
		t.Fatalf("initialisation sent %v", h.fake.InitRequest())
	}
}

// TestConfigureStepWrongPIN: a wrong software token PIN is told as a
// wrong PIN, in the user's language, with what to do next.
func TestConfigureStepWrongPIN(t *testing.T) {
	h := newCfgHarness(t, xroadtest.Options{Preset: xroadtest.Preset{Anchor: true, ServerCode: "SS1", OwnerClass: "GOV", OwnerCode: "70000001", SoftTokenPIN: cfgPIN}})
	cs := h.wz.configure
	v := h.cfgLogin(t)
	v.pin.SetText("Wrong-soft-token-PIN-99")
	test.Tap(v.initBtn)
	h.idle(t, &cs.sessionRunner, "initialise")
	for _, lang := range []string{"en", "ru"} {
		if lang != "en" {
			h.wz.switchLanguage(lang)
			v = cs.v
		}
		want := i18n.T(lang, "configure.err.pin_wrong", map[string]any{"Token": "softToken-0"})
		if !hasTextPart(v.outcome, want) {
			t.Fatalf("%s: outcome %q, want %q", lang, labelsIn(v.outcome), want)
		}
	}
	h.wz.switchLanguage("en")
	for _, s := range labelsIn(cs.v.outcome) {
		if strings.Contains(s, "Wrong-soft-token") {
			t.Fatal("the PIN is shown")
		}
	}
}
