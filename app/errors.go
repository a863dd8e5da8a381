package app

import (
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
	kind, data := remote.Classify(err)
	for k, v := range data {
		if str, ok := v.(string); ok {
			data[k] = i18n.Line(str, 300)
		}
	}
	e := Explanation{What: "err." + string(kind), Todo: "err." + string(kind) + ".todo", Detail: i18n.Line(err.Error(), 600), Data: data}
	if kind == remote.KindHostKeyRevoked {
		e.Todo = "err.hostkey_changed.todo" // the same way out
	}
	return e
}
