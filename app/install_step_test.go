package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/installer/installertest"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

const guiAdminPW = "Gui-Admin-Pw-never-shown-9"

// installWizard is a wizard on the Install step with a readiness report
// for a remote server, the UI pump wired to the install step.
func installWizard(t *testing.T, fails int) (*wizard, uiPump) {
	t.Helper()
	wz, _ := newTestWizard(t, nil)
	wz.state.Server = Server{Remote: true, Host: "127.0.0.1", Port: "22", User: "root", Auth: AuthAgent, PublicIP: "93.184.216.34"}
	rep := &checks.Report{Facts: &checks.Facts{Hostname: "ss1"}, Summary: checks.Summary{Fail: fails}}
	for i := 0; i < fails; i++ {
		rep.Results = append(rep.Results, checks.Result{ID: fmt.Sprintf("rule%d", i), Status: checks.Fail})
	}
	return wz, showInstall(wz, rep)
}

// installOverSSHD is the Install step on screen for a real sshd on
// loopback, its host key known in a throwaway HOME, no agent.
func installOverSSHD(t *testing.T) (*wizard, uiPump) {
	t.Helper()
	h := testhost.StartSSHD(t, testhost.Options{})
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SSH_AUTH_SOCK", "")
	os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	testhost.WriteKnownHostsFile(t, filepath.Join(home, ".ssh", "known_hosts"), h.KnownHostsLine())
	wz, p := installWizard(t, 0)
	wz.state.Server = Server{Remote: true, Host: h.IP, Port: strconv.Itoa(h.Port), User: h.User, Auth: AuthKey, KeyFile: h.ClientKeyPath, PublicIP: "93.184.216.34"}
	wz.showStep()
	return wz, p
}

// showInstall puts the Install step on screen with rep as the readiness
// report, its UI updates routed through the returned pump.
func showInstall(wz *wizard, rep *checks.Report) uiPump {
	wz.readiness.report = rep
	p := make(uiPump)
	do := func(f func()) {
		done := make(chan struct{})
		p <- func() { defer close(done); f() }
		<-done
	}
	// The steps after Install too: a test that goes on to Configure
	// starts its session there, whose updates ran beside the test's own
	// goroutine (the race detector saw it; text shaping crashed so).
	wz.install.uiDo, wz.configure.uiDo, wz.register.uiDo, wz.connect.uiDo = do, do, do, do
	wz.cur = wz.stepIndex(stepInstall)
	wz.showStep()
	return p
}

func fillInstallForm(is *installStep, pw, pw2 string) {
	test.Type(is.v.adminPW, pw)
	test.Type(is.v.adminPW2, pw2)
}

func TestInstallStepNeedsReport(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	wz.install.machine = func() installer.Machine { return ubuntuPC }
	wz.cur = wz.stepIndex(stepInstall)
	wz.showStep()
	if !hasText(wz.page, T("install.need_report")) {
		t.Error("this computer, no readiness report: no hint to check first")
	}
	wz.state.Server = Server{Remote: true, Host: "h", User: "u", Auth: AuthAgent}
	wz.showStep()
	if !hasText(wz.page, T("install.need_report")) {
		t.Error("no readiness report: no hint to check first")
	}
}

