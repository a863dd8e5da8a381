package app

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// A user whose server is not ready yet: the signing CSR (made on the
// token at this computer) goes alone from the Submit step, its package
// saying the authentication CSR follows; Submit, the step list and
// Register say the rest is awaited, with the way to Configure. Once the
// authentication CSR is made, "Send the rest" sends it as part 2 of the
// same application: the store shows one application with two parts.
func TestSubmitSigningCSRFirstThenTheRest(t *testing.T) {
	h := newSubmitHarness(t, t.TempDir(), nil)
	wz := h.wz
	wz.state.Server = Server{Remote: true, Host: "127.0.0.1", Port: "22", User: "admin", Auth: AuthAgent, PublicIP: "93.184.216.34"}
	wz.configure.xroad = presence{server: wz.state.Server.Display(), found: configure.PresenceInstalled} // no look over SSH
	auth, sign := testCSR(t, 0, "SS1"), testCSR(t, 1, "Министерство цифрового развития")
	wz.csrs.setSign(&madeCSR{DER: sign, Where: keyOnRutoken, Token: "0a1b2c3d"})

	v := h.show(t)
	if v.send.Disabled() || v.send.Text != T("submit.send_ready") || !contains(labelsIn(v.contents), T("submit.partial.todo.auth")) {
		t.Fatalf("signing CSR only: send disabled %v %q, contents %q", v.send.Disabled(), v.send.Text, labelsIn(v.contents))
	}
	h.chooseVia(t, enroll.ViaFolder)
	usb := t.TempDir()
	v.folder.SetText(usb)
	h.send(t)
	test.Tap(findButtonIn(t, v.outcome, T("submit.mark_sent.folder")))
	rec := h.record(t)
	if len(rec.Parts) != 1 || !rec.Sent() || !slices.Equal(rec.Awaited(), []enroll.Usage{enroll.UsageAuth}) {
		t.Fatalf("after part 1: %+v", rec)
	}
	p, err := enroll.Open(filepath.Join(usb, rec.ID))
	if err != nil || p.Manifest.Part != 1 || !slices.Equal(p.Manifest.Follows, []enroll.Usage{enroll.UsageAuth}) {
		t.Fatalf("the copy handed over: %v", err)
	}
	if _, err := os.Stat(filepath.Join(usb, rec.ID, enroll.CSRFileName(enroll.UsageAuth, false))); err == nil {
		t.Error("part 1 holds an authentication CSR")
	}
	// What was ready went: Next goes on; the rest is awaited, and where it
	// is made is one tap away.
	awaiting := wz.submit.awaitingText(enroll.UsageAuth)
	if wz.next.Disabled() || !contains(labelsIn(v.contents), awaiting) || !contains(labelsIn(v.outcome), awaiting) {
		t.Errorf("after part 1: next disabled %v, contents %q, outcome %q", wz.next.Disabled(), labelsIn(v.contents), labelsIn(v.outcome))
	}
	findButtonIn(t, v.contents, T("submit.go_configure"))
	if st := wz.rec.state(stepSubmit); st != onboarding.Attention {
		t.Errorf("step list: Submit is %s with the rest awaited", st)
	}

	// Register says why no certificate can come yet, and goes to Configure.
	if !wz.goTo(wz.stepIndex(stepRegister)) {
		t.Fatalf("Register not reached: %q", wz.message.Text)
	}
	if !contains(labelsIn(wz.page), T("register.auth_awaited.todo", map[string]any{"ID": rec.ID})) {
		t.Fatalf("Register: %q", labelsIn(wz.page))
	}
	test.Tap(findButtonIn(t, wz.page, T("nav.go_to", map[string]any{"Step": T("step.configure")})))
	if wz.stepID() != stepConfigure {
		t.Fatalf("the button went to %s", wz.stepID())
	}

	// Days later the authentication CSR is made: Send sends the rest.
	wz.csrs.setAuth(&madeCSR{DER: auth, Where: keyOnSoftToken})
	v = h.show(t)
	if v.send.Text != T("submit.send_rest") || !contains(labelsIn(v.contents), awaiting+" "+T("submit.awaiting.ready")) {
		t.Fatalf("the rest made: send %q, contents %q", v.send.Text, labelsIn(v.contents))
	}
	usb2 := t.TempDir()
	v.folder.SetText(usb2)
	h.send(t)
	test.Tap(findButtonIn(t, v.outcome, T("submit.mark_sent.folder")))
	rec2 := h.record(t)
	if rec2.ID != rec.ID || len(rec2.Parts) != 2 || rec2.Parts[1].SentAt.IsZero() || len(rec2.Awaited()) != 0 {
		t.Fatalf("after part 2: %+v", rec2)
	}
	if p2, err := enroll.Open(filepath.Join(usb2, rec.ID+"-part2")); err != nil || p2.Manifest.ID != rec.ID || p2.Manifest.Part != 2 {
		t.Fatalf("part 2's copy: %v", err)
	}
	store, _ := enroll.OpenStore(h.dir)
	if all, _ := store.List(); len(all) != 1 {
		t.Errorf("the store shows %d applications, want one with two parts", len(all))
	}
	tl := labelsIn(v.timeline)
	for _, pt := range rec2.Parts {
		if !contains(tl, partLine(pt)) {
			t.Errorf("timeline lacks part %d: %q", pt.N, tl)
		}
	}
	if st := wz.rec.state(stepSubmit); st != onboarding.Done {
		t.Errorf("step list: Submit is %s with both parts sent", st)
	}
	// The certificates are matched against both parts' CSRs.
	if got := wz.submittedCSRs(); len(got) != 2 {
		t.Errorf("submitted CSRs: %d", len(got))
	}
}

// Register before anything was submitted says why, and goes to Submit.
func TestRegisterBeforeAnySubmission(t *testing.T) {
	h := newSubmitHarness(t, t.TempDir(), nil)
	wz := h.wz
	wz.state.Server = Server{Remote: true, Host: "127.0.0.1", Port: "22", User: "admin", Auth: AuthAgent, PublicIP: "93.184.216.34"}
	setTestCSRs(t, wz)
	if !wz.goTo(wz.stepIndex(stepRegister)) {
		t.Fatalf("Register not reached: %q", wz.message.Text)
	}
	if !contains(labelsIn(wz.page), T("register.no_application.todo")) {
		t.Fatalf("Register: %q", labelsIn(wz.page))
	}
	// The form stays: the certificates may have come another way.
	if wz.register.v == nil || wz.register.v.authPath == nil {
		t.Error("the form is gone")
	}
	test.Tap(findButtonIn(t, wz.page, T("nav.go_to", map[string]any{"Step": T("step.submit")})))
	if wz.stepID() != stepSubmit {
		t.Fatalf("the button went to %s", wz.stepID())
	}
}
