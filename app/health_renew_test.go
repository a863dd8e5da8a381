package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure/renew"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// operatedPIN is the software token PIN of the fake's Operate.
const operatedPIN = "Tunduk-soft-token-PIN-2026"

// renewEnv is the Health step on a server in service whose pair ends in
// 10 days, its renewal panel wired to the test's pump and the fake.
func renewEnv(t *testing.T) (*healthEnv, *renewPanel) {
	e := newHealthEnvDays(t, "", true, 10)
	// The fake's owner: the signing certificate is the member's.
	e.wz.state.Org.MemberClass, e.wz.state.Org.MemberCode = "COM", "60000001"
	e.wz.rec.visit(stepHealth)
	e.wz.rec.update("test", func(rec *onboarding.Record) {
		rec.Init = &onboarding.Init{At: time.Now(), Outcome: onboarding.OutcomeOK}
	})
	rp := e.hs.renew
	rp.uiDo, rp.api, rp.poll, rp.wait = e.wz.configure.uiDo, e.fake.AdminAPI(), 20*time.Millisecond, time.Minute
	e.wz.submit.storeDir = t.TempDir()
	e.wz.submit.form.Via, e.wz.submit.form.Folder = enroll.ViaFolder, t.TempDir()
	e.fake.TickBackupClock()
	return e, rp
}

// press taps the panel's button and waits for the work it starts.
func (e *healthEnv) press(t *testing.T, rp *renewPanel, b interface{ Disabled() bool }, tap func(), what string) {
	t.Helper()
	if b.Disabled() {
		t.Fatalf("%s: the button is disabled; page %q", what, shownTexts(rp.v.panel))
	}
	tap()
	e.idle(t, &rp.sessionRunner, what)
}

