package enroll

import (
	"errors"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// Error is an error a user must read: Key is a translation key
// ("enroll.err.*") for i18n.T, Data its template values. Data never
// holds a secret. Its text for the logs is the key and the cause only,
// as it always was (the outbox keeps that text as an item's last error).
type Error = i18n.KeyError[room]

// room sets this flow's errors apart from the other flows' (i18n.Room).
type room struct{}

func (room) LogsData() bool { return false }

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
