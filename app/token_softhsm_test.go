package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/miekg/pkcs11"

	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// SoftHSM2 reads SOFTHSM2_CONF once per process, when the module is first
// loaded; any test of the package may load it (the Token step finds it on
// its own), so TestMain (state_test.go) makes the config and the two test
// tokens before any test runs, and removes them at the end.

const (
	testSoftHSM = "/usr/lib/softhsm/libsofthsm2.so"
	testSOPIN   = "so-pin-4711"
	testUserPIN = "user-pin-0815"
	testTokenA  = "TUNDUK-A"
	testTokenB  = "TUNDUK-B"
	testTokenP  = "TUNDUK-PINS" // the PIN dialog tests' own token
	// testTokenF has the Rutoken factory PINs (SoftHSM2 has none of its
	// own), for the factory PIN tests alone; they give them back.
	testTokenF  = "TUNDUK-FACTORY"
	factorySO   = "87654321"
	factoryUser = "12345678"
)

var softhsmSetupErr error

// setupSoftHSM writes a private SoftHSM2 config with two tokens and returns
// its folder, for TestMain to remove.
func setupSoftHSM() (string, error) {
	if _, err := os.Stat(testSoftHSM); err != nil {
		return "", fmt.Errorf("SoftHSM2 not installed: %w", err)
	}
	dir, err := os.MkdirTemp("", "tunduk-app-softhsm-")
	if err != nil {
		return "", err
	}
	tokdir := filepath.Join(dir, "tokens")
	if err := os.MkdirAll(tokdir, 0o700); err != nil {
		return dir, err
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	text := "directories.tokendir = " + tokdir + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		return dir, err
	}
	os.Setenv("SOFTHSM2_CONF", conf)
	for _, label := range []string{testTokenA, testTokenB, testTokenP, testTokenF} {
		so, user := testSOPIN, testUserPIN
		if label == testTokenF {
			so, user = factorySO, factoryUser
		}
		out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label,
			"--so-pin", so, "--pin", user).CombinedOutput()
		if err != nil {
			return dir, fmt.Errorf("softhsm2-util --init-token %s: %v: %s", label, err, out)
		}
	}
	return dir, nil
}

