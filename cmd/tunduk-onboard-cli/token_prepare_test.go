//go:build cgo

package main

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

const prepUser = "prep-user-2718"

// prepare runs token prepare on the token called label with the
// organisation flags every case shares, then args.
func prepare(t *testing.T, stdin, label, out string, args ...string) (int, string, string) {
	t.Helper()
	base := []string{"token", "prepare", "--token", label, "--pin-stdin", "--member-code", "70000001",
		"--org-name", testOrgName, "--member-class", "GOV", "--server-code", "ss-01", "--out", out}
	return tok(t, stdin, append(base, args...)...)
}

// keysOn lists the key objects of token label, logged in with pin (so a
// wrong PIN, i.e. a PIN that was not set, fails the test).
func keysOn(t *testing.T, label, pin string) map[string][]string {
	t.Helper()
	m, err := tokens.OpenModule(softhsmLib)
	if err != nil {
		t.Fatal(err)
	}
	ti, err := m.Find(label)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := m.Objects(ti, pin)
	if err != nil {
		t.Fatalf("objects of %s: %v", label, err)
	}
	keys := map[string][]string{}
	for _, o := range objs {
		id := hex.EncodeToString(o.ID)
		keys[id] = append(keys[id], o.Class)
	}
	return keys
}

func noSecrets(t *testing.T, text string, pins ...string) {
	t.Helper()
	for _, p := range pins {
		if strings.Contains(text, p) {
			t.Errorf("the output holds a PIN")
		}
	}
}

