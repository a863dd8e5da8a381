package app

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// restoreFactoryPINs gives TUNDUK-FACTORY its factory PINs back, trying
// no wrong PIN: so and user are its PINs now.
func restoreFactoryPINs(t *testing.T, m *tokens.Module, so string) {
	tok, err := m.Find(testTokenF)
	if err != nil {
		t.Errorf("restore: %v", err)
		return
	}
	if so != factorySO {
		if err := m.ChangeSOPIN(tok, so, factorySO); err != nil {
			t.Errorf("restore the SO PIN: %v", err)
			return
		}
	}
	if err := m.UnblockUserPIN(tok, factorySO, factoryUser); err != nil {
		t.Errorf("restore the user PIN: %v", err)
	}
}

// typeAll types each value into its entry.
func typeAll(pairs ...any) {
	for i := 0; i < len(pairs); i += 2 {
		e, v := pairs[i].(*widget.Entry), pairs[i+1].(string)
		e.SetText("")
		test.Type(e, v)
	}
}

// askKeygen taps "Generate" and types pin into the PIN prompt.
func (h *tokenHarness) askKeygen(t *testing.T, pin string) {
	t.Helper()
	test.Tap(h.wz.token.v.keygen)
	p := nextDialog[*pinPrompt](t, h)
	if p.kept {
		t.Fatal("the prompt uses a kept PIN: none should be kept")
	}
	test.Type(p.pin, pin)
	test.Tap(p.ok)
}

// A token with the Rutoken factory PINs gets no key: the key generation
// stops at a dialog that has both PINs changed first, in the same flow,
// and makes the key right after with the new user PIN.
func TestKeygenFactoryPINsChangedFirst(t *testing.T) {
	h := newTokenHarness(t)
	h.waitRows(t, testTokenF)
	so := factorySO
	t.Cleanup(func() { restoreFactoryPINs(t, h.mod, so) })
	tok := h.selectToken(t, testTokenF)
	ts := h.wz.token

	// Cancelled: no key, no PIN changed.
	h.askKeygen(t, factoryUser)
	f := nextDialog[*factoryDialog](t, h)
	if !f.needUser || !f.needSO {
		t.Fatalf("factory dialog asks user %v SO %v, want both", f.needUser, f.needSO)
	}
	for _, e := range []*widget.Entry{f.pin, f.pin2, f.soOld, f.so, f.so2} {
		if !e.Password {
			t.Error("a PIN field is not a password entry")
		}
	}
	test.Tap(f.cancel)
	if n := h.counter.keygens.Load(); n != 0 {
		t.Fatalf("%d key generations on a token with factory PINs", n)
	}
	if _, kept := ts.pins.get(tok.Serial); kept {
		t.Error("a factory PIN was kept")
	}

	// A factory SO PIN must be replaced, not only checked; a factory new
	// PIN is refused: nothing reaches the token.
	h.askKeygen(t, factoryUser)
	f = nextDialog[*factoryDialog](t, h)
	typeAll(f.pin, "own-user-pin-77", f.pin2, "own-user-pin-77", f.soOld, factorySO)
	test.Tap(f.ok)
	if f.err.Text != T("token.factory.so_needed") {
		t.Errorf("factory SO PIN kept: error %q", f.err.Text)
	}
	typeAll(f.so, factoryUser, f.so2, factoryUser)
	test.Tap(f.ok)
	if f.err.Text != T("token.err.pin_factory") {
		t.Errorf("a factory PIN as the new SO PIN: error %q", f.err.Text)
	}
	if n := h.counter.pins.Load(); n != 0 {
		t.Fatalf("%d PIN changes for refused forms", n)
	}

	// Own PINs: both changed, then the key is made with the new user PIN.
	typeAll(f.so, "own-so-pin-77", f.so2, "own-so-pin-77")
	f.done = make(chan struct{})
	test.Tap(f.ok)
	h.pump.wait(t, f.done, "the PIN change")
	if f.err.Visible() {
		t.Fatalf("PIN change failed: %q", f.err.Text)
	}
	so = "own-so-pin-77"
	h.pump.wait(t, h.keygen, "key generation")
	if ts.keyErr != nil || ts.key == nil || h.counter.keygens.Load() != 1 {
		t.Fatalf("key after the change: %v (%d attempts)", ts.keyErr, h.counter.keygens.Load())
	}
	for _, e := range []*widget.Entry{f.pin, f.pin2, f.soOld, f.so, f.so2} {
		if e.Text != "" {
			t.Error("PINs not cleared after use")
		}
	}
	tok = findToken(t, h.mod, testTokenF)
	if _, err := h.mod.Objects(tok, "own-user-pin-77"); err != nil {
		t.Errorf("the new user PIN does not work: %v", err)
	}
	if err := h.mod.VerifySOPIN(tok, "own-so-pin-77"); err != nil {
		t.Errorf("the new SO PIN does not work: %v", err)
	}
	if pin, kept := ts.pins.get(tok.Serial); !kept || pin != "own-user-pin-77" {
		t.Error("the new user PIN is not kept for the next step")
	}
	for key, v := range h.prefs {
		if s := fmt.Sprint(v); strings.Contains(s, "own-user-pin-77") || strings.Contains(s, "own-so-pin-77") {
			t.Errorf("a PIN saved under %s", key)
		}
	}
}

