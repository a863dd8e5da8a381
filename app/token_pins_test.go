package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/miekg/pkcs11"

	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// The PIN dialog tests use their own token, TUNDUK-PINS (setupSoftHSM), and
// set its PINs back to testSOPIN/testUserPIN when they end.

// pinsHarness is the Token step with TUNDUK-PINS selected; so is the
// token's SO PIN as the test last set it, for the cleanup.
type pinsHarness struct {
	*tokenHarness
	so string
}

func newPINsHarness(t *testing.T) *pinsHarness {
	t.Helper()
	h := &pinsHarness{tokenHarness: newTokenHarness(t), so: testSOPIN}
	h.waitRows(t, testTokenP)
	t.Cleanup(func() { restoreTestPINs(t, h.mod, h.so) })
	if !userPINWorks(t, h.mod, testUserPIN) || !soPINWorks(t, h.mod, testSOPIN) {
		t.Fatal("TUNDUK-PINS does not start with the test PINs")
	}
	h.selectToken(t, testTokenP)
	return h
}

// restoreTestPINs gives TUNDUK-PINS the test PINs again, trying no wrong PIN.
func restoreTestPINs(t *testing.T, m *tokens.Module, so string) {
	tok, err := m.Find(testTokenP)
	if err != nil {
		t.Errorf("restore: %v", err)
		return
	}
	if so != testSOPIN {
		if err := m.ChangeSOPIN(tok, so, testSOPIN); err != nil {
			t.Errorf("restore the SO PIN: %v", err)
			return
		}
	}
	if err := m.UnblockUserPIN(tok, testSOPIN, testUserPIN); err != nil {
		t.Errorf("restore the user PIN: %v", err)
	}
}

// isWrongPIN tells a refused PIN from other failures, which end the test.
func isWrongPIN(t *testing.T, err error) bool {
	t.Helper()
	var pe *tokens.PINError
	switch {
	case err == nil:
		return false
	case errors.As(err, &pe) && pe.Code == pkcs11.CKR_PIN_INCORRECT:
		return true
	}
	t.Fatalf("not a PIN answer: %v", err)
	return false
}

// userPINWorks logs in with pin through the tokens API.
func userPINWorks(t *testing.T, m *tokens.Module, pin string) bool {
	t.Helper()
	_, err := m.Objects(findToken(t, m, testTokenP), pin)
	return !isWrongPIN(t, err)
}

// soPINWorks logs in as SO with pin (setting the same PIN again).
func soPINWorks(t *testing.T, m *tokens.Module, pin string) bool {
	t.Helper()
	return !isWrongPIN(t, m.ChangeSOPIN(findToken(t, m, testTokenP), pin, pin))
}

func (h *pinsHarness) openPINs(t *testing.T) *pinDialog {
	t.Helper()
	if h.wz.token.v.pins.Disabled() {
		t.Fatal("PINs… disabled")
	}
	test.Tap(h.wz.token.v.pins)
	pd := nextDialog[*pinDialog](t, h.tokenHarness)
	if !pd.old.Password || !pd.pin.Password || !pd.pin2.Password {
		t.Error("PIN fields are not password entries")
	}
	return pd
}

// choose picks an action as a click on its radio button does.
func choose(t *testing.T, pd *pinDialog, key string, mode int, labels ...string) {
	t.Helper()
	pd.action.SetSelected(T(key))
	if pd.mode() != mode {
		t.Fatalf("%s: mode %d, want %d", key, pd.mode(), mode)
	}
	for i, l := range labels {
		if pd.form.Items[i].Text != T(l) {
			t.Errorf("%s: field %d labelled %q, want %q", key, i, pd.form.Items[i].Text, T(l))
		}
	}
}

func fillPINs(pd *pinDialog, old, pin, pin2 string) {
	for _, x := range []struct {
		e *widget.Entry
		v string
	}{{pd.old, old}, {pd.pin, pin}, {pd.pin2, pin2}} {
		x.e.SetText("")
		test.Type(x.e, x.v)
	}
}

// submit taps OK and runs the UI until the token has answered.
func (h *pinsHarness) submit(t *testing.T, pd *pinDialog) {
	t.Helper()
	pd.done = make(chan struct{})
	test.Tap(pd.ok)
	h.pump.wait(t, pd.done, "the PIN action")
}

