package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// Every file and folder chooser the wizard has opens without a panic and
// fits the window. Fyne 2.8.1 panics when a FileDialog is resized before
// it is shown; each of these did that once and took the wizard down.
func TestFileChoosersOpenInsideTheWindow(t *testing.T) {
	wz, w := newTestWizard(t, nil)
	w.Resize(fyne.NewSize(1024, 768))
	wz.readiness.report = &checks.Report{Target: checks.Target{Host: "203.0.113.10"}}
	wz.certs.csr = &tokens.CSR{DER: []byte{0x30, 0x00}, Subject: "CN=test"}
	choosers := []struct {
		name string
		open func()
	}{
		{"readiness html", func() { wz.readiness.save("html") }},
		{"readiness json", func() { wz.readiness.save("json") }},
		{"signing CSR", func() { wz.certs.save(true) }},
		{"auth CSR", func() { wz.saveCSR(wz.certs.csr, "auth-csr", false) }},
		{"anchor", wz.configure.chooseAnchor},
		{"certificate", func() { wz.register.chooseCert(widget.NewEntry()) }},
		{"submit folder", wz.submit.chooseFolder},
		{"token library", wz.token.chooseLibrary},
	}
	for _, c := range choosers {
		t.Run(c.name, func(t *testing.T) {
			before := len(w.Canvas().Overlays().List())
			c.open() // panicked here before the fix
			ov := w.Canvas().Overlays().Top()
			if ov == nil || len(w.Canvas().Overlays().List()) != before+1 {
				t.Fatal("no dialog shown")
			}
			if s, win := ov.Size(), w.Canvas().Size(); s.Width > win.Width || s.Height > win.Height {
				t.Errorf("dialog %v is larger than the window %v", s, win)
			}
			w.Canvas().Overlays().Remove(ov)
		})
	}
}