// The SO PIN alone: a token whose user PIN is the person's own but whose
// SO PIN this run saw to be the factory one (unblocked with it) gets the
// SO part of the dialog only; an SO PIN of the person's own is checked.
func TestKeygenFactorySOPINOnly(t *testing.T) {
	h := newTokenHarness(t)
	h.waitRows(t, testTokenF)
	t.Cleanup(func() { restoreFactoryPINs(t, h.mod, factorySO) })
	tok := h.selectToken(t, testTokenF)
	ts := h.wz.token
	ts.pinsChanged(tok.Serial, pinUnblock, factorySO, "own-user-pin-78", h.mod.UnblockUserPIN(tok, factorySO, "own-user-pin-78"))
	if own, known := ts.soOwn[tok.Serial]; !known || own {
		t.Fatalf("the factory SO PIN typed for an unblock not noted: %v %v", own, known)
	}
	test.Tap(ts.v.keygen)
	p := nextDialog[*pinPrompt](t, h)
	if !p.kept {
		t.Error("the user PIN set by the unblock is asked again")
	}
	test.Tap(p.ok)
	f := nextDialog[*factoryDialog](t, h)
	if f.needUser || !f.needSO {
		t.Fatalf("factory dialog asks user %v SO %v, want the SO PIN only", f.needUser, f.needSO)
	}
	// A wrong current SO PIN: refused, typed again, no key.
	typeAll(f.soOld, "not-the-so-pin", f.so, "own-so-pin-78", f.so2, "own-so-pin-78")
	f.done = make(chan struct{})
	test.Tap(f.ok)
	h.pump.wait(t, f.done, "the SO PIN change")
	if !strings.HasPrefix(f.err.Text, T("token.pinerr.wrong", map[string]any{"Who": T("token.pin.so")})) || f.soOld.Text != "" {
		t.Errorf("wrong SO PIN: %q, field %q", f.err.Text, f.soOld.Text)
	}
	if h.counter.keygens.Load() != 0 {
		t.Fatal("a key was made under the factory SO PIN")
	}
	typeAll(f.soOld, factorySO)
	f.done = make(chan struct{})
	test.Tap(f.ok)
	h.pump.wait(t, f.done, "the SO PIN change")
	h.pump.wait(t, h.keygen, "key generation")
	if ts.keyErr != nil || ts.key == nil {
		t.Fatalf("keygen: %v", ts.keyErr)
	}
	if err := h.mod.VerifySOPIN(tok, "own-so-pin-78"); err != nil {
		t.Fatalf("the SO PIN was not changed: %v", err)
	}
	if err := h.mod.ChangeSOPIN(tok, "own-so-pin-78", factorySO); err != nil {
		t.Fatal(err)
	}
}

