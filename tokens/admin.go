package tokens

import (
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/pkcs11"
)

// Errors of ValidateNewPIN (and of the PIN setters for empty or too long PINs).
var (
	ErrPINMismatch = errors.New("the two PIN entries differ")
	ErrPINTooShort = errors.New("the PIN is too short")
	ErrPINTooLong  = errors.New("the PIN is longer than 32 bytes")
	ErrFactoryPIN  = errors.New("the PIN is a factory default PIN")
)

// ErrConfirmationRequired means the token holds objects and wiping them was not confirmed.
var ErrConfirmationRequired = errors.New("the token holds objects; initialising it wipes them and needs an explicit confirmation")

// ErrBadLabel means a token label is empty or longer than 32 bytes.
var ErrBadLabel = errors.New("the token label must be 1 to 32 bytes")

// MaxPINBytes is the longest PIN a Rutoken accepts.
const MaxPINBytes = 32

// DefaultMinPINLen is the minimum new PIN length when the profile sets none.
const DefaultMinPINLen = 6

// FactoryPINs are the Rutoken factory PINs (user, SO); they must never be kept.
var FactoryPINs = []string{"12345678", "87654321"}

// ValidateNewPIN checks a new PIN entered twice: equal, minLen..32 bytes
// (minLen <= 0 means DefaultMinPINLen) and not one of factory (nil means FactoryPINs).
func ValidateNewPIN(pin, again string, minLen int, factory []string) error {
	if minLen <= 0 {
		minLen = DefaultMinPINLen
	}
	switch {
	case pin != again:
		return ErrPINMismatch
	case len(pin) > MaxPINBytes:
		return ErrPINTooLong
	case len([]rune(pin)) < minLen:
		return ErrPINTooShort
	}
	if IsFactoryPIN(pin, factory) {
		return ErrFactoryPIN
	}
	return nil
}

func checkPINShape(pin string) error {
	if pin == "" {
		return ErrPINTooShort
	}
	if len(pin) > MaxPINBytes {
		return ErrPINTooLong
	}
	return nil
}

// PINError is a PIN refused by the token (wrong, locked, bad length), with
// the token's try-counter flags read right after the failure. It never holds the PIN.
type PINError struct {
	Who                        string // "user" or "so"
	Code                       uint   // the CKR_ value
	CountLow, FinalTry, Locked bool
}

// Error says what was refused, the tries state and what to do.
func (e *PINError) Error() string {
	name := "user PIN"
	if e.Who == "so" {
		name = "SO (administrator) PIN"
	}
	var b strings.Builder
	switch e.Code {
	case pkcs11.CKR_PIN_INCORRECT:
		b.WriteString("wrong " + name)
	case pkcs11.CKR_PIN_LOCKED:
		b.WriteString("the " + name + " is locked")
	case pkcs11.CKR_PIN_LEN_RANGE:
		b.WriteString("the " + name + " has a length the token does not accept")
	case pkcs11.CKR_PIN_INVALID:
		b.WriteString("the " + name + " contains characters the token does not accept")
	case pkcs11.CKR_PIN_EXPIRED:
		b.WriteString("the " + name + " has expired")
	default:
		fmt.Fprintf(&b, "the %s was refused (0x%X)", name, e.Code)
	}
	switch {
	case e.Locked || e.Code == pkcs11.CKR_PIN_LOCKED:
		if e.Who == "so" {
			b.WriteString("; the SO PIN is locked: the token can only be reset with the vendor's tools")
		} else {
			b.WriteString("; the user PIN is locked: unblock it with the SO PIN")
		}
		return b.String()
	case e.FinalTry:
		b.WriteString("; one try left: the next wrong PIN locks it")
	case e.CountLow:
		b.WriteString("; few tries left")
	}
	switch e.Code {
	case pkcs11.CKR_PIN_EXPIRED:
		b.WriteString("; change the PIN")
	case pkcs11.CKR_PIN_INCORRECT:
		b.WriteString("; check the PIN and enter it again (it is not retried automatically)")
	default:
		b.WriteString("; enter a PIN the token accepts")
	}
	return b.String()
}

// Unwrap returns the underlying pkcs11.Error.
func (e *PINError) Unwrap() error { return pkcs11.Error(e.Code) }

// pinErrorLocked turns a PIN-related failure into a *PINError with fresh
// flags; other errors give nil. m.mu must be held.
func (m *Module) pinErrorLocked(slot uint, who string, err error) *PINError {
	code := ckrCode(err)
	switch code {
	case pkcs11.CKR_PIN_INCORRECT, pkcs11.CKR_PIN_LOCKED, pkcs11.CKR_PIN_LEN_RANGE,
		pkcs11.CKR_PIN_INVALID, pkcs11.CKR_PIN_EXPIRED:
	default:
		return nil
	}
	pe := &PINError{Who: who, Code: code}
	if t, terr := m.tokenInfoLocked(slot); terr == nil {
		if who == "so" {
			pe.CountLow, pe.FinalTry, pe.Locked = t.SOPINCountLow, t.SOPINFinalTry, t.SOPINLocked
		} else {
			pe.CountLow, pe.FinalTry, pe.Locked = t.UserPINCountLow, t.UserPINFinalTry, t.UserPINLocked
		}
	}
	p11log.WithFields(map[string]any{"slot": slot, "user": who, "code": fmt.Sprintf("0x%X", code)}).Debug("PIN refused")
	return pe
}

