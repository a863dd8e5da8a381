package onboarding

import (
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// StepHealth is the wizard's step that looks at the installed server's
// health once it is configured (after Connect, before Summary).
const StepHealth = "health"

// The limits of the Health section: a server has a few dozen findings;
// an ID is built from a URL or an address at most; a title is a line, a
// fix a few sentences.
const (
	MaxHealthFindings = 500
	MaxHealthID       = 300
	MaxHealthTitle    = 300
	MaxHealthFix      = 1000
)

// Health is the last health check the wizard made of the server: when,
// its verdict and each finding's ID and status (health.Status words: ok,
// warning, critical, unknown), with its title and what to do in the
// three languages, for the printed status report. Not what was seen or
// why: the check is made again for them, and a record stays small.
// Unreached is set when the server could not be looked at at all (then
// there are no findings).
type Health struct {
	At        time.Time       `json:"at"`
	Status    string          `json:"status"`
	Unreached bool            `json:"unreached,omitempty"`
	Findings  []HealthFinding `json:"findings,omitempty"`
}

// HealthFinding is one finding of a check: what was looked at, and its
// status then.
type HealthFinding struct {
	ID     string     `json:"id"`
	Status string     `json:"status"`
	Title  *i18n.Text `json:"title,omitempty"` // host text in it already made one line (i18n.Line)
	Fix    *i18n.Text `json:"fix,omitempty"`   // none when ok
}

// The statuses of a check, as health names them.
const (
	HealthOK       = "ok"
	HealthWarning  = "warning"
	HealthCritical = "critical"
	HealthUnknown  = "unknown"
)

// Count is how many findings have status st.
func (h *Health) Count(st string) int {
	if h == nil {
		return 0
	}
	n := 0
	for _, f := range h.Findings {
		if f.Status == st {
			n++
		}
	}
	return n
}

// healthState: done when the last check found the server ok; a warning
// needs attention; critical, or a server not looked at, failed.
func (r Record) healthState() State {
	switch h := r.Health; {
	case h == nil:
		return NotStarted
	case h.Status == HealthOK:
		return Done
	case h.Status == HealthWarning:
		return Attention
	}
	return Failed
}
