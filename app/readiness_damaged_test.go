package app

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
)

// TestKeptReadinessReportDamagedIsShown: a kept readiness report that is
// truncated, or garbage whose sum the record matches, is not used and not
// silently dropped: the Install step names its path in the user's
// language and offers a new check; after that check the damaged file is
// still there, byte for byte.
func TestKeptReadinessReportDamagedIsShown(t *testing.T) {
	for name, damage := range map[string]func(path, file string) []byte{
		"truncated": func(_, file string) []byte {
			b, _ := os.ReadFile(file)
			b = b[:len(b)/2]
			os.WriteFile(file, b, 0o600)
			return b
		},
		"garbage with its sum": func(path, file string) []byte {
			b := []byte("\x00garbage{")
			os.WriteFile(file, b, 0o600)
			onboarding.Update(path, func(r *onboarding.Record) { r.Readiness.KeptSHA256 = onboarding.SHA256(b) })
			return b
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path, store := filepath.Join(dir, onboarding.FileName), filepath.Join(dir, "store")
			prefs := mapPrefs{prefRemote: true, prefHost: "203.0.113.10", prefPort: "22", prefUser: "root", prefAuth: string(AuthAgent)}
			rep := failingReport(0)
			rep.Schema, rep.Target, rep.CheckedAt = checks.Schema, checks.Target{Host: "203.0.113.10"}, time.Now().Add(-time.Hour).UTC()
			wz, _ := startWizard(t, prefs, path, store)
			wz.state.Org = validOrg()
			wz.goTo(wz.stepIndex(stepReadiness))
			wz.readiness.run = fakeCheck(rep)
			runAndWait(t, wz.readiness)
			rec, err := onboarding.Read(path)
			if err != nil || rec.Readiness == nil || rec.Readiness.Kept == "" {
				t.Fatalf("no report kept: %v", err)
			}
			file := rec.Readiness.Kept
			bad := damage(path, file)

			wz, _ = startWizard(t, prefs, path, store)
			wz.state.Org = validOrg()
			if err := SetLanguage("ky"); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { SetLanguage("en") })
			if wz.readiness.report != nil {
				t.Fatal("a damaged kept report was used")
			}
			wz.cur = wz.stepIndex(stepInstall)
			wz.showStep()
			want := T("readiness.kept_damaged", map[string]any{"Path": file})
			if !hasText(wz.page, want) || !hasText(wz.page, T("readiness.kept_damaged.todo")) {
				t.Fatalf("the damaged report is not shown (%q):\n%q", want, labelsIn(wz.page))
			}
			fresh := *rep
			fresh.CheckedAt = time.Now().UTC()
			wz.goTo(wz.stepIndex(stepReadiness))
			wz.readiness.run = fakeCheck(&fresh)
			runAndWait(t, wz.readiness)
			if now, _ := onboarding.Read(path); now.Readiness == nil || now.Readiness.Kept == file {
				t.Fatal("the new check was not kept")
			}
			if b, err := os.ReadFile(file); err != nil || string(b) != string(bad) {
				t.Fatalf("the damaged report was removed or changed after a new check: %v", err)
			}
		})
	}
}
