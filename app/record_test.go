package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/sirupsen/logrus"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// startWizard starts the wizard as Run does: the record at path read, the
// step to open at chosen, then the window built and Load's news told.
func startWizard(t *testing.T, prefs mapPrefs, path, storeDir string) (*wizard, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	if err := SetLanguage("en"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = SetLanguage("en") })
	w := a.NewWindow("test")
	wz := newWizard(a, w, prefs, testProfile(t), "/tmp/test.log")
	wz.submit.storeDir = storeDir
	wz.openRecord(path)
	wz.cur = wz.startStep()
	w.SetContent(wz.build())
	w.Resize(fyne.NewSize(1100, 760))
	wz.rec.tell()
	t.Cleanup(w.Close)
	return wz, w
}

// stepRow is what the step list shows for step id: the word under the
// title and the icon's name. The row is found on screen, not recomputed.
func stepRow(t *testing.T, wz *wizard, id string) (word, icon string) {
	t.Helper()
	label := wz.stepLabel(wz.stepIndex(id))
	found := false
	walk(wz.list, func(o fyne.CanvasObject) {
		row, ok := o.(*fyne.Container)
		if !ok || found || len(row.Objects) != 2 {
			return
		}
		var rt *widget.RichText
		var ic *widget.Icon
		for _, c := range row.Objects {
			switch x := c.(type) {
			case *widget.RichText:
				rt = x
			case *fyne.Container:
				if len(x.Objects) == 1 {
					ic, _ = x.Objects[0].(*widget.Icon)
				}
			}
		}
		if rt == nil || ic == nil || len(rt.Segments) != 2 || rt.Segments[0].(*widget.TextSegment).Text != label {
			return
		}
		found = true
		word, icon = rt.Segments[1].(*widget.TextSegment).Text, ic.Resource.Name()
	})
	if !found {
		t.Fatalf("no row for %s in the step list", id)
	}
	return word, icon
}

// failingReport is a readiness report with fails failed rules.
func failingReport(fails int) *checks.Report {
	results := []checks.Result{sample(checks.Pass, "os"), sample(checks.Pass, "ram"), sample(checks.Warn, "time")}
	for i := 0; i < fails; i++ {
		results = append(results, sample(checks.Fail, "disk"+string(rune('a'+i))))
	}
	return &checks.Report{Target: checks.Target{Host: "test", Local: true}, CheckedAt: time.Now(), Results: results, Summary: counts(results)}
}

func fakeCheck(rep *checks.Report) checkFunc {
	return func(ctx context.Context, srv Server, on func(checks.Result)) (*checks.Report, error) {
		for _, res := range rep.Results {
			on(res)
		}
		return rep, nil
	}
}

// A readiness check with two fails is not a tick in the step list: it is
// failed, in a word and with the error icon; the install that never ran
// is not started; the steps really passed are done.
func TestStepListShowsTrueStates(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	toReadiness(t, wz)
	wz.readiness.run = fakeCheck(failingReport(2))
	runAndWait(t, wz.readiness)
	// Said at once, while the page is still the check's.
	if word, _ := stepRow(t, wz, stepReadiness); word != "failed" {
		t.Errorf("readiness just failed; the list says %q", word)
	}
	test.Tap(wz.next)
	if wz.stepID() != stepInstall {
		t.Fatalf("at %s", wz.stepID())
	}
	for _, c := range []struct {
		step, word, icon string
	}{
		{stepWelcome, "done", "success"},
		{stepOrganisation, "done", "success"},
		{stepServer, "done", "success"},
		{stepReadiness, "failed", "error"},
		{stepInstall, "not started", "radio"},
		{stepSubmit, "not started", "radio"},
	} {
		word, icon := stepRow(t, wz, c.step)
		if word != c.word || !strings.Contains(icon, c.icon) {
			t.Errorf("%s: %q with icon %s, want %q with %s", c.step, word, icon, c.word, c.icon)
		}
	}

	// Words follow the language.
	wz.langSelect.SetSelected("Русский")
	if word, _ := stepRow(t, wz, stepReadiness); word != "не пройдено" {
		t.Errorf("ru readiness: %q", word)
	}
	wz.langSelect.SetSelected("Кыргызча")
	if word, _ := stepRow(t, wz, stepInstall); word != "башталган жок" {
		t.Errorf("ky install: %q", word)
	}
	wz.langSelect.SetSelected("English")

	// A step done whose form was emptied since needs attention.
	wz.goTo(wz.stepIndex(stepOrganisation))
	wz.org.name.SetText("")
	wz.list.Refresh()
	if word, icon := stepRow(t, wz, stepOrganisation); word != "needs attention" || !strings.Contains(icon, "warning") {
		t.Errorf("emptied organisation: %q %s", word, icon)
	}

	// A clean check makes it done.
	test.Type(wz.org.name, "Министерство")
	wz.goTo(wz.stepIndex(stepReadiness))
	wz.readiness.run = fakeCheck(failingReport(0))
	runAndWait(t, wz.readiness)
	wz.list.Refresh()
	if word, _ := stepRow(t, wz, stepReadiness); word != "done" {
		t.Errorf("readiness without fails: %q", word)
	}
}