func TestInstallStepFormGatesStart(t *testing.T) {
	wz, _ := installWizard(t, 1)
	is := wz.install
	v := is.v
	// The failed readiness is told at once; the empty password only once
	// typed in or Start pressed (TestInstallFormQuietUntilStart).
	if !v.start.Disabled() || v.fieldErrs[installer.FieldAdminPassword].Visible() {
		t.Fatalf("empty form: start enabled=%v, status %q", !v.start.Disabled(), v.status.Text)
	}
	fillInstallForm(is, guiAdminPW, guiAdminPW+"x")
	if !v.start.Disabled() || v.status.Text != T("install.err.password_differ") {
		t.Fatalf("differing passwords: status %q", v.status.Text)
	}
	v.adminPW2.SetText(guiAdminPW)
	// The plan's readiness refusal, with the wizard's override (the box),
	// never the CLI's flag; the dry run says the same.
	readiness := reportT("installer.err.readiness", map[string]any{"Failed": "rule0"}) + " " + T("installer.err.readiness.todo")
	if v.status.Text != readiness || v.force.Hidden || v.fieldErrs[fieldForce].Text != readiness || strings.Contains(readiness, "--force") {
		t.Fatalf("failed readiness: status %q, force hidden %v", v.status.Text, v.force.Hidden)
	}
	if ps := is.problems(true); len(ps) != 1 || ps[0].text != readiness {
		t.Fatalf("the dry run's refusal: %v", ps)
	}
	test.Tap(v.force)
	v.adminNet.SetText("0.0.0.0/0")
	internet := reportT("installer.opt.admin_network.internet", map[string]any{"Value": "0.0.0.0/0"})
	if !v.start.Disabled() || v.status.Text != internet || !v.fieldErrs[installer.FieldAdminNetwork].Visible() || v.fieldErrs[installer.FieldAdminNetwork].Text != internet {
		t.Fatalf("whole internet as admin network: status %q", v.status.Text)
	}
	v.adminNet.SetText("10.1.0.0/24")
	if v.start.Disabled() {
		t.Fatalf("valid form, Start disabled: %q", v.status.Text)
	}
	// Kept for the next start, except the passwords.
	prefs := wz.later.to.(mapPrefs)
	if prefs[prefAdminNetwork] != "10.1.0.0/24" || prefs[prefAdminUser] != "xrdadmin" {
		t.Errorf("form not kept: %v", prefs)
	}
	for k, val := range prefs {
		if s, ok := val.(string); ok && strings.Contains(s, guiAdminPW) {
			t.Errorf("preference %s holds the admin password", k)
		}
	}
	// The plan dialog shows the dry run, password masked.
	steps, err := is.plan(true)
	if err != nil {
		t.Fatal(err)
	}
	if dry := installer.DryRun(steps, "en"); strings.Contains(dry, guiAdminPW) || !strings.Contains(dry, "10.1.0.0/24") {
		t.Error("dry run shows the password or lacks the admin network")
	}
}

// TestInstallStepRunsAndResumes drives Start against a real sshd with a
// synthetic plan (this machine must never get the real one): rows, a
// failing step with its log tail, Resume that skips what is done, and
// the admin password nowhere on screen.
func TestInstallStepRunsAndResumes(t *testing.T) {
	wz, p := installOverSSHD(t)
	is := wz.install
	dir := t.TempDir()
	gate := filepath.Join(dir, "gate")
	is.makePlan = func(_ *profile.Profile, _ *checks.Report, opt installer.Options) ([]installer.Step, error) {
		mk := func(id, apply string, long bool) installer.Step {
			return installer.Step{ID: id, Title: i18n.Text{EN: "Step " + id, RU: "Шаг " + id, KY: "Кадам " + id},
				Check: fmt.Sprintf("[ -e %s/%s ]", dir, id), Apply: apply, Long: long, Secrets: []string{opt.AdminPassword}}
		}
		one := mk("one", fmt.Sprintf("echo first step; touch %s/one", dir), false)
		two := mk("two", fmt.Sprintf("cat > %s/pw; echo password is $(cat %s/pw); [ -e %s ] || { echo gate is closed >&2; exit 7; }; touch %s/two", dir, dir, gate, dir), true)
		two.Stdin = opt.AdminPassword + "\n"
		return []installer.Step{one, two}, nil
	}
	is.tuneRunner = func(r *installer.Runner) {
		r.JournalPath, r.LogDir, r.Poll = filepath.Join(dir, "journal.json"), filepath.Join(dir, "logs"), 0
		r.After = nil // no X-Road admin API here
	}
	ended := false
	is.afterRun = func() { ended = true }
	fillInstallForm(is, guiAdminPW, guiAdminPW)
	test.Tap(is.v.start)
	p.waitUntil(t, "first run", func() bool { return ended })
	if is.rows[0].state != rowDone || is.rows[1].state != rowFailed {
		t.Fatalf("rows after a failing step: %+v", is.rows)
	}
	if !hasText(is.v.outcome, reportT("installer.err.step", map[string]any{"ID": "two", "Code": 7})) || !hasTextPart(is.v.outcome, "gate is closed") {
		t.Fatal("the failure card lacks the step or its log tail")
	}
	if is.v.start.Text != T("install.resume") || is.v.start.Disabled() {
		t.Fatalf("after a failure the button is %q (disabled %v), want Resume", is.v.start.Text, is.v.start.Disabled())
	}
	if strings.Contains(is.v.log.Text, guiAdminPW) || !strings.Contains(is.v.log.Text, "password is "+installer.Masked) {
		t.Fatalf("log shows the password or lost the masked line:\n%s", is.v.log.Text)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "pw")); strings.TrimSpace(string(b)) != guiAdminPW {
		t.Fatal("the step did not get the password on its standard input")
	}

	// Fix the cause; Resume skips step one and finishes two.
	os.WriteFile(gate, nil, 0o600)
	ended = false
	test.Tap(is.v.start)
	p.waitUntil(t, "resume", func() bool { return ended })
	if is.rows[0].state != rowAlreadyDone || is.rows[1].state != rowDone {
		t.Fatalf("rows after resume: %+v", is.rows)
	}
	if !hasText(is.v.outcome, T("install.ok")) {
		t.Fatal("no success card after resume")
	}
	if got := strings.Count(is.v.log.Text, "first step"); got != 0 {
		t.Errorf("step one ran again on resume (its output appears %d times in this run's log)", got)
	}
}

