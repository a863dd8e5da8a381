package checks

import (
	_ "embed"
	"html/template"
	"io"
	"time"
)

//go:embed report.html.tmpl
var reportHTML string

// WriteHTML writes a self-contained, printable HTML page (no external
// files, scripts or fonts) to attach to the application to the operator.
func (r *Report) WriteHTML(w io.Writer, lang string) error {
	t, err := template.New("report").Funcs(template.FuncMap{
		"t":        func(key string) string { return T(lang, key, nil) },
		"in":       func(x Text) string { return x.In(lang) },
		"status":   func(s Status) string { return T(lang, "status."+string(s), nil) },
		"fixlabel": func(s Status) string { return T(lang, fixLabel(s), nil) },
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
		"Verdict": T(lang, r.Summary.Verdict(), nil),
		"Failed":  r.Summary.Fail > 0,
	})
}