// The install's end is in the record: a run that fails is failed (not
// done), the fails the user overrode make the readiness step need
// attention, and the summary says where it stopped.
func TestInstallOutcomeRecorded(t *testing.T) {
	wz, p := installWizard(t, 2)
	wz.rec.readiness(wz.readiness.report) // as the Readiness step does when its check ends
	if got := wz.stepState(wz.stepIndex(stepReadiness)); got != onboarding.Failed {
		t.Fatalf("readiness with two fails: %s", got)
	}
	if got := wz.stepState(wz.stepIndex(stepInstall)); got != onboarding.NotStarted {
		t.Fatalf("install never run: %s", got)
	}
	is := wz.install
	wz.state.Server.Port = "1" // nothing listens: the run stops at its first connection
	is.makePlan = func(*profile.Profile, *checks.Report, installer.Options) ([]installer.Step, error) {
		return []installer.Step{{ID: "one", Title: i18n.Same("one"), Check: "false", Apply: "true"}}, nil
	}
	ended := false
	is.afterRun = func() { ended = true }
	fillInstallForm(is, guiAdminPW, guiAdminPW)
	test.Tap(is.v.force)
	test.Tap(is.v.start)
	p.waitUntil(t, "install run", func() bool { return ended })

	rec := wz.rec.snapshot()
	if rec.Install == nil || rec.Install.Outcome != onboarding.OutcomeFailed || rec.Install.StepsTotal != 1 || rec.Install.Finished.IsZero() {
		t.Fatalf("install in the record: %+v", rec.Install)
	}
	if got := wz.stepState(wz.stepIndex(stepInstall)); got != onboarding.Failed {
		t.Errorf("failed install: %s", got)
	}
	if got := wz.stepState(wz.stepIndex(stepReadiness)); got != onboarding.Attention {
		t.Errorf("fails overridden: %s", got)
	}

	// A later run (nothing in memory) tells it from the record.
	is.resumable, is.total = false, 0
	wz.readiness.report = nil
	wz.cur = wz.stepIndex(stepSummary)
	wz.showStep()
	texts := labelsIn(wz.page)
	want := T("summary.install_failed", map[string]any{"Date": when(rec.Install.Finished), "Done": 0, "Total": 1})
	if !contains(texts, want) {
		t.Errorf("summary lacks %q: %q", want, texts)
	}
	if contains(texts, T("summary.readiness_none")) {
		t.Errorf("summary says no readiness check ran: %q", texts)
	}
}

