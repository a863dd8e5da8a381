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
// anything else (flag and file problems, already worded for the user) as
// it is.
func tokenErrText(lang string, err error, minPINLen int) string {
	msgs := tokens.Explain(err, minPINLen)
	if len(msgs) == 1 && msgs[0].Key == "token.err.other" {
		return err.Error()
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