// A factory user PIN with an SO PIN already the person's own (changed
// elsewhere, so unknown to the wizard): the token is asked (the factory SO
// PIN refused), so the dialog asks the user PIN only, and the key follows.
func TestKeygenFactoryUserPINOwnSOChecked(t *testing.T) {
	h := newTokenHarness(t)
	h.waitRows(t, testTokenF)
	tok := h.selectToken(t, testTokenF)
	if err := h.mod.ChangeSOPIN(tok, factorySO, "own-so-pin-81"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { restoreFactoryPINs(t, h.mod, "own-so-pin-81") })
	h.askKeygen(t, factoryUser)
	f := nextDialog[*factoryDialog](t, h)
	if !f.needUser || f.needSO {
		t.Fatalf("factory dialog asks user %v SO %v, want the user PIN only", f.needUser, f.needSO)
	}
	typeAll(f.pin, "own-user-pin-81", f.pin2, "own-user-pin-81")
	f.done = make(chan struct{})
	test.Tap(f.ok)
	h.pump.wait(t, f.done, "the PIN change")
	h.pump.wait(t, h.keygen, "key generation")
	if ts := h.wz.token; ts.keyErr != nil || ts.key == nil {
		t.Fatalf("keygen: %v", ts.keyErr)
	}
	if n := h.counter.pins.Load(); n != 1 {
		t.Errorf("%d PIN changes, want 1 (the user PIN)", n)
	}
	if err := h.mod.VerifySOPIN(tok, "own-so-pin-81"); err != nil {
		t.Errorf("the SO PIN changed: %v", err)
	}
}

// The factory SO PIN is found though nobody typed it: a token whose user
// PIN is the person's own but whose SO PIN left the factory unchanged
// gets no key until the SO PIN is changed, in the same flow.
func TestKeygenFindsUntypedFactorySOPIN(t *testing.T) {
	h := newTokenHarness(t)
	h.waitRows(t, testTokenF)
	tok := h.selectToken(t, testTokenF)
	t.Cleanup(func() { restoreFactoryPINs(t, h.mod, factorySO) })
	if err := h.mod.ChangeUserPIN(tok, factoryUser, "own-user-pin-83"); err != nil {
		t.Fatal(err)
	}
	h.askKeygen(t, "own-user-pin-83")
	f := nextDialog[*factoryDialog](t, h)
	if f.needUser || !f.needSO {
		t.Fatalf("factory dialog asks user %v SO %v, want the SO PIN only", f.needUser, f.needSO)
	}
	if h.counter.keygens.Load() != 0 {
		t.Fatal("a key was made under the factory SO PIN")
	}
	typeAll(f.soOld, factorySO, f.so, "own-so-pin-83", f.so2, "own-so-pin-83")
	f.done = make(chan struct{})
	test.Tap(f.ok)
	h.pump.wait(t, f.done, "the SO PIN change")
	h.pump.wait(t, h.keygen, "key generation")
	if ts := h.wz.token; ts.keyErr != nil || ts.key == nil {
		t.Fatalf("keygen: %v", ts.keyErr)
	}
	if err := h.mod.VerifySOPIN(tok, "own-so-pin-83"); err != nil {
		t.Fatalf("the SO PIN was not changed: %v", err)
	}
	if err := h.mod.ChangeSOPIN(tok, "own-so-pin-83", factorySO); err != nil {
		t.Fatal(err)
	}
}

// Formatting with the factory SO PIN replaces it in the same step
// (C_InitToken would keep it), and the new user PIN is kept for the run.
func TestFormatReplacesFactorySOPIN(t *testing.T) {
	h := newTokenHarness(t)
	h.waitRows(t, testTokenF)
	t.Cleanup(func() { restoreFactoryPINs(t, h.mod, factorySO) })
	tok := h.selectToken(t, testTokenF)
	test.Tap(h.wz.token.v.format)
	f := nextDialog[*formatDialog](t, h)
	if !f.soNew.Password || !f.soNew2.Password {
		t.Error("new SO PIN fields are not password entries")
	}
	fillFormat(f, testTokenF, factorySO, "own-user-pin-79", "own-user-pin-79")
	test.Tap(f.ok)
	if f.err.Text != T("token.factory.so_needed") || h.counter.inits.Load() != 0 {
		t.Fatalf("format keeping the factory SO PIN: %q, %d inits", f.err.Text, h.counter.inits.Load())
	}
	typeAll(f.soNew, "own-so-pin-79", f.soNew2, "own-so-pin-79")
	f.done = make(chan struct{})
	test.Tap(f.ok)
	// Keys the other tests made on the token are wiped, confirmed by serial.
	h.pump.waitUntil(t, "format", func() bool {
		select {
		case <-f.done:
			return true
		case d := <-h.shown:
			if c, ok := d.(*wipeConfirm); ok {
				test.Type(c.serial, tok.Serial)
				test.Tap(c.wipe)
			}
		default:
		}
		return false
	})
	if f.err.Visible() {
		t.Fatalf("format: %q", f.err.Text)
	}
	tok = findToken(t, h.mod, testTokenF)
	if err := h.mod.VerifySOPIN(tok, "own-so-pin-79"); err != nil {
		t.Fatalf("the SO PIN was not replaced: %v", err)
	}
	ts := h.wz.token
	if own := ts.soOwn[tok.Serial]; !own {
		t.Error("the own SO PIN not noted")
	}
	if pin, kept := ts.pins.get(tok.Serial); !kept || pin != "own-user-pin-79" {
		t.Error("the new user PIN is not kept")
	}
	if err := h.mod.ChangeSOPIN(tok, "own-so-pin-79", factorySO); err != nil {
		t.Fatal(err)
	}
}