// Days later, a new start opens where the user left off: the first step
// not done, or the step shown last when that is further. The environment
// still picks the step when it names one.
func TestReopensWhereTheUserLeftOff(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cfg", onboarding.FileName)
	prefs := mapPrefs{}
	store := t.TempDir()
	wz, _ := startWizard(t, prefs, path, store)
	if wz.stepID() != stepWelcome {
		t.Fatalf("first start at %s", wz.stepID())
	}
	toReadiness(t, wz)
	wz.readiness.run = fakeCheck(failingReport(0))
	runAndWait(t, wz.readiness)
	test.Tap(wz.next) // Install: never run

	again, _ := startWizard(t, prefs, path, store)
	if again.stepID() != stepInstall {
		t.Fatalf("reopened at %s, want install (the first step not done)", again.stepID())
	}
	if word, _ := stepRow(t, again, stepReadiness); word != "done" {
		t.Errorf("readiness of the earlier run: %q", word)
	}
	// Further on by the step list, then closed.
	if !again.goTo(again.stepIndex(stepSubmit)) {
		t.Fatalf("Submit not reached: %s", again.stepID())
	}
	third, _ := startWizard(t, prefs, path, store)
	if third.stepID() != stepSubmit {
		t.Errorf("reopened at %s, want submit (shown last)", third.stepID())
	}
	t.Setenv(envStartStep, stepServer)
	fourth, _ := startWizard(t, prefs, path, store)
	if fourth.stepID() != stepServer {
		t.Errorf("TUNDUK_ONBOARD_START_STEP: at %s", fourth.stepID())
	}
	t.Setenv(envStartStep, "")

	// Never past a form that is invalid now.
	prefs.SetString(prefMemberCode, "12")
	fifth, _ := startWizard(t, prefs, path, store)
	if fifth.stepID() != stepOrganisation {
		t.Errorf("invalid organisation: reopened at %s", fifth.stepID())
	}
}

// A CSR made in an earlier run is on the Summary (with its date) and in
// the Submit step's package, from the record and the DER kept beside it.
func TestCSRsOfAnEarlierRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), onboarding.FileName)
	prefs := mapPrefs{}
	store := t.TempDir()
	first, _ := startWizard(t, prefs, path, store)
	first.state.Org = validOrg()
	first.state.Save(prefs)
	auth, sign := setTestCSRs(t, first)
	made := first.rec.snapshot()
	if len(made.CSRs) != 2 || made.CSRs[0].File == "" {
		t.Fatalf("CSRs in the record: %+v", made.CSRs)
	}
	setTestCSRs(t, first) // the same again (the server's, seen once more): not kept twice
	if n := len(first.rec.snapshot().CSRs); n != 2 {
		t.Errorf("%d CSRs after a repeat", n)
	}

	next, _ := startWizard(t, prefs, path, store)
	a, s := next.csrs.get()
	if a == nil || s == nil || string(a.DER) != string(auth) || string(s.DER) != string(sign) || s.Where != keyOnRutoken || s.Token != "0a1b2c3d" {
		t.Fatalf("CSRs of the earlier run not back: %v %v", a, s)
	}
	next.state.Server.PublicIP = "93.184.216.34"
	if !next.goTo(next.stepIndex(stepSummary)) {
		t.Fatalf("Summary not reached: %s (%q)", next.stepID(), next.message.Text)
	}
	texts := labelsIn(next.page)
	c := made.LatestCSR(onboarding.UsageAuth)
	want := T("summary.auth_csr", map[string]any{"Date": when(c.MadeAt), "Source": i18n.T("en", "csr.where.soft_token", nil)})
	if !contains(texts, want) {
		t.Errorf("summary lacks %q: %q", want, texts)
	}
	if contains(texts, T("summary.auth_csr_missing")) {
		t.Errorf("summary says the CSR is missing: %q", texts)
	}
	// The Submit step can send them.
	if ps := next.submit.csrProblems(); len(ps) != 0 {
		t.Errorf("Submit lacks CSRs of the earlier run: %v", ps)
	}
	in, err := next.submit.input()
	if err != nil || len(in.CSRs) != 2 || string(in.CSRs[0].DER) != string(auth) {
		t.Errorf("package input: %d CSRs, %v", len(in.CSRs), err)
	}

	// A kept CSR file changed on disk is not sent.
	if err := os.WriteFile(c.File, []byte("changed"), 0o600); err != nil {
		t.Fatal(err)
	}
	third, _ := startWizard(t, prefs, path, store)
	if a, _ := third.csrs.get(); a != nil {
		t.Error("a changed CSR file was taken back")
	}
}

