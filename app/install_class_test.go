package app

import (
	"fmt"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// An install that ends on NIIS's packages (no operator's certificate
// profile class in the installed jar) is shown as a warning, not a
// success, and Configure stays closed with the reason and the way back to
// Install; once a run ends on the operator's packages, Configure opens.
// A synthetic plan runs over a real sshd; the final check reads the
// contract fake's admin API and jar through it.
func TestInstallWithoutProfileClassClosesConfigure(t *testing.T) {
	f := xroadtest.Start(t)
	api := f.AdminAPI()
	t.Setenv(envAdminAPI, api.Addr)
	t.Setenv(envAdminAPICert, api.CertPath)
	t.Setenv(envProxyJar, api.ProxyJar)
	f.SetProxyJar(false)

	wz, p := installOverSSHD(t)
	is := wz.install
	dir := t.TempDir()
	is.makePlan = func(*profile.Profile, *checks.Report, installer.Options) ([]installer.Step, error) {
		return []installer.Step{{ID: "packages", Title: i18n.Text{EN: "Packages", RU: "Пакеты", KY: "Пакеттер"},
			Check: "false", Apply: fmt.Sprintf("touch %s/done", dir)}}, nil
	}
	is.tuneRunner = func(r *installer.Runner) {
		r.JournalPath, r.LogDir, r.RunLock, r.Poll = filepath.Join(dir, "journal.json"), filepath.Join(dir, "logs"), filepath.Join(dir, "run.lock"), 0
	}
	ended := false
	is.afterRun = func() { ended = true }
	fillInstallForm(is, guiAdminPW, guiAdminPW)
	test.Tap(is.v.start)
	p.waitUntil(t, "the install", func() bool { return ended })
	reason := i18n.T(CurrentLanguage(), "installer.profile_class.absent", map[string]any{"Class": "KgSkKlass3CertificateProfileInfoProvider", "Jar": api.ProxyJar})
	if !hasText(is.v.outcome, T("install.profile_class_absent")) || !hasText(is.v.outcome, reason) || hasText(is.v.outcome, T("install.ok", map[string]any{})) {
		t.Fatalf("outcome %q", labelsIn(is.v.outcome))
	}
	wz.cur = wz.stepIndex(stepConfigure)
	wz.showStep()
	cs := wz.configure
	if !hasText(cs.v.root, reason) || cs.formProblem() != T("install.profile_class_absent") {
		t.Fatalf("Configure after NIIS's packages: %q, problem %q", labelsIn(cs.v.root), cs.formProblem())
	}
	findButtonIn(t, cs.v.root, T("nav.go_to", map[string]any{"Step": T("step.install")}))

	// The operator's packages put in, the install run again: Configure opens.
	f.SetProxyJar(true)
	wz.cur = wz.stepIndex(stepInstall)
	wz.showStep()
	ended = false
	fillInstallForm(is, guiAdminPW, guiAdminPW)
	test.Tap(is.v.start)
	p.waitUntil(t, "the install again", func() bool { return ended })
	if hasText(is.v.outcome, T("install.profile_class_absent")) || is.missingClass() != nil {
		t.Fatalf("outcome on Tunduk's packages %q", labelsIn(is.v.outcome))
	}
	wz.cur = wz.stepIndex(stepConfigure)
	wz.showStep()
	if hasText(wz.configure.v.root, reason) || wz.configure.formProblem() == T("install.profile_class_absent") {
		t.Fatalf("Configure still closed: %q", labelsIn(wz.configure.v.root))
	}
}
