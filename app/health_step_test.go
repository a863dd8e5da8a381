package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/health/bundle"
	"github.com/tunduk-onboard/tunduk-onboard/health/bundle/bundletest"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// healthEnv is the Configure harness on a server in service (the fake's
// Operate) behind a real sshd whose systemctl is a stub (no systemd runs
// here), the profile's data paths on this machine, the OCSP responder
// and time-stamping service at an address that accepts: a healthy
// server, until a test breaks one thing. The server is recorded as
// initialised (the Configure step's work) unless fresh.
type healthEnv struct {
	*cfgHarness
	hs      *healthStep
	stopped string // unit names written here are stopped
	open    string
}

func newHealthEnv(t *testing.T, systemctl string, initialised bool) *healthEnv {
	t.Helper()
	return newHealthEnvDays(t, systemctl, initialised, 200)
}

// newHealthEnvDays is newHealthEnv with certificates that end in days.
func newHealthEnvDays(t *testing.T, systemctl string, initialised bool, days int) *healthEnv {
	t.Helper()
	stub, stopped := testhost.StubSystemctl(t)
	if systemctl != "" {
		stub = systemctl
	}
	h := newCfgHarnessOn(t, xroadtest.Options{}, testhost.Options{Binds: [][2]string{{stub, "/usr/bin/systemctl"}}})
	e := &healthEnv{cfgHarness: h, stopped: stopped, open: testhost.AcceptingAddr(t)}
	e.operate(t, h.fake, days)
	dir := t.TempDir()
	os.Chmod(dir, 0o755) // the sshd's sessions read it
	p := *h.wz.profile
	p.Health.DataPaths, p.Health.MinFreeBytes, p.Health.ArchivePath = []string{dir}, 1<<20, dir
	h.wz.profile = &p
	admin := h.fake.Admin()
	h.wz.configure.form.AdminUser, h.wz.configure.form.AdminPassword = admin.User, admin.Password
	// This run's log in a folder of its own: the bundle takes the logs
	// beside it.
	h.wz.logPath = filepath.Join(t.TempDir(), "tunduk-onboard-20260101-120000-1.log")
	if initialised {
		h.wz.rec.visit(stepHealth) // this server in the record: another one forgets its initialisation
		h.wz.rec.update("test", func(rec *onboarding.Record) {
			rec.Init = &onboarding.Init{At: time.Now(), Outcome: onboarding.OutcomeOK}
		})
	}
	e.hs = h.wz.health
	e.hs.uiDo, e.hs.api = h.wz.configure.uiDo, h.fake.AdminAPI()
	return e
}

// operate makes f a server in service whose certificates expire in days,
// its OCSP responder and TSA at e.open.
func (e *healthEnv) operate(t *testing.T, f *xroadtest.Server, days int) {
	f.Operate(t, days)
	f.SetOCSP("http://"+e.open, "")
	f.SetTSAURL("http://" + e.open)
}

// check presses Check and waits for its end.
func (e *healthEnv) check(t *testing.T) *health.Report {
	t.Helper()
	v := e.hs.v
	if v == nil || v.check.Disabled() {
		t.Fatal("no Check button to press")
	}
	test.Tap(v.check)
	e.idle(t, &e.hs.sessionRunner, "the health check")
	if e.hs.report == nil {
		t.Fatalf("no report; outcome %q", labelsIn(v.outcome))
	}
	return e.hs.report
}