// succeeded checks the dialog closed clean and said so.
func (h *pinsHarness) succeeded(t *testing.T, pd *pinDialog) {
	t.Helper()
	if pd.err.Visible() {
		t.Fatalf("PIN action failed: %q", pd.err.Text)
	}
	if pd.old.Text != "" || pd.pin.Text != "" || pd.pin2.Text != "" {
		t.Error("PINs not cleared after use")
	}
	if got := overlayTexts(h.w); !strings.Contains(got, T("token.pins.done")) {
		t.Errorf("no confirmation shown: %q", got)
	}
}

func TestPINsDialogChangesUserPIN(t *testing.T) {
	h := newPINsHarness(t)
	pd := h.openPINs(t)
	if pd.action.Selected != T("token.pins.change_user") {
		t.Errorf("preselected %q", pd.action.Selected)
	}
	choose(t, pd, "token.pins.change_user", pinChangeUser, "token.pins.old_user", "token.pins.new_user", "token.pins.new_user2")
	const newPIN = "user-pin-new-31"
	fillPINs(pd, testUserPIN, newPIN, newPIN)
	h.submit(t, pd)
	h.succeeded(t, pd)
	if !userPINWorks(t, h.mod, newPIN) {
		t.Error("the new user PIN does not work")
	}
	if userPINWorks(t, h.mod, testUserPIN) {
		t.Error("the old user PIN still works")
	}
	if !soPINWorks(t, h.mod, testSOPIN) {
		t.Error("the SO PIN changed")
	}
	if n := h.counter.pins.Load(); n != 1 {
		t.Errorf("%d PIN calls, want 1", n)
	}
}

func TestPINsDialogChangesSOPIN(t *testing.T) {
	h := newPINsHarness(t)
	pd := h.openPINs(t)
	choose(t, pd, "token.pins.change_so", pinChangeSO, "token.pins.old_so", "token.pins.new_so", "token.pins.new_so2")
	const newSO = "so-pin-new-4242"
	fillPINs(pd, testSOPIN, newSO, newSO)
	h.submit(t, pd)
	if !pd.err.Visible() {
		h.so = newSO
	}
	h.succeeded(t, pd)
	if !soPINWorks(t, h.mod, newSO) {
		t.Error("the new SO PIN does not work")
	}
	if soPINWorks(t, h.mod, testSOPIN) {
		t.Error("the old SO PIN still works")
	}
	if !userPINWorks(t, h.mod, testUserPIN) {
		t.Error("the user PIN changed")
	}
}

func TestPINsDialogUnblocksUserPIN(t *testing.T) {
	h := newPINsHarness(t)
	pd := h.openPINs(t)
	choose(t, pd, "token.pins.unblock", pinUnblock, "token.pins.so", "token.pins.new_user", "token.pins.new_user2")
	const newPIN = "user-pin-unblocked-7"
	fillPINs(pd, testSOPIN, newPIN, newPIN)
	h.submit(t, pd)
	h.succeeded(t, pd)
	if !userPINWorks(t, h.mod, newPIN) {
		t.Error("the user PIN set with the SO PIN does not work")
	}
	if userPINWorks(t, h.mod, testUserPIN) {
		t.Error("the forgotten user PIN still works")
	}
	if !soPINWorks(t, h.mod, testSOPIN) {
		t.Error("the SO PIN changed")
	}
}