// The user PIN typed for the key is not asked again by the Certificates
// step; a PIN the token refuses is dropped and asked again; "Forget the
// PIN" drops it too.
func TestPINAskedOnceAcrossSteps(t *testing.T) {
	h := newTokenHarness(t)
	tok := h.selectToken(t, testTokenA)
	t.Cleanup(func() {
		if err := h.mod.UnblockUserPIN(findToken(t, h.mod, testTokenA), testSOPIN, testUserPIN); err != nil {
			t.Error(err)
		}
	})
	ts := h.wz.token
	h.askKeygen(t, testUserPIN)
	h.pump.wait(t, h.keygen, "key generation")
	if ts.keyErr != nil {
		t.Fatal(ts.keyErr)
	}
	if !ts.v.forget.Visible() {
		t.Error("no «Forget the PIN» on the Token step while a PIN is kept")
	}
	// A second key: confirmed, not asked.
	test.Tap(ts.v.keygen)
	p := nextDialog[*pinPrompt](t, h)
	if !p.kept || p.pin.Visible() {
		t.Error("the second key generation asks the PIN again")
	}
	test.Tap(p.cancel)

	wz := h.wz
	if !wz.goTo(wz.stepIndex(stepCertificates)) {
		t.Fatalf("at %s", wz.stepID())
	}
	cs := wz.certs
	v := cs.v
	made := make(chan struct{}, 2)
	cs.made = func() { made <- struct{}{} }
	if v.pinRow.Visible() || !v.pinKept.Visible() || !v.forget.Visible() {
		t.Fatalf("Certificates asks the PIN again: entry %v, kept note %v", v.pinRow.Visible(), v.pinKept.Visible())
	}
	if !strings.Contains(v.pinKept.Text, tok.Serial) || strings.Contains(v.pinKept.Text, testUserPIN) {
		t.Errorf("kept note %q", v.pinKept.Text)
	}
	test.Tap(v.make)
	h.pump.wait(t, made, "the CSR")
	if cs.err != nil || cs.csr == nil {
		t.Fatalf("CSR with the kept PIN: %v", cs.err)
	}

	// The PIN changes behind the wizard's back: the kept one is refused
	// once, dropped, and the entry is back.
	if err := h.mod.ChangeUserPIN(tok, testUserPIN, "changed-pin-80"); err != nil {
		t.Fatal(err)
	}
	test.Tap(v.make)
	h.pump.wait(t, made, "the refusal")
	if cs.csr != nil || !strings.Contains(v.err.Text, T("token.pinerr.no_retry")) {
		t.Errorf("a refused kept PIN: csr %v, error %q", cs.csr, v.err.Text)
	}
	if _, kept := ts.pins.get(tok.Serial); kept || !v.pinRow.Visible() || v.pinKept.Visible() {
		t.Fatal("a refused PIN is still kept")
	}
	test.Type(v.pin, "changed-pin-80")
	test.Tap(v.make)
	h.pump.wait(t, made, "the CSR")
	if cs.err != nil || cs.csr == nil {
		t.Fatalf("CSR with the new PIN: %v", cs.err)
	}
	if pin, kept := ts.pins.get(tok.Serial); !kept || pin != "changed-pin-80" || v.pinRow.Visible() {
		t.Error("the PIN typed on Certificates is not kept")
	}

	// Forget the PIN: asked again.
	test.Tap(v.forget)
	if _, kept := ts.pins.get(tok.Serial); kept || !v.pinRow.Visible() {
		t.Error("«Forget the PIN» kept it")
	}
	for key, val := range h.prefs {
		if s := fmt.Sprint(val); strings.Contains(s, testUserPIN) || strings.Contains(s, "changed-pin-80") {
			t.Errorf("a PIN saved under %s", key)
		}
	}
	// Closing the window drops every PIN (app.go's OnClosed does this).
	ts.pins.keep(tok.Serial, "changed-pin-80")
	ts.pins.clear()
	if _, kept := ts.pins.get(tok.Serial); kept {
		t.Error("clear kept a PIN")
	}
}

