package app

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// The hardware token's ID is the one the server lists (X-Road's hex from
// the PKCS#11 module), read with the status and filled in; the field
// shows no example ID ("1" was one: no X-Road hardware token has it).
func TestConfigureHWTokenIDFromServer(t *testing.T) {
	h := newCfgHarness(t, xroadtest.Options{HardwareToken: true})
	cs := h.wz.configure
	h.pickPlacement(t, profile.PlacementServerHWToken)
	h.show(stepConfigure)
	v := cs.v
	if v.hwToken.PlaceHolder == "1" || v.hwToken.PlaceHolder != T("configure.hw_token_placeholder") || v.hwToken.Text != "" {
		t.Fatalf("before the status: placeholder %q, text %q", v.hwToken.PlaceHolder, v.hwToken.Text)
	}
	v.adminUser.SetText(h.fake.Admin().User)
	test.Type(v.adminPW, h.fake.Admin().Password)
	test.Tap(v.refreshBtn)
	h.idle(t, &cs.sessionRunner, "status")
	if v.hwToken.Text != xroadtest.HWTokenID || cs.form.HWTokenID != xroadtest.HWTokenID || h.prefs[prefCfgHWToken] != xroadtest.HWTokenID {
		t.Fatalf("after the status: field %q, form %q, kept %q", v.hwToken.Text, cs.form.HWTokenID, h.prefs[prefCfgHWToken])
	}
	// One typed is the user's: a status read again leaves it.
	v.hwToken.SetText("abc123")
	test.Tap(v.refreshBtn)
	h.idle(t, &cs.sessionRunner, "status")
	if v.hwToken.Text != "abc123" {
		t.Fatalf("a typed ID replaced: %q", v.hwToken.Text)
	}
}
