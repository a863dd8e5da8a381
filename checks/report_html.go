package checks

import (
	_ "embed"
	"html/template"
	"io"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

//go:embed report.html.tmpl
var reportHTML string

// WriteHTML writes a self-contained, printable HTML page (no external
// files, scripts or fonts) to attach to the application to the operator.
func (r *Report) WriteHTML(w io.Writer, lang string) error {
	t, err := template.New("report").Funcs(template.FuncMap{
		"t":        func(key string) string { return i18n.T(lang, key, nil) },
		"in":       func(x i18n.Text) string { return x.In(lang) },
		"status":   func(s Status) string { return i18n.T(lang, "status."+string(s), nil) },
		"fixlabel": func(s Status) string { return i18n.T(lang, fixLabel(s), nil) },
		"gib":      GiB,
		"gb":       GB,
		"when":     func(t time.Time) string { return t.Format("2006-01-02 15:04:05 UTC") },
	}).Parse(reportHTML)
	if err != nil {
		return err
	}
	return t.Execute(w, map[string]any{
		"R":       r,
		"Lang":    lang,
		"Target":  r.TargetName(lang),
		"Counts":  r.Summary.Counts(lang),
		"Verdict": i18n.T(lang, r.Summary.Verdict(), nil),
		"Failed":  r.Summary.Fail > 0,
	})
}
