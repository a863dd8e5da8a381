package tokens

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/pkcs11"
)

// ErrNoToken means no token matched (or no token is present at all).
var ErrNoToken = errors.New("no matching token")

// ErrAmbiguousToken means more than one token matched; give a serial or label.
var ErrAmbiguousToken = errors.New("more than one token matches")

// ErrTokenGone means the token moved or was removed since it was listed.
var ErrTokenGone = errors.New("token no longer present")

// TokenInfo is the state of one present token, as a user must see it.
type TokenInfo struct {
	SlotID                                                              uint
	Manufacturer, Model, Serial, Label                                  string
	Initialized, LoginRequired                                          bool
	UserPINCountLow, UserPINFinalTry, UserPINLocked, UserPINToBeChanged bool
	SOPINCountLow, SOPINFinalTry, SOPINLocked, SOPINToBeChanged         bool
	RSAMinBits, RSAMaxBits                                              int
}

// String names the token for messages: label and serial.
func (t TokenInfo) String() string {
	label := t.Label
	if !t.Initialized && label == "" {
		label = "(not initialised)"
	}
	return fmt.Sprintf("%q serial %s slot %d", label, t.Serial, t.SlotID)
}

// ObjectInfo is one object on a token.
type ObjectInfo struct {
	Class string
	Label string
	ID    []byte
}

func trimField(s string) string { return strings.TrimRight(s, " \x00") }

// tokenInfoLocked reads the token in slot; m.mu must be held.
func (m *Module) tokenInfoLocked(slot uint) (TokenInfo, error) {
	ti, err := m.ctx.GetTokenInfo(slot)
	if err != nil {
		return TokenInfo{}, err
	}
	f := ti.Flags
	has := func(flag uint) bool { return f&flag != 0 }
	t := TokenInfo{
		SlotID:             slot,
		Manufacturer:       trimField(ti.ManufacturerID),
		Model:              trimField(ti.Model),
		Serial:             trimField(ti.SerialNumber),
		Label:              trimField(ti.Label),
		Initialized:        has(pkcs11.CKF_TOKEN_INITIALIZED),
		LoginRequired:      has(pkcs11.CKF_LOGIN_REQUIRED),
		UserPINCountLow:    has(pkcs11.CKF_USER_PIN_COUNT_LOW),
		UserPINFinalTry:    has(pkcs11.CKF_USER_PIN_FINAL_TRY),
		UserPINLocked:      has(pkcs11.CKF_USER_PIN_LOCKED),
		UserPINToBeChanged: has(pkcs11.CKF_USER_PIN_TO_BE_CHANGED),
		SOPINCountLow:      has(pkcs11.CKF_SO_PIN_COUNT_LOW),
		SOPINFinalTry:      has(pkcs11.CKF_SO_PIN_FINAL_TRY),
		SOPINLocked:        has(pkcs11.CKF_SO_PIN_LOCKED),
		SOPINToBeChanged:   has(pkcs11.CKF_SO_PIN_TO_BE_CHANGED),
	}
	if mi, err := m.ctx.GetMechanismInfo(slot, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN, nil)}); err == nil {
		t.RSAMinBits, t.RSAMaxBits = int(mi.MinKeySize), int(mi.MaxKeySize)
	}
	return t, nil
}