// The library label names what was found: the Rutoken driver, or another
// library by its maker's words, sanitised.
func TestLibraryLabel(t *testing.T) {
	if got := libraryText(tokens.LibraryInfo{Kind: tokens.LibraryRutoken}); got != T("token.library.kind.rutoken") || !strings.Contains(got, "Rutoken") {
		t.Errorf("Rutoken: %q", got)
	}
	if got := libraryText(tokens.LibraryInfo{Kind: tokens.LibraryOpenSC}); !strings.Contains(got, "OpenSC") {
		t.Errorf("OpenSC: %q", got)
	}
	got := libraryText(tokens.LibraryInfo{Kind: tokens.LibraryOther, Manufacturer: "SafeNet\x1b[31m", Description: "eToken", File: "libeTPkcs11.so"})
	if !strings.Contains(got, "SafeNet") || !strings.Contains(got, "eToken") || strings.ContainsRune(got, 0x1b) {
		t.Errorf("other: %q", got)
	}
	if got := libraryText(tokens.LibraryInfo{Kind: tokens.LibraryOther, File: "libx.so"}); !strings.Contains(got, "libx.so") {
		t.Errorf("other without words: %q", got)
	}
	_ = SetLanguage("ky")
	if got := libraryText(tokens.LibraryInfo{Kind: tokens.LibraryRutoken}); !strings.Contains(got, "Рутокен") {
		t.Errorf("ky Rutoken: %q", got)
	}
	_ = SetLanguage("en")

	wz, _ := newTestWizard(t, mapPrefs{prefModulePath: "/nonexistent/librtpkcs11ecp.so"})
	ts := wz.token
	newUIPump(wz)
	wz.state.Org = validOrg()
	wz.goTo(wz.stepIndex(stepToken))
	ts.stop()
	ts.mod, ts.modErr = fakeModule{}, nil
	ts.apply(nil, nil)
	if !strings.Contains(ts.v.module.Text, T("token.library.kind.rutoken")) || ts.v.libNote.Visible() {
		t.Errorf("Rutoken label %q, SoftHSM note shown %v", ts.v.module.Text, ts.v.libNote.Visible())
	}
}

// With "the token goes to the server" chosen on the Install step, the
// handover says the install does the devices.ini part (the installer's
// hwtokens step); without it, the person does every step.
func TestHandoverSaysInstallDoesDevicesINI(t *testing.T) {
	prefs := mapPrefs{prefKeySerial: "3a1b2c3d", prefKeyID: "0a0b"}
	wz, _ := newTestWizard(t, prefs)
	wz.state.Org = validOrg()
	if !wz.goTo(wz.stepIndex(stepCertificates)) {
		t.Fatalf("at %s", wz.stepID())
	}
	v := wz.certs.v
	if !v.handover.Visible() || v.byInstall.Visible() {
		t.Fatalf("handover %v, install note %v without the token on the server", v.handover.Visible(), v.byInstall.Visible())
	}
	prefs.SetBool(prefTokenOnServer, true)
	wz.certs.refresh()
	if !v.byInstall.Visible() || !strings.Contains(v.byInstall.Text, "/etc/xroad/devices.ini") {
		t.Errorf("install note %v %q with the token on the server", v.byInstall.Visible(), v.byInstall.Text)
	}
}