// A damaged record is moved aside and the user told where it was kept, in
// their language; the wizard starts afresh and works.
func TestDamagedRecordToldAndKept(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, onboarding.FileName)
	if err := os.WriteFile(path, []byte(`{"version": 1, "organisation": {`), 0o600); err != nil {
		t.Fatal(err)
	}
	wz, w := startWizard(t, mapPrefs{}, path, t.TempDir())
	kept, _ := filepath.Glob(path + ".damaged-*")
	if len(kept) != 1 {
		t.Fatalf("kept aside: %v", kept)
	}
	if data, _ := os.ReadFile(kept[0]); string(data) != `{"version": 1, "organisation": {` {
		t.Errorf("kept file changed: %q", data)
	}
	top := w.Canvas().Overlays().Top()
	if top == nil || !hasTextPart(top, kept[0]) || !hasTextPart(top, "damaged") {
		t.Fatalf("no notice naming %s: %v", kept[0], top)
	}
	if wz.stepID() != stepWelcome {
		t.Errorf("a new record opens at %s", wz.stepID())
	}
	test.Tap(wz.next)
	if _, err := os.Stat(path); err != nil {
		t.Errorf("no new record written: %v", err)
	}
	// Told in Russian too.
	_ = SetLanguage("ru")
	text := recordErrorText(&onboarding.Error{Key: "onboarding.err.damaged", Data: map[string]any{"File": path, "Kept": kept[0]}})
	if !strings.Contains(text, kept[0]) || !strings.Contains(text, "повреждён") {
		t.Errorf("ru notice: %q", text)
	}
	_ = SetLanguage("en")
}

// logHook keeps the entries logged while a test runs.
type logHook struct{ entries []*logrus.Entry }

func (h *logHook) Levels() []logrus.Level     { return logrus.AllLevels }
func (h *logHook) Fire(e *logrus.Entry) error { h.entries = append(h.entries, e); return nil }
func (h *logHook) count(msg string) (n int) {
	for _, e := range h.entries {
		if e.Message == msg {
			n++
		}
	}
	return n
}

// A disk that refuses the record: each failed write is logged, the user
// is told once in their language, and the wizard goes on.
func TestRecordWriteFailureKeepsWorking(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	hook := &logHook{}
	log.AddHook(hook)
	t.Cleanup(func() { log.ReplaceHooks(logrus.LevelHooks{}) })
	path := filepath.Join(blocker, onboarding.FileName) // its folder is a file: no write can succeed
	wz, w := startWizard(t, mapPrefs{}, path, t.TempDir())
	toReadiness(t, wz)
	if wz.stepID() != stepReadiness {
		t.Fatalf("the wizard stopped at %s", wz.stepID())
	}
	if n := hook.count("onboarding record not saved"); n < 2 {
		t.Errorf("%d failed writes logged, want one per milestone", n)
	}
	dialogs := 0
	for _, o := range w.Canvas().Overlays().List() {
		if hasTextPart(o, reportT("onboarding.err.write", map[string]any{"File": path})) {
			dialogs++
		}
	}
	if dialogs != 1 {
		t.Errorf("%d notices of the failed write, want one", dialogs)
	}
	// The record in memory is still right.
	if got := wz.stepState(wz.stepIndex(stepOrganisation)); got != onboarding.Done {
		t.Errorf("organisation: %s", got)
	}
}

