package i18n

import "fmt"

// KeyError is a failure a person reads: Key is a translation key of the
// report catalogue (assets/translations/report), Data its template data,
// Err, when set, the cause; none of them holds a secret.
//
// A flow's Error is an alias of KeyError with a type of the flow's own as
// R: the flows' errors share one shape and one text, yet errors.As for one
// flow's *Error does not catch another's, so a front end that asks each
// flow to explain an error in turn gets the flow that made it.
type KeyError[R Room] struct {
	Key  string
	Data map[string]any
	Err  error
}

// Room is a flow's own type for its KeyErrors. LogsData says whether an
// error's English text (for the logs) carries its Data, as each flow's
// own Error type did before they shared this one.
type Room interface{ LogsData() bool }

func (e *KeyError[R]) Error() string {
	var room R
	s := e.Key
	if room.LogsData() {
		s = fmt.Sprintf("%s %v", e.Key, e.Data)
	}
	if e.Err != nil {
		return s + ": " + e.Err.Error()
	}
	return s
}

func (e *KeyError[R]) Unwrap() error { return e.Err }
