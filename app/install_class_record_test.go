package app

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
)

// An install that ended on NIIS's packages, found in the record (by the
// CLI's install, or this wizard before a restart): the step list says the
// install needs attention and Configure stays closed with the reason;
// the record of an install on the operator's packages opens it.
func TestProfileClassAbsentFromRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), onboarding.FileName)
	write := func(status string) {
		// The wizard's server with empty preferences: this computer.
		rec := onboarding.Record{Server: &onboarding.Server{Local: true}}
		t0 := time.Now().Add(-time.Hour)
		rec.InstallStarted(t0, 14)
		rec.InstallEnded(t0.Add(time.Minute), onboarding.OutcomeOK, "", "7.4.2")
		rec.InstallClassChecked(status)
		if err := rec.Save(path); err != nil {
			t.Fatal(err)
		}
	}
	write(installer.ClassAbsent)
	wz, _ := startWizard(t, mapPrefs{}, path, t.TempDir())
	if word, icon := stepRow(t, wz, stepInstall); word != "needs attention" || !strings.Contains(icon, "warning") {
		t.Errorf("install on NIIS's packages: %q %s", word, icon)
	}
	wz.cur = wz.stepIndex(stepConfigure)
	wz.showStep()
	cs := wz.configure
	reason := i18n.T(CurrentLanguage(), "installer.profile_class.absent", map[string]any{"Class": "KgSkKlass3CertificateProfileInfoProvider", "Jar": adminAPI().Jar()})
	if cs.formProblem() != T("install.profile_class_absent") || !hasText(cs.v.root, reason) {
		t.Fatalf("Configure after a restart: %q, problem %q", labelsIn(cs.v.root), cs.formProblem())
	}
	findButtonIn(t, cs.v.root, T("nav.go_to", map[string]any{"Step": T("step.install")}))

	write(installer.ClassPresent)
	again, _ := startWizard(t, mapPrefs{}, path, t.TempDir())
	if word, _ := stepRow(t, again, stepInstall); word != "done" {
		t.Errorf("install on the operator's packages: %q", word)
	}
	again.cur = again.stepIndex(stepConfigure)
	again.showStep()
	if again.configure.formProblem() == T("install.profile_class_absent") || hasText(again.configure.v.root, reason) {
		t.Fatalf("Configure closed on the operator's packages: %q", labelsIn(again.configure.v.root))
	}
}
