package tokens

import "strings"

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
// Only PINs a person typed are compared: a token's SO PIN is never tried
// with a factory value, as a wrong try would count against its retry
// counter (and lock it after a few runs).
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
