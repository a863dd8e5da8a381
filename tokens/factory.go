package tokens

import (
	"errors"
	"strings"

	"github.com/miekg/pkcs11"
)

// FactoryPINError means a token still has a factory PIN (or a PIN the
// token itself says must be changed): no key is made on it until the PIN
// is changed, because every Rutoken leaves the factory with the same
// PINs and anyone who read its leaflet could use the key. It never holds
// a PIN.
type FactoryPINError struct {
	User, SO bool // which PIN must change first
	// NewToken: the token was never initialised, so the SO PIN given
	// would become its SO PIN; the person chooses another, there is
	// nothing to change yet.
	NewToken bool
}

// Error names the PINs to change, for the logs.
func (e *FactoryPINError) Error() string {
	var which []string
	if e.User {
		which = append(which, "user PIN")
	}
	if e.SO {
		which = append(which, "SO PIN")
	}
	return "the token's " + strings.Join(which, " and ") + " is still a factory PIN: change it before a key is made"
}

// IsFactoryPIN reports whether pin is one of factory (nil: FactoryPINs).
func IsFactoryPIN(pin string, factory []string) bool {
	if factory == nil {
		factory = FactoryPINs
	}
	for _, f := range factory {
		if pin == f {
			return true
		}
	}
	return false
}

// CheckFactoryPINs is the check before a key is made on tok: userPIN and
// soPIN are the PINs the person gave ("" for one not asked) and factory
// the profile's list (nil: FactoryPINs). A PIN the token flags as "to be
// changed" counts as a factory PIN too. It gives a *FactoryPINError or nil.
//
// Only PINs a person typed are compared here; ProbeFactorySOPIN asks the
// token itself whether its SO PIN is still the factory one.
func CheckFactoryPINs(tok TokenInfo, userPIN, soPIN string, factory []string) error {
	e := &FactoryPINError{NewToken: !tok.Initialized}
	e.User = userPIN != "" && IsFactoryPIN(userPIN, factory)
	e.SO = soPIN != "" && IsFactoryPIN(soPIN, factory)
	if tok.Initialized { // the flags mean nothing before the first format
		e.User = e.User || tok.UserPINToBeChanged
		e.SO = e.SO || tok.SOPINToBeChanged
	}
	if !e.User && !e.SO {
		return nil
	}
	return e
}

// FactorySOPIN is the SO (administrator) PIN every Rutoken leaves the
// factory with (Aktiv's documentation; the profile's factory_pins hold it).
const FactorySOPIN = "87654321"

// SOProbe is what ProbeFactorySOPIN found.
type SOProbe int

// What a probe of the SO PIN found.
const (
	// SONotTried: the probe was not made (the token not initialised, or
	// its flags say a try now could cost: a failed SO login since the
	// last good one, the final try, locked; or an SO session already open).
	SONotTried SOProbe = iota
	SOFactory          // the factory SO PIN logged in: it must change
	SOOwn              // the factory SO PIN was refused: the PIN is the owner's own
)

// ProbeFactorySOPIN logs in as SO with factory (the Rutoken default) and
// out again, changing nothing: it finds a factory SO PIN before a key is
// made, when the person typed none. A refused try counts against the SO
// PIN's retry counter, so it is made only while the token's flags show no
// failed SO login since the last good one (CKF_SO_PIN_COUNT_LOW,
// CKF_SO_PIN_FINAL_TRY, CKF_SO_PIN_LOCKED clear): the flag a refused probe
// sets keeps later probes from trying again until the owner next logs in
// as SO, so probing costs at most one try between the owner's own logins
// and never the last one.
func (m *Module) ProbeFactorySOPIN(tok TokenInfo, factory string) (SOProbe, error) {
	if factory == "" {
		return SONotTried, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	slot, err := m.slotLocked(tok)
	if err != nil {
		return SONotTried, err
	}
	ti, err := m.tokenInfoLocked(slot)
	if err != nil {
		return SONotTried, err
	}
	if !ti.Initialized || ti.SOPINCountLow || ti.SOPINFinalTry || ti.SOPINLocked || m.logins[slot] > 0 {
		return SONotTried, nil
	}
	// An SO login needs a read/write session (CKR_SESSION_READ_ONLY otherwise).
	sh, err := m.session(slot, true)
	if err != nil {
		return SONotTried, err
	}
	defer m.ctx.CloseSession(sh)
	err = m.login(sh, slot, pkcs11.CKU_SO, factory)
	var pe *PINError
	switch {
	case err == nil:
		m.logout(sh, slot)
		return SOFactory, nil
	case errors.As(err, &pe) && pe.Code == pkcs11.CKR_PIN_INCORRECT:
		return SOOwn, nil
	case errors.As(err, &pe):
		return SONotTried, nil // locked meanwhile, or a PIN this token cannot have
	case isCode(err, pkcs11.CKR_USER_ANOTHER_ALREADY_LOGGED_IN), isCode(err, pkcs11.CKR_SESSION_READ_ONLY_EXISTS):
		return SONotTried, nil // another program has the token open as user
	}
	return SONotTried, err
}

func (p SOProbe) String() string {
	switch p {
	case SOFactory:
		return "factory"
	case SOOwn:
		return "own"
	}
	return "not tried"
}