// No secret the wizard holds reaches the record or the files beside it.
func TestRecordHoldsNoSecret(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, onboarding.FileName)
	wz, _ := startWizard(t, mapPrefs{}, path, t.TempDir())
	secrets := []string{"Ssh-Password-7f3", "Key-Passphrase-9a1", "Admin-Password-2b8", "Admin-Password2-2b8", "Sudo-Password-5c4",
		"Soft-Token-PIN-0d6x", "Soft-Token-PIN2-0d6", "HW-Token-PIN-8e2", "Cfg-Admin-Password-1f7", "Smtp-Password-3a9"}
	wz.state.Org = validOrg()
	wz.state.Server = Server{Remote: true, Host: "ss1.agency.kg", Port: "22", User: "admin", Auth: AuthPassword,
		Password: secrets[0], Passphrase: secrets[1], PublicIP: "93.184.216.34"}
	f := &wz.install.form
	f.AdminPassword, f.AdminPassword2, f.SudoPassword, f.Force = secrets[2], secrets[3], secrets[4], true
	c := &wz.configure.form
	c.PIN, c.PIN2, c.HWPIN, c.AdminPassword = secrets[5], secrets[6], secrets[7], secrets[8]
	wz.submit.form.SMTPPassword = secrets[9]

	// Every milestone, as the steps reach them.
	wz.goTo(wz.stepIndex(stepReadiness))
	wz.rec.readiness(failingReport(1))
	wz.rec.reportSaved(filepath.Join(dir, "readiness.json"))
	wz.rec.installStarted(3, f.Force)
	wz.rec.installStep("packages", 2, 3)
	wz.rec.installEnded(nil, wz.profile.XRoad.Version)
	wz.rec.serverStatus(&configure.Status{TSAConfigured: true, Init: xroad.InitializationStatus{AnchorImported: true,
		ServerCodeInitialized: true, ServerOwnerInitialized: true, SoftwareTokenInitStatus: xroad.TokenInitialized}})
	setTestCSRs(t, wz)
	wz.rec.submission(&enroll.Record{ID: "20261122-GOV-70000001", Stage: enroll.StageSent, Via: enroll.ViaSMTP,
		History: []enroll.Event{{Stage: enroll.StagePrepared, At: time.Now()}, {Stage: enroll.StageSent, At: time.Now()}}})
	wz.rec.certsImported([]configure.Imported{{Hash: "AB", Usage: xroad.UsageAuthentication,
		Cert: xroad.TokenCertificate{Details: xroad.CertificateDetails{SubjectDN: "CN=SS1", Serial: "42", NotAfter: "2028-11-22T00:00:00Z"}}}})
	wz.rec.registration("AB", regActive)

	rec, err := onboarding.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Install == nil || rec.Init == nil || len(rec.CSRs) != 2 || rec.Submission == nil || len(rec.Certificates) != 1 ||
		rec.StepState(onboarding.StepRegister) != onboarding.Done || !rec.Readiness.FailsOverridden {
		t.Fatalf("not every milestone reached the file: %+v", rec)
	}
	err = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if strings.Contains(string(data), s) {
				t.Errorf("%s holds the secret %q", p, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Each step of the wizard has a state the record can tell, with a word in
// every language; the record's errors read in every language.
func TestStepStatesAndRecordErrorsTranslated(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	for _, s := range wz.steps {
		if !contains(onboarding.Steps, s.id) {
			t.Errorf("step %s is unknown to the onboarding record", s.id)
		}
	}
	for _, code := range Languages {
		if err := SetLanguage(code); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, st := range stepStates {
			w := stateWord(st)
			if w == "" || strings.HasPrefix(w, "step.state.") || seen[w] {
				t.Errorf("%s: word of %s is %q", code, st, w)
			}
			seen[w] = true
		}
		for _, key := range []string{"onboarding.err.damaged", "onboarding.err.newer", "onboarding.err.not_moved",
			"onboarding.err.read", "onboarding.err.write", "onboarding.err.no_config_dir"} {
			data := map[string]any{"File": "/cfg/onboarding.json", "Kept": "/cfg/onboarding.json.damaged-X", "Version": 2}
			text := i18n.T(code, key, data)
			if text == "" || text == key || strings.Contains(text, "{{") {
				t.Errorf("%s %s: %q", code, key, text)
			}
			if (key == "onboarding.err.damaged" || key == "onboarding.err.newer") && !strings.Contains(text, "damaged-X") {
				t.Errorf("%s %s does not say where the old file was kept: %q", code, key, text)
			}
		}
	}
	_ = SetLanguage("en")
}
