package configure

import "fmt"

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
func Explain(err error) (key string, data map[string]any) { return explain(err) }
