//go:build cgo

package main

import (
	"errors"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// tokenErrText tells a token verb's failure in lang: the token's own
// errors through tokens.Explain (the same sentences the wizard shows),
// the CLI's own (flag and file problems) in their words, anything else as
// "the token operation failed" and its cleaned text.
func tokenErrText(lang string, err error, minPINLen int) string {
	var t teller
	if errors.As(err, &t) {
		return t.In(lang)
	}
	msgs := tokens.Explain(err, minPINLen)
	if len(msgs) == 1 && msgs[0].Key == "token.err.other" {
		return i18n.T(lang, "token.err.other", map[string]any{"Detail": i18n.Line(err.Error(), i18n.MaxLine)})
	}
	parts := make([]string, 0, len(msgs))
	for _, m := range msgs {
		data := map[string]any{}
		for k, v := range m.Data {
			if ref, ok := v.(tokens.Ref); ok {
				v = i18n.T(lang, string(ref), nil)
			}
			data[k] = v
		}
		parts = append(parts, i18n.T(lang, m.Key, data))
	}
	// A factory PIN: which command changes it (a token never initialised
	// has nothing to change: its sentence says to choose another SO PIN).
	var fe *tokens.FactoryPINError
	if errors.As(err, &fe) {
		if fe.User {
			parts = append(parts, i18n.T(lang, "cli.token.factory_todo.user", nil))
		}
		if fe.SO && !fe.NewToken {
			parts = append(parts, i18n.T(lang, "cli.token.factory_todo.so", nil))
		}
	}
	return strings.Join(parts, " ")
}

// thenErr is a token failure with what it left behind (cli.token.* key):
// told after the failure, or before it when first ("the token is
// initialised, but the key was not made: ...").
type thenErr struct {
	err   error
	key   string
	data  map[string]any
	first bool
}

func (e *thenErr) Error() string { return e.In("en") }
func (e *thenErr) Unwrap() error { return e.err }
func (e *thenErr) In(lang string) string {
	what, left := tokenErrText(lang, e.err, 0), i18n.T(lang, e.key, e.data)
	if e.first {
		return left + " " + what
	}
	return what + " " + left
}
