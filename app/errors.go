package app

import (
	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
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
	kind, data := checks.Why(err)
	e := Explanation{What: "err." + kind, Todo: "err." + kind + ".todo", Detail: i18n.Line(err.Error(), 600), Data: data}
	if kind == string(remote.KindHostKeyRevoked) {
		e.Todo = "err.hostkey_changed.todo" // the same way out
	}
	return e
}
