package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/installer"
)

// The token the server is made ready for: asked only when it goes there,
// the profile's (the Rutoken) first; another choice reaches the plan (its
// devices.ini section) and the summary, and is kept for the next run.
func TestInstallTokenVendorChoice(t *testing.T) {
	wz, _ := installWizard(t, 0)
	is := wz.install
	v := is.v
	if v.tokenVendorRow.Visible() {
		t.Fatal("the token is asked although it does not go to the server")
	}
	test.Tap(v.tokenOnServer)
	if !v.tokenVendorRow.Visible() || v.tokenVendor.Selected != "Rutoken ECP 2.0" || len(v.tokenVendor.Options) != 2 {
		t.Fatalf("the choice: shown %v, %q of %q", v.tokenVendorRow.Visible(), v.tokenVendor.Selected, v.tokenVendor.Options)
	}
	v.tokenVendor.SetSelected("JaCarta PKI")
	if o := is.options(true); o.TokenVendor != "jacarta" || !o.TokenOnServer {
		t.Fatalf("options %+v", o)
	}
	steps, err := is.plan(true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range steps {
		if s.ID == "hwtokens" {
			found = strings.Contains(s.Apply, `printf '\n[jacarta]\nlibrary = %s\n' '/usr/lib/libjcPKCS11-2.so'`)
		}
	}
	if !found {
		t.Error("the plan does not write JaCarta's devices.ini section")
	}
	said := false
	for _, it := range installer.Summary(wz.profile, is.options(true)) {
		said = said || strings.Contains(it.Text("en"), "JaCarta PKI library /usr/lib/libjcPKCS11-2.so")
	}
	if !said {
		t.Error("the summary does not name the JaCarta library")
	}
	if wz.prefs.String(prefTokenVendor) != "jacarta" {
		t.Error("the choice is not kept")
	}
}
