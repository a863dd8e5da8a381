//go:build cgo

package main

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const testOrgName = "Государственное агентство «Тест»"

// tok runs the CLI in-process against SoftHSM2 with stdin.
func tok(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	args = append(args[:len(args):len(args)], "--module", softhsmLib)
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// softToken returns the label of a token TestMain initialised with
// softhsm2-util (SoftHSM2 sees only the tokens present when the process
// loaded it), skipping when SoftHSM2 is missing.
func softToken(t *testing.T, label string) string {
	t.Helper()
	if !softTokens[label] {
		t.Skipf("SoftHSM2 token %q not prepared (is softhsm2 installed? apt-get install softhsm2)", label)
	}
	return label
}

type listOut struct {
	Schema string      `json:"schema"`
	Tokens []tokenJSON `json:"tokens"`
}

func listToken(t *testing.T, label string) tokenJSON {
	t.Helper()
	code, out, errOut := tok(t, "", "token", "list", "--token", label, "--format", "json")
	if code != exitOK {
		t.Fatalf("token list: exit %d: %s", code, errOut)
	}
	var l listOut
	if err := json.Unmarshal([]byte(out), &l); err != nil || len(l.Tokens) != 1 {
		t.Fatalf("token list json: %v\n%s", err, out)
	}
	return l.Tokens[0]
}

func keygen(t *testing.T, label string) keyJSON {
	t.Helper()
	code, out, errOut := tok(t, testUser+"\n", "token", "keygen", "--token", label, "--pin-stdin", "--server-code", "ss-01", "--member-code", "70000001", "--format", "json")
	if code != exitOK {
		t.Fatalf("keygen: exit %d: %s", code, errOut)
	}
	var k keyJSON
	if err := json.Unmarshal([]byte(out), &k); err != nil {
		t.Fatalf("keygen json: %v\n%s", err, out)
	}
	return k
}

func TestTokenList(t *testing.T) {
	label := softToken(t, "list")
	ti := listToken(t, label)
	if ti.Label != label || !ti.Initialized || ti.Serial == "" || ti.RSAMaxBits < 2048 {
		t.Errorf("token list: %+v", ti)
	}
	code, out, _ := tok(t, "", "token", "list")
	if code != exitOK || !strings.Contains(out, label) || !strings.Contains(out, ti.Serial) {
		t.Errorf("text list (exit %d) lacks the token:\n%s", code, out)
	}
	code, _, errOut := tok(t, "", "token", "list", "--token", "no-such-token")
	if code != exitCannot || errOut == "" {
		t.Errorf("unknown token: exit %d, %q", code, errOut)
	}
}

// The whole flow on SoftHSM2: keygen, CSR, openssl verifies it.
func TestKeygenAndCSR(t *testing.T) {
	label := softToken(t, "flow")
	k := keygen(t, label)
	if k.Label != "ss-01 sign" || k.Bits != 2048 || len(k.ID) < 2 || len(k.PublicKeySHA256) != 64 {
		t.Fatalf("keygen: %+v", k)
	}
	pkcs11ToolSeesKey(t, label, k)
	dir := t.TempDir()
	code, out, errOut := tok(t, testUser+"\n", "csr", "sign", "--token", label, "--pin-stdin", "--id", k.ID,
		"--member-code", "70000001", "--org-name", testOrgName, "--member-class", "GOV", "--server-code", "ss-01",
		"--out", dir, "--lang", "ru")
	if code != exitOK {
		t.Fatalf("csr sign: exit %d: %s", code, errOut)
	}
	pemPath := filepath.Join(dir, "ss-01-sign-csr.pem")
	for _, s := range []string{pemPath, "CN=" + testOrgName + ",SERIALNUMBER=70000001,C=KG", "2048", k.PublicKeySHA256, "[rutoken]", "library = /usr/lib/librtpkcs11ecp.so", "xroad-addon-hwtokens", "сервер безопасности"} {
		if !strings.Contains(out, s) {
			t.Errorf("csr sign output lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out+errOut, testUser) {
		t.Error("the output holds the PIN")
	}
	data, err := os.ReadFile(pemPath)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	req, err := x509.ParseCertificateRequest(b.Bytes)
	if err != nil || req.CheckSignature() != nil {
		t.Fatalf("CSR: %v", err)
	}
	if der, err := os.ReadFile(filepath.Join(dir, "ss-01-sign-csr.der")); err != nil || !bytes.Equal(der, b.Bytes) {
		t.Errorf("DER file: %v", err)
	}
	opensslReq(t, pemPath, "C=KG,serialNumber=70000001,CN="+testOrgName)

	// JSON output carries the same facts for scripts.
	code, out, errOut = tok(t, testUser+"\n", "csr", "sign", "--token", label, "--pin-stdin", "--id", k.ID,
		"--member-code", "70000001", "--org-name", testOrgName, "--member-class", "GOV", "--server-code", "ss-01",
		"--out", dir, "--name", "again", "--format", "json", "--lang", "ky")
	var cj csrJSON
	if code != exitOK || json.Unmarshal([]byte(out), &cj) != nil {
		t.Fatalf("csr sign json: exit %d %s\n%s", code, errOut, out)
	}
	if cj.PublicKeySHA256 != k.PublicKeySHA256 || cj.KeyBits != 2048 || len(cj.Handover) == 0 || !strings.Contains(cj.DevicesINI, cj.TokenSerial) {
		t.Errorf("csr json: %+v", cj)
	}
}

func opensslReq(t *testing.T, pemPath, want string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	out, err := exec.Command("openssl", "req", "-in", pemPath, "-noout", "-verify").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "verify OK") {
		t.Fatalf("openssl req -verify: %v\n%s", err, out)
	}
	out, err = exec.Command("openssl", "req", "-in", pemPath, "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus").CombinedOutput()
	if got := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "subject=")); err != nil || got != want {
		t.Errorf("openssl subject %q (%v), want %q", got, err, want)
	}
}

