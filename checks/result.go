package checks

import "github.com/tunduk-onboard/tunduk-onboard/i18n"

// Status is a rule's verdict.
type Status string

const (
	Pass    Status = "pass"
	Warn    Status = "warn"
	Fail    Status = "fail"
	Unknown Status = "unknown"
	Info    Status = "info" // shown, never counted against the server
)

// Result is one rule applied to one machine.
type Result struct {
	ID       string    `json:"id"`
	Status   Status    `json:"status"`
	Title    i18n.Text `json:"title"`
	Observed i18n.Text `json:"observed"`
	Required i18n.Text `json:"required"`
	Why      i18n.Text `json:"why"`
	Fix      i18n.Text `json:"fix"`
}
