package health

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
)

// The metrics every report gives, whatever its findings.
const (
	MetricStatus        = "tunduk_onboard_status"
	MetricFindingStatus = "tunduk_onboard_finding_status"
	MetricLastCheck     = "tunduk_onboard_last_check_timestamp_seconds"
)

// maxLabelRunes bounds one label value: a host's text is not trusted
// to be short, and a textfile is read on every scrape.
const maxLabelRunes = 512

// metricSample is one sample of a family.
type metricSample struct {
	labels [][2]string
	value  float64
}

type metricFamily struct {
	name, help string
	samples    []metricSample
	seen       map[string]bool // label sets, so no sample repeats
}

// WriteMetrics writes reports in Prometheus' text exposition format
// (version 0.0.4), as node_exporter's textfile collector reads it: one
// family per metric name, its HELP and TYPE once, its samples together.
// Per report: tunduk_onboard_status (ExitCode of Worst: 0 ok, 1 warning,
// 2 critical, 3 unknown), tunduk_onboard_last_check_timestamp_seconds,
// and per finding tunduk_onboard_finding_status{id}; each finding with a
// Metric and a Value gives that gauge too. Labels: host, server_id, then
// the finding's own. Names and values from a host are made valid, never
// trusted: a sample that would repeat another (same name and labels) is
// left out, as a collector refuses the whole file otherwise.
//
// A Finding's Metric should be in base units, as `promtool check
// metrics` demands: tunduk_onboard_cert_expiry_seconds, not _days
// (measured: promtool 2.42 exits 3 on "_days").
func WriteMetrics(w io.Writer, reports []Report) error {
	var fams []*metricFamily
	byName := map[string]*metricFamily{}
	add := func(name, help string, labels [][2]string, v float64) {
		f := byName[name]
		if f == nil {
			f = &metricFamily{name: name, help: help, seen: map[string]bool{}}
			byName[name] = f
			fams = append(fams, f)
		}
		key := fmt.Sprint(labels)
		if f.seen[key] {
			return
		}
		f.seen[key] = true
		f.samples = append(f.samples, metricSample{labels, v})
	}
	for _, r := range reports {
		base := [][2]string{{"host", r.Host}, {"server_id", r.ServerID}}
		add(MetricStatus, "Worst status of the security server's health (0 ok, 1 warning, 2 critical, 3 unknown).",
			base, float64(ExitCode(r.Worst())))
		if !r.CheckedAt.IsZero() {
			add(MetricLastCheck, "When the health of the security server was last checked (Unix time).",
				base, float64(r.CheckedAt.UnixNano())/1e9)
		}
		for _, f := range r.Findings {
			add(MetricFindingStatus, "Status of one health finding (0 ok, 1 warning, 2 critical, 3 unknown).",
				withLabels(base, [2]string{"id", f.ID}), float64(ExitCode(f.Status)))
			if f.Metric == "" || f.Value == nil {
				continue
			}
			name := metricName(f.Metric)
			if name == MetricStatus || name == MetricFindingStatus || name == MetricLastCheck {
				continue // ours: a finding cannot pose as the report
			}
			add(name, f.Title.EN, withLabels(base, findingLabels(f.Labels)...), *f.Value)
		}
	}
	var b bytes.Buffer
	for _, f := range fams {
		help := f.help
		if help == "" {
			help = "Tunduk Onboard health finding."
		}
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", f.name, escapeHelp(help), f.name)
		for _, s := range f.samples {
			b.WriteString(f.name)
			b.WriteByte('{')
			for i, l := range s.labels {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(l[0] + `="` + escapeLabel(l[1]) + `"`)
			}
			b.WriteString("} " + formatValue(s.value) + "\n")
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteMetricsFile writes the exposition to path for node_exporter's
// textfile collector: the name must end in ".prom" (the collector reads
// no other), and the file is written beside it under a dot name the
// collector skips, then renamed, so a scrape never reads half a file.
// Mode 0644: node_exporter runs as its own user.
func WriteMetricsFile(path string, reports []Report) error {
	if filepath.Ext(path) != ".prom" {
		return fmt.Errorf("health: %s: node_exporter's textfile collector reads only files ending in .prom", path)
	}
	var b bytes.Buffer
	if err := WriteMetrics(&b, reports); err != nil {
		return err
	}
	return atomicfile.Write(path, b.Bytes(), 0o644)
}

func withLabels(base [][2]string, more ...[2]string) [][2]string {
	return append(append([][2]string(nil), base...), more...)
}

// findingLabels are a finding's labels in name order, names made valid;
// one named as ours (host, server_id, id) is renamed exported_NAME, as
// Prometheus renames a target's label that clashes with its own.
func findingLabels(m map[string]string) [][2]string {
	var out [][2]string
	taken := map[string]bool{"host": true, "server_id": true, "id": true}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		n := labelName(k)
		for taken[n] {
			n = "exported_" + n
		}
		taken[n] = true
		out = append(out, [2]string{n, m[k]})
	}
	return out
}

// metricName makes s a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).
func metricName(s string) string { return validName(s, true) }

// labelName makes s a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not
// starting "__", which Prometheus keeps for itself).
func labelName(s string) string {
	n := validName(s, false)
	if strings.HasPrefix(n, "__") {
		n = "x" + n
	}
	return n
}

func validName(s string, colon bool) string {
	var b strings.Builder
	for i, r := range s {
		ok := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' ||
			(colon && r == ':') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			if i == 0 && r >= '0' && r <= '9' {
				b.WriteByte('_')
				b.WriteRune(r)
				continue
			}
			r = '_'
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// escapeLabel makes v a label value the format accepts: valid UTF-8,
// backslash, double quote and line feed escaped, bounded.
func escapeLabel(v string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(boundedLabel(v))
}

// escapeHelp: a HELP text escapes backslash and line feed only.
func escapeHelp(v string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(boundedLabel(v))
}

// boundedLabel is v as valid UTF-8 of at most maxLabelRunes runes.
func boundedLabel(v string) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	if utf8.RuneCountInString(v) > maxLabelRunes {
		v = string([]rune(v)[:maxLabelRunes]) + "…"
	}
	return v
}

func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
