package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// configureAsOps goes on from a real install (TestInstallStepRealHost)
// to the Configure step, as the host's user who is not root and whose
// sudo asks for a password, the admin API's certificate kept from that
// user as X-Road 7.4.2 keeps it (the stand-ins: 0660 xroad:xroad in a
// 0750 directory). The status read on entry uses the sudo password held
// from the Install step, asking nothing; the stand-in API takes no login,
// so its refusal of the admin user is the proof that the certificate was
// read and the API reached. Without it (a later run) the field is
// offered, sudo's need is told, and the typed password reads it.
func configureAsOps(t *testing.T, wz *wizard, p uiPump, h *targethost.Host) {
	cs := wz.configure
	cs.uiDo = func(f func()) {
		done := make(chan struct{})
		p <- func() { defer close(done); f() }
		<-done
	}
	idle := func(what string) { p.waitUntil(t, what, func() bool { return cs.busy == "" }) }
	refused := sessionErrorText(&configure.Error{Key: "configure.err.admin_login", Data: map[string]any{"User": "ssadmin"}})
	wz.cur = wz.stepIndex(stepConfigure)
	wz.showStep()
	p.waitUntil(t, "status started", func() bool { return cs.busy != "" || cs.notice != nil })
	idle("status with the Install step's sudo password")
	v := cs.v
	if !hasText(v.notice, refused) || !v.sudoBox.Hidden {
		t.Fatalf("Configure with the sudo password from Install: notice %q (want %q), sudo field shown %v", labelsIn(v.notice), refused, !v.sudoBox.Hidden)
	}

	wz.install.form.SudoPassword = ""
	wz.cur = wz.stepIndex(stepConfigure)
	wz.showStep()
	v = cs.v
	if v.sudoBox.Hidden {
		t.Fatal("no sudo password field for the SSH user ops")
	}
	test.Tap(v.refreshBtn)
	idle("status without a sudo password")
	if want := sessionErrorText(&configure.Error{Key: configure.KeySudoPassword, Data: map[string]any{"Path": targethost.APICert}}); !hasText(v.notice, want) {
		t.Fatalf("without a sudo password: %q, want %q", labelsIn(v.notice), want)
	}
	test.Type(v.sudoPW, h.Password)
	test.Tap(v.refreshBtn)
	idle("status with the typed sudo password")
	if !hasText(v.notice, refused) {
		t.Fatalf("with the typed sudo password: %q", labelsIn(v.notice))
	}
	for _, l := range labelsIn(wz.page) {
		if strings.Contains(l, h.Password) {
			t.Fatal("the page shows the sudo password")
		}
	}
}
