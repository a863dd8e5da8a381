package health

import (
	"context"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// Sender is one channel alerts go to: a Telegram chat, a mail box.
type Sender interface {
	// Channel names where it sends, for the state ("telegram:<chat>"):
	// never a secret.
	Channel() string
	// Limit is how many characters (UTF-16 units, as Telegram counts)
	// one message may hold.
	Limit() int
	Send(ctx context.Context, subject, text string) error
}

// AlertError is an alert that could not be sent, or a token that could
// not be used: a key of the report catalogue (health.alert.err.*) and
// its data, never a token.
type AlertError = i18n.KeyError[alertRoom]

type alertRoom struct{}

func (alertRoom) LogsData() bool { return true }

// hostID is the ID under which "the server could not be checked at all"
// (Report.Err) is remembered: no finding's ID starts with "(".
const hostID = "(host)"

// maxParts bounds the messages of one run on one channel; what does not
// fit is counted in a note at the end of the last.
const maxParts = 5

// noteReserve keeps room in the last part for the note of what was left
// out (its longest translation is well under this).
const noteReserve = 400

// Alert is one change a channel is told of: a new or changed problem
// (Status warning, critical or unknown for a server not checked), or
// its end (Status ok).
type Alert struct {
	Host     string
	ID       string
	Status   Status
	Stage    string // the finding's Stage: a threshold crossed within Status
	Was      Status // the status told before; "" when new
	Title    i18n.Text
	Observed i18n.Text
	Fix      i18n.Text
}

// Alerter sends each new problem of the reports once per channel, and
// once its end, remembering what it told in the state file.
type Alerter struct {
	StatePath string
	Lang      string
	Senders   []Sender
	Now       func() time.Time // nil: time.Now
}

// AlertResult says what a run did.
type AlertResult struct {
	Sent map[string]int // alerts delivered per channel
	// Errors has one *ChannelError per channel that failed, wrapping an
	// AlertError or enroll's.
	Errors []error
	// State is a *StateError when the state file was damaged: the run
	// went on from an empty state.
	State error
}

// ChannelError is one channel's failure in a run: which channel (as
// Sender.Channel names it, never a secret) and why.
type ChannelError struct {
	Channel string
	Err     error
}

func (e *ChannelError) Error() string { return e.Channel + ": " + e.Err.Error() }
func (e *ChannelError) Unwrap() error { return e.Err }

// Run sends what changed since the last run. A channel that fails is
// retried on the next run with what it missed; the others are not held
// back. The error is for the state file only (unreadable, unwritable).
func (a *Alerter) Run(ctx context.Context, reports []Report) (AlertResult, error) {
	res := AlertResult{Sent: map[string]int{}}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	st, err := LoadAlertState(a.StatePath)
	if err != nil {
		if !isStateError(err) {
			return res, err
		}
		res.State = err
	}
	changed := false
	for _, s := range a.Senders {
		ch := s.Channel()
		alerts, adopted := st.plan(ch, reports)
		changed = changed || adopted
		if len(alerts) == 0 {
			continue
		}
		for _, p := range composeAlerts(a.Lang, alerts, s.Limit()) {
			if err := s.Send(ctx, p.subject, p.text); err != nil {
				res.Errors = append(res.Errors, &ChannelError{Channel: ch, Err: err})
				break // later parts would arrive out of order
			}
			st.apply(ch, p.alerts, now())
			res.Sent[ch] += len(p.alerts)
			changed = true
		}
	}
	if changed || res.State != nil {
		if err := st.Save(a.StatePath); err != nil {
			return res, err
		}
	}
	return res, nil
}

// plan lists what channel ch has not been told of. A host missing from
// reports keeps its state (a run over part of a fleet forgets nothing);
// a finding of a checked host that is no longer reported has ended. A
// problem is told again when its status changes, or its stage (a later
// threshold crossed at the same status). A problem remembered without a
// stage (a state written before stages were kept) takes the finding's
// stage without an alert: adopted says the state changed so.
func (s *AlertState) plan(ch string, reports []Report) (out []Alert, adopted bool) {
	for _, r := range reports {
		i := s.find(ch, r.Host, hostID)
		if r.Err != "" {
			if i < 0 {
				out = append(out, Alert{Host: r.Host, ID: hostID, Status: Unknown,
					Title: i18n.TT("health.alert.unreachable", nil), Observed: i18n.Same(r.Err)})
			}
			continue // the findings are not known: nothing else changes
		}
		if i >= 0 {
			out = append(out, Alert{Host: r.Host, ID: hostID, Status: OK, Was: s.Sent[i].Status, Title: s.Sent[i].Title})
		}
		seen := map[string]bool{hostID: true}
		for _, f := range r.Findings {
			seen[f.ID] = true
			i := s.find(ch, r.Host, f.ID)
			var prev Sent
			if i >= 0 {
				prev = s.Sent[i]
			}
			switch {
			case (f.Status == Warning || f.Status == Critical) && i >= 0 && prev.Status == f.Status && prev.Stage == "" && f.Stage != "":
				s.Sent[i].Stage, adopted = f.Stage, true
			case (f.Status == Warning || f.Status == Critical) && (i < 0 || prev.Status != f.Status || prev.Stage != f.Stage):
				a := Alert{Host: r.Host, ID: f.ID, Status: f.Status, Stage: f.Stage, Title: f.Title, Observed: f.Observed, Fix: f.Fix}
				if i >= 0 {
					a.Was = prev.Status
				}
				out = append(out, a)
			case f.Status == OK && i >= 0:
				out = append(out, Alert{Host: r.Host, ID: f.ID, Status: OK, Was: prev.Status, Title: f.Title, Observed: f.Observed})
			}
		}
		for _, e := range s.Sent {
			if e.Channel == ch && e.Host == r.Host && !seen[e.ID] {
				out = append(out, Alert{Host: r.Host, ID: e.ID, Status: OK, Was: e.Status, Title: e.Title})
			}
		}
	}
	return out, adopted
}

// apply records that ch was told of alerts.
func (s *AlertState) apply(ch string, alerts []Alert, at time.Time) {
	for _, a := range alerts {
		i := s.find(ch, a.Host, a.ID)
		switch {
		case a.Status == OK && i >= 0:
			s.Sent = append(s.Sent[:i], s.Sent[i+1:]...)
		case a.Status == OK:
		case i >= 0:
			s.Sent[i].Status, s.Sent[i].Stage, s.Sent[i].Title, s.Sent[i].At = a.Status, a.Stage, a.Title, at.UTC()
		default:
			s.Sent = append(s.Sent, Sent{Channel: ch, Host: a.Host, ID: a.ID, Status: a.Status, Stage: a.Stage, Title: a.Title, At: at.UTC()})
		}
	}
}

// alertPart is one message and the alerts it tells.
type alertPart struct {
	subject, text string
	alerts        []Alert
}

// composeAlerts puts alerts into messages of at most limit characters: one
// block per alert, blocks packed in order, a block too long cut; after
// maxParts messages the rest is counted in a note (and taken as told,
// or a long list would be sent again on every run).
func composeAlerts(lang string, alerts []Alert, limit int) []alertPart {
	worst := OK
	for _, a := range alerts {
		if Worse(a.Status, worst) {
			worst = a.Status
		}
	}
	subject := i18n.T(lang, "health.alert.subject", map[string]any{"Status": alertStatusWord(lang, worst)})
	var parts []alertPart
	cur := alertPart{subject: subject, text: subject}
	for i, a := range alerts {
		b := cutUnits(alertBlock(lang, a), limit-noteReserve)
		lim := limit
		if len(parts) == maxParts-1 {
			lim = limit - noteReserve
		}
		if len(cur.alerts) > 0 && utf16Size(cur.text)+2+utf16Size(b) > lim {
			if len(parts) == maxParts-1 {
				cur.text += "\n\n" + i18n.T(lang, "health.alert.cut", map[string]any{"Count": len(alerts) - i})
				cur.alerts = append(cur.alerts, alerts[i:]...)
				return append(parts, cur)
			}
			parts = append(parts, cur)
			cur = alertPart{subject: subject, text: subject}
		}
		cur.text += "\n\n" + b
		cur.alerts = append(cur.alerts, a)
	}
	return append(parts, cur)
}

// alertBlock is one alert's text; what came from a host is cleaned.
func alertBlock(lang string, a Alert) string {
	d := map[string]any{
		"Status": alertStatusWord(lang, a.Status),
		"Was":    alertStatusWord(lang, a.Was),
		"Host":   i18n.Line(a.Host, 200),
		"Title":  i18n.Line(a.Title.In(lang), 300),
	}
	key := "health.alert.problem"
	switch {
	case a.Status == OK:
		key = "health.alert.recovered"
	case a.Was != "" && a.Was != a.Status:
		key = "health.alert.changed"
	}
	lines := []string{i18n.T(lang, key, d)}
	if o := i18n.Line(a.Observed.In(lang), 500); o != "" {
		lines = append(lines, i18n.T(lang, "health.alert.observed", map[string]any{"Observed": o}))
	}
	if f := i18n.Line(a.Fix.In(lang), 1000); f != "" && a.Status != OK {
		lines = append(lines, i18n.T(lang, "health.alert.fix", map[string]any{"Fix": f}))
	}
	return strings.Join(lines, "\n")
}

func alertStatusWord(lang string, s Status) string {
	if s == "" {
		return ""
	}
	return i18n.T(lang, "health.alert.status."+string(s), nil)
}

// utf16Size counts as Telegram does: UTF-16 code units.
func utf16Size(s string) int { return len(utf16.Encode([]rune(s))) }

// cutUnits shortens s to at most n units, marking the cut.
func cutUnits(s string, n int) string {
	if utf16Size(s) <= n {
		return s
	}
	used := 1 // the mark
	for i, r := range s {
		if used += utf16.RuneLen(r); used > n {
			return s[:i] + "…"
		}
	}
	return s
}
