package app

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
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
	varLog  string // the server's /var/log (X-Road's logs in xroad/)
	journal string // what the server's journalctl prints, for every unit
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
	// No systemd runs here: the journal is a stub that prints the unit
	// asked for and a file; /var/log a folder of the test's own.
	varLog, dir := t.TempDir(), t.TempDir()
	os.Chmod(dir, 0o755)
	journal, journalctl := filepath.Join(dir, "journal.txt"), filepath.Join(dir, "journalctl")
	script := "#!/bin/sh\n[ \"$1\" = -u ] || exit 1\necho \"-- journal of $2 --\"\ncat " + journal + " 2>/dev/null\n"
	if os.WriteFile(journalctl, []byte(script), 0o755) != nil || os.Mkdir(filepath.Join(varLog, "xroad"), 0o750) != nil {
		t.Fatal("the stub journal or /var/log/xroad not made")
	}
	h := newCfgHarnessOn(t, xroadtest.Options{}, testhost.Options{PasswordAuth: true, Binds: [][2]string{{stub, "/usr/bin/systemctl"},
		{journalctl, "/usr/bin/journalctl"}, {varLog, "/var/log"}}})
	e := &healthEnv{cfgHarness: h, stopped: stopped, open: testhost.AcceptingAddr(t), varLog: varLog, journal: journal}
	e.operate(t, h.fake, days)
	dir = t.TempDir()
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

	// The printed status report tells the check: when, its verdict, and
	// the token's finding, its title and what to do, in each language.
	tok := finding(t, e.hs.report, "token."+xroadtest.HWTokenID, "", "")
	dir, names := savedFiles(t, wz, nil)
	for _, lang := range Languages {
		wz.switchLanguage(lang)
		wz.printing.format.SetSelected("HTML")
		test.Tap(wz.printing.status)
		page := htmlText(t, filepath.Join(dir, (*names)[len(*names)-1]))
		for _, want := range []string{i18n.T(lang, "print.status.health", nil), i18n.T(lang, "print.field.health_checked", nil),
			i18n.T(lang, "print.health.critical", nil), i18n.T(lang, "print.health.status.critical", nil),
			i18n.Line(tok.Title.In(lang), onboarding.MaxHealthTitle), i18n.Line(tok.Fix.In(lang), onboarding.MaxHealthFix)} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the printed status report lacks %q", lang, want)
			}
		}
	}
	wz.switchLanguage("en")

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
// holds the health report of the check, the versions, this run's log and
// the tails of X-Road's logs on the server (each unit's journal and
// /var/log/xroad/*.log, read over the wizard's SSH connection, the last
// 1000 lines of each, at most 256 KiB), and none of the secrets of this
// run, though the logs held them.
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
	var proxy, signer strings.Builder
	for i := 1; i < 1500; i++ {
		fmt.Fprintf(&proxy, "2026-12-02 10:00:00 INFO line %d marker-file\n", i)
	}
	proxy.WriteString(leak)
	for i := 1; i <= 2000; i++ {
		fmt.Fprintf(&signer, "big %05d %0290d\n", i, 0)
	}
	xlogs := filepath.Join(e.varLog, "xroad")
	for name, text := range map[string]string{filepath.Join(xlogs, "proxy.log"): proxy.String(),
		filepath.Join(xlogs, "signer.log"): signer.String(), e.journal: "proxy started marker-journal\n" + leak} {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
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
	xproxy, xsigner, xjournal := files["xroad-logs/proxy.log"], files["xroad-logs/signer.log"], files["xroad-logs/journal-xroad-proxy.log"]
	lines := strings.Split(strings.TrimSuffix(string(xproxy), "\n"), "\n")
	if len(lines) != 1000 || lines[0] != "2026-12-02 10:00:00 INFO line 501 marker-file" || !strings.HasPrefix(lines[999], "level=info") {
		t.Errorf("X-Road's proxy.log: %d lines, first %q", len(lines), lines[0])
	}
	if len(xsigner) > 256<<10 || len(xsigner) < 250<<10 || !strings.HasSuffix(string(xsigner), fmt.Sprintf("big 02000 %0290d\n", 0)) {
		t.Errorf("X-Road's signer.log: %d bytes", len(xsigner))
	}
	if !strings.Contains(string(xjournal), "-- journal of xroad-proxy.service --\nproxy started marker-journal") {
		t.Errorf("xroad-proxy's journal %q; files %v", xjournal, keys(files))
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

// TestHealthStepBundleSudo: logged in as a user who is not root and
// whose sudo asks a password, the bundle reads X-Road's logs (root's
// alone to read) through sudo with the sudo password typed this run,
// which is taken out where a log echoes it; with a wrong one the bundle
// is saved without them, the page says sudo refused it and what to do;
// with none they are read as the login user, and the manifest says so.
func TestHealthStepBundleSudo(t *testing.T) {
	e := newHealthEnv(t, "", true)
	wz := e.wz
	user, pw := testhost.SudoUser(t)
	wz.state.Server.User, wz.state.Server.Auth, wz.state.Server.Password, wz.state.Server.KeyFile = user, AuthPassword, pw, ""
	proxy := filepath.Join(e.varLog, "xroad", "proxy.log")
	if err := os.WriteFile(proxy, []byte("INFO started marker-file\nsudo said "+pw+"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	e.show(stepHealth)
	dir, names := savedFiles(t, wz, nil)
	save := func(sudo string) (map[string][]byte, bundle.Manifest) {
		t.Helper()
		wz.configure.form.SudoPassword = sudo
		test.Tap(e.hs.v.bundle)
		e.pump.waitUntil(t, "the bundle", func() bool { return !e.hs.saving && e.hs.outcome != nil })
		files := bundletest.Files(t, filepath.Join(dir, (*names)[len(*names)-1]))
		var m bundle.Manifest
		if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
			t.Fatalf("manifest: %v; outcome %q", err, labelsIn(e.hs.v.outcome))
		}
		for name, b := range files {
			if strings.Contains(string(b), pw) {
				t.Errorf("%s holds the password", name)
			}
		}
		for _, l := range labelsIn(e.hs.v.outcome) {
			if strings.Contains(l, pw) {
				t.Errorf("the page shows the password: %q", l)
			}
		}
		return files, m
	}

	files, m := save(pw)
	if got := string(files["xroad-logs/proxy.log"]); !strings.Contains(got, "marker-file") || !strings.Contains(got, "sudo said [REDACTED") {
		t.Errorf("with the sudo password: proxy.log %q, notes %q", got, m.Notes)
	}
	if hasText(e.hs.v.outcome, T("health.bundle.no_xroad_logs")) {
		t.Error("with the sudo password, the page says the logs are missing")
	}

	files, m = save("wrong-" + pw)
	if _, ok := files["xroad-logs/proxy.log"]; ok || !strings.Contains(strings.Join(m.Notes, "\n"), "X-Road's logs were not read") {
		t.Errorf("a wrong sudo password: files %v, notes %q", keys(files), m.Notes)
	}
	if !hasText(e.hs.v.outcome, T("health.bundle.no_xroad_logs")) || !hasText(e.hs.v.outcome, T("configure.error_todo")) {
		t.Errorf("a wrong sudo password: the page says %q", labelsIn(e.hs.v.outcome))
	}

	files, m = save("")
	if strings.Contains(string(files["xroad-logs/proxy.log"]), "marker-file") || !strings.Contains(strings.Join(m.Notes, "\n"), "read as the login user") {
		t.Errorf("no sudo password: proxy.log %q, notes %q", files["xroad-logs/proxy.log"], m.Notes)
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

// htmlText is the text of the HTML page at path as a reader sees it:
// tags taken out, entities read.
func htmlText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(string(b), " "))
}