func TestPINsDialogRefusesMismatchInline(t *testing.T) {
	h := newPINsHarness(t)
	pd := h.openPINs(t)
	for _, c := range []struct {
		key  string
		mode int
		old  string
	}{
		{"token.pins.change_user", pinChangeUser, testUserPIN},
		{"token.pins.change_so", pinChangeSO, testSOPIN},
		{"token.pins.unblock", pinUnblock, testSOPIN},
	} {
		choose(t, pd, c.key, c.mode)
		fillPINs(pd, c.old, "brand-new-111", "brand-new-222")
		test.Tap(pd.ok)
		if !pd.err.Visible() || pd.err.Text != T("token.err.pin_mismatch") {
			t.Errorf("%s: error %q, want %q", c.key, pd.err.Text, T("token.err.pin_mismatch"))
		}
		if pd.old.Text != c.old || pd.pin.Text != "brand-new-111" || pd.pin2.Text != "brand-new-222" {
			t.Errorf("%s: form lost", c.key)
		}
		if pd.ok.Disabled() || pd.progress.Visible() {
			t.Errorf("%s: busy after an inline refusal", c.key)
		}
	}
	// The current PIN left empty is refused as well.
	fillPINs(pd, "", "brand-new-111", "brand-new-111")
	test.Tap(pd.ok)
	if pd.err.Text != T("token.err.old_pin_empty") {
		t.Errorf("empty current PIN: %q", pd.err.Text)
	}
	// A new action clears the error.
	choose(t, pd, "token.pins.change_user", pinChangeUser)
	if pd.err.Visible() {
		t.Error("error kept after another action was chosen")
	}
	time.Sleep(100 * time.Millisecond)
	if n := h.counter.pins.Load(); n != 0 {
		t.Errorf("the token was called %d times", n)
	}
	if !userPINWorks(t, h.mod, testUserPIN) || !soPINWorks(t, h.mod, testSOPIN) {
		t.Error("the token's PINs changed")
	}
	if userPINWorks(t, h.mod, "brand-new-111") || userPINWorks(t, h.mod, "brand-new-222") {
		t.Error("a refused new PIN was set")
	}
	test.Tap(pd.cancel)
	if pd.old.Text != "" || pd.pin.Text != "" || pd.pin2.Text != "" {
		t.Error("PINs not cleared on cancel")
	}
}

func TestPINsDialogWrongCurrentPINOneAttempt(t *testing.T) {
	h := newPINsHarness(t)
	if err := SetLanguage("ru"); err != nil {
		t.Fatal(err)
	}
	pd := h.openPINs(t)
	cases := []struct {
		key, who string
		mode     int
	}{
		{"token.pins.change_user", "user", pinChangeUser},
		{"token.pins.change_so", "so", pinChangeSO},
	}
	for i, c := range cases {
		choose(t, pd, c.key, c.mode)
		const newPIN = "never-set-pin-5"
		fillPINs(pd, "wrong-pin-0000", newPIN, newPIN)
		h.submit(t, pd)
		// Exactly one attempt, even after a while.
		time.Sleep(300 * time.Millisecond)
		h.pump.waitUntil(t, "pending UI updates", func() bool { return true })
		if n := h.counter.pins.Load(); n != int32(i+1) {
			t.Errorf("%s: %d attempts in all, want %d", c.who, n, i+1)
		}
		// The message tells the tries state the token now reports, in Russian.
		tok := findToken(t, h.mod, testTokenP)
		pe := &tokens.PINError{Who: c.who, Code: pkcs11.CKR_PIN_INCORRECT,
			CountLow: tok.UserPINCountLow, FinalTry: tok.UserPINFinalTry, Locked: tok.UserPINLocked}
		if c.who == "so" {
			pe.CountLow, pe.FinalTry, pe.Locked = tok.SOPINCountLow, tok.SOPINFinalTry, tok.SOPINLocked
		}
		want := pinErrorText(pe)
		if !pd.err.Visible() || pd.err.Text != want {
			t.Errorf("%s: message %q, want %q", c.who, pd.err.Text, want)
		}
		who := T("token.pin.user")
		if c.who == "so" {
			who = T("token.pin.so")
		}
		if !strings.HasPrefix(pd.err.Text, T("token.pinerr.wrong", map[string]any{"Who": who})) || !strings.Contains(pd.err.Text, T("token.pinerr.no_retry")) {
			t.Errorf("%s: message %q lacks the wrong-PIN and no-retry parts", c.who, pd.err.Text)
		}
		if !strings.ContainsAny(pd.err.Text, "абвгдежзиклмнопрстуфхцчшщыэюя") {
			t.Errorf("%s: message not in Russian: %q", c.who, pd.err.Text)
		}
		if pd.old.Text != "" || pd.pin.Text != newPIN || pd.pin2.Text != newPIN {
			t.Errorf("%s: the wrong PIN is kept, or the new ones lost", c.who)
		}
		if pd.ok.Disabled() {
			t.Errorf("%s: OK disabled after the refusal", c.who)
		}
	}
	_ = SetLanguage("en")
	if !userPINWorks(t, h.mod, testUserPIN) || !soPINWorks(t, h.mod, testSOPIN) {
		t.Error("the token's PINs changed")
	}
	if userPINWorks(t, h.mod, "never-set-pin-5") {
		t.Error("the new PIN was set with a wrong current PIN")
	}
}
