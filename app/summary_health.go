package app

// The Summary's line of the Health step, from the onboarding record: the
// last check's verdict and when it was made; a check suggested once the
// server is initialised and was never looked at.

import "github.com/tunduk-onboard/tunduk-onboard/onboarding"

func summaryHealth(f summaryFacts) []summaryLine {
	h := f.ob.Health
	switch {
	case h == nil && f.ob.Init.Done():
		return []summaryLine{{sectionNext, lineNext, T("summary.health_todo")}}
	case h == nil:
		return nil
	}
	data := map[string]any{"Date": when(h.At), "Count": h.Count(h.Status)}
	switch h.Status {
	case onboarding.HealthOK:
		return []summaryLine{{sectionDone, lineDone, T("summary.health_ok", data)}}
	case onboarding.HealthWarning:
		return []summaryLine{{sectionNext, lineTodo, T("summary.health_warning", data)}}
	case onboarding.HealthCritical:
		return []summaryLine{{sectionNext, lineTodo, T("summary.health_critical", data)}}
	}
	return []summaryLine{{sectionNext, lineTodo, T("summary.health_unknown", data)}}
}
