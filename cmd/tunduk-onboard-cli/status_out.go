package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// StatusSchema is the JSON document of status: the reports of every
// server looked at, in the order they were named.
const StatusSchema = "tunduk-onboard.status/v1"

type statusOut struct {
	o      *statusOpts
	stdout io.Writer
	alerts *alertsOut // nil: no alert channel was named
}

func newStatusOut(o *statusOpts, stdout io.Writer) *statusOut {
	return &statusOut{o: o, stdout: stdout}
}

// progress: in text mode, a line on standard error as each server is
// done, so a long run over a fleet shows it moves.
func (w *statusOut) progress(r health.Report) {
	if w.o.format == "text" && w.o.verbose {
		fmt.Fprintln(w.o.stderr, i18n.T(w.o.lang, "cli.status.progress", map[string]any{"Host": i18n.Line(r.Host, 100), "Status": w.word(r.Worst())}))
	}
}

// done prints the table, the details and what the alerts did (or the
// JSON) and returns the exit code of the worst server; when every server
// is ok but an alert could not be sent, 1 (see status_alert.go).
func (w *statusOut) done(reports []health.Report) error {
	worst := health.OK
	for _, r := range reports {
		if health.Worse(r.Worst(), worst) {
			worst = r.Worst()
		}
	}
	if w.o.format == "json" {
		doc := map[string]any{"schema": StatusSchema, "worst": worst, "reports": reports}
		if w.alerts != nil {
			doc["alerts"] = w.alerts
		}
		enc := json.NewEncoder(w.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return cannot(w.o.lang, err)
		}
	} else {
		w.table(reports)
		w.details(reports)
		if w.alerts != nil {
			w.alerts.text(w.stdout, w.o.lang)
		}
	}
	code := health.ExitCode(worst)
	if w.alerts != nil && w.alerts.failed && code == health.ExitCode(health.OK) {
		code = health.ExitCode(health.Warning)
	}
	return reported(code)
}

func (w *statusOut) word(s health.Status) string {
	return i18n.T(w.o.lang, "cli.status.word."+string(s), nil)
}

// counts are a report's findings by status.
func counts(r health.Report) map[health.Status]int {
	m := map[health.Status]int{}
	for _, f := range r.Findings {
		m[f.Status]++
	}
	return m
}

// worstFinding is the first finding of the report's worst status.
func worstFinding(r health.Report) (health.Finding, bool) {
	w := r.Worst()
	for _, f := range r.Findings {
		if f.Status == w && w != health.OK {
			return f, true
		}
	}
	return health.Finding{}, false
}

// table: one line per server: host, server id, worst status, counts,
// the worst finding's title (or why it could not be looked at).
func (w *statusOut) table(reports []health.Report) {
	lang := w.o.lang
	tw := tabwriter.NewWriter(w.stdout, 0, 0, 2, ' ', 0)
	h := func(k string) string { return i18n.T(lang, "cli.status.col."+k, nil) }
	fmt.Fprintln(tw, strings.Join([]string{h("host"), h("server"), h("status"), h("ok"), h("warning"), h("critical"), h("unknown"), h("worst")}, "\t"))
	for _, r := range reports {
		c := counts(r)
		what := ""
		if r.Err != "" {
			what = i18n.Line(r.Err, 80)
		} else if f, ok := worstFinding(r); ok {
			what = i18n.Line(f.Title.In(lang), 80)
		}
		id := r.ServerID
		if id == "" {
			id = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", i18n.Line(r.Host, 60), i18n.Line(id, 80), w.word(r.Worst()),
			c[health.OK], c[health.Warning], c[health.Critical], c[health.Unknown], what)
	}
	tw.Flush()
}

// details: per server, every finding not OK, worst first, with what was
// seen, why it matters and what to do.
func (w *statusOut) details(reports []health.Report) {
	lang := w.o.lang
	for _, r := range reports {
		var bad []health.Finding
		for _, s := range []health.Status{health.Critical, health.Unknown, health.Warning} {
			for _, f := range r.Findings {
				if f.Status == s {
					bad = append(bad, f)
				}
			}
		}
		if len(bad) == 0 && r.Err == "" {
			continue
		}
		fmt.Fprintf(w.stdout, "\n%s\n", i18n.T(lang, "cli.status.details", map[string]any{"Host": i18n.Line(r.Host, 100)}))
		if r.Err != "" {
			fmt.Fprintf(w.stdout, "  [%s] %s\n", w.word(health.Unknown), i18n.Line(r.Err, i18n.MaxLine))
		}
		for _, f := range bad {
			fmt.Fprintf(w.stdout, "  [%s] %s: %s\n", w.word(f.Status), i18n.Line(f.Title.In(lang), 200), i18n.Line(f.Observed.In(lang), i18n.MaxLine))
			if s := f.Why.In(lang); s != "" {
				fmt.Fprintf(w.stdout, "      %s %s\n", i18n.T(lang, "cli.status.why", nil), i18n.Line(s, i18n.MaxLine))
			}
			if s := f.Fix.In(lang); s != "" {
				fmt.Fprintf(w.stdout, "      %s %s\n", i18n.T(lang, "cli.status.fix", nil), i18n.Line(s, i18n.MaxLine))
			}
			if strings.HasSuffix(f.ID, ".expiry") && f.Status != health.Unknown {
				// The finding's fix is shared with the wizard and names no
				// command: the CLI's is added here.
				fmt.Fprintf(w.stdout, "      %s\n", i18n.T(lang, "cli.status.renew", nil))
			}
		}
	}
}
