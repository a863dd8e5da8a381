package app

import (
	"strings"
	"unicode"

	"github.com/tunduk-onboard/tunduk-onboard/installer/ssh"
)

// Explanation is an error told to a person: what happened and what to do,
// both translation keys, plus the cleaned-up technical detail.
type Explanation struct {
	What, Todo string
	Data       map[string]any // template data for What and Todo
	Detail     string
}

// explain turns a connection or check error into a message the agency's IT
// staff can act on.
func explain(err error) Explanation {
	kind, data := ssh.Classify(err)
	for k, v := range data {
		if str, ok := v.(string); ok {
			data[k] = clean(str, 300)
		}
	}
	e := Explanation{What: "err." + string(kind), Todo: "err." + string(kind) + ".todo", Detail: clean(err.Error(), 600), Data: data}
	if kind == ssh.KindHostKeyRevoked {
		e.Todo = "err.hostkey_changed.todo" // the same way out
	}
	return e
}

// clean strips control characters (the remote host is not trusted) and
// bounds the length of text shown to the user.
func clean(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