// softhsm returns the shared module, skipping when SoftHSM2 is missing.
func softhsm(t *testing.T) *tokens.Module {
	t.Helper()
	if softhsmSetupErr != nil {
		if _, err := os.Stat(testSoftHSM); err != nil {
			t.Skip(softhsmSetupErr)
		}
		t.Fatal(softhsmSetupErr)
	}
	m, err := tokens.OpenModule(testSoftHSM)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func findToken(t *testing.T, m *tokens.Module, label string) tokens.TokenInfo {
	t.Helper()
	tok, err := m.Find(label)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// countingModule counts the PIN-using calls that reach the token.
type countingModule struct {
	tokenModule
	keygens, inits, pins atomic.Int32
}

func (c *countingModule) ChangeUserPIN(tok tokens.TokenInfo, oldPIN, newPIN string) error {
	c.pins.Add(1)
	return c.tokenModule.ChangeUserPIN(tok, oldPIN, newPIN)
}

func (c *countingModule) ChangeSOPIN(tok tokens.TokenInfo, oldPIN, newPIN string) error {
	c.pins.Add(1)
	return c.tokenModule.ChangeSOPIN(tok, oldPIN, newPIN)
}

func (c *countingModule) UnblockUserPIN(tok tokens.TokenInfo, soPIN, newUserPIN string) error {
	c.pins.Add(1)
	return c.tokenModule.UnblockUserPIN(tok, soPIN, newUserPIN)
}

func (c *countingModule) GenerateSigningKey(ctx context.Context, tok tokens.TokenInfo, pin string, bits int, label string) (*tokens.KeyRef, error) {
	c.keygens.Add(1)
	return c.tokenModule.GenerateSigningKey(ctx, tok, pin, bits, label)
}

func (c *countingModule) InitToken(tok tokens.TokenInfo, so, label, pin, userPIN string, confirm func(tokens.Wipe) bool) (tokens.TokenInfo, error) {
	c.inits.Add(1)
	return c.tokenModule.InitToken(tok, so, label, pin, userPIN, confirm)
}

// fakeModule is a module that only has a path (tokens are fed by apply).
type fakeModule struct{ tokenModule }

func (fakeModule) Path() string { return "/fake/librtpkcs11ecp.so" }

func (fakeModule) Library() tokens.LibraryInfo {
	return tokens.LibraryInfo{Kind: tokens.LibraryRutoken, Manufacturer: "Aktiv Co.", File: "librtpkcs11ecp.so"}
}

// tokenHarness is the wizard on the Token step over the test SoftHSM2.
type tokenHarness struct {
	wz      *wizard
	w       fyne.Window
	prefs   mapPrefs
	mod     *tokens.Module
	counter *countingModule
	shown   chan any
	keygen  chan struct{}
	pump    uiPump
}

func newTokenHarness(t *testing.T) *tokenHarness {
	t.Helper()
	m := softhsm(t)
	h := &tokenHarness{mod: m, prefs: mapPrefs{prefModulePath: testSoftHSM}, shown: make(chan any, 4), keygen: make(chan struct{}, 4)}
	h.wz, h.w = newTestWizard(t, h.prefs)
	ts := h.wz.token
	h.pump = newUIPump(h.wz)
	ts.pollEvery = time.Hour // one poll on entry, then only after changes
	ts.open = func(path string) (tokenModule, error) {
		mod, err := openTokenModule(path)
		if err != nil {
			return nil, err
		}
		h.counter = &countingModule{tokenModule: mod}
		return h.counter, nil
	}
	ts.dialogShown = func(d any) { h.shown <- d }
	ts.keygenDone = func() { h.keygen <- struct{}{} }
	t.Cleanup(func() { ts.stop() })
	h.wz.state.Org = validOrg()
	if !h.wz.goTo(h.wz.stepIndex(stepToken)) {
		t.Fatalf("Token step not reached: at %s", h.wz.stepID())
	}
	h.waitRows(t, testTokenA)
	return h
}

// uiPump runs the steps' UI updates on the test goroutine, in order with
// the test's own taps: the test driver's fyne.Do would run them on the
// background goroutine, racing with the test.
type uiPump chan func()

func newUIPump(wz *wizard) uiPump {
	p := make(uiPump)
	do := func(f func()) {
		done := make(chan struct{})
		p <- func() { defer close(done); f() }
		<-done
	}
	wz.token.uiDo, wz.certs.uiDo = do, do
	wz.token.startDelay = 0
	return p
}

// waitUntil runs UI updates until cond holds.
func (p uiPump) waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for !cond() {
		select {
		case f := <-p:
			f()
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// wait runs UI updates until ch gets a value.
func (p uiPump) wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	got := false
	p.waitUntil(t, what, func() bool {
		select {
		case <-ch:
			got = true
		default:
		}
		return got
	})
}

func (h *tokenHarness) waitRows(t *testing.T, label string) {
	t.Helper()
	h.pump.waitUntil(t, "token "+label+" listed", func() bool { return contains(labelsIn(h.wz.token.v.rows), label) })
}

// selectToken selects the token labelled label as a click on its row does.
func (h *tokenHarness) selectToken(t *testing.T, label string) tokens.TokenInfo {
	t.Helper()
	tok := findToken(t, h.mod, label)
	ts := h.wz.token
	for i, k := range ts.v.rowKeys {
		if k == tokenKey(tok) {
			var pick *widget.Button
			walk(ts.v.rows.Objects[2*i], func(o fyne.CanvasObject) {
				if b, ok := o.(*widget.Button); ok && pick == nil {
					pick = b
				}
			})
			test.Tap(pick)
		}
	}
	if sel, ok := ts.selected(); !ok || sel.Serial != tok.Serial {
		t.Fatalf("token %s not selected (%q)", label, ts.sel)
	}
	return tok
}

func nextDialog[D any](t *testing.T, h *tokenHarness) D {
	t.Helper()
	var d any
	h.pump.waitUntil(t, "a dialog", func() bool {
		select {
		case d = <-h.shown:
			return true
		default:
			return false
		}
	})
	x, ok := d.(D)
	if !ok {
		t.Fatalf("dialog %T shown, want %T", d, x)
	}
	return x
}

func TestTokenStepListsSoftHSMTokens(t *testing.T) {
	h := newTokenHarness(t)
	v := h.wz.token.v
	texts := labelsIn(v.rows)
	for _, label := range []string{testTokenA, testTokenB} {
		tok := findToken(t, h.mod, label)
		if !contains(texts, label) {
			t.Errorf("no row for %s: %q", label, texts)
		}
		details := T("token.details", map[string]any{"Manufacturer": tok.Manufacturer, "Model": tok.Model, "Serial": tok.Serial})
		if tok.Serial == "" || !strings.Contains(strings.Join(texts, "\n"), details) {
			t.Errorf("serial of %s not shown (%q) in %q", label, details, texts)
		}
	}
	if !contains(texts, T("token.badge.ready")) || !contains(texts, T("token.badge.not_initialized")) {
		t.Errorf("badges missing: %q", texts)
	}
	// The label names the library found: SoftHSM2, with the note that its
	// keys are files on this computer (never the server's signing key).
	if want := T("token.library.using", map[string]any{"Kind": T("token.library.kind.softhsm"), "Path": testSoftHSM}); v.module.Text != want ||
		!strings.Contains(v.module.Text, "SoftHSM2") || strings.Contains(v.module.Text, "Rutoken") {
		t.Errorf("library label %q, want %q", v.module.Text, want)
	}
	if !v.libNote.Visible() || v.libNote.Text != T("token.library.note.softhsm") {
		t.Errorf("SoftHSM2 note: visible %v %q", v.libNote.Visible(), v.libNote.Text)
	}
	if len(v.moduleErr.Objects) != 0 {
		t.Error("module error shown")
	}
	if v.format.Disabled() || v.keygen.Disabled() || v.pins.Disabled() {
		t.Error("actions disabled with an initialised token selected")
	}
	// Leaving the step stops the polling; coming back starts it again.
	h.wz.Next()
	if h.wz.token.pollCancel != nil {
		t.Error("still polling after leaving the step")
	}
	h.wz.Back()
	h.waitRows(t, testTokenA)
}

// A worn token's flags wrap under its name: in one row, three Russian
// flags needed 1093 px and grew the window past a 1024 px screen.
func TestTokenRowFlagsWrap(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	a := tokens.TokenInfo{SlotID: 1, Manufacturer: "Aktiv Co.", Model: "Rutoken ECP", Serial: "3a1b2c3d", Label: "SS1-sign", Initialized: true,
		RSAMinBits: 512, RSAMaxBits: 4096, UserPINCountLow: true, SOPINCountLow: true, UserPINToBeChanged: true, SOPINToBeChanged: true}
	for _, code := range Languages {
		if err := SetLanguage(code); err != nil {
			t.Fatal(err)
		}
		if n := len(tokenBadges(a)); n < 4 {
			t.Fatalf("%s: %d flags, want 4 or more", code, n)
		}
		if w := wz.token.tokenRow(a).MinSize().Width; w > 480 {
			t.Errorf("%s: a token with four flags needs %.0f px", code, w)
		}
	}
}

func TestTokenStepLiveUpdateAndBadges(t *testing.T) {
	wz, _ := newTestWizard(t, mapPrefs{prefModulePath: "/nonexistent/librtpkcs11ecp.so"})
	ts := wz.token
	pump := newUIPump(wz)
	t.Cleanup(ts.stop)
	wz.state.Org = validOrg()
	wz.goTo(wz.stepIndex(stepToken))
	pump.waitUntil(t, "module error", func() bool { return len(ts.v.moduleErr.Objects) == 1 })
	texts := labelsIn(ts.v.moduleErr)
	if !contains(texts, T("token.err.module")) || !contains(texts, T("token.err.module.todo")) {
		t.Errorf("module error texts %q", texts)
	}
	if !strings.Contains(T("token.err.module.todo"), "Rutoken") {
		t.Errorf("advice does not name the Rutoken driver: %q", T("token.err.module.todo"))
	}
	ts.stop()

	// Polls as a token is plugged in, changes state and is removed.
	a := tokens.TokenInfo{SlotID: 1, Manufacturer: "Aktiv Co.", Model: "Rutoken ECP", Serial: "3a1b2c3d", Label: "SS1", Initialized: true, RSAMinBits: 512, RSAMaxBits: 4096}
	ts.mod, ts.modErr = fakeModule{}, nil
	ts.apply(nil, nil)
	if ts.v.empty.Text != T("token.none") || len(ts.v.rows.Objects) != 0 {
		t.Errorf("no token: %q rows %d", ts.v.empty.Text, len(ts.v.rows.Objects))
	}
	ts.apply([]tokens.TokenInfo{a}, nil)
	texts = labelsIn(ts.v.rows)
	if !contains(texts, "SS1") || !strings.Contains(strings.Join(texts, "\n"), T("token.rsa", map[string]any{"Min": 512, "Max": 4096})) || ts.sel != "3a1b2c3d" {
		t.Errorf("plugged: %q sel %q", texts, ts.sel)
	}
	a.UserPINFinalTry, a.SOPINCountLow, a.UserPINToBeChanged = true, true, true
	ts.apply([]tokens.TokenInfo{a}, nil)
	texts = labelsIn(ts.v.rows)
	for _, k := range []string{"token.badge.user_final", "token.badge.so_low", "token.badge.user_change"} {
		if !contains(texts, T(k)) {
			t.Errorf("badge %s missing: %q", k, texts)
		}
	}
	a.UserPINLocked = true
	if b := tokenBadges(a); b[0].text != T("token.badge.user_locked") || b[0].imp != widget.DangerImportance {
		t.Errorf("locked badge %+v", b)
	}
	ts.apply(nil, nil)
	if len(ts.v.rows.Objects) != 0 || ts.sel != "" || !ts.v.format.Disabled() {
		t.Errorf("removed: rows %d sel %q", len(ts.v.rows.Objects), ts.sel)
	}
}

// fillFormat types the format form.
func fillFormat(f *formatDialog, label, so, pin, pin2 string) {
	for _, x := range []struct {
		e *widget.Entry
		v string
	}{{f.label, label}, {f.soPIN, so}, {f.pin, pin}, {f.pin2, pin2}} {
		x.e.SetText("")
		test.Type(x.e, x.v)
	}
}

func TestFormatDialogRefusesBadPINs(t *testing.T) {
	h := newTokenHarness(t)
	h.selectToken(t, testTokenB)
	test.Tap(h.wz.token.v.format)
	f := nextDialog[*formatDialog](t, h)
	if !f.soPIN.Password || !f.pin.Password || !f.pin2.Password {
		t.Error("PIN fields are not password entries")
	}
	cases := []struct{ pin, pin2, want string }{
		{"new-pin-1", "new-pin-2", T("token.err.pin_mismatch")},
		{"12345678", "12345678", T("token.err.pin_factory")},
		{"87654321", "87654321", T("token.err.pin_factory")},
		{"abc", "abc", T("token.err.pin_short", map[string]any{"Min": 6})},
	}
	for _, c := range cases {
		fillFormat(f, "NEW-LABEL", testSOPIN, c.pin, c.pin2)
		test.Tap(f.ok)
		if f.err.Text != c.want || !f.err.Visible() {
			t.Errorf("%s/%s: error %q, want %q", c.pin, c.pin2, f.err.Text, c.want)
		}
		if f.label.Text != "NEW-LABEL" || f.soPIN.Text != testSOPIN || f.pin.Text != c.pin || f.pin2.Text != c.pin2 {
			t.Errorf("%s: form lost: %q %q %q %q", c.pin, f.label.Text, f.soPIN.Text, f.pin.Text, f.pin2.Text)
		}
	}
	if n := h.counter.inits.Load(); n != 0 {
		t.Errorf("InitToken called %d times for refused PINs", n)
	}
	if findToken(t, h.mod, testTokenB).Label != testTokenB {
		t.Error("token changed")
	}
	// Russian too.
	_ = SetLanguage("ru")
	fillFormat(f, "NEW-LABEL", testSOPIN, "12345678", "12345678")
	test.Tap(f.ok)
	if !strings.Contains(f.err.Text, "заводск") {
		t.Errorf("ru factory PIN error %q", f.err.Text)
	}
	_ = SetLanguage("en")
	test.Tap(f.cancel)
	if f.soPIN.Text != "" || f.pin.Text != "" || f.pin2.Text != "" {
		t.Error("PINs not cleared on cancel")
	}
}

func TestFormatWipeNeedsTypedSerial(t *testing.T) {
	h := newTokenHarness(t)
	tok := findToken(t, h.mod, testTokenB)
	key, err := h.mod.GenerateSigningKey(context.Background(), tok, testUserPIN, 2048, "wipe-me")
	if err != nil {
		t.Fatal(err)
	}
	hasKey := func(tok tokens.TokenInfo, pin string) bool {
		objs, err := h.mod.Objects(tok, pin)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			if o.Class == "private key" && hexString(o.ID) == key.IDHex() {
				return true
			}
		}
		return false
	}
	h.wz.token.refreshSoon()
	h.selectToken(t, testTokenB)
	test.Tap(h.wz.token.v.format)
	f := nextDialog[*formatDialog](t, h)
	const newPIN = "fresh-pin-42"

	// Cancelled, and a wrong serial: nothing is wiped.
	fillFormat(f, "WIPED", testSOPIN, newPIN, newPIN)
	f.done = make(chan struct{})
	test.Tap(f.ok)
	c := nextDialog[*wipeConfirm](t, h)
	if !strings.Contains(c.objects.Text, "wipe-me") || !strings.Contains(c.objects.Text, key.IDHex()) {
		t.Errorf("objects listed: %q", c.objects.Text)
	}
	// No user PIN this run: the private key is not seen, and the count
	// says so ("at least 1").
	data := map[string]any{"Token": tokenName(tok), "Count": 1}
	if c.intro.Text != T("token.wipe.intro_least", data) || strings.Count(c.objects.Text, "\n") != 0 {
		t.Errorf("without the user PIN: %q, objects %q", c.intro.Text, c.objects.Text)
	}
	test.Tap(c.wipe) // nothing typed: disabled
	test.Type(c.serial, "0000"+tok.Serial)
	test.Tap(c.wipe)
	if !c.wipe.Disabled() {
		t.Error("wipe enabled with a wrong serial")
	}
	test.Tap(c.cancel)
	h.pump.wait(t, f.done, "format attempt")
	if f.err.Text != T("token.err.not_confirmed") {
		t.Errorf("error %q", f.err.Text)
	}
	if f.label.Text != "WIPED" || f.pin.Text != newPIN {
		t.Error("form lost after the refusal")
	}
	if !hasKey(findToken(t, h.mod, testTokenB), testUserPIN) {
		t.Fatal("the key was wiped without the typed serial")
	}

	// The serial typed exactly: wiped and formatted. The user PIN is
	// known now: both halves of the key are counted.
	h.wz.token.pins.keep(tok.Serial, testUserPIN)
	f.done = make(chan struct{})
	test.Tap(f.ok)
	c = nextDialog[*wipeConfirm](t, h)
	data["Count"] = 2
	if c.intro.Text != T("token.wipe.intro", data) || !strings.Contains(c.objects.Text, objectClassText("private key")) {
		t.Errorf("with the user PIN: %q, objects %q", c.intro.Text, c.objects.Text)
	}
	test.Type(c.serial, tok.Serial)
	if c.wipe.Disabled() {
		t.Fatal("wipe disabled with the right serial")
	}
	test.Tap(c.wipe)
	h.pump.wait(t, f.done, "format")
	if f.err.Text != "" {
		t.Fatalf("format failed: %q", f.err.Text)
	}
	if f.pin.Text != "" || f.soPIN.Text != "" || f.pin2.Text != "" {
		t.Error("PINs not cleared after use")
	}
	formatted := findToken(t, h.mod, "WIPED")
	if hasKey(formatted, newPIN) {
		t.Error("the key survived the format")
	}
	h.waitRows(t, "WIPED")
	if n := h.counter.inits.Load(); n != 2 {
		t.Errorf("InitToken called %d times, want 2", n)
	}
	// Back to the shared test label for other tests.
	if _, err := h.mod.InitToken(formatted, testSOPIN, testTokenB, testUserPIN, "", func(tokens.Wipe) bool { return true }); err != nil {
		t.Fatal(err)
	}
}

func TestKeygenShowsKeyID(t *testing.T) {
	h := newTokenHarness(t)
	tok := h.selectToken(t, testTokenA)
	test.Tap(h.wz.token.v.keygen)
	p := nextDialog[*pinPrompt](t, h)
	if !p.pin.Password {
		t.Error("PIN entry is not a password entry")
	}
	test.Type(p.pin, testUserPIN)
	test.Tap(p.ok)
	if p.pin.Text != "" {
		t.Error("PIN entry not cleared")
	}
	h.pump.wait(t, h.keygen, "key generation")
	ts := h.wz.token
	if ts.keyErr != nil {
		t.Fatalf("keygen: %v", ts.keyErr)
	}
	k := ts.key
	if k == nil || k.Bits != 2048 || k.Label != "SS1 sign" || k.TokenSerial != tok.Serial {
		t.Fatalf("key %+v", k)
	}
	if !strings.Contains(ts.v.keyInfo.Text, k.IDHex()) || !strings.Contains(ts.v.keyInfo.Text, "SS1 sign") {
		t.Errorf("key info %q", ts.v.keyInfo.Text)
	}
	objs, err := h.mod.Objects(tok, testUserPIN)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, o := range objs {
		if hexString(o.ID) == k.IDHex() {
			found[o.Class] = true
		}
	}
	if !found["private key"] || !found["public key"] {
		t.Errorf("key pair not on the token: %v", objs)
	}
	if h.prefs.String(prefKeySerial) != tok.Serial || h.prefs.String(prefKeyID) != k.IDHex() {
		t.Errorf("prefs %v", h.prefs)
	}
	for key, v := range h.prefs {
		if fmt.Sprint(v) == testUserPIN {
			t.Errorf("PIN saved under %s", key)
		}
	}
}

func TestKeygenWrongPINOneAttempt(t *testing.T) {
	h := newTokenHarness(t)
	tok := h.selectToken(t, testTokenA)
	before, _ := h.mod.Objects(tok, testUserPIN)
	test.Tap(h.wz.token.v.keygen)
	p := nextDialog[*pinPrompt](t, h)
	test.Type(p.pin, "wrong-pin-999")
	test.Tap(p.ok)
	h.pump.wait(t, h.keygen, "key generation")
	ts := h.wz.token
	var pe *tokens.PINError
	if !errors.As(ts.keyErr, &pe) || pe.Code != pkcs11.CKR_PIN_INCORRECT {
		t.Fatalf("error %v", ts.keyErr)
	}
	text := ts.v.keyErr.Text
	if text != pinErrorText(pe) || !strings.HasPrefix(text, T("token.pinerr.wrong", map[string]any{"Who": T("token.pin.user")})) ||
		!strings.Contains(text, T("token.pinerr.no_retry")) {
		t.Errorf("message %q", text)
	}
	h.pump.waitUntil(t, "a moment", func() bool { time.Sleep(10 * time.Millisecond); return true })
	time.Sleep(300 * time.Millisecond)
	if n := h.counter.keygens.Load(); n != 1 {
		t.Errorf("%d attempts, want exactly 1", n)
	}
	if ts.key != nil {
		t.Error("a key kept after a wrong PIN")
	}
	after, _ := h.mod.Objects(tok, testUserPIN)
	if len(after) != len(before) {
		t.Errorf("objects %d -> %d", len(before), len(after))
	}

	// The tries state, translated.
	states := []struct {
		pe   tokens.PINError
		want string
	}{
		{tokens.PINError{Who: "user", Code: pkcs11.CKR_PIN_INCORRECT, CountLow: true}, "token.pinerr.count_low"},
		{tokens.PINError{Who: "user", Code: pkcs11.CKR_PIN_INCORRECT, CountLow: true, FinalTry: true}, "token.pinerr.final_try"},
		{tokens.PINError{Who: "user", Code: pkcs11.CKR_PIN_INCORRECT, Locked: true}, "token.pinerr.user_locked"},
		{tokens.PINError{Who: "so", Code: pkcs11.CKR_PIN_LOCKED}, "token.pinerr.so_locked"},
	}
	for _, lang := range Languages {
		_ = SetLanguage(lang)
		for _, s := range states {
			if got := pinErrorText(&s.pe); !strings.Contains(got, T(s.want)) {
				t.Errorf("%s %+v: %q lacks %q", lang, s.pe, got, T(s.want))
			}
		}
	}
	_ = SetLanguage("en")
}