// Wipe is what formatting a token erases, as far as could be seen.
type Wipe struct {
	Objects []ObjectInfo
	// Complete: the private objects (keys) are listed too, the user PIN
	// having opened the token; else it may hold more than Objects.
	Complete bool
}

// Nothing says whether the token surely holds nothing.
func (w Wipe) Nothing() bool { return w.Complete && len(w.Objects) == 0 }

// InitToken initialises (formats) tok: C_InitToken with soPIN and label, then
// the user PIN newUserPIN. What it erases is passed to confirm first: all
// objects when userPIN (the token's current user PIN, "" when not known)
// opens it, else those visible without login, which may be fewer (Wipe).
// Unless the token surely holds nothing, a nil confirm or false gives
// ErrConfirmationRequired and nothing changes. It returns the token's new
// state (found again by serial).
func (m *Module) InitToken(tok TokenInfo, soPIN, label, newUserPIN, userPIN string, confirm func(Wipe) bool) (TokenInfo, error) {
	if label == "" || len(label) > 32 {
		return TokenInfo{}, ErrBadLabel
	}
	if err := checkPINShape(soPIN); err != nil {
		return TokenInfo{}, fmt.Errorf("SO PIN: %w", err)
	}
	if err := checkPINShape(newUserPIN); err != nil {
		return TokenInfo{}, fmt.Errorf("new user PIN: %w", err)
	}
	wipe, err := m.wipeList(tok, userPIN)
	if err != nil {
		return TokenInfo{}, err
	}
	if !wipe.Nothing() {
		// confirm runs without the lock: a dialog may wait for the user.
		if confirm == nil || !confirm(wipe) {
			return TokenInfo{}, fmt.Errorf("%w (%d objects seen on %s, private ones counted: %v)", ErrConfirmationRequired, len(wipe.Objects), tok, wipe.Complete)
		}
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	slot, err := m.slotLocked(tok)
	if err != nil {
		return TokenInfo{}, err
	}
	if !wipe.Nothing() {
		// Objects added since the confirmation were not confirmed.
		pin := ""
		if wipe.Complete {
			pin = userPIN
		}
		now, err := m.wipeListLocked(slot, tok, pin)
		if err != nil {
			return TokenInfo{}, err
		}
		if len(now.Objects) > len(wipe.Objects) {
			return TokenInfo{}, fmt.Errorf("%w (the token gained objects since the confirmation)", ErrConfirmationRequired)
		}
	}
	before, err := m.tokensLocked()
	if err != nil {
		return TokenInfo{}, err
	}
	known := map[string]bool{}
	for _, t := range before {
		if t.Serial != "" && t.SlotID != slot {
			known[t.Serial] = true
		}
	}
	p11log.WithFields(map[string]any{"slot": slot, "serial": tok.Serial}).Debug("C_InitToken")
	if err := m.ctx.InitToken(slot, soPIN, label); err != nil {
		if pe := m.pinErrorLocked(slot, "so", err); pe != nil {
			return TokenInfo{}, pe
		}
		if isCode(err, pkcs11.CKR_SESSION_EXISTS) {
			return TokenInfo{}, fmt.Errorf("initialise %s: the token is in use (an open session); close other programs or signers using it: %w", tok, err)
		}
		return TokenInfo{}, fmt.Errorf("initialise %s: %w", tok, err)
	}
	newTok, err := m.refindLocked(tok, label, known)
	if err != nil {
		return TokenInfo{}, fmt.Errorf("token initialised, but not found again: %w", err)
	}
	if err := m.setUserPINLocked(newTok.SlotID, soPIN, newUserPIN); err != nil {
		return newTok, fmt.Errorf("token initialised, but the user PIN was not set (set it with the SO PIN, as when unblocking): %w", err)
	}
	if t, err := m.tokenInfoLocked(newTok.SlotID); err == nil {
		newTok = t
	}
	p11log.WithFields(map[string]any{"slot": newTok.SlotID, "serial": newTok.Serial}).Debug("token initialised")
	return newTok, nil
}

// refindLocked finds tok again after C_InitToken: by its serial, else the
// token with the new label whose serial was not known before.
func (m *Module) refindLocked(tok TokenInfo, label string, known map[string]bool) (TokenInfo, error) {
	toks, err := m.tokensLocked()
	if err != nil {
		return TokenInfo{}, err
	}
	if tok.Serial != "" {
		for _, t := range toks {
			if t.Serial == tok.Serial && t.Initialized {
				return t, nil
			}
		}
	}
	var match []TokenInfo
	for _, t := range toks {
		if t.Initialized && t.Label == label && !known[t.Serial] {
			match = append(match, t)
		}
	}
	return pickToken(match, "")
}

// wipeList is what formatting tok would erase: nothing on a token never
// initialised; every object when userPIN opens it; else the objects
// visible without login, complete only on a token that needs no login
// (where nothing is private). A user PIN the token refuses is not retried:
// the list is then the visible one.
func (m *Module) wipeList(tok TokenInfo, userPIN string) (Wipe, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	slot, err := m.slotLocked(tok)
	if err != nil {
		return Wipe{}, err
	}
	return m.wipeListLocked(slot, tok, userPIN)
}

func (m *Module) wipeListLocked(slot uint, tok TokenInfo, userPIN string) (Wipe, error) {
	if !tok.Initialized {
		return Wipe{Complete: true}, nil
	}
	sh, err := m.session(slot, false)
	if err != nil {
		return Wipe{}, err
	}
	defer m.ctx.CloseSession(sh)
	if userPIN != "" {
		err := m.login(sh, slot, pkcs11.CKU_USER, userPIN)
		var pe *PINError
		switch {
		case err == nil:
			objs, err := m.objectsLocked(sh, nil)
			m.logout(sh, slot)
			return Wipe{Objects: objs, Complete: err == nil}, err
		case !errors.As(err, &pe):
			return Wipe{}, err
		}
		p11log.WithField("serial", tok.Serial).Debug("user PIN refused: the objects to wipe are the visible ones")
	}
	objs, err := m.objectsLocked(sh, nil)
	return Wipe{Objects: objs, Complete: !tok.LoginRequired}, err
}

// setUserPINLocked logs in as SO and sets the user PIN (C_InitPIN).
func (m *Module) setUserPINLocked(slot uint, soPIN, newUserPIN string) error {
	sh, err := m.session(slot, true)
	if err != nil {
		return err
	}
	defer m.ctx.CloseSession(sh)
	err = m.login(sh, slot, pkcs11.CKU_SO, soPIN)
	if err != nil {
		return err
	}
	defer m.logout(sh, slot)
	p11log.WithField("slot", slot).Debug("C_InitPIN")
	if err := m.ctx.InitPIN(sh, newUserPIN); err != nil {
		if pe := m.pinErrorLocked(slot, "user", err); pe != nil {
			return pe
		}
		return fmt.Errorf("set the user PIN: %w", err)
	}
	return nil
}

// ChangeUserPIN changes the user PIN (C_SetPIN in a public read/write session).
func (m *Module) ChangeUserPIN(tok TokenInfo, oldPIN, newPIN string) error {
	if err := checkPINShape(newPIN); err != nil {
		return fmt.Errorf("new user PIN: %w", err)
	}
	return m.withSession(tok, true, noLogin, "", func(slot uint, sh pkcs11.SessionHandle) error {
		p11log.WithField("slot", slot).Debug("C_SetPIN user")
		if err := m.ctx.SetPIN(sh, oldPIN, newPIN); err != nil {
			if pe := m.pinErrorLocked(slot, "user", err); pe != nil {
				return pe
			}
			return fmt.Errorf("change the user PIN: %w", err)
		}
		return nil
	})
}

// ChangeSOPIN changes the SO PIN (login as SO, then C_SetPIN).
func (m *Module) ChangeSOPIN(tok TokenInfo, oldPIN, newPIN string) error {
	if err := checkPINShape(newPIN); err != nil {
		return fmt.Errorf("new SO PIN: %w", err)
	}
	return m.withSession(tok, true, pkcs11.CKU_SO, oldPIN, func(slot uint, sh pkcs11.SessionHandle) error {
		p11log.WithField("slot", slot).Debug("C_SetPIN so")
		if err := m.ctx.SetPIN(sh, oldPIN, newPIN); err != nil {
			if pe := m.pinErrorLocked(slot, "so", err); pe != nil {
				return pe
			}
			return fmt.Errorf("change the SO PIN: %w", err)
		}
		return nil
	})
}

// UnblockUserPIN sets a new user PIN with the SO PIN (C_InitPIN), which also unlocks it.
func (m *Module) UnblockUserPIN(tok TokenInfo, soPIN, newUserPIN string) error {
	if err := checkPINShape(newUserPIN); err != nil {
		return fmt.Errorf("new user PIN: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	slot, err := m.slotLocked(tok)
	if err != nil {
		return err
	}
	return m.setUserPINLocked(slot, soPIN, newUserPIN)
}

// VerifySOPIN logs in as SO with soPIN and out again, changing nothing:
// the check that an SO PIN a person typed is the token's. A wrong one
// counts as one try, as any typed PIN does; it is never retried.
func (m *Module) VerifySOPIN(tok TokenInfo, soPIN string) error {
	if err := checkPINShape(soPIN); err != nil {
		return fmt.Errorf("SO PIN: %w", err)
	}
	// An SO login needs a read/write session (CKR_SESSION_READ_ONLY otherwise).
	return m.withSession(tok, true, pkcs11.CKU_SO, soPIN, func(uint, pkcs11.SessionHandle) error { return nil })
}
