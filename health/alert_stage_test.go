package health_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/health/healthtest"
)

// TestCertStagesAlertedEach: the fake's certificates expire in 200 days;
// looked at as the days pass (Gather's clock moved on), 29 days left is a
// warning (below 30), 13 critical (below 14), 6 critical again (below 7):
// each crossing is one new alert per certificate, though the status stays
// critical from 14 to 7, and the same stage again sends nothing. A state
// written before stages were kept (no "stage") takes the current one
// without an alert, and the next crossing is still told. Below the last
// threshold the reminders at 3 days and 1 day are told once each, then
// the expiry, and once a day for a week after it; nothing after that.
func TestCertStagesAlertedEach(t *testing.T) {
	e := start(t)
	bot := healthtest.StartBot(t, "-100777")
	state := filepath.Join(t.TempDir(), "alerts.json")
	a := &health.Alerter{StatePath: state, Lang: "en", Senders: []health.Sender{
		&health.Telegram{Token: healthtest.BotToken, ChatID: bot.Chat, BaseURL: bot.URL, Client: bot.Client()}}}
	// The reports the alerter sees hold the expiry findings only: the
	// moved clock changes the others too (globalconf's age, the clock).
	run := func(daysOn float64) health.AlertResult {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		now := func() time.Time { return time.Now().Add(time.Duration(daysOn * float64(24*time.Hour))) }
		r := health.Gather(ctx, e.api, e.c, e.prof, health.Options{Name: "ss1", Now: now})
		var exp []health.Finding
		for _, f := range r.Findings {
			if strings.HasSuffix(f.ID, ".expiry") {
				exp = append(exp, f)
			}
		}
		if len(exp) != 2 {
			t.Fatalf("%d expiry findings: %s", len(exp), ids(r))
		}
		r.Findings = exp
		res, err := a.Run(ctx, []health.Report{r})
		if err != nil || len(res.Errors) > 0 {
			t.Fatalf("run: %v %v", err, res.Errors)
		}
		return res
	}
	sent := func(res health.AlertResult) int { return res.Sent["telegram:-100777"] }
	last := func() string { x := bot.Texts(); return x[len(x)-1] }

	for _, c := range []struct {
		daysOn float64
		status string
		left   *regexp.Regexp
	}{
		{171, "WARNING on ss1", regexp.MustCompile(`Seen: (28|29) days left`)},
		{187, "CRITICAL (was WARNING) on ss1", regexp.MustCompile(`Seen: (12|13) days left`)},
	} {
		if n := sent(run(c.daysOn)); n != 2 {
			t.Fatalf("%v days on: %d alerts, want one per certificate", c.daysOn, n)
		}
		if m := last(); strings.Count(m, c.status) != 2 || len(c.left.FindAllString(m, -1)) != 2 {
			t.Fatalf("%v days on:\n%s", c.daysOn, m)
		}
		if n := sent(run(c.daysOn)); n != 0 {
			t.Fatalf("%v days on, again: %d alerts", c.daysOn, n)
		}
	}

	// An older version's state: the same problems, no stage.
	b, _ := os.ReadFile(state)
	old := regexp.MustCompile(`\s*"stage": "[^"]*",`).ReplaceAll(b, nil)
	if strings.Contains(string(old), "stage") || !strings.Contains(string(b), `"stage": "14d"`) {
		t.Fatalf("state:\n%s", b)
	}
	os.WriteFile(state, old, 0o600)
	if n := sent(run(187)); n != 0 {
		t.Fatalf("an old state's problems told again: %d", n)
	}
	if b, _ := os.ReadFile(state); strings.Count(string(b), `"stage": "14d"`) != 2 {
		t.Fatalf("stage not taken over:\n%s", b)
	}

	// Below 7 days: critical as before, a new alert each.
	before := len(bot.Texts())
	if n := sent(run(194)); n != 2 || len(bot.Texts()) != before+1 {
		t.Fatalf("7 days: %d alerts", n)
	}
	m := last()
	if strings.Count(m, "CRITICAL on ss1") != 2 || strings.Contains(m, "(was") || len(regexp.MustCompile(`Seen: (5|6) days left`).FindAllString(m, -1)) != 2 {
		t.Fatalf("7 days:\n%s", m)
	}
	if n := sent(run(194)); n != 0 {
		t.Fatalf("7 days again: %d alerts", n)
	}

	// The reminders: 3 days and 1 day before, once each; none between.
	// Then expired, and once a day for a week after; then no more.
	for _, c := range []struct {
		daysOn float64
		alerts int
		seen   string // the text of each alert, twice in the message
	}{
		{197, 2, `Seen: 2 days left`},
		{197.5, 0, ""},
		{198, 0, ""},
		{199, 2, `Seen: 0 days left`},
		{200.5, 2, `Seen: Expired on \d{4}-\d\d-\d\d\.`},
		{200.9, 0, ""},
		{201.5, 2, `Seen: Expired on \d{4}-\d\d-\d\d, 1 day ago\.`},
		{203.5, 2, `Seen: Expired on \d{4}-\d\d-\d\d, 3 days ago\.`},
		{207.5, 2, `Seen: Expired on \d{4}-\d\d-\d\d, 7 days ago\.`},
		{208.5, 0, ""},
		{260, 0, ""},
	} {
		before := len(bot.Texts())
		n := sent(run(c.daysOn))
		if n != c.alerts {
			t.Fatalf("%v days on: %d alerts, want %d\n%s", c.daysOn, n, c.alerts, strings.Join(bot.Texts()[before:], "\n---\n"))
		}
		if c.alerts == 0 {
			continue
		}
		if m := last(); strings.Count(m, "CRITICAL on ss1") != 2 || strings.Contains(m, "(was") || len(regexp.MustCompile(c.seen).FindAllString(m, -1)) != 2 {
			t.Fatalf("%v days on:\n%s", c.daysOn, m)
		}
	}
	if b, _ := os.ReadFile(state); strings.Count(string(b), `"stage": "expired+7d"`) != 2 {
		t.Fatalf("state after a week expired:\n%s", b)
	}
}
