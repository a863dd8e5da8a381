package checks

import (
	"errors"
	"strconv"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// Why a check could not be made, beyond the connection's own kinds
// (remote.Kind): each front end tells it under its own key prefix (the
// CLI's cli.err.<kind>, the wizard's err.<kind>).
const (
	WhyStalled     = "stalled"      // the host accepted the login, then did not answer in time
	WhyOutputLimit = "output_limit" // the host sent more than the check reads
	WhyUnusable    = "probe_output" // the answer decided nothing
)

// Why names why err stopped a check, with the values its message needs,
// cleaned (i18n.Line): a stall with its Seconds, a flood with its MiB,
// an unusable answer, else the kind of connection error
// (remote.Classify).
func Why(err error) (string, map[string]any) {
	var stalled *remote.StalledError
	var limit *remote.OutputLimitError
	switch {
	case errors.As(err, &stalled):
		return WhyStalled, map[string]any{"Seconds": int(stalled.After.Round(time.Second).Seconds())}
	case errors.As(err, &limit):
		return WhyOutputLimit, map[string]any{"MiB": strconv.FormatFloat(float64(limit.Limit)/(1<<20), 'f', -1, 64)}
	case errors.Is(err, ErrProbeOutput):
		return WhyUnusable, map[string]any{}
	}
	kind, data := remote.Classify(err)
	for k, v := range data {
		if s, ok := v.(string); ok {
			data[k] = i18n.Line(s, i18n.MaxLine)
		}
	}
	return string(kind), data
}
