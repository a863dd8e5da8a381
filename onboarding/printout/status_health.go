package printout

// The status report's Health section: the last health check the wizard
// made of the server (onboarding.Health): when, its verdict, and each
// finding worst first with its title and what to do, in the report's
// language, as the Health step showed them.

import (
	"slices"

	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
)

// healthOrder is the order findings are listed in, as the Health step
// lists them: known broken, not looked at, needing attention, in order.
var healthOrder = []string{onboarding.HealthCritical, onboarding.HealthUnknown, onboarding.HealthWarning, onboarding.HealthOK}

// health is the section's blocks; none before a check.
func (s statusFacts) health() []Block {
	h := s.rec.Health
	if h == nil {
		return nil
	}
	verdict := "print.health." + healthStatus(h.Status)
	if h.Unreached {
		verdict = "print.health.unreached"
	}
	blocks := []Block{{Kind: Heading, Text: s.t("print.status.health")}, {Kind: Fields, Rows: [][]string{
		{s.t("print.field.health_checked"), date(h.At, s.lang)},
		{s.t("print.field.health_verdict"), s.t(verdict)},
	}}}
	var rows [][]string
	for _, st := range healthOrder {
		for _, f := range h.Findings {
			if healthStatus(f.Status) != st {
				continue
			}
			title, fix := value(f.ID, onboarding.MaxHealthID), ""
			if f.Title != nil {
				title = value(f.Title.In(s.lang), onboarding.MaxHealthTitle)
			}
			if f.Fix != nil {
				fix = value(f.Fix.In(s.lang), onboarding.MaxHealthFix)
			}
			rows = append(rows, []string{s.t("print.health.status." + st), title, fix})
		}
	}
	if len(rows) > 0 {
		blocks = append(blocks, Block{Kind: Table, Rows: rows, Widths: []float64{0.17, 0.38, 0.45},
			Header: []string{s.t("print.col.state"), s.t("print.col.finding"), s.t("print.col.fix")}})
	}
	return blocks
}

// healthStatus is st when it is a status of a check, else unknown (a
// record written by hand or by a later version).
func healthStatus(st string) string {
	if slices.Contains(healthOrder, st) {
		return st
	}
	return onboarding.HealthUnknown
}