// The whole flow on SoftHSM2, then a second run on the token that now
// holds the key: refused without confirmation, done with --yes-wipe.
func TestPrepare(t *testing.T) {
	label := softToken(t, "prepare")
	serial := listToken(t, label).Serial
	t.Cleanup(func() { reinitToken(t, serial, label) })
	dir := t.TempDir()
	pins := testSO + "\n" + prepUser + "\n" + prepUser + "\n"
	// An initialised token shows nothing without its user PIN, yet may
	// hold private keys: the format is confirmed by serial.
	code, out, errOut := prepare(t, pins, label, dir, "--label", "prepared", "--format", "json")
	if code != exitCannot || !strings.Contains(errOut, "shows no objects without its user PIN, but may hold private keys") {
		t.Fatalf("prepare on an initialised token, unconfirmed: exit %d\n%s", code, errOut)
	}
	code, out, errOut = prepare(t, pins, label, dir, "--label", "prepared", "--format", "json", "--yes-wipe", serial)
	if code != exitOK {
		t.Fatalf("prepare: exit %d\n%s", code, errOut)
	}
	noSecrets(t, out+errOut, testSO, prepUser)
	var p prepareJSON
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("prepare json: %v\n%s", err, out)
	}
	if p.Schema != "tunduk-onboard.prepare/v1" || p.Token.Serial != serial || p.Token.Label != "prepared" || !p.Token.Initialized {
		t.Errorf("token part: %+v", p.Token)
	}
	if p.Key.Bits != 2048 || p.Key.Label != "ss-01 sign" || p.Key.TokenSerial != serial || p.CSR.KeyID != p.Key.ID {
		t.Errorf("key part: %+v, csr key %s", p.Key, p.CSR.KeyID)
	}
	if p.CSR.PublicKeySHA256 != p.Key.PublicKeySHA256 || p.CSR.KeyBits != 2048 || !strings.Contains(p.CSR.DevicesINI, serial) {
		t.Errorf("csr part: %+v", p.CSR)
	}
	if p.InitSeconds <= 0 || p.CSRSeconds <= 0 || p.Seconds < p.InitSeconds+p.Key.Seconds+p.CSRSeconds {
		t.Errorf("step times do not add up: total %g, init %g, key %g, csr %g", p.Seconds, p.InitSeconds, p.Key.Seconds, p.CSRSeconds)
	}
	opensslReq(t, p.CSR.PEM, "C=KG,serialNumber=70000001,CN="+testOrgName)
	// The new user PIN is the one set, and both halves of the key are there.
	keys := keysOn(t, "prepared", prepUser)
	if len(keys) != 1 || len(keys[p.Key.ID]) != 2 {
		t.Fatalf("objects after prepare: %v, want the key %s twice", keys, p.Key.ID)
	}

	// Again on the token holding the key: no confirmation, no change.
	again := testSO + "\nnew-user-pin-9\nnew-user-pin-9\n"
	for _, extra := range [][]string{nil, {"--yes-wipe", "not-" + serial}} {
		args := append([]string{"--label", "wiped", "--name", "second"}, extra...)
		code, out, errOut = prepare(t, again, "prepared", dir, args...)
		// The private key is not seen without the user PIN: "at least".
		if code != exitCannot || !strings.Contains(errOut, "Nothing was changed") || !strings.Contains(errOut, "ss-01 sign") ||
			!strings.Contains(errOut, "holds at least 1 object (") {
			t.Errorf("unconfirmed prepare %v: exit %d\n%s\n%s", extra, code, out, errOut)
		}
		if got := keysOn(t, "prepared", prepUser); len(got) != 1 || len(got[p.Key.ID]) != 2 {
			t.Errorf("the refused prepare %v changed the objects: %v", extra, got)
		}
		if _, err := os.Stat(filepath.Join(dir, "second.pem")); err == nil {
			t.Errorf("the refused prepare %v wrote a CSR", extra)
		}
	}

	// Confirmed by serial: a new key, the old one wiped; text in Kyrgyz.
	code, out, errOut = prepare(t, again, "prepared", dir, "--label", "wiped", "--name", "second", "--yes-wipe", serial, "--lang", "ky")
	if code != exitOK {
		t.Fatalf("confirmed prepare: exit %d\n%s", code, errOut)
	}
	noSecrets(t, out+errOut, testSO, "new-user-pin-9")
	for _, s := range []string{"токени форматталды", "Кол тамга ачкычы", "2048 бит", "Сертификатка суроо-талап (CSR) жазылды", "second.pem", "[rutoken]", "коопсуздук серверине", "сертификаттоо борборуна"} {
		if !strings.Contains(out, s) {
			t.Errorf("Kyrgyz output lacks %q:\n%s", s, out)
		}
	}
	keys = keysOn(t, "wiped", "new-user-pin-9")
	if len(keys) != 1 || keys[p.Key.ID] != nil {
		t.Errorf("after the confirmed prepare: %v (old key %s must be gone, one new key)", keys, p.Key.ID)
	}
	opensslReq(t, filepath.Join(dir, "second.pem"), "C=KG,serialNumber=70000001,CN="+testOrgName)
}

// Every wrong or missing PIN on stdin stops prepare with the token as it
// was: same label, the old user PIN still valid, no key.
func TestPreparePINs(t *testing.T) {
	label := softToken(t, "prepare-pins")
	serial := listToken(t, label).Serial
	dir := t.TempDir()
	for _, c := range []struct{ name, stdin, want string }{
		{"wrong SO PIN", "wrong-so-1234\n" + prepUser + "\n" + prepUser + "\n", "Wrong SO (administrator) PIN."},
		{"stdin ends after the SO PIN", testSO + "\n", "one more line is needed: the new user PIN."},
		{"stdin ends before the repeat", testSO + "\n" + prepUser + "\n", "one more line is needed: the new user PIN again."},
		{"empty stdin", "", "one more line is needed: the SO (administrator) PIN."},
		{"empty SO PIN line", "\n" + prepUser + "\n" + prepUser + "\n", "the line for the SO (administrator) PIN is empty"},
		{"new PINs differ", testSO + "\n" + prepUser + "\n" + prepUser + "x\n", "differ"},
		{"factory PIN", testSO + "\n12345678\n12345678\n", "factory"},
		{"short PIN", testSO + "\nabc\nabc\n", "too short"},
	} {
		code, out, errOut := prepare(t, c.stdin, label, dir, "--label", "changed", "--yes-wipe", serial)
		if code != exitCannot || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", c.name, code, errOut, c.want)
		}
		noSecrets(t, out+errOut, testSO, prepUser, "wrong-so-1234")
		if got := keysOn(t, label, testUser); len(got) != 0 {
			t.Errorf("%s: the token has keys now: %v", c.name, got)
		}
	}
	// PINs are never taken from the command line.
	if code, _, errOut := prepare(t, "", label, dir, "--label", "changed", testSO); code != exitCannot || !strings.Contains(errOut, "never taken from the command line") {
		t.Errorf("a PIN on argv: exit %d %q", code, errOut)
	}
	// Bad organisation data is refused before the PINs are read.
	code, _, errOut := tok(t, testSO+"\n"+prepUser+"\n"+prepUser+"\n", "token", "prepare", "--token", label, "--pin-stdin",
		"--label", "changed", "--member-code", "123", "--org-name", "X", "--member-class", "GOV", "--server-code", "ss-01", "--out", dir)
	if code != exitCannot || !strings.Contains(errOut, "--member-code") {
		t.Errorf("bad member code: exit %d %q", code, errOut)
	}
	if ti := listToken(t, label); ti.Label != label {
		t.Errorf("the token was relabelled to %q", ti.Label)
	}
}

