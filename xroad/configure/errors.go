package configure

import "github.com/tunduk-onboard/tunduk-onboard/i18n"

// Error is a failure the user must read: Key is a translation key
// (configure.err.*) of assets/translations/report, Data its template
// data. Err, when set, is the cause (never holding a secret). Its text
// for the logs carries the data.
type Error = i18n.KeyError[room]

// room sets this flow's errors apart from the other flows' (i18n.Room).
type room struct{}

func (room) LogsData() bool { return true }

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
