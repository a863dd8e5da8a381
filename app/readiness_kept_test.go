package app

import (
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
)

// A readiness check outlives a restart: the next session's Install step
// plans from it (no "check first"), says when it was checked and offers a
// new check; a report older than a day is not used, nor one of another
// server.
func TestReadinessReportKeptAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	path, store := filepath.Join(dir, onboarding.FileName), filepath.Join(dir, "store")
	prefs := mapPrefs{prefRemote: true, prefHost: "203.0.113.10", prefPort: "22", prefUser: "root", prefAuth: string(AuthAgent)}
	checked := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	rep := failingReport(0)
	rep.Schema, rep.Target, rep.CheckedAt = checks.Schema, checks.Target{Host: "203.0.113.10"}, checked
	rep.Facts = &checks.Facts{Hostname: "ss1"}

	wz, _ := startWizard(t, prefs, path, store)
	wz.state.Org = validOrg()
	wz.goTo(wz.stepIndex(stepReadiness))
	wz.readiness.run = fakeCheck(rep)
	runAndWait(t, wz.readiness)

	// The next session, on the same record.
	wz, _ = startWizard(t, prefs, path, store)
	wz.state.Org = validOrg()
	if wz.readiness.report == nil || !wz.readiness.keptAt.Equal(checked) || len(wz.readiness.results) != len(rep.Results) {
		t.Fatalf("after a restart: report %v, checked %v", wz.readiness.report != nil, wz.readiness.keptAt)
	}
	wz.cur = wz.stepIndex(stepInstall)
	wz.showStep()
	if hasText(wz.page, T("install.need_report")) || !hasText(wz.page, T("install.kept_report", map[string]any{"Date": when(checked)})) {
		t.Fatalf("the Install step does not plan from the kept check:\n%q", labelsIn(wz.page))
	}
	if wz.install.v == nil || wz.install.v.start == nil {
		t.Fatal("no install form")
	}
	// Check again: to the readiness page, a new check running.
	fresh := failingReport(0)
	fresh.Target = checks.Target{Host: "203.0.113.10"}
	wz.readiness.run = fakeCheck(fresh)
	done := make(chan struct{})
	wz.readiness.afterRun = func() { close(done) }
	var again *widget.Button
	walk(wz.page, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == T("readiness.check_again") {
			again = b
		}
	})
	if again == nil {
		t.Fatal("no Check again button")
	}
	test.Tap(again)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Check again ran no check")
	}
	if wz.stepID() != stepReadiness || wz.readiness.report != fresh || !wz.readiness.keptAt.IsZero() {
		t.Errorf("after Check again: at %s, fresh report %v, kept %v", wz.stepID(), wz.readiness.report == fresh, wz.readiness.keptAt)
	}

	// More than a day old: the Install step asks for a new check.
	if err := onboarding.Update(path, func(r *onboarding.Record) { r.Readiness.At = time.Now().Add(-25 * time.Hour) }); err != nil {
		t.Fatal(err)
	}
	wz, _ = startWizard(t, prefs, path, store)
	if wz.readiness.report != nil {
		t.Error("a report of 25 hours ago was used")
	}
	// Another server in the form: its check does not count.
	if err := onboarding.Update(path, func(r *onboarding.Record) { r.Readiness.At = checked }); err != nil {
		t.Fatal(err)
	}
	other := mapPrefs{prefRemote: true, prefHost: "203.0.113.99", prefPort: "22", prefUser: "root", prefAuth: string(AuthAgent)}
	if wz, _ = startWizard(t, other, path, store); wz.readiness.report != nil {
		t.Error("another server's report was used")
	}
}