// A failure after the key generation (here: the CSR's file name is taken
// by a folder) removes the new key; the token stays initialised.
func TestPrepareRemovesKeyOnFailure(t *testing.T) {
	label := softToken(t, "prepare-undo")
	serial := listToken(t, label).Serial
	t.Cleanup(func() { reinitToken(t, serial, label) })
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "ss-01-sign-csr.pem"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := prepare(t, testSO+"\n"+prepUser+"\n"+prepUser+"\n", label, dir, "--label", "undone", "--yes-wipe", serial)
	if code != exitCannot || !strings.Contains(errOut, i18n.T("en", "cli.token.key_removed", nil)) || !strings.Contains(errOut, filepath.Join(dir, "ss-01-sign-csr.pem")+": "+i18n.T("en", "file.reason.exists", nil)) {
		t.Fatalf("prepare with an unwritable CSR: exit %d\n%s\n%s", code, out, errOut)
	}
	if keys := keysOn(t, "undone", prepUser); len(keys) != 0 {
		t.Errorf("the half-made key is still on the token: %v", keys)
	}
	if _, err := os.Stat(filepath.Join(dir, "ss-01-sign-csr.der")); err == nil {
		t.Error("a DER file was left behind")
	}
}

// keygen and init print their text results in --lang too, and refuse a
// language the product does not speak before touching the token.
func TestTokenTextLanguages(t *testing.T) {
	label := softToken(t, "flow")
	code, out, errOut := tok(t, testUser+"\n", "token", "keygen", "--token", label, "--pin-stdin", "--label", "ru sign", "--lang", "ru")
	if code != exitOK {
		t.Fatalf("keygen --lang ru: exit %d %s", code, errOut)
	}
	for _, s := range []string{"Ключ подписи создан на токене", "Метка", "ru sign", "2048 бит", "SHA-256 открытого ключа", "Далее: tunduk-onboard-cli csr sign --id"} {
		if !strings.Contains(out, s) {
			t.Errorf("Russian keygen output lacks %q:\n%s", s, out)
		}
	}
	if !strings.Contains(errOut, "Создаётся ключ подписи RSA-2048") {
		t.Errorf("no Russian progress line: %q", errOut)
	}
	for _, args := range [][]string{
		{"token", "keygen", "--token", label, "--pin-stdin", "--label", "x", "--lang", "de"},
		{"token", "init", "--token", label, "--pin-stdin", "--label", "x", "--lang", "de"},
	} {
		if code, _, errOut := tok(t, testSO+"\n"+testUser+"\n"+testUser+"\n", args...); code != exitCannot || !strings.Contains(errOut, "--lang") {
			t.Errorf("%v: exit %d %q", args, code, errOut)
		}
	}
	if ti := listToken(t, label); ti.Label != label {
		t.Errorf("init with a bad --lang relabelled the token to %q", ti.Label)
	}
}
