// Package health answers "is this installed security server still
// working, and what needs doing before it stops?": findings gathered
// through the admin API session and one SSH exec, judged by the
// operator profile (issue 16). The front ends render a Report; the
// alerting, metrics and support bundle read the same Report.
package health

import (
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// Status is a finding's verdict, ordered: a report is as bad as its
// worst finding. The CLI's exit code follows it (0 ok, 1 warning,
// 2 critical, 3 unknown), as monitoring systems (Nagios, Zabbix) read it.
type Status string

const (
	OK       Status = "ok"
	Warning  Status = "warning"
	Critical Status = "critical"
	Unknown  Status = "unknown" // could not be decided: never a pass
)

// Finding is one thing looked at on one server.
type Finding struct {
	// ID names what was looked at, stable across runs and versions:
	// "units", "globalconf", "token.0", "cert.<sha1>", "ocsp.<url>"...
	// Alerts are sent once per new (ID, Status, Stage).
	ID     string `json:"id"`
	Status Status `json:"status"`
	// Stage is the threshold crossed where one status spans several
	// (a certificate's 14 and 7 days, both critical: "14d", "7d"). An
	// alert goes out again when it changes, though the status does not.
	Stage    string    `json:"stage,omitempty"`
	Title    i18n.Text `json:"title"`
	Observed i18n.Text `json:"observed"` // host text cleaned (i18n.Line)
	Why      i18n.Text `json:"why,omitempty"`
	Fix      i18n.Text `json:"fix,omitempty"`
	// Value is the finding's number where it has one (days to expiry,
	// seconds of global configuration age, bytes free), for metrics.
	Value *float64 `json:"value,omitempty"`
	// Metric names Value for Prometheus (tunduk_onboard_cert_expiry_seconds
	// ...); empty: Value is not exported.
	Metric string            `json:"metric,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

// Report is the health of one server at one moment.
type Report struct {
	Schema    string    `json:"schema"` // "tunduk-onboard.health/v1"
	Host      string    `json:"host"`   // as the user named it
	ServerID  string    `json:"server_id,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
	Findings  []Finding `json:"findings"`
	// Err says why the server could not be looked at at all (unreachable,
	// login refused): then Findings is empty and Worst is Unknown.
	Err string `json:"error,omitempty"`
}

// Schema is Report.Schema.
const Schema = "tunduk-onboard.health/v1"

var rank = map[Status]int{OK: 0, Warning: 1, Critical: 2, Unknown: 3}

// Worse reports whether a is worse than b (unknown is worst: nothing
// decided is not a pass).
func Worse(a, b Status) bool { return rank[a] > rank[b] }

// Worst is the report's verdict.
func (r Report) Worst() Status {
	if r.Err != "" || len(r.Findings) == 0 {
		return Unknown
	}
	w := OK
	for _, f := range r.Findings {
		if Worse(f.Status, w) {
			w = f.Status
		}
	}
	return w
}

// ExitCode is the monitoring exit code of a status.
func ExitCode(s Status) int { return rank[s] }
