package checks

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// WriteJSON writes the report in the tunduk-onboard.readiness/v1 schema.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Verdict is the one-line conclusion, as a catalogue key.
func (s Summary) Verdict() string {
	switch {
	case s.Fail > 0:
		return "report.verdict_fail"
	case s.Unknown > 0:
		return "report.verdict_unknown"
	case s.Warn > 0:
		return "report.verdict_warn"
	}
	return "report.verdict_ready"
}

// Counts renders the summary in lang.
func (s Summary) Counts(lang string) string {
	return i18n.T(lang, "cli.counts", map[string]any{"Pass": s.Pass, "Warn": s.Warn, "Fail": s.Fail, "Unknown": s.Unknown})
}

// TargetName is how a report names its machine to a reader.
func (r *Report) TargetName(lang string) string {
	if r.Target.Local {
		name := i18n.T(lang, "report.this_machine", nil)
		if r.Facts != nil && r.Facts.Hostname != "" {
			name = r.Facts.Hostname + " (" + name + ")"
		}
		return name
	}
	return r.Target.Host
}

// ANSI colours per status, used only when writing to a terminal.
var statusColour = map[Status]string{Pass: "32", Warn: "33", Fail: "31", Unknown: "90", Info: "36"}

// Mark is the short word a text report puts in brackets before a result,
// in lang (report.mark.*: PASS, FAIL... in English). The JSON report
// keeps the status itself (pass, fail...), the same in every language.
func Mark(lang string, st Status) string {
	return i18n.T(lang, "report.mark."+string(st), nil)
}

// marks are the marks of lang padded to one width (the widest of the
// language), so the titles after them line up.
func marks(lang string) map[Status]string {
	all := []Status{Pass, Warn, Fail, Unknown, Info}
	width := 0
	for _, st := range all {
		width = max(width, utf8.RuneCountInString(Mark(lang, st)))
	}
	out := map[Status]string{}
	for _, st := range all {
		m := Mark(lang, st)
		pad := width - utf8.RuneCountInString(m)
		// Centred, as " ?? " sits between PASS and FAIL.
		out[st] = strings.Repeat(" ", pad/2) + m + strings.Repeat(" ", pad-pad/2)
	}
	return out
}

// WriteText writes a report for a person reading a terminal or a log.
func (r *Report) WriteText(w io.Writer, lang string, colour bool) error {
	paint := func(st Status, s string) string {
		if !colour {
			return s
		}
		return "\x1b[" + statusColour[st] + "m" + s + "\x1b[0m"
	}
	var b strings.Builder
	mark := marks(lang)
	fmt.Fprintf(&b, "%s: %s\n", i18n.T(lang, "report.title", nil), r.TargetName(lang))
	fmt.Fprintf(&b, "%s: %s %s, %s: %s\n\n", i18n.T(lang, "report.profile", nil), r.Profile.Name, r.Profile.Version,
		i18n.T(lang, "report.checked_at", nil), r.CheckedAt.Format("2006-01-02 15:04:05 UTC"))
	for _, res := range r.Results {
		fmt.Fprintf(&b, "[%s] %s: %s\n", paint(res.Status, mark[res.Status]), res.Title.In(lang), res.Observed.In(lang))
		if res.Status == Pass || res.Status == Info && res.Fix.EN == "" {
			continue
		}
		fmt.Fprintf(&b, "       %s: %s\n", i18n.T(lang, "report.required", nil), res.Required.In(lang))
		if res.Status != Info {
			fmt.Fprintf(&b, "       %s: %s\n", i18n.T(lang, "report.why", nil), res.Why.In(lang))
		}
		if fix := res.Fix.In(lang); fix != "" {
			fmt.Fprintf(&b, "       %s: %s\n", i18n.T(lang, fixLabel(res.Status), nil), fix)
		}
	}
	fmt.Fprintf(&b, "\n%s: %s\n%s\n", i18n.T(lang, "report.summary", nil), r.Summary.Counts(lang), i18n.T(lang, r.Summary.Verdict(), nil))
	_, err := io.WriteString(w, b.String())
	return err
}

// fixLabel heads the fix column: for an unknown result it says why.
func fixLabel(st Status) string {
	if st == Unknown {
		return "report.why_unknown"
	}
	return "report.fix"
}
