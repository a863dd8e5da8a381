package tokens

import (
	"errors"
	"strings"
	"testing"
)

// TestPINNotTriedSpendsNoTry: on SoftHSM2 (ulMaxPinLen 255), a user or SO
// PIN longer than the token takes, or holding a control character or
// invalid UTF-8, is refused before any C_Login: no login is tried and the
// token's try counter is as it was (no COUNT_LOW); the right PIN still
// opens the token afterwards.
func TestPINNotTriedSpendsNoTry(t *testing.T) {
	m := softhsm(t)
	tok := newToken(t, m, uniqueLabel("pinfit"))
	logins := 0
	loginHook = func(uint) { logins++ }
	defer func() { loginHook = nil }()

	cases := map[string]struct {
		pin           string
		long, untyped bool
	}{
		"256 characters":  {strings.Repeat("7", 256), true, false},
		"a newline":       {testUserPIN + "\n", false, true},
		"an escape":       {"\x1b[31m" + testUserPIN, false, true},
		"a NUL":           {"user\x00pin", false, true},
		"invalid UTF-8":   {"user-\xff-pin", false, true},
		"a DEL":           {testUserPIN + "\x7f", false, true},
		"a zero-width jo": {"user\u200dpin", false, true},
	}
	for name, c := range cases {
		_, err := m.Objects(tok, c.pin)
		var nt *PINNotTriedError
		if !errors.As(err, &nt) || nt.TooLong != c.long || nt.Untypable != c.untyped || nt.Who != "user" {
			t.Errorf("%s: got %v", name, err)
			continue
		}
		if c.long && nt.Max != 255 {
			t.Errorf("%s: the token's maximum read as %d, SoftHSM2 says 255", name, nt.Max)
		}
		if strings.Contains(err.Error(), c.pin) {
			t.Errorf("%s: the error holds the PIN", name)
		}
		if msgs := Explain(err, 0); len(msgs) != 1 || !strings.HasPrefix(msgs[0].Key, "token.pinerr.not_tried_") {
			t.Errorf("%s: explained as %v", name, msgs)
		}
	}
	// The SO PIN too (VerifySOPIN logs in as SO; a long one is refused by
	// its own 32-byte shape check).
	if err := m.VerifySOPIN(tok, testSOPIN+"\a"); !errors.As(err, new(*PINNotTriedError)) {
		t.Errorf("an SO PIN with a bell: %v", err)
	}
	if logins != 0 {
		t.Fatalf("%d C_Login tried with a PIN that cannot be right", logins)
	}
	after, err := m.Find(tok.Serial)
	if err != nil || after.UserPINCountLow || after.UserPINFinalTry || after.UserPINLocked || after.SOPINCountLow {
		t.Fatalf("the try counter moved: %+v %v", after, err)
	}
	if _, err := m.Objects(tok, testUserPIN); err != nil || logins != 1 {
		t.Fatalf("the right PIN after the refusals: %v (%d logins)", err, logins)
	}
}