func TestWrongPIN(t *testing.T) {
	label := softToken(t, "wrongpin")
	const wrong = "not-the-pin-9876"
	code, out, errOut := tok(t, wrong+"\n", "token", "keygen", "--token", label, "--pin-stdin", "--server-code", "ss-01", "--member-code", "70000001")
	if code != exitCannot {
		t.Errorf("wrong PIN: exit %d, want 2", code)
	}
	if !strings.Contains(errOut, "Wrong user PIN.") || !strings.Contains(errOut, "never retried automatically") {
		t.Errorf("no PIN error: %q", errOut)
	}
	if strings.Contains(out+errOut, wrong) {
		t.Error("the output holds the PIN")
	}
	// The same refusal in Russian and Kyrgyz: the token's words come from
	// the catalogue the wizard shares, the PIN's name too.
	code, _, errOut = tok(t, wrong+"\nnew-user-pin-1\nnew-user-pin-1\n", "token", "pin", "change-user", "--token", label, "--pin-stdin", "--lang", "ru")
	if code != exitCannot || !strings.Contains(errOut, "ошибка: Неверный PIN-код пользователя.") || strings.Contains(errOut, wrong) {
		t.Errorf("change-user with a wrong PIN: exit %d %q", code, errOut)
	}
	code, _, errOut = tok(t, wrong+"\n", "token", "pin", "change-user", "--token", label, "--pin-stdin", "--lang", "ky")
	if code != exitCannot || !strings.Contains(errOut, "дагы бир сап керек: «колдонуучунун жаңы PIN-коду»") {
		t.Errorf("change-user with one PIN line: exit %d %q", code, errOut)
	}
	// The right PIN still works: nothing was retried into a lock.
	keygen(t, label)
}

