package renew

import (
	"errors"
	"fmt"

	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// Error is a failure the user must read: a configure.Error whose Key is
// one of the renewal's (configure.renew.err.*), so configure explains it
// with the rest of the flow's.
type Error = configure.Error

// StepError is a step a run could not do; Err says why.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return fmt.Sprintf("renew %s: %v", e.Step, e.Err) }

func (e *StepError) Unwrap() error { return e.Err }

// Explain maps an error of a renewal to a translation key and its data
// as configure explains its flow's (the renewal's own keys, the admin
// API's answers, the tunnel, the PINs), each string one clean line; step
// is the step it stopped at ("" when none).
func Explain(err error) (key string, data map[string]any, step string) {
	var se *StepError
	if errors.As(err, &se) {
		step = se.Step
	}
	key, data = configure.Explain(err)
	return key, data, step
}
