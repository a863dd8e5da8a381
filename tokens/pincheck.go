package tokens

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// PINNotTriedError is a PIN refused before any C_Login: longer than the
// token takes (ulMaxPinLen of C_GetTokenInfo), or holding a byte a person
// cannot type (a control character, not UTF-8, not printable). Such a PIN
// is surely wrong, and trying it would spend one of the token's few tries.
// It never holds the PIN.
type PINNotTriedError struct {
	Who       string // "user" or "so"
	Max       int    // the token's maximum, for TooLong
	TooLong   bool
	Untypable bool
}

func (e *PINNotTriedError) Error() string {
	if e.TooLong {
		return fmt.Sprintf("the %s PIN is longer than the token's %d characters: not tried (no try spent)", e.Who, e.Max)
	}
	return fmt.Sprintf("the %s PIN holds a character nobody can type (a control character or invalid text): not tried (no try spent)", e.Who)
}

// typable: pin is UTF-8 text of printable characters (spaces included).
func typable(pin string) bool {
	if !utf8.ValidString(pin) {
		return false
	}
	for _, r := range pin {
		if !unicode.IsPrint(r) && r != ' ' {
			return false
		}
	}
	return true
}

// pinFitsLocked checks pin against what a person can type and the token
// in slot takes, before any login. m.mu must be held.
func (m *Module) pinFitsLocked(slot uint, who, pin string) error {
	if !typable(pin) {
		return &PINNotTriedError{Who: who, Untypable: true}
	}
	ti, err := m.ctx.GetTokenInfo(slot)
	if err != nil {
		return nil // the login says what is wrong with the token
	}
	// ulMaxPinLen counts bytes (PKCS#11 2.40, CK_TOKEN_INFO); 0 or the
	// "unavailable" value say nothing.
	if max := int(ti.MaxPinLen); max > 0 && max < 1<<16 && len(pin) > max {
		return &PINNotTriedError{Who: who, Max: max, TooLong: true}
	}
	return nil
}