// tokensLocked lists the present tokens; m.mu must be held.
func (m *Module) tokensLocked() ([]TokenInfo, error) {
	slots, err := m.ctx.GetSlotList(true)
	if err != nil {
		return nil, fmt.Errorf("list slots of %s: %w", m.path, err)
	}
	out := make([]TokenInfo, 0, len(slots))
	for _, s := range slots {
		t, err := m.tokenInfoLocked(s)
		if err != nil {
			// A token removed between the two calls is simply not listed.
			p11log.WithField("slot", s).WithError(err).Debug("token info failed, skipping slot")
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

// Tokens lists the slots that have a token present.
func (m *Module) Tokens() ([]TokenInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tokensLocked()
}

// Find returns the token whose serial (first) or label equals serialOrLabel;
// "" means the only token (an uninitialised spare slot, as SoftHSM2 always
// shows one, is ignored when other tokens exist).
func (m *Module) Find(serialOrLabel string) (TokenInfo, error) {
	toks, err := m.Tokens()
	if err != nil {
		return TokenInfo{}, err
	}
	return pickToken(toks, serialOrLabel)
}

func pickToken(toks []TokenInfo, want string) (TokenInfo, error) {
	if len(toks) == 0 {
		return TokenInfo{}, fmt.Errorf("%w: no token is present; plug in the Rutoken (and check that its driver sees it)", ErrNoToken)
	}
	var match []TokenInfo
	if want == "" {
		match = toks
		if len(match) > 1 {
			var inited []TokenInfo
			for _, t := range toks {
				if t.Initialized {
					inited = append(inited, t)
				}
			}
			if len(inited) > 0 {
				match = inited
			}
		}
	} else {
		for _, t := range toks {
			if t.Serial == want && t.Serial != "" {
				match = append(match, t)
			}
		}
		if len(match) == 0 {
			for _, t := range toks {
				if t.Label == want {
					match = append(match, t)
				}
			}
		}
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return TokenInfo{}, fmt.Errorf("%w: no token has serial or label %q; present: %s", ErrNoToken, want, listTokens(toks))
	default:
		return TokenInfo{}, fmt.Errorf("%w: %s; choose one by serial with --token", ErrAmbiguousToken, listTokens(match))
	}
}

func listTokens(toks []TokenInfo) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.String()
	}
	return strings.Join(parts, "; ")
}

// slotLocked checks that tok is still in its slot (by serial) and returns
// the current slot ID, following the token if its slot changed. m.mu must be held.
func (m *Module) slotLocked(tok TokenInfo) (uint, error) {
	if cur, err := m.tokenInfoLocked(tok.SlotID); err == nil && cur.Serial == tok.Serial && cur.Label == tok.Label {
		return tok.SlotID, nil
	}
	if tok.Serial != "" {
		toks, err := m.tokensLocked()
		if err != nil {
			return 0, err
		}
		for _, t := range toks {
			if t.Serial == tok.Serial {
				return t.SlotID, nil
			}
		}
	}
	return 0, fmt.Errorf("%w: %s; list the tokens again", ErrTokenGone, tok)
}

// session opens a session on slot; rw asks for a read/write one.
func (m *Module) session(slot uint, rw bool) (pkcs11.SessionHandle, error) {
	flags := uint(pkcs11.CKF_SERIAL_SESSION)
	if rw {
		flags |= pkcs11.CKF_RW_SESSION
	}
	sh, err := m.ctx.OpenSession(slot, flags)
	if err != nil {
		return 0, fmt.Errorf("open session on slot %d: %w", slot, err)
	}
	return sh, nil
}

// noLogin, as withSession's userType, opens a public session.
const noLogin = ^uint(0)

// withSession runs f under the module lock in a new session on tok's slot
// (read/write when rw), logged in as userType with pin unless userType is
// noLogin; it logs out and closes the session afterwards.
func (m *Module) withSession(tok TokenInfo, rw bool, userType uint, pin string, f func(slot uint, sh pkcs11.SessionHandle) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	slot, err := m.slotLocked(tok)
	if err != nil {
		return err
	}
	sh, err := m.session(slot, rw)
	if err != nil {
		return err
	}
	defer m.ctx.CloseSession(sh)
	if userType != noLogin {
		if err := m.login(sh, slot, userType, pin); err != nil {
			return err
		}
		defer m.logout(sh, slot)
	}
	return f(slot, sh)
}

// loginHook, when set by a test, is called before every C_Login.
var loginHook func(userType uint)

// login logs in as userType and counts the login for slot; every successful
// call must be paired with logout. PKCS#11 logins are per token and process,
// so a login already held (by an open Signer) is shared. A PIN failure
// becomes a *PINError; it is never retried. m.mu must be held.
func (m *Module) login(sh pkcs11.SessionHandle, slot uint, userType uint, pin string) error {
	who := whoOf(userType)
	if err := m.pinFitsLocked(slot, who, pin); err != nil {
		return err // surely wrong: no try spent on it
	}
	if loginHook != nil {
		loginHook(userType)
	}
	p11log.WithFields(map[string]any{"slot": slot, "user": who}).Debug("C_Login")
	err := m.ctx.Login(sh, userType, pin)
	if err == nil || isCode(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
		if m.logins == nil {
			m.logins = map[uint]int{}
		}
		m.logins[slot]++
		return nil
	}
	if pe := m.pinErrorLocked(slot, who, err); pe != nil {
		return pe
	}
	if isCode(err, pkcs11.CKR_USER_ANOTHER_ALREADY_LOGGED_IN) {
		return fmt.Errorf("log in as %s: another user is logged in to this token (close the open signer first): %w", who, err)
	}
	if isCode(err, pkcs11.CKR_USER_PIN_NOT_INITIALIZED) {
		return fmt.Errorf("log in as %s: the user PIN is not set; initialise the token first: %w", who, err)
	}
	return fmt.Errorf("log in as %s: %w", who, err)
}

// logout releases one login of slot and calls C_Logout when it was the last. m.mu must be held.
func (m *Module) logout(sh pkcs11.SessionHandle, slot uint) {
	if m.logins[slot] > 1 {
		m.logins[slot]--
		return
	}
	delete(m.logins, slot)
	p11log.WithField("slot", slot).Debug("C_Logout")
	if err := m.ctx.Logout(sh); err != nil && !isCode(err, pkcs11.CKR_USER_NOT_LOGGED_IN) {
		p11log.WithField("slot", slot).WithError(err).Debug("C_Logout failed")
	}
}

func whoOf(userType uint) string {
	if userType == pkcs11.CKU_SO {
		return "so"
	}
	return "user"
}

// Objects lists the token's objects: public ones without a PIN, private ones
// as well when userPIN is given.
func (m *Module) Objects(tok TokenInfo, userPIN string) ([]ObjectInfo, error) {
	as := uint(noLogin)
	if userPIN != "" {
		as = pkcs11.CKU_USER
	}
	var out []ObjectInfo
	err := m.withSession(tok, false, as, userPIN, func(_ uint, sh pkcs11.SessionHandle) (err error) {
		out, err = m.objectsLocked(sh, nil)
		return err
	})
	return out, err
}

// objectsLocked lists the objects matching tmpl visible in session sh.
func (m *Module) objectsLocked(sh pkcs11.SessionHandle, tmpl []*pkcs11.Attribute) ([]ObjectInfo, error) {
	handles, err := m.findLocked(sh, tmpl)
	if err != nil {
		return nil, err
	}
	out := make([]ObjectInfo, 0, len(handles))
	for _, h := range handles {
		var o ObjectInfo
		if v := m.attr(sh, h, pkcs11.CKA_CLASS); v != nil {
			o.Class = className(bytesToUint(v))
		} else {
			o.Class = "unknown"
		}
		if v := m.attr(sh, h, pkcs11.CKA_LABEL); v != nil {
			o.Label = string(v)
		}
		if v := m.attr(sh, h, pkcs11.CKA_ID); len(v) > 0 {
			o.ID = v
		}
		out = append(out, o)
	}
	return out, nil
}

// findLocked returns all object handles matching tmpl.
func (m *Module) findLocked(sh pkcs11.SessionHandle, tmpl []*pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	if err := m.ctx.FindObjectsInit(sh, tmpl); err != nil {
		return nil, fmt.Errorf("find objects: %w", err)
	}
	var all []pkcs11.ObjectHandle
	for {
		hs, _, err := m.ctx.FindObjects(sh, 64)
		if err != nil {
			_ = m.ctx.FindObjectsFinal(sh)
			return nil, fmt.Errorf("find objects: %w", err)
		}
		all = append(all, hs...)
		if len(hs) == 0 {
			break
		}
	}
	if err := m.ctx.FindObjectsFinal(sh); err != nil {
		return nil, fmt.Errorf("find objects: %w", err)
	}
	return all, nil
}

// attr reads one attribute, nil if it is absent or unreadable.
func (m *Module) attr(sh pkcs11.SessionHandle, h pkcs11.ObjectHandle, typ uint) []byte {
	a, err := m.ctx.GetAttributeValue(sh, h, []*pkcs11.Attribute{pkcs11.NewAttribute(typ, nil)})
	if err != nil || len(a) == 0 {
		return nil
	}
	return a[0].Value
}

// bytesToUint decodes a CK_ULONG attribute value (host byte order, 4 or 8 bytes).
func bytesToUint(b []byte) uint {
	switch len(b) {
	case 8:
		return uint(binary.NativeEndian.Uint64(b))
	case 4:
		return uint(binary.NativeEndian.Uint32(b))
	}
	return ^uint(0)
}

func className(c uint) string {
	switch c {
	case pkcs11.CKO_DATA:
		return "data"
	case pkcs11.CKO_CERTIFICATE:
		return "certificate"
	case pkcs11.CKO_PUBLIC_KEY:
		return "public key"
	case pkcs11.CKO_PRIVATE_KEY:
		return "private key"
	case pkcs11.CKO_SECRET_KEY:
		return "secret key"
	case pkcs11.CKO_HW_FEATURE:
		return "hardware feature"
	case pkcs11.CKO_DOMAIN_PARAMETERS:
		return "domain parameters"
	case pkcs11.CKO_MECHANISM:
		return "mechanism"
	default:
		return fmt.Sprintf("class 0x%X", c)
	}
}
