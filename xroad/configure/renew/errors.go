package renew

import (
	"errors"
	"fmt"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// Error is a failure the user must read: Key is a translation key
// (configure.renew.err.*) of assets/translations/report, Data its
// template data; Err the cause, never holding a secret.
type Error = i18n.KeyError[room]

// room sets the renewal's errors apart from the other flows' (i18n.Room).
type room struct{}

func (room) LogsData() bool { return true }

// StepError is a step a run could not do; Err says why.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return fmt.Sprintf("renew %s: %v", e.Step, e.Err) }

func (e *StepError) Unwrap() error { return e.Err }

// Explain maps an error of a renewal to a translation key and its data:
// the renewal's own (configure.renew.err.*), else as configure explains
// it (the admin API's answers, the tunnel, the PINs), each string one
// clean line. Step is the step it stopped at ("" when none).
func Explain(err error) (key string, data map[string]any, step string) {
	var se *StepError
	if errors.As(err, &se) {
		step = se.Step
	}
	var re *Error
	if errors.As(err, &re) {
		data = map[string]any{}
		for k, v := range re.Data {
			if s, ok := v.(string); ok {
				v = i18n.Line(s, i18n.MaxLine)
			}
			data[k] = v
		}
		return re.Key, data, step
	}
	key, data = configure.Explain(err)
	return key, data, step
}