// finding is the one finding of r whose ID starts with prefix and ends
// with suffix (and has the usage label, when given).
func finding(t *testing.T, r *health.Report, prefix, suffix, usage string) health.Finding {
	t.Helper()
	var got []health.Finding
	for _, f := range r.Findings {
		if strings.HasPrefix(f.ID, prefix) && strings.HasSuffix(f.ID, suffix) && (usage == "" || f.Labels["usage"] == usage) {
			got = append(got, f)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d findings %s…%s", len(got), prefix, suffix)
	}
	return got[0]
}

// shows: the page shows f of r as a person reads it: its title, what was
// seen and what to do, in the wizard's language, and its group's heading.
func (e *healthEnv) shows(t *testing.T, what string, r *health.Report, f health.Finding) {
	t.Helper()
	lang := CurrentLanguage()
	page := shownTexts(e.hs.v.findings)
	for _, want := range []string{
		i18n.Line(f.Title.In(lang), 300),
		T("health.observed", map[string]any{"Value": i18n.Line(f.Observed.In(lang), i18n.MaxLine)}),
		T("health.fix", map[string]any{"Value": i18n.Line(f.Fix.In(lang), i18n.MaxLine)}),
	} {
		if !contains(page, want) {
			t.Errorf("%s: the page does not show %q:\n%q", what, want, page)
		}
	}
	n := 0
	for _, x := range r.Findings {
		if x.Status == f.Status {
			n++
		}
	}
	if group := T("health.group."+string(f.Status), map[string]any{"Count": n}); !contains(page, group) {
		t.Errorf("%s: no heading %q", what, group)
	}
}

// TestHealthStepHealthyThenFaults: before the server is initialised the
// step sends the user to Configure; a server in service is shown healthy,
// with the record and the Summary saying so; then each fault the issue
// names is forced, and the page shows its finding with what to do.
func TestHealthStepHealthyThenFaults(t *testing.T) {
	e := newHealthEnv(t, "", false)
	wz := e.wz
	e.show(stepHealth)
	if e.hs.v != nil || !hasText(wz.page, T("health.not_configured")) || !hasText(wz.page, T("health.not_configured.todo")) {
		t.Fatalf("no dead end before Configure: %q", labelsIn(wz.page))
	}
	wz.rec.update("test", func(rec *onboarding.Record) {
		rec.Init = &onboarding.Init{At: time.Now(), Outcome: onboarding.OutcomeOK}
	})
	e.show(stepHealth)
	v := e.hs.v
	if v == nil || !v.stop.Disabled() || !hasText(v.verdict, T("health.never")) {
		t.Fatal("the page before a check")
	}

	r := e.check(t)
	if r.Worst() != health.OK || len(r.Findings) < 20 {
		t.Fatalf("a healthy server: %s, %d findings: %+v", r.Worst(), len(r.Findings), r.Findings)
	}
	if v.verdict.Text != T("health.verdict.ok") || !strings.Contains(v.checkedAt.Text, when(r.CheckedAt)) || v.okList == nil || v.okList.open {
		t.Fatalf("verdict %q %q; the findings in order shown closed: %v", v.verdict.Text, v.checkedAt.Text, v.okList)
	}
	rec := wz.rec.snapshot().Health
	if rec == nil || rec.Status != onboarding.HealthOK || len(rec.Findings) != len(r.Findings) || wz.rec.state(stepHealth) != onboarding.Done {
		t.Fatalf("record %+v", rec)
	}
	if live := e.fake.LiveKeys(); len(live) != 0 {
		t.Errorf("the check's API key lives on: %v", live)
	}

	for _, c := range []struct {
		name                  string
		force, restore        func()
		prefix, suffix, usage string
		verdict               health.Status
	}{
		{"global configuration 2 hours old", func() { e.fake.SetGlobalConfAge(2 * time.Hour) }, func() { e.fake.SetGlobalConfAge(0) },
			"globalconf", "", "", health.Critical},
		{"OCSP unknown", func() { e.fake.SetCertOCSP(xroad.UsageAuthentication, xroad.OCSPUnknown) },
			func() { e.fake.SetCertOCSP(xroad.UsageAuthentication, xroad.OCSPGood) }, "cert.", ".ocsp", "authentication", health.Critical},
		{"a service stopped", func() { os.WriteFile(e.stopped, []byte("xroad-signer\n"), 0o644) }, func() { os.WriteFile(e.stopped, nil, 0o644) },
			"unit.xroad-signer", "", "", health.Critical},
		// Last: the fake has no way back to a logged-in hardware token.
		{"signing token logged out", func() { e.fake.MoveSigningKeyToHW(); e.fake.LogOutToken(xroadtest.HWTokenID) },
			func() {}, "token." + xroadtest.HWTokenID, "", "", health.Critical},
	} {
		c.force()
		r := e.check(t)
		f := finding(t, r, c.prefix, c.suffix, c.usage)
		if f.Status != c.verdict || r.Worst() != c.verdict || v.verdict.Text != T("health.verdict."+string(c.verdict)) {
			t.Errorf("%s: finding %s, worst %s, verdict %q", c.name, f.Status, r.Worst(), v.verdict.Text)
		}
		e.shows(t, c.name, r, f)
		if h := wz.rec.snapshot().Health; h.Status != string(c.verdict) || wz.rec.state(stepHealth) != onboarding.Failed {
			t.Errorf("%s: record %+v", c.name, h)
		}
		c.restore()
	}

	// The Summary tells the last check: the token's critical finding.
	e.show(stepSummary)
	h := wz.rec.snapshot().Health
	if want := T("summary.health_critical", map[string]any{"Date": when(h.At), "Count": 1}); h.Count(onboarding.HealthCritical) != 1 || !hasText(wz.page, want) {
		t.Errorf("the Summary lacks %q (record %s): %q", want, h.Status, labelsIn(wz.page))
	}

	// In Kyrgyz, a new page from the same report: the fix in Kyrgyz.
	e.show(stepHealth)
	e.fake.SetGlobalConfAge(2 * time.Hour)
	r = e.check(t)
	wz.switchLanguage("ky")
	e.shows(t, "in Kyrgyz", r, finding(t, r, "globalconf", "", ""))
	if e.hs.v.verdict.Text != T("health.verdict.critical") || !strings.Contains(e.hs.v.verdict.Text, "көйгөй") {
		t.Errorf("verdict in Kyrgyz: %q", e.hs.v.verdict.Text)
	}
}

// TestHealthStepCertificateExpiry: a server whose certificates expire in
// 10 days is critical (below 14), the page says so with the days.
func TestHealthStepCertificateExpiry(t *testing.T) {
	e := newHealthEnv(t, "", true)
	f2 := xroadtest.Start(t)
	e.operate(t, f2, 10)
	e.hs.api = f2.AdminAPI()
	e.show(stepHealth)
	r := e.check(t)
	f := finding(t, r, "cert.", ".expiry", "signing")
	if f.Status != health.Critical || r.Worst() != health.Critical || !strings.Contains(f.Observed.EN, "9") && !strings.Contains(f.Observed.EN, "10") {
		t.Fatalf("expiry %+v", f)
	}
	e.shows(t, "certificate 10 days from expiry", r, f)
}

// TestHealthStepBundle: the support bundle, saved where the user chose,
// holds the health report of the check, the versions and this run's log,
// and none of the secrets of this run, though the log held them.
func TestHealthStepBundle(t *testing.T) {
	e := newHealthEnv(t, "", true)
	wz := e.wz
	sshPW, pin, sudo := "Ssh-login-password-4242", cfgPIN, "Sudo-password-for-bundle-77"
	wz.state.Server.Password = sshPW
	wz.configure.form.PIN, wz.configure.form.SudoPassword = pin, sudo
	wz.token.pins.keep("serial-1", "Token-user-PIN-9191")
	secrets := []string{xroadtest.AdminPassword, sshPW, pin, sudo, "Token-user-PIN-9191"}
	// A log that leaked every one of them (as a bug might).
	leak := "level=info msg=\"debug\" admin=" + strings.Join(secrets, " then ") + "\n"
	if err := os.WriteFile(wz.logPath, []byte(leak), 0o600); err != nil {
		t.Fatal(err)
	}
	e.show(stepHealth)
	r := e.check(t)
	dir, names := savedFiles(t, wz, nil)
	test.Tap(e.hs.v.bundle)
	e.pump.waitUntil(t, "the bundle", func() bool { return !e.hs.saving && e.hs.outcome != nil })
	if len(*names) != 1 || !strings.HasSuffix((*names)[0], ".tar.gz") {
		t.Fatalf("suggested names %v", *names)
	}
	path := filepath.Join(dir, (*names)[0])
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("bundle %v %v; outcome %q", st, err, labelsIn(e.hs.v.outcome))
	}
	files := bundletest.Files(t, path)
	var m bundle.Manifest
	var hr health.Report
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil || json.Unmarshal(files["health-report.json"], &hr) != nil {
		t.Fatalf("manifest or health report: %v; files %v", err, keys(files))
	}
	if hr.Worst() != r.Worst() || len(hr.Findings) != len(r.Findings) || files["versions.json"] == nil || files["logs/"+filepath.Base(wz.logPath)] == nil {
		t.Fatalf("bundle files %v", keys(files))
	}
	for name, b := range files {
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds the secret %q", name, s[:4])
			}
		}
	}
	if len(m.Redactions) < len(secrets) {
		t.Errorf("redactions %+v", m.Redactions)
	}
	want := T("health.bundle.saved.todo", map[string]any{"File": path, "Files": len(m.Files), "Redactions": len(m.Redactions)})
	if !hasText(e.hs.v.outcome, want) {
		t.Errorf("outcome %q, want %q", labelsIn(e.hs.v.outcome), want)
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// hangingSystemctl is a systemctl whose is-active never answers in time:
// it notes that it was reached, then sleeps (ended with its session).
func hangingSystemctl(t *testing.T) (stub, reached string) {
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	stub, reached = filepath.Join(dir, "systemctl"), filepath.Join(dir, "reached")
	if err := os.WriteFile(stub, []byte("#!/bin/sh\ntouch "+reached+"\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return stub, reached
}

// TestHealthStepCancelAndBound: a check that hangs on the server is
// stopped by Stop (the last report kept, the API key revoked, the page
// free again); left alone it ends at its bound, what did not answer
// unknown.
func TestHealthStepCancelAndBound(t *testing.T) {
	stub, reached := hangingSystemctl(t)
	e := newHealthEnv(t, stub, true)
	e.show(stepHealth)
	v := e.hs.v
	test.Tap(v.check)
	e.pump.waitUntil(t, "the probe on the server", func() bool { _, err := os.Stat(reached); return err == nil })
	if v.stop.Disabled() || !v.check.Disabled() || !v.bundle.Disabled() {
		t.Fatal("while it runs: Stop off, or Check and the bundle on")
	}
	test.Tap(v.stop)
	e.idle(t, &e.hs.sessionRunner, "the check to stop")
	if e.hs.report != nil || e.wz.rec.snapshot().Health != nil || !hasText(v.outcome, T("configure.cancelled")) {
		t.Fatalf("a cancelled check: report %v, outcome %q", e.hs.report, labelsIn(v.outcome))
	}
	if live := e.fake.LiveKeys(); len(live) != 0 {
		t.Errorf("the cancelled check's API key lives on: %v", live)
	}
	if v.check.Disabled() || !v.stop.Disabled() {
		t.Error("after Stop: Check off or Stop on")
	}

	e.hs.bound = 3 * time.Second
	r := e.check(t)
	// The exec on the server did not end: its look is unknown, said so.
	if f := finding(t, r, "host", "", ""); f.Status != health.Unknown || f.Observed.EN == "" {
		t.Errorf("the probe at the bound: %+v", f)
	}
	if r.Worst() == health.OK || finding(t, r, "token.", "", "").Status != health.OK {
		t.Errorf("the API's findings lost at the bound, or the report ok: %s", r.Worst())
	}
}

// TestHealthStepEscapesHostText: a finding's texts and the report's host
// reach the page without escape sequences, however they came.
func TestHealthStepEscapesHostText(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	wz.state.Server = Server{Remote: true, Host: "127.0.0.1", Port: "22", User: "admin", Auth: AuthAgent}
	wz.rec.visit(stepHealth)
	wz.rec.update("test", func(rec *onboarding.Record) { rec.Init = &onboarding.Init{At: time.Now()} })
	evil := "\x1b]0;title\x07\x1b[31mowned\u202e"
	wz.health.report = &health.Report{Host: "ss1" + evil, CheckedAt: time.Now(), Findings: []health.Finding{{
		ID: "x", Status: health.Critical, Title: i18n.Text{EN: "Title" + evil}, Observed: i18n.Text{EN: "seen" + evil},
		Why: i18n.Text{EN: "why" + evil}, Fix: i18n.Text{EN: "fix" + evil}}}}
	wz.cur = wz.stepIndex(stepHealth)
	wz.showStep()
	n := 0
	for _, s := range shownTexts(wz.page) {
		if strings.ContainsAny(s, "\x1b\x07\u202e") {
			t.Errorf("escape shown: %q", s)
		}
		if strings.Contains(s, "owned") {
			n++
		}
	}
	if n < 4 {
		t.Fatalf("the finding's texts not shown (%d): %q", n, shownTexts(wz.page))
	}
}

// A known critical problem is the verdict, before parts that could not
// be looked at (the report's worst, for the CLI's exit code, is unknown).
func TestHealthVerdictCriticalBeforeUnknown(t *testing.T) {
	r := health.Report{Findings: []health.Finding{{ID: "a", Status: health.Unknown}, {ID: "b", Status: health.Critical}, {ID: "c", Status: health.OK}}}
	if r.Worst() != health.Unknown || verdict(r) != health.Critical {
		t.Fatalf("worst %s, verdict %s", r.Worst(), verdict(r))
	}
	if r := (health.Report{Findings: []health.Finding{{ID: "a", Status: health.Unknown}, {ID: "c", Status: health.Warning}}}); verdict(r) != health.Unknown {
		t.Fatalf("no critical: verdict %s", verdict(r))
	}
}
