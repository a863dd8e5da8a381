package tokens

import (
	"errors"

	"github.com/miekg/pkcs11"
)

// Msg is one sentence of an error as the user reads it: a translation key
// of the token.* family and its template data. The wizard and the CLI
// keep the same keys in their catalogs, so both say the same thing; this
// package only decides which sentences an error needs.
type Msg struct {
	Key  string
	Data map[string]any
}

// Ref is a Data value that is itself a translation key: the front end
// translates it before filling the template ("Wrong {{.Who}}.").
type Ref string

// Explain turns a token error into the sentences that tell the user what
// happened and what to do. minPINLen is the profile's minimum for new PINs
// (<= 0: DefaultMinPINLen). An error it does not know gives token.err.other
// with the error's text as Detail: callers sanitise and bound that text.
func Explain(err error, minPINLen int) []Msg {
	if minPINLen <= 0 {
		minPINLen = DefaultMinPINLen
	}
	var pe *PINError
	var fe *FactoryPINError
	var nt *PINNotTriedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &nt):
		who := Ref("token.pin.user")
		if nt.Who == "so" {
			who = Ref("token.pin.so")
		}
		if nt.TooLong {
			return one("token.pinerr.not_tried_long", map[string]any{"Who": who, "Max": nt.Max})
		}
		return one("token.pinerr.not_tried_untypable", map[string]any{"Who": who})
	case errors.As(err, &pe):
		return explainPIN(pe)
	case errors.As(err, &fe):
		return explainFactory(fe)
	case errors.Is(err, ErrPINMismatch):
		return one("token.err.pin_mismatch", nil)
	case errors.Is(err, ErrPINTooShort):
		return one("token.err.pin_short", map[string]any{"Min": minPINLen})
	case errors.Is(err, ErrPINTooLong):
		return one("token.err.pin_long", nil)
	case errors.Is(err, ErrFactoryPIN):
		return one("token.err.pin_factory", nil)
	case errors.Is(err, ErrConfirmationRequired):
		return one("token.err.not_confirmed", nil)
	case errors.Is(err, ErrBadLabel):
		return one("token.err.label", nil)
	case errors.Is(err, ErrKeySize):
		return one("token.err.key_size", map[string]any{"Detail": err.Error()})
	case errors.Is(err, ErrAmbiguousToken):
		return one("token.err.ambiguous", map[string]any{"Detail": err.Error()})
	case errors.Is(err, ErrTokenGone), errors.Is(err, ErrNoToken):
		return one("token.err.gone", nil)
	case errors.Is(err, ErrModuleLoad):
		return []Msg{{Key: "token.err.module"}, {Key: "token.err.module.todo"}}
	}
	return one("token.err.other", map[string]any{"Detail": err.Error()})
}

func one(key string, data map[string]any) []Msg { return []Msg{{Key: key, Data: data}} }

// explainPIN says what the token refused, the state of its try counter and,
// unless the PIN is locked, that nothing is retried automatically.
func explainPIN(pe *PINError) []Msg {
	who := map[string]any{"Who": Ref("token.pin.user")}
	if pe.Who == "so" {
		who["Who"] = Ref("token.pin.so")
	}
	var out []Msg
	switch pe.Code {
	case pkcs11.CKR_PIN_INCORRECT:
		out = append(out, Msg{"token.pinerr.wrong", who})
	case pkcs11.CKR_PIN_LOCKED:
		out = append(out, Msg{"token.pinerr.locked", who})
	case pkcs11.CKR_PIN_LEN_RANGE, pkcs11.CKR_PIN_INVALID:
		out = append(out, Msg{"token.pinerr.invalid", who})
	case pkcs11.CKR_PIN_EXPIRED:
		out = append(out, Msg{"token.pinerr.expired", who})
	default:
		out = append(out, Msg{"token.pinerr.refused", who})
	}
	locked := pe.Locked || pe.Code == pkcs11.CKR_PIN_LOCKED
	switch {
	case locked && pe.Who == "so":
		out = append(out, Msg{Key: "token.pinerr.so_locked"})
	case locked:
		out = append(out, Msg{Key: "token.pinerr.user_locked"})
	case pe.FinalTry:
		out = append(out, Msg{Key: "token.pinerr.final_try"})
	case pe.CountLow:
		out = append(out, Msg{Key: "token.pinerr.count_low"})
	default:
		out = append(out, Msg{Key: "token.pinerr.tries_ok"})
	}
	if !locked {
		out = append(out, Msg{Key: "token.pinerr.no_retry"})
	}
	return out
}

// explainFactory says which PINs are still the factory ones; the front
// end adds how to change them (a dialog, or the CLI command).
func explainFactory(fe *FactoryPINError) []Msg {
	switch {
	case fe.User && fe.SO:
		return one("token.err.factory_both", nil)
	case fe.SO && fe.NewToken:
		return one("token.err.factory_so_new", nil)
	case fe.SO:
		return one("token.err.factory_so", nil)
	}
	return one("token.err.factory_user", nil)
}
