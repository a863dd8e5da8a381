package tokens

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/pkcs11"
)

func TestModuleDiscovery(t *testing.T) {
	m := softhsm(t)
	if m.Path() != softhsmPath {
		t.Errorf("Path = %q", m.Path())
	}
	again, err := OpenModule(softhsmPath)
	if err != nil || again != m {
		t.Fatalf("second OpenModule: %v, same=%v", err, again == m)
	}
	if f, err := FindModule(softhsmPath); err != nil || f != m {
		t.Fatalf("FindModule(explicit): %v", err)
	}

	bogus := "/nonexistent/dir/librtpkcs11ecp.so"
	_, err = OpenModule(bogus)
	if err == nil || !errors.Is(err, ErrModuleLoad) || !strings.Contains(err.Error(), bogus) ||
		!strings.Contains(err.Error(), "--module") || !strings.Contains(err.Error(), "Rutoken driver") {
		t.Fatalf("bogus path error = %v", err)
	}
	if _, err := FindModule(bogus); err == nil || !strings.Contains(err.Error(), bogus) {
		t.Fatalf("FindModule(bogus) = %v", err)
	}

	notLib := filepath.Join(t.TempDir(), "libfake.so")
	if err := os.WriteFile(notLib, []byte("not a library"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = OpenModule(notLib)
	if err == nil || !strings.Contains(err.Error(), notLib) || !strings.Contains(err.Error(), "could not be loaded") {
		t.Fatalf("non-library error = %v", err)
	}
	_, err = findModuleIn([]string{bogus, notLib})
	if err == nil || !strings.Contains(err.Error(), bogus+" (not found)") || !strings.Contains(err.Error(), notLib+" (cannot be loaded)") {
		t.Fatalf("findModuleIn error = %v", err)
	}
	if f, err := findModuleIn([]string{bogus, softhsmPath}); err != nil || f != m {
		t.Fatalf("findModuleIn falls through to SoftHSM: %v", err)
	}
	if _, err := OpenModule(""); !errors.Is(err, ErrModuleLoad) {
		t.Fatalf("empty path: %v", err)
	}
}

func TestModuleCandidates(t *testing.T) {
	linux := moduleCandidatesFor("linux")
	if !strings.HasSuffix(linux[0], "librtpkcs11ecp.so") || !contains(linux, softhsmPath) ||
		!contains(linux, "/usr/lib/x86_64-linux-gnu/librtpkcs11ecp.so") {
		t.Errorf("linux candidates: %v", linux)
	}
	if idx(linux, softhsmPath) < idx(linux, "/usr/lib/librtpkcs11ecp.so") {
		t.Error("SoftHSM must come after Rutoken")
	}
	w := moduleCandidatesFor("windows")
	if !strings.HasSuffix(w[0], `System32\rtpkcs11ecp.dll`) {
		t.Errorf("windows candidates: %v", w)
	}
	for _, c := range w {
		if !strings.Contains(c, `\`) {
			t.Errorf("windows candidate %q is a bare name: it would be searched for beside the program", c)
		}
	}
	if d := moduleCandidatesFor("darwin"); !strings.Contains(d[0], "rtpkcs11ecp.framework") {
		t.Errorf("darwin candidates: %v", d)
	}
	if len(ModuleCandidates()) == 0 {
		t.Error("no candidates for this OS")
	}
}

func contains(list []string, s string) bool { return idx(list, s) >= 0 }

func idx(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func TestTokensAndFind(t *testing.T) {
	m := softhsm(t)
	la, lb, dup := uniqueLabel("find-a"), uniqueLabel("find-b"), uniqueLabel("find-dup")
	a := newToken(t, m, la)
	b := newToken(t, m, lb)
	newToken(t, m, dup)
	newToken(t, m, dup)

	if !a.Initialized || !a.LoginRequired || a.Serial == "" || a.Label != la || a.Manufacturer != "SoftHSM project" || a.Model != "SoftHSM v2" {
		t.Errorf("token info: %+v", a)
	}
	if a.RSAMinBits <= 0 || a.RSAMaxBits < 2048 {
		t.Errorf("RSA range %d..%d", a.RSAMinBits, a.RSAMaxBits)
	}
	toks, err := m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, tok := range toks {
		seen[tok.Label] = true
	}
	if !seen[la] || !seen[lb] || !seen[dup] {
		t.Errorf("Tokens() misses ours: %v", toks)
	}

	if got, err := m.Find(b.Serial); err != nil || got.Label != lb || got.SlotID != b.SlotID {
		t.Errorf("Find(serial) = %+v, %v", got, err)
	}
	if got, err := m.Find(la); err != nil || got.Serial != a.Serial {
		t.Errorf("Find(label) = %+v, %v", got, err)
	}
	_, err = m.Find("no-such-token")
	if !errors.Is(err, ErrNoToken) || !strings.Contains(err.Error(), la) {
		t.Errorf("Find(none) = %v", err)
	}
	_, err = m.Find(dup)
	if !errors.Is(err, ErrAmbiguousToken) || strings.Count(err.Error(), dup) != 2 {
		t.Errorf("Find(dup) = %v", err)
	}
	if _, err := m.Find(""); !errors.Is(err, ErrAmbiguousToken) {
		t.Errorf("Find(\"\") with several tokens = %v", err)
	}
}

func TestPickToken(t *testing.T) {
	spare := TokenInfo{SlotID: 9}
	one := TokenInfo{SlotID: 1, Serial: "S1", Label: "one", Initialized: true}
	if got, err := pickToken([]TokenInfo{spare, one}, ""); err != nil || got.Serial != "S1" {
		t.Errorf("only initialised token: %+v %v", got, err)
	}
	if got, err := pickToken([]TokenInfo{spare}, ""); err != nil || got.SlotID != 9 {
		t.Errorf("only token: %+v %v", got, err)
	}
	if _, err := pickToken(nil, ""); !errors.Is(err, ErrNoToken) {
		t.Errorf("no token: %v", err)
	}
	// A serial wins over another token's equal label.
	other := TokenInfo{SlotID: 2, Serial: "S2", Label: "S1", Initialized: true}
	if got, err := pickToken([]TokenInfo{one, other}, "S1"); err != nil || got.SlotID != 1 {
		t.Errorf("serial first: %+v %v", got, err)
	}
}

func TestInitTokenAndPINs(t *testing.T) {
	m := softhsm(t)
	free := freeToken(t, m)
	label := uniqueLabel("pins")
	tok, err := m.InitToken(free, testSOPIN, label, testUserPIN, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Initialized || tok.Label != label || tok.Serial == "" {
		t.Fatalf("after init: %+v", tok)
	}
	if _, err := m.Objects(tok, testUserPIN); err != nil {
		t.Fatalf("login with the new user PIN: %v", err)
	}

	const user2, so2, user3 = "user-two-22", "so-two-222", "user-three-333"
	if err := m.ChangeUserPIN(tok, testUserPIN, user2); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Objects(tok, user2); err != nil {
		t.Fatalf("login with the changed user PIN: %v", err)
	}
	var pe *PINError
	if _, err := m.Objects(tok, testUserPIN); !errors.As(err, &pe) || pe.Who != "user" {
		t.Fatalf("old user PIN still works? %v", err)
	}
	if err := m.ChangeUserPIN(tok, "wrong-old-pin", "whatever-1"); !errors.As(err, &pe) || pe.Who != "user" || pe.Code != pkcs11.CKR_PIN_INCORRECT {
		t.Fatalf("ChangeUserPIN with wrong old PIN: %v", err)
	}

	if err := m.ChangeSOPIN(tok, testSOPIN, so2); err != nil {
		t.Fatal(err)
	}
	if err := m.UnblockUserPIN(tok, testSOPIN, user3); !errors.As(err, &pe) || pe.Who != "so" {
		t.Fatalf("old SO PIN still works? %v", err)
	}
	if err := m.UnblockUserPIN(tok, so2, user3); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Objects(tok, user3); err != nil {
		t.Fatalf("login with the unblocked user PIN: %v", err)
	}
	if err := m.ChangeSOPIN(tok, "wrong-so-pin", "x-so-pin-1"); !errors.As(err, &pe) || pe.Who != "so" ||
		strings.Contains(err.Error(), "wrong-so-pin") || strings.Contains(err.Error(), "x-so-pin-1") {
		t.Fatalf("ChangeSOPIN wrong old PIN: %v", err)
	}

	// Bad inputs are refused before the token is touched.
	if _, err := m.InitToken(freeToken(t, m), testSOPIN, strings.Repeat("x", 33), testUserPIN, "", nil); !errors.Is(err, ErrBadLabel) {
		t.Errorf("long label: %v", err)
	}
	if err := m.ChangeUserPIN(tok, user3, ""); !errors.Is(err, ErrPINTooShort) {
		t.Errorf("empty new PIN: %v", err)
	}
	if err := m.ChangeUserPIN(tok, user3, strings.Repeat("1", 33)); !errors.Is(err, ErrPINTooLong) {
		t.Errorf("long new PIN: %v", err)
	}
	// Wrong SO PIN on re-initialisation: a PINError, token unchanged.
	_, err = m.InitToken(tok, "wrong-so-pin", label+"x", testUserPIN, "", func(Wipe) bool { return true })
	if !errors.As(err, &pe) || pe.Who != "so" {
		t.Fatalf("InitToken with wrong SO PIN: %v", err)
	}
	if got, err := m.Find(tok.Serial); err != nil || got.Label != label {
		t.Fatalf("token changed after refused init: %+v %v", got, err)
	}
}

func TestWrongUserPINOneAttempt(t *testing.T) {
	m := softhsm(t)
	tok := newToken(t, m, uniqueLabel("wrongpin"))
	if tok.UserPINCountLow {
		t.Fatal("COUNT_LOW set before any failure")
	}
	var logins []uint
	loginHook = func(u uint) { logins = append(logins, u) }
	defer func() { loginHook = nil }()

	const wrong = "Wr0ngPinXYZ"
	_, err := m.Objects(tok, wrong)
	var pe *PINError
	if !errors.As(err, &pe) {
		t.Fatalf("want *PINError, got %v", err)
	}
	if pe.Who != "user" || pe.Code != pkcs11.CKR_PIN_INCORRECT || !pe.CountLow {
		t.Errorf("PINError = %+v", pe)
	}
	if len(logins) != 1 || logins[0] != pkcs11.CKU_USER {
		t.Errorf("C_Login attempts = %v, want exactly one user login", logins)
	}
	msg := err.Error()
	if strings.Contains(msg, wrong) || strings.Contains(msg, testUserPIN) || !strings.Contains(msg, "wrong user PIN") ||
		!strings.Contains(msg, "few tries left") || !strings.Contains(msg, "not retried") {
		t.Errorf("message: %q", msg)
	}
	if !errors.Is(err, pkcs11.Error(pkcs11.CKR_PIN_INCORRECT)) {
		t.Error("PINError does not unwrap to CKR_PIN_INCORRECT")
	}
	after, err := m.Find(tok.Serial)
	if err != nil || !after.UserPINCountLow {
		t.Errorf("token flags after failure: %+v %v", after, err)
	}

	logins = nil
	_, err = m.GenerateSigningKey(context.Background(), tok, wrong, 2048, "k")
	if !errors.As(err, &pe) || len(logins) != 1 {
		t.Errorf("keygen with wrong PIN: %v, logins %v", err, logins)
	}
	logins = nil
	if _, err := m.Signer(tok, wrong, []byte{1}); !errors.As(err, &pe) || len(logins) != 1 {
		t.Errorf("signer with wrong PIN: %v, logins %v", err, logins)
	}
}

func TestPINErrorMessages(t *testing.T) {
	cases := []struct {
		e    PINError
		want string
	}{
		{PINError{Who: "user", Code: pkcs11.CKR_PIN_INCORRECT}, "wrong user PIN; check the PIN"},
		{PINError{Who: "user", Code: pkcs11.CKR_PIN_INCORRECT, FinalTry: true}, "one try left"},
		{PINError{Who: "user", Code: pkcs11.CKR_PIN_INCORRECT, Locked: true}, "unblock it with the SO PIN"},
		{PINError{Who: "user", Code: pkcs11.CKR_PIN_LOCKED}, "the user PIN is locked"},
		{PINError{Who: "so", Code: pkcs11.CKR_PIN_INCORRECT, CountLow: true}, "wrong SO (administrator) PIN; few tries left"},
		{PINError{Who: "so", Code: pkcs11.CKR_PIN_LOCKED}, "vendor's tools"},
		{PINError{Who: "user", Code: pkcs11.CKR_PIN_LEN_RANGE}, "length"},
	}
	for _, c := range cases {
		if got := c.e.Error(); !strings.Contains(got, c.want) {
			t.Errorf("%+v: %q lacks %q", c.e, got, c.want)
		}
	}
}

func TestValidateNewPIN(t *testing.T) {
	cases := []struct {
		name, pin, again string
		min              int
		factory          []string
		want             error
	}{
		{"ok", "s3cret-pin", "s3cret-pin", 6, nil, nil},
		{"mismatch", "s3cret-pin", "s3cret-pim", 6, nil, ErrPINMismatch},
		{"short", "12345", "12345", 6, nil, ErrPINTooShort},
		{"default min", "12345", "12345", 0, nil, ErrPINTooShort},
		{"exact min", "123456", "123456", 6, nil, nil},
		{"profile min", "1234567", "1234567", 8, nil, ErrPINTooShort},
		{"empty", "", "", 6, nil, ErrPINTooShort},
		{"32 bytes", strings.Repeat("a", 32), strings.Repeat("a", 32), 6, nil, nil},
		{"33 bytes", strings.Repeat("a", 33), strings.Repeat("a", 33), 6, nil, ErrPINTooLong},
		{"cyrillic 17 runes 34 bytes", strings.Repeat("ж", 17), strings.Repeat("ж", 17), 6, nil, ErrPINTooLong},
		{"cyrillic 6 runes", "жжжжжж", "жжжжжж", 6, nil, nil},
		{"factory user", "12345678", "12345678", 6, nil, ErrFactoryPIN},
		{"factory so", "87654321", "87654321", 6, nil, ErrFactoryPIN},
		{"custom factory", "00000000", "00000000", 6, []string{"00000000"}, ErrFactoryPIN},
		{"custom list allows default", "12345678", "12345678", 6, []string{}, nil},
	}
	for _, c := range cases {
		if got := ValidateNewPIN(c.pin, c.again, c.min, c.factory); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

// p11toolObjects runs OpenSC's pkcs11-tool -O and returns its object blocks.
func p11toolObjects(t *testing.T, label, pin string) []map[string]string {
	t.Helper()
	tool, err := exec.LookPath("pkcs11-tool")
	if err != nil {
		t.Skip("pkcs11-tool (opensc) not installed")
	}
	out, err := exec.Command(tool, "--module", softhsmPath, "--token-label", label, "--login", "--pin", pin, "-O").CombinedOutput()
	if err != nil {
		t.Fatalf("pkcs11-tool -O: %v\n%s", err, out)
	}
	var blocks []map[string]string
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			blocks = append(blocks, map[string]string{"type": strings.TrimSpace(line)})
			continue
		}
		if len(blocks) == 0 {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok {
			blocks[len(blocks)-1][strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return blocks
}

func TestGenerateSigningKeyAndSign(t *testing.T) {
	m := softhsm(t)
	label := uniqueLabel("keygen")
	tok := newToken(t, m, label)

	start := time.Now()
	key, err := m.GenerateSigningKey(context.Background(), tok, testUserPIN, 2048, "ss-01 sign")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("RSA-2048 keygen on SoftHSM2 took %v", time.Since(start))
	if len(key.ID) != 16 || key.Bits != 2048 || key.Public == nil || key.Public.N.BitLen() != 2048 ||
		key.Public.E != 65537 || key.TokenSerial != tok.Serial || key.Label != "ss-01 sign" || key.AttributesRelaxed {
		t.Fatalf("KeyRef = %+v", key)
	}

	blocks := p11toolObjects(t, label, testUserPIN)
	var priv, pub map[string]string
	for _, b := range blocks {
		switch {
		case strings.HasPrefix(b["type"], "Private Key Object; RSA"):
			priv = b
		case strings.HasPrefix(b["type"], "Public Key Object; RSA"):
			pub = b
		}
	}
	if priv == nil || pub == nil || len(blocks) != 2 {
		t.Fatalf("pkcs11-tool objects: %v", blocks)
	}
	idHex := hex.EncodeToString(key.ID)
	for _, b := range []map[string]string{priv, pub} {
		if b["ID"] != idHex || b["label"] != "ss-01 sign" {
			t.Errorf("pkcs11-tool: %v, want ID %s", b, idHex)
		}
	}
	if !strings.Contains(pub["type"], "2048 bits") {
		t.Errorf("public key: %v", pub)
	}
	access := map[string]bool{}
	for _, a := range strings.Split(priv["Access"], ",") {
		access[strings.TrimSpace(a)] = true
	}
	if !access["sensitive"] || !access["never extractable"] || access["extractable"] {
		t.Errorf("private key access: %q", priv["Access"])
	}
	if !strings.Contains(priv["Usage"], "sign") || !strings.Contains(pub["Usage"], "verify") {
		t.Errorf("usage: private %q public %q", priv["Usage"], pub["Usage"])
	}

	// Sign through crypto.Signer and verify with the KeyRef's public key.
	s, err := m.Signer(tok, testUserPIN, key.ID)
	if err != nil {
		t.Fatal(err)
	}
	var signer crypto.Signer = s
	msg := []byte("Tunduk Onboard CSR")
	d256 := sha256.Sum256(msg)
	sig, err := signer.Sign(rand.Reader, d256[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(key.Public, crypto.SHA256, d256[:], sig); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	d512 := sha512.Sum512(msg)
	sig, err = signer.Sign(rand.Reader, d512[:], crypto.SHA512)
	if err != nil || rsa.VerifyPKCS1v15(key.Public, crypto.SHA512, d512[:], sig) != nil {
		t.Fatalf("SHA-512 signature: %v", err)
	}
	if pk, ok := signer.Public().(*rsa.PublicKey); !ok || !pk.Equal(key.Public) {
		t.Error("Signer.Public differs from KeyRef.Public")
	}
	if _, err := signer.Sign(rand.Reader, d256[:], &rsa.PSSOptions{Hash: crypto.SHA256}); err == nil {
		t.Error("PSS accepted")
	}
	if _, err := signer.Sign(rand.Reader, d256[:20], crypto.SHA256); err == nil {
		t.Error("short digest accepted")
	}
	if _, err := signer.Sign(rand.Reader, d256[:20], crypto.SHA1); err == nil {
		t.Error("SHA-1 accepted")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if _, err := s.Sign(rand.Reader, d256[:], crypto.SHA256); err == nil {
		t.Error("closed signer signs")
	}

	if _, err := m.Signer(tok, testUserPIN, []byte("nope")); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("Signer for a missing ID: %v", err)
	}
	if err := m.DeleteKey(tok, testUserPIN, key.ID); err != nil {
		t.Fatal(err)
	}
	if objs, err := m.Objects(tok, testUserPIN); err != nil || len(objs) != 0 {
		t.Fatalf("after DeleteKey: %v %v", objs, err)
	}
	if err := m.DeleteKey(tok, testUserPIN, key.ID); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("second DeleteKey: %v", err)
	}
}

func TestGenerateSigningKeyFailureLeavesNothing(t *testing.T) {
	m := softhsm(t)
	tok := newToken(t, m, uniqueLabel("keyfail"))

	afterKeygenHook = func() error { return errors.New("injected failure") }
	_, err := m.GenerateSigningKey(context.Background(), tok, testUserPIN, 2048, "half")
	afterKeygenHook = nil
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("want the injected error, got %v", err)
	}
	assertNoObjects(t, m, tok)

	// A context cancelled while the token generates also removes the pair.
	ctx, cancel := context.WithCancel(context.Background())
	afterKeygenHook = func() error { cancel(); return nil }
	_, err = m.GenerateSigningKey(ctx, tok, testUserPIN, 2048, "cancelled")
	afterKeygenHook = nil
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	assertNoObjects(t, m, tok)

	if _, err := m.GenerateSigningKey(context.Background(), tok, testUserPIN, 1024, "small"); !errors.Is(err, ErrKeySize) {
		t.Errorf("1024 bits: %v", err)
	}
	if _, err := m.GenerateSigningKey(context.Background(), tok, testUserPIN, 1<<20, "huge"); !errors.Is(err, ErrKeySize) || !strings.Contains(err.Error(), "supports") {
		t.Errorf("beyond the token's range: %v", err)
	}
	assertNoObjects(t, m, tok)
}

func assertNoObjects(t *testing.T, m *Module, tok TokenInfo) {
	t.Helper()
	objs, err := m.Objects(tok, testUserPIN)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 0 {
		t.Fatalf("objects left on the token: %+v", objs)
	}
}

func TestReinitNeedsConfirmation(t *testing.T) {
	m := softhsm(t)
	label := uniqueLabel("reinit")
	tok := newToken(t, m, label)
	key, err := m.GenerateSigningKey(context.Background(), tok, testUserPIN, 0, "keep me")
	if err != nil {
		t.Fatal(err)
	}
	if key.Bits != DefaultKeyBits {
		t.Errorf("default bits = %d", key.Bits)
	}

	if _, err := m.InitToken(tok, testSOPIN, label, testUserPIN, "", nil); !errors.Is(err, ErrConfirmationRequired) {
		t.Fatalf("nil confirm: %v", err)
	}
	var shown []ObjectInfo
	_, err = m.InitToken(tok, testSOPIN, label, testUserPIN, "", func(w Wipe) bool { shown = w.Objects; return false })
	if !errors.Is(err, ErrConfirmationRequired) {
		t.Fatalf("refused confirm: %v", err)
	}
	if len(shown) != 1 || shown[0].Class != "public key" || shown[0].Label != "keep me" || hex.EncodeToString(shown[0].ID) != key.IDHex() {
		t.Errorf("confirm saw %+v", shown)
	}
	objs, err := m.Objects(tok, testUserPIN)
	if err != nil {
		t.Fatal(err)
	}
	classes := map[string]bool{}
	for _, o := range objs {
		classes[o.Class] = true
	}
	if len(objs) != 2 || !classes["private key"] || !classes["public key"] {
		t.Fatalf("the key did not survive the refused init: %+v", objs)
	}

	newLabel := uniqueLabel("reinit-new")
	got, err := m.InitToken(tok, testSOPIN, newLabel, "fresh-user-pin", "", func(Wipe) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != tok.Serial || got.Label != newLabel || !got.Initialized {
		t.Errorf("after re-init: %+v (was %+v)", got, tok)
	}
	if objs, err := m.Objects(got, "fresh-user-pin"); err != nil || len(objs) != 0 {
		t.Fatalf("token not wiped: %+v %v", objs, err)
	}
}

func TestGenerateSigningKeyRelaxedAttributes(t *testing.T) {
	m := softhsm(t)
	label := uniqueLabel("relaxed")
	tok := newToken(t, m, label)
	real := generateKeyPair
	calls := 0
	generateKeyPair = func(c *pkcs11.Ctx, sh pkcs11.SessionHandle, mech []*pkcs11.Mechanism, pub, priv []*pkcs11.Attribute) (pkcs11.ObjectHandle, pkcs11.ObjectHandle, error) {
		calls++
		for _, a := range priv {
			if a.Type == pkcs11.CKA_SENSITIVE || a.Type == pkcs11.CKA_EXTRACTABLE {
				return 0, 0, pkcs11.Error(pkcs11.CKR_ATTRIBUTE_TYPE_INVALID)
			}
		}
		return real(c, sh, mech, pub, priv)
	}
	defer func() { generateKeyPair = real }()
	key, err := m.GenerateSigningKey(context.Background(), tok, testUserPIN, 2048, "relaxed")
	if err != nil {
		t.Fatal(err)
	}
	if !key.AttributesRelaxed || calls != 2 {
		t.Errorf("AttributesRelaxed=%v after %d calls", key.AttributesRelaxed, calls)
	}
	// Any other refusal is not retried.
	calls = 0
	generateKeyPair = func(*pkcs11.Ctx, pkcs11.SessionHandle, []*pkcs11.Mechanism, []*pkcs11.Attribute, []*pkcs11.Attribute) (pkcs11.ObjectHandle, pkcs11.ObjectHandle, error) {
		calls++
		return 0, 0, pkcs11.Error(pkcs11.CKR_DEVICE_MEMORY)
	}
	if _, err := m.GenerateSigningKey(context.Background(), tok, testUserPIN, 2048, "full"); err == nil || calls != 1 {
		t.Errorf("device memory error: %v after %d calls", err, calls)
	}
}

// TestConcurrentUse polls the token list while keys are generated and used,
// as the GUI's poller does; run with -race.
func TestConcurrentUse(t *testing.T) {
	m := softhsm(t)
	tok := newToken(t, m, uniqueLabel("concurrent"))
	done := make(chan struct{})
	polled := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-done:
				polled <- n
				return
			default:
			}
			if _, err := m.Tokens(); err != nil {
				t.Error(err)
			}
			n++
		}
	}()
	errs := make(chan error, 2)
	for i := 0; i < 2; i++ {
		go func(i int) {
			key, err := m.GenerateSigningKey(context.Background(), tok, testUserPIN, 2048, "c")
			if err != nil {
				errs <- err
				return
			}
			s, err := m.Signer(tok, testUserPIN, key.ID)
			if err != nil {
				errs <- err
				return
			}
			d := sha256.Sum256([]byte{byte(i)})
			sig, err := s.Sign(nil, d[:], crypto.SHA256)
			if err == nil {
				err = rsa.VerifyPKCS1v15(key.Public, crypto.SHA256, d[:], sig)
			}
			errs <- errors.Join(err, s.Close())
		}(i)
	}
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	close(done)
	if n := <-polled; n == 0 {
		t.Error("poller never ran")
	}
	if objs, err := m.Objects(tok, testUserPIN); err != nil || len(objs) != 4 {
		t.Errorf("objects: %d %v", len(objs), err)
	}
}

// TestOverlappingSigners: logins are per token in PKCS#11; closing one
// signer must not log out another, and the last close logs out.
func TestOverlappingSigners(t *testing.T) {
	m := softhsm(t)
	tok := newToken(t, m, uniqueLabel("overlap"))
	key, err := m.GenerateSigningKey(context.Background(), tok, testUserPIN, 2048, "o")
	if err != nil {
		t.Fatal(err)
	}
	s1, err := m.Signer(tok, testUserPIN, key.ID)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := m.Signer(tok, testUserPIN, key.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Another operation while the signers hold the login.
	if objs, err := m.Objects(tok, testUserPIN); err != nil || len(objs) != 2 {
		t.Fatalf("objects while signing: %v %v", objs, err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte("x"))
	sig, err := s2.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil || rsa.VerifyPKCS1v15(key.Public, crypto.SHA256, d[:], sig) != nil {
		t.Fatalf("second signer after the first closed: %v", err)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	// Logged out now: without a PIN only the public key is visible.
	if objs, err := m.Objects(tok, ""); err != nil || len(objs) != 1 || objs[0].Class != "public key" {
		t.Fatalf("after the last Close: %+v %v", objs, err)
	}
	if len(m.logins) != 0 {
		t.Errorf("login counts left: %v", m.logins)
	}
}

// The wipe question counts what formatting erases: with the user PIN the
// private key too; without it only what is visible, marked incomplete,
// and an initialised token that shows nothing is still asked about (its
// keys are private), never formatted unasked.
func TestWipeCountsPrivateObjects(t *testing.T) {
	m := softhsm(t)
	tok := newToken(t, m, uniqueLabel("wipe"))
	asked := func(userPIN string) (Wipe, bool) {
		var got Wipe
		called := false
		_, err := m.InitToken(tok, testSOPIN, tok.Label, testUserPIN, userPIN, func(w Wipe) bool { got, called = w, true; return false })
		if called && !errors.Is(err, ErrConfirmationRequired) {
			t.Fatalf("refused wipe: %v", err)
		}
		return got, called
	}
	if w, called := asked(""); !called || w.Complete || len(w.Objects) != 0 {
		t.Errorf("empty initialised token, no PIN: asked %v, %+v; want asked, incomplete", called, w)
	}
	if w, called := asked(testUserPIN); called {
		t.Errorf("empty token opened with the user PIN: asked anyway (%+v)", w)
	}
	// That went through: the token is formatted again, with the same PINs.
	toks, err := m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range toks {
		if x.Serial == tok.Serial {
			tok = x
		}
	}
	if _, err := m.GenerateSigningKey(context.Background(), tok, testUserPIN, 0, "wipe me"); err != nil {
		t.Fatal(err)
	}
	if w, _ := asked(testUserPIN); !w.Complete || len(w.Objects) != 2 {
		t.Errorf("with the user PIN: %+v; want both halves of the key, complete", w)
	}
	if w, _ := asked(""); w.Complete || len(w.Objects) != 1 {
		t.Errorf("without the user PIN: %+v; want the public key only, incomplete", w)
	}
	if w, _ := asked("wrong-user-pin"); w.Complete || len(w.Objects) != 1 {
		t.Errorf("with a wrong user PIN: %+v; want the visible objects, incomplete", w)
	}
}