func TestInitRefusesWithoutConfirmation(t *testing.T) {
	label := softToken(t, "init")
	serial := listToken(t, label).Serial
	t.Cleanup(func() { reinitToken(t, serial, label) })
	k := keygen(t, label)
	pins := testSO + "\nnew-user-pin-1\nnew-user-pin-1\n"
	code, out, errOut := tok(t, pins, "token", "init", "--token", label, "--label", "wiped", "--pin-stdin")
	if code != exitCannot || !strings.Contains(errOut, "Nothing was changed") || !strings.Contains(errOut, "ss-01 sign") {
		t.Fatalf("init of a token with objects, unconfirmed: exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = tok(t, pins, "token", "init", "--token", label, "--label", "wiped", "--pin-stdin", "--yes-wipe", "wrong-serial")
	if code != exitCannot {
		t.Fatalf("init with the wrong --yes-wipe serial: exit %d %s", code, errOut)
	}
	// The key survived: a CSR can still be signed with it.
	dir := t.TempDir()
	code, _, errOut = tok(t, testUser+"\n", "csr", "sign", "--token", label, "--pin-stdin", "--id", k.ID,
		"--member-code", "70000001", "--org-name", "Test LLC", "--member-class", "COM", "--server-code", "ss-01", "--out", dir)
	if code != exitOK {
		t.Fatalf("the key did not survive the refused init: %s", errOut)
	}
	// Weak or mismatched new PINs are refused before the token is touched.
	for _, bad := range []string{testSO + "\n12345678\n12345678\n", testSO + "\nnew-user-pin-1\nnew-user-pin-2\n", testSO + "\nabc\nabc\n"} {
		if code, _, _ := tok(t, bad, "token", "init", "--token", label, "--label", "wiped", "--pin-stdin", "--yes-wipe", serial); code != exitCannot {
			t.Errorf("init accepted a bad new PIN (exit %d)", code)
		}
	}
	code, out, errOut = tok(t, pins, "token", "init", "--token", label, "--label", "wiped", "--pin-stdin", "--yes-wipe", serial, "--format", "json")
	if code != exitOK {
		t.Fatalf("confirmed init: exit %d %s", code, errOut)
	}
	if strings.Contains(out+errOut, "new-user-pin-1") || strings.Contains(out+errOut, testSO) {
		t.Error("init printed a PIN")
	}
	ti := listToken(t, "wiped")
	if ti.Serial != serial {
		t.Errorf("re-initialised token has serial %s, want %s", ti.Serial, serial)
	}
	// The new user PIN works, and the old key is gone.
	code, _, _ = tok(t, "new-user-pin-1\n", "csr", "sign", "--token", "wiped", "--pin-stdin", "--id", k.ID,
		"--member-code", "70000001", "--org-name", "Test LLC", "--member-class", "COM", "--server-code", "ss-01", "--out", dir)
	if code != exitCannot {
		t.Errorf("the wiped key still signs (exit %d)", code)
	}
}

// reinitToken gives the token with serial its label and the test PINs
// back, wiping it, so that a test that relabels it can run again in the
// same process (go test -count=2): SoftHSM2 sees no token made later.
func reinitToken(t *testing.T, serial, label string) {
	t.Helper()
	code, _, errOut := tok(t, testSO+"\n"+testUser+"\n"+testUser+"\n", "token", "init", "--token", serial, "--label", label,
		"--pin-stdin", "--yes-wipe", serial)
	if code != exitOK {
		t.Errorf("restoring token %s as %q: exit %d %s", serial, label, code, errOut)
	}
}

// restorePINs sets the SO and user PINs of token label back to the test
// PINs: so is its SO PIN now (no wrong PIN is tried, nothing counts down).
func restorePINs(t *testing.T, label, so string) {
	t.Helper()
	if so != testSO {
		if code, _, errOut := tok(t, so+"\n"+testSO+"\n"+testSO+"\n", "token", "pin", "change-so", "--token", label, "--pin-stdin"); code != exitOK {
			t.Errorf("restoring the SO PIN of %s: exit %d %s", label, code, errOut)
			return
		}
	}
	if code, _, errOut := tok(t, testSO+"\n"+testUser+"\n"+testUser+"\n", "token", "pin", "unblock", "--token", label, "--pin-stdin"); code != exitOK {
		t.Errorf("restoring the user PIN of %s: exit %d %s", label, code, errOut)
	}
}

func TestPINCommands(t *testing.T) {
	label := softToken(t, "pins")
	so := testSO
	t.Cleanup(func() { restorePINs(t, label, so) })
	run := func(stdin string, args ...string) {
		t.Helper()
		if code, _, errOut := tok(t, stdin, append([]string{"token", "pin"}, append(args, "--token", label, "--pin-stdin")...)...); code != exitOK {
			t.Fatalf("token pin %v: exit %d %s", args, code, errOut)
		}
	}
	run(testUser+"\nuser-two-22\nuser-two-22\n", "change-user")
	run(testSO+"\nso-two-2222\nso-two-2222\n", "change-so")
	so = "so-two-2222"
	run("so-two-2222\nuser-three-3\nuser-three-3\n", "unblock")
	if code, _, errOut := tok(t, "user-three-3\n", "token", "keygen", "--token", label, "--pin-stdin", "--label", "x sign"); code != exitOK {
		t.Errorf("the unblocked PIN does not work: %s", errOut)
	}
	if code, _, errOut := tok(t, "user-three-3\n", "token", "keygen", "--token", label, "--server-code", "ss-01", "--member-code", "70000001"); code != exitCannot || !strings.Contains(errOut, "--pin-stdin") {
		t.Errorf("without a terminal or --pin-stdin: exit %d %q", code, errOut)
	}
	if code, _, _ := tok(t, "", "token", "pin", "change-user", "--token", label, "secret-on-argv"); code != exitCannot {
		t.Error("a PIN on the command line was accepted")
	}
}

func TestCSRArguments(t *testing.T) {
	for _, args := range [][]string{
		{"--id", "zz", "--member-code", "70000001", "--org-name", "X", "--member-class", "GOV", "--server-code", "ss"},
		{"--id", "01", "--member-code", "123", "--org-name", "X", "--member-class", "GOV", "--server-code", "ss"},
		{"--id", "01", "--member-code", "70000001", "--org-name", "X", "--member-class", "XYZ", "--server-code", "ss"},
		{"--id", "01", "--member-code", "70000001", "--org-name", "", "--member-class", "GOV", "--server-code", "ss"},
		{"--id", "01", "--member-code", "70000001", "--org-name", "X", "--member-class", "GOV", "--server-code", "сервер"},
	} {
		var out, errb bytes.Buffer
		if code := run(append([]string{"csr", "sign"}, args...), strings.NewReader(""), &out, &errb); code != exitCannot || errb.Len() == 0 {
			t.Errorf("%v: exit %d %q", args, code, errb.String())
		}
	}
}

// pkcs11ToolSeesKey checks with OpenSC's pkcs11-tool, as X-Road's signer
// would find it, that both halves share the CKA_ID and label and that the
// private key is sensitive and never extractable.
func pkcs11ToolSeesKey(t *testing.T, label string, k keyJSON) {
	t.Helper()
	if _, err := exec.LookPath("pkcs11-tool"); err != nil {
		t.Log("pkcs11-tool not installed (apt-get install opensc): skipping its view of the key")
		return
	}
	out, err := exec.Command("pkcs11-tool", "--module", softhsmLib, "--token-label", label, "--login", "--pin", testUser, "-O").CombinedOutput()
	if err != nil {
		t.Fatalf("pkcs11-tool -O: %v\n%s", err, out)
	}
	var pub, priv string
	for _, obj := range strings.Split(string(out), "Object;") {
		if strings.Contains(obj, "ID:         "+k.ID) && strings.Contains(obj, "label:      "+k.Label) {
			switch {
			case strings.HasSuffix(strings.TrimSpace(strings.Split(obj, "\n")[0]), "2048 bits") || strings.Contains(obj, "verify"):
				pub = obj
			case strings.Contains(obj, "sign"):
				priv = obj
			}
		}
	}
	if pub == "" || priv == "" {
		t.Fatalf("pkcs11-tool does not see both halves with ID %s and label %q:\n%s", k.ID, k.Label, out)
	}
	if !strings.Contains(priv, "Access:     sensitive, always sensitive, never extractable") {
		t.Errorf("the private key is not sensitive and never extractable:\n%s", priv)
	}
}
