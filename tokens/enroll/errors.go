package enroll

// Error is an error a user must read: Key is a translation key
// ("enroll.err.*") for checks.T, Data its template values. Data never
// holds a secret.
type Error struct {
	Key  string
	Data map[string]any
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Key + ": " + e.Err.Error()
	}
	return e.Key
}

func (e *Error) Unwrap() error { return e.Err }
