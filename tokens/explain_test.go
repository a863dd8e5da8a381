package tokens

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/miekg/pkcs11"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
)

// Every sentence Explain can give exists in the wizard's catalogues and in
// the CLI's, in every language: a key missing in one would show raw.
func TestExplainKeysInBothCatalogues(t *testing.T) {
	errs := []error{
		ErrPINMismatch, ErrPINTooShort, ErrPINTooLong, ErrFactoryPIN, ErrConfirmationRequired,
		ErrBadLabel, fmt.Errorf("%w: 8192", ErrKeySize), ErrAmbiguousToken, ErrTokenGone, ErrNoToken,
		ErrModuleLoad, errors.New("something else"),
		&FactoryPINError{User: true}, &FactoryPINError{SO: true}, &FactoryPINError{SO: true, NewToken: true},
		&FactoryPINError{User: true, SO: true},
		&PINNotTriedError{Who: "user", Max: 255, TooLong: true}, &PINNotTriedError{Who: "so", Untypable: true},
	}
	for _, code := range []uint{pkcs11.CKR_PIN_INCORRECT, pkcs11.CKR_PIN_LOCKED, pkcs11.CKR_PIN_INVALID, pkcs11.CKR_PIN_EXPIRED, pkcs11.CKR_GENERAL_ERROR} {
		for _, who := range []string{"user", "so"} {
			errs = append(errs, &PINError{Who: who, Code: code}, &PINError{Who: who, Code: code, FinalTry: true},
				&PINError{Who: who, Code: code, CountLow: true}, &PINError{Who: who, Code: code, Locked: true})
		}
	}
	want := map[string]bool{}
	for _, err := range errs {
		for _, m := range Explain(err, 6) {
			want[m.Key] = true
			for _, v := range m.Data {
				if r, ok := v.(Ref); ok {
					want[string(r)] = true
				}
			}
		}
	}
	for _, file := range []string{"translations/%s.json", "translations/report/%s.json"} {
		for _, lang := range []string{"en", "ru", "ky"} {
			name := fmt.Sprintf(file, lang)
			data, err := assets.FS.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			var cat map[string]string
			if err := json.Unmarshal(data, &cat); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for k := range want {
				if cat[k] == "" {
					t.Errorf("%s lacks %s", name, k)
				}
			}
		}
	}
}

// A wrong PIN says what was refused, the tries state and that nothing is
// retried; a locked PIN says how to unlock instead, and never "try again".
func TestExplainPIN(t *testing.T) {
	keys := func(err error) []string {
		var out []string
		for _, m := range Explain(err, 0) {
			out = append(out, m.Key)
		}
		return out
	}
	cases := []struct {
		err  error
		want []string
	}{
		{&PINError{Who: "user", Code: pkcs11.CKR_PIN_INCORRECT, FinalTry: true}, []string{"token.pinerr.wrong", "token.pinerr.final_try", "token.pinerr.no_retry"}},
		{&PINError{Who: "user", Code: pkcs11.CKR_PIN_INCORRECT, Locked: true}, []string{"token.pinerr.wrong", "token.pinerr.user_locked"}},
		{&PINError{Who: "so", Code: pkcs11.CKR_PIN_LOCKED}, []string{"token.pinerr.locked", "token.pinerr.so_locked"}},
		{fmt.Errorf("keygen: %w", &PINError{Who: "user", Code: pkcs11.CKR_PIN_INCORRECT}), []string{"token.pinerr.wrong", "token.pinerr.tries_ok", "token.pinerr.no_retry"}},
	}
	for _, c := range cases {
		if got := keys(c.err); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%v: %v, want %v", c.err, got, c.want)
		}
	}
	if m := Explain(ErrPINTooShort, 0); m[0].Data["Min"] != DefaultMinPINLen {
		t.Errorf("default minimum: %v", m[0].Data)
	}
	if m := Explain(&PINError{Who: "so", Code: pkcs11.CKR_PIN_INCORRECT}, 0); m[0].Data["Who"] != Ref("token.pin.so") {
		t.Errorf("SO PIN named %v", m[0].Data["Who"])
	}
}
