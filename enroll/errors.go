package enroll

import "errors"

// Error is an error a user must read: Key is a translation key
// ("enroll.err.*") for i18n.T, Data its template values. Data never
// holds a secret.
type Error struct {
	Key  string
	Data map[string]any
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Key + ": " + e.Err.Error()
	}
	return e.Key
}

func (e *Error) Unwrap() error { return e.Err }

// Explain maps any error to a translation key and its data: an *Error
// gives its own, anything else "enroll.err.other" with the error's text.
// The GUI shows it with i18n.T(lang, key, data).
func Explain(err error) (key string, data map[string]any) {
	var e *Error
	if errors.As(err, &e) {
		return e.Key, e.Data
	}
	if err == nil {
		return "", nil
	}
	return "enroll.err.other", map[string]any{"Error": err.Error()}
}
