package configure

import (
	"fmt"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// Error is a failure the user must read: Key is a translation key
// (configure.err.*) of assets/translations/report, Data its template
// data. Err, when set, is the cause (never holding a secret).
type Error struct {
	Key  string
	Data map[string]any
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s %v: %v", e.Key, e.Data, e.Err)
	}
	return fmt.Sprintf("%s %v", e.Key, e.Data)
}

func (e *Error) Unwrap() error { return e.Err }

// Explain maps any error of the flow to a translation key and its data.
// The data's strings are often the admin API's or the host's (an error
// code, metadata, a connection error): each is one clean line
// (i18n.Line), so no front end shows a control or escape sequence.
func Explain(err error) (key string, data map[string]any) {
	key, raw := explain(err)
	if raw == nil {
		return key, nil
	}
	data = make(map[string]any, len(raw))
	for k, v := range raw {
		if s, ok := v.(string); ok {
			v = i18n.Line(s, i18n.MaxLine)
		}
		data[k] = v
	}
	return key, data
}