func hasText(o fyne.CanvasObject, text string) bool { return contains(labelsIn(o), text) }

// reportT is a text of the report catalogue (the installer's words) in the
// wizard's language.
func reportT(key string, data map[string]any) string { return i18n.T(CurrentLanguage(), key, data) }

// hasTextPart reports whether a label under o contains part.
func hasTextPart(o fyne.CanvasObject, part string) bool {
	for _, l := range labelsIn(o) {
		if strings.Contains(l, part) {
			return true
		}
	}
	return false
}

// A user that is not root, on a host whose sudo wants a password, with
// none in the form: a clear card, and nothing ran.
func TestInstallStepAsksForSudoPassword(t *testing.T) {
	h := testhost.StartSSHD(t, testhost.Options{PasswordAuth: true})
	user, pw := testhost.AddUser(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	testhost.WriteKnownHostsFile(t, filepath.Join(home, ".ssh", "known_hosts"), h.KnownHostsLine())
	wz, p := installWizard(t, 0)
	wz.state.Server = Server{Remote: true, Host: h.IP, Port: strconv.Itoa(h.Port), User: user, Auth: AuthPassword, Password: pw, PublicIP: "93.184.216.34"}
	wz.showStep()
	is := wz.install
	dir := t.TempDir()
	ran := filepath.Join(dir, "ran")
	is.makePlan = func(*profile.Profile, *checks.Report, installer.Options) ([]installer.Step, error) {
		return []installer.Step{{ID: "x", Title: i18n.Text{EN: "x"}, Check: "false", Apply: "touch " + ran}}, nil
	}
	is.tuneRunner = func(r *installer.Runner) {
		r.JournalPath, r.LogDir = filepath.Join(dir, "j.json"), filepath.Join(dir, "logs")
	}
	ended := false
	is.afterRun = func() { ended = true }
	fillInstallForm(is, guiAdminPW, guiAdminPW)
	test.Tap(is.v.start)
	p.waitUntil(t, "run", func() bool { return ended })
	if !hasText(is.v.outcome, reportT("installer.err.sudo_needed", nil)) {
		t.Fatalf("outcome: %q", labelsIn(is.v.outcome))
	}
	if _, err := os.Stat(ran); err == nil {
		t.Fatal("a step ran without sudo")
	}
}

// The form refuses what the plan refuses, the reserved admin user names
// included, each under its field and in the user's language.
func TestInstallFormRefusesReservedAdminUser(t *testing.T) {
	wz, _ := installWizard(t, 0)
	if err := SetLanguage("ky"); err != nil {
		t.Fatal(err)
	}
	wz.showStep()
	is := wz.install
	v := is.v
	fillInstallForm(is, guiAdminPW, guiAdminPW)
	if v.start.Disabled() {
		t.Fatalf("valid form, Start disabled: %q", v.status.Text)
	}
	userErr := v.fieldErrs[installer.FieldAdminUser]
	for _, name := range []string{"root", "xroad", "postgres"} {
		v.adminUser.SetText(name)
		want := i18n.T("ky", "installer.opt.admin_user.reserved", map[string]any{"User": name})
		if want == i18n.T("en", "installer.opt.admin_user.reserved", map[string]any{"User": name}) {
			t.Fatal("no Kyrgyz text")
		}
		if !v.start.Disabled() || !userErr.Visible() || userErr.Text != want || v.status.Text != want {
			t.Errorf("admin user %q: Start disabled %v, under the field %q (shown %v), status %q; want %q",
				name, v.start.Disabled(), userErr.Text, userErr.Visible(), v.status.Text, want)
		}
		test.Tap(v.start)
		if is.running {
			t.Fatalf("admin user %q: the install started", name)
		}
	}
	v.adminUser.SetText("Admin User")
	if want := i18n.T("ky", "installer.opt.admin_user.invalid", map[string]any{"User": "Admin User"}); userErr.Text != want {
		t.Errorf("a name with capitals and a space: %q, want %q", userErr.Text, want)
	}
	v.adminUser.SetText("ssadmin")
	if v.start.Disabled() || userErr.Visible() {
		t.Errorf("a good name: Start disabled %v, error shown %q", v.start.Disabled(), userErr.Text)
	}
}

// Every install error is told as installer.Explain says it (the CLI gives
// the same key, cmd/tunduk-onboard-cli TestInstallErrorsExplained) with
// the wizard's own advice, which exists in every language for every key.
func TestInstallErrorsExplained(t *testing.T) {
	for _, code := range Languages {
		cat := loadCatalog(t, code)
		for _, key := range installer.ExplainKeys() {
			if strings.TrimSpace(cat[key+".todo"]) == "" {
				t.Errorf("%s.json lacks %q", code, key+".todo")
			}
			if strings.Contains(cat[key+".todo"], "--") {
				t.Errorf("%s.json %q names a CLI flag: %q", code, key+".todo", cat[key+".todo"])
			}
		}
	}
	wz, _ := installWizard(t, 0)
	is := wz.install
	for _, lang := range Languages {
		if err := SetLanguage(lang); err != nil {
			t.Fatal(err)
		}
		for name, err := range installertest.Errors() {
			key, data := installer.Explain(err)
			is.finish(err)
			if !hasText(is.v.outcome, i18n.T(lang, key, data)) || !hasText(is.v.outcome, T(key+".todo", data)) {
				t.Errorf("%s %s: the card %q lacks the text of %s", lang, name, labelsIn(is.v.outcome), key)
			}
			for _, l := range labelsIn(is.v.outcome) {
				if strings.ContainsRune(l, 0x1b) || strings.Contains(l, "<no value>") {
					t.Errorf("%s %s: %q", lang, name, l)
				}
			}
		}
	}
}

// The Install step's checks are as wide as the part of them that answers
// a click (Fyne's Check ignores a tap beside its text): a check stretched
// over its row looked clickable where it was not.
func TestInstallChecksOnlyAsWideAsTheirTapArea(t *testing.T) {
	wz, _ := installWizard(t, 1)
	v := wz.install.v
	wz.win.Resize(fyne.NewSize(1280, 800))
	for name, c := range map[string]*widget.Check{"token on server": v.tokenOnServer, "force": v.force} {
		if w, min := c.Size().Width, c.MinSize().Width; w <= 0 || w > min+1 {
			t.Errorf("the %s check is %.0f wide, its text and box %.0f: a dead stretch beside the text", name, w, min)
		}
	}
}