// TestHealthRenewEndToEnd renews the pair from the Health step against
// the fake behind a real sshd, watched throughout by the Guard (any
// moment without an authentication and a signing certificate in service
// fails the test): the finding near its end offers Renew…, the plan is
// told, the logged-out token's PIN asked; the first run takes a backup
// (on the server and here) before its first change and waits for the
// new CSRs' submission (a folder); marked sent, it waits for the CA's
// certificates; with them, the SSH connection is cut while it follows the
// operator's approval; the step opened again (a new run of the wizard)
// reads the server and goes on to the end. No secret is logged or kept.
func TestHealthRenewEndToEnd(t *testing.T) {
	e, rp := renewEnv(t)
	g := e.fake.Guard(t)
	e.fake.LogOutToken(xroad.SoftwareTokenID)
	e.show(stepHealth)
	rep := e.check(t)
	f := finding(t, rep, "cert.", ".expiry", "authentication")
	if !renewable(f) {
		t.Fatalf("the authentication certificate's expiry is not renewable: %+v", f)
	}
	b := findButton(t, e.hs.v.findings, T("renew.finding"))
	e.press(t, rp, b, func() { test.Tap(b) }, "the plan read")
	v := rp.v
	page := strings.Join(shownTexts(v.panel), "\n")
	if rp.err != nil || rp.plan == nil || rp.plan.Auth == nil || rp.plan.Sign == nil || !v.softBox.Visible() ||
		!strings.Contains(page, T("renew.order")) || !strings.Contains(page, T("renew.usage.auth")) || v.start.Text != T("renew.start") {
		t.Fatalf("the plan: err %v\n%s", rp.err, page)
	}
	if n := e.fake.Changes(); n != 0 {
		t.Fatalf("reading the plan made %d changes", n)
	}

	// The first run: a backup, the keys, the CSRs in a folder; waiting.
	start := len(e.fake.Calls())
	backups := t.TempDir() // this run's alone: other tests back up too
	rp.wz.backups.dir = backups
	v.softPIN.SetText(operatedPIN)
	e.press(t, rp, v.start, func() { test.Tap(v.start) }, "the first run")
	calls := slices.DeleteFunc(e.fake.Calls()[start:], func(c xroadtest.Call) bool { return strings.HasSuffix(c.Path, "/login") })
	backupAt := slices.IndexFunc(calls, func(c xroadtest.Call) bool { return c.Method == "POST" && c.Path == "/backups" })
	changeAt := slices.IndexFunc(calls, func(c xroadtest.Call) bool {
		return c.Method != "GET" && !strings.HasPrefix(c.Path, "/api-keys") && !strings.HasPrefix(c.Path, "/backups")
	})
	local, _ := filepath.Glob(filepath.Join(backups, "*", "conf_backup_*.gpg"))
	if rp.err != nil || rp.waiting != renew.StepSubmit || backupAt < 0 || changeAt < backupAt || len(local) != 1 ||
		rp.sent.where == "" || v.softPIN.Text != "" || rp.softPIN != "" || !v.sent.Visible() {
		t.Fatalf("first run: err %v, waiting %q, backup at %d, change at %d, here %v, sent %+v\n%q",
			rp.err, rp.waiting, backupAt, changeAt, local, rp.sent, shownTexts(v.panel))
	}
	if !hasTextPart(v.outcome, i18n.T(CurrentLanguage(), "configure.renew.wait.submit", nil)) || e.prefs.String(prefRenewWaiting) != renew.StepSubmit {
		t.Fatalf("the wait is not told: %q", labelsIn(v.outcome))
	}

	// Continue before it is sent: no second package, the same wait.
	e.press(t, rp, v.start, func() { test.Tap(v.start) }, "the run before sending")
	if made, _ := os.ReadDir(e.wz.submit.form.Folder); rp.err != nil || rp.waiting != renew.StepSubmit || len(made) != 1 {
		t.Fatalf("before sending: err %v, waiting %q, %d packages", rp.err, rp.waiting, len(made))
	}

	// Sent; the CA's certificates are awaited.
	e.press(t, rp, v.sent, func() { test.Tap(v.sent) }, "marked sent")
	e.press(t, rp, v.start, func() { test.Tap(v.start) }, "the run after sending")
	if rp.err != nil || rp.waiting != renew.StepImport || !v.certsBox.Visible() || v.start.Text != T("renew.continue") {
		t.Fatalf("after sending: err %v, waiting %q\n%q", rp.err, rp.waiting, shownTexts(v.panel))
	}

	// The certificates; the connection cut while the approval is followed.
	for i, rn := range rp.plan.Renewals() {
		p := e.writeFile(t, []string{"auth.cer", "sign.cer"}[i], e.fake.Issue(t, rn.CSR))
		[]func(string){v.authCert.SetText, v.signCert.SetText}[i](p)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	cut := e.host.CutWhen(ctx, func() bool {
		calls := e.fake.Calls()
		reg := slices.IndexFunc(calls, func(c xroadtest.Call) bool { return strings.HasSuffix(c.Path, "/register") })
		return reg >= 0 && len(calls) > reg+2 // polling the approval
	})
	e.press(t, rp, v.start, func() { test.Tap(v.start) }, "the run cut")
	stop()
	if c := <-cut; c.N == 0 || c.Err != nil {
		t.Fatalf("the connection was never cut: %+v", c)
	}
	approve := i18n.T(CurrentLanguage(), "configure.renew.step.approve", nil)
	if rp.err == nil || !hasText(v.outcome, T("renew.stopped_at", map[string]any{"Step": approve})) {
		t.Fatalf("the cut run: err %v\n%q", rp.err, labelsIn(v.outcome))
	}
	if auth, sign := e.fake.InService(); !auth || !sign {
		t.Fatal("the old pair is out of service before the new one serves")
	}

	// A new run of the wizard: the step opened again goes on.
	e.fake.ApproveAfter(1)
	e.fake.OCSPGoodAfter(1)
	e.show(stepWelcome)
	e.hs.renew = newRenewPanel(e.hs)
	rp = e.hs.renew
	rp.uiDo, rp.api, rp.poll, rp.wait = e.wz.configure.uiDo, e.fake.AdminAPI(), 20*time.Millisecond, time.Minute
	e.show(stepHealth)
	e.idle(t, &rp.sessionRunner, "the read on reopening")
	v = rp.v
	if rp.err != nil || rp.plan == nil || !rp.begun() || !v.panel.Visible() || v.start.Text != T("renew.continue") {
		t.Fatalf("reopened: err %v\n%q", rp.err, shownTexts(v.panel))
	}
	e.press(t, rp, v.start, func() { test.Tap(v.start) }, "the last run")
	if rp.err != nil || !rp.done || !hasText(v.outcome, T("renew.done")) || e.prefs.String(prefRenewWaiting) != "" {
		t.Fatalf("last run: err %v, waiting %q\n%q", rp.err, rp.waiting, labelsIn(v.outcome))
	}
	newCerts := 0
	for _, c := range e.fake.Certs() {
		if c.Active && c.Status == xroad.CertRegistered && c.OCSP == xroad.OCSPGood {
			newCerts++
		}
	}
	if newCerts != 2 {
		t.Fatalf("%d certificates in service: %+v", newCerts, e.fake.Certs())
	}
	if g.Seen() < 100 {
		t.Fatalf("the watch saw only %d moments", g.Seen())
	}
	logged, _ := os.ReadFile(e.logFile)
	rec, _ := json.Marshal(e.wz.rec.snapshot())
	for _, s := range append([]string{operatedPIN, e.wz.configure.form.AdminPassword}, e.fake.IssuedKeys()...) {
		if strings.Contains(string(logged), s) || strings.Contains(fmt.Sprint(map[string]any(e.prefs)), s) || strings.Contains(string(rec), s) ||
			strings.Contains(fmt.Sprint(rp.err), s) {
			t.Fatal("a secret was logged, kept in the preferences or the record, or told in an error")
		}
	}
}

// TestHealthRenewBackupFails: when the backup before the first change
// fails, the user is asked; Stop leaves the server unchanged and says
// why (translated), Continue without goes on and says so.
func TestHealthRenewBackupFails(t *testing.T) {
	e, rp := renewEnv(t)
	e.show(stepHealth)
	test.Tap(rp.v.openBtn)
	e.idle(t, &rp.sessionRunner, "the plan read")
	var asked []string
	answer := false
	rp.wz.backups.asked = func(reply func(goOn bool)) { asked = append(asked, "asked"); reply(answer) }
	e.fake.FailNext("POST", "/backups")
	v := rp.v
	e.press(t, rp, v.start, func() { test.Tap(v.start) }, "the run stopped")
	if len(asked) != 1 || rp.err == nil || e.fake.Changes() != 1 || // the failed POST /backups only
		!hasTextPart(v.outcome, i18n.T(CurrentLanguage(), "backup.lead.before_change", nil)) || !hasText(v.outcome, T("renew.again")) {
		t.Fatalf("stopped: asked %q, err %v, %d changes\n%q", asked, rp.err, e.fake.Changes(), labelsIn(v.outcome))
	}
	answer = true
	e.fake.FailNext("POST", "/backups")
	e.press(t, rp, v.start, func() { test.Tap(v.start) }, "the run without a backup")
	if len(asked) != 2 || rp.err != nil || rp.waiting != renew.StepSubmit || rp.backup.note.state != backupWithout {
		t.Fatalf("went on: asked %d, err %v, waiting %q\n%q", len(asked), rp.err, rp.waiting, shownTexts(v.panel))
	}
}
