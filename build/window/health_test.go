//go:build window

package window

// The walk's Health step: a check stopped while it runs, then one to its
// end on the test security server (the admin API fake the walk
// configured and registered, behind the sshd); the support bundle saved
// through the file chooser, read back and searched for the walk's
// secrets; a backup made now, and restored once its name is typed
// exactly, the tokens logged in again with the PINs typed. Then the
// renewal: the walk's certificates made to end in 10 days and the
// software token logged out; Renew… on the finding, the plan, the PIN
// typed, the run to its wait for the new CSRs' sending.

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/health/bundle/bundletest"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

func (w *walk) health() {
	checkFree := func(s *snap) bool { b, ok := s.button("health.check"); return ok && !b.Off }
	// Stopped while it runs (or, on a fast machine, after it ended).
	w.press("health.check")
	w.settle(time.Now(), 300*time.Millisecond)
	if b, ok := w.cur.button("health.stop"); ok && !b.Off {
		w.click(b)
	}
	w.wait("the check stopped", checkFree)
	verdict := func(s *snap) bool {
		for _, st := range []string{"ok", "warning", "critical", "unknown", "unreached"} {
			if s.label("health.verdict." + st) {
				return true
			}
		}
		return false
	}
	checked := func(s *snap) bool { return checkFree(s) && verdict(s) && !s.label("configure.cancelled") }
	w.pressWait("health.check", "the check's end", 3*time.Minute, checked)
	// When it was made (a filled-in text: found by its start).
	at, _, _ := strings.Cut(catalogue(w.cur.Lang)["health.checked_at"], "{{")
	if len(w.cur.find(func(it item) bool { return it.K == "label" && strings.HasPrefix(it.Text, at) })) == 0 {
		w.fatalf("no time of the check on the page")
	}
	w.shot("health")

	// The bundle, saved for real into the home folder.
	w.pressWait("health.bundle", "the file chooser", chooserWait, func(s *snap) bool { _, ok := s.button("fyne:Save"); return ok })
	w.shot("health-save")
	w.pressWait("fyne:Save", "the bundle saved", time.Minute, func(s *snap) bool {
		return len(s.Overlays) == 0 && s.label("health.bundle.saved")
	})
	var found []string
	_ = filepath.WalkDir(w.home, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "tunduk-support-") && strings.HasSuffix(d.Name(), ".tar.gz") {
			found = append(found, p)
		}
		return nil
	})
	if len(found) != 1 {
		w.fatalf("support bundles in the home folder: %v", found)
	}
	files := bundletest.Files(w.t, found[0])
	if files["manifest.json"] == nil || files["health-report.json"] == nil {
		w.fatalf("the bundle lacks its manifest or the health report")
	}
	for name, b := range files {
		for _, s := range []string{xroadtest.AdminPassword, userPIN, soPIN, "Walk-soft-PIN-2026", "Walk-user-PIN-2026"} {
			if strings.Contains(string(b), s) {
				w.t.Errorf("%s: %s of the support bundle holds a secret of the walk", w.name, name)
			}
		}
	}
	w.backups()
	w.renew(checkFree)
}

// backups: Back up now; then Restore… on it, Restore off for a wrong
// name, on with the right one and the PINs of the tokens logged in; the
// restore ends with those tokens logged in again.
func (w *walk) backups() {
	f := w.rig.fake
	w.pressWait("health.backups.create", "the backup saved", 3*time.Minute, func(s *snap) bool {
		b, ok := s.button("health.backups.create")
		return ok && !b.Off && s.label("health.backups.saved")
	})
	w.shot("health-backup")
	newest := slices.Max(f.Backups()) // named by the server's clock: the one just made
	soft, hw := f.LoggedIn(xroad.SoftwareTokenID), f.LoggedIn(xroadtest.HWTokenID)
	w.pressWait("health.backups.restore", "the restore dialog", 20*time.Second, func(s *snap) bool { return s.overlayTitled("health.restore.title") })
	w.typeInto("health.restore.type_name", strings.ToUpper(newest))
	if soft {
		w.typeInto("health.restore.pin_soft", "Walk-soft-PIN-2026")
	}
	if hw {
		w.typeInto("health.restore.pin_hw", xroadtest.HWPIN)
	}
	if b, ok := w.cur.button("health.restore.ok"); !ok || !b.Off {
		w.fatalf("Restore enabled with a wrong name (%v)", ok)
	}
	w.typeInto("health.restore.type_name", newest)
	w.wait("Restore enabled", func(s *snap) bool { b, ok := s.button("health.restore.ok"); return ok && !b.Off })
	w.shot("health-restore")
	// The run's end, whichever way it went: the section's buttons
	// enabled again (or a question up); then it must have been restored.
	w.pressWait("health.restore.ok", "the restore's end", 5*time.Minute, func(s *snap) bool {
		b, ok := s.button("health.backups.create")
		return s.overlayTitled("backup.ask.title") || s.label("health.backups.restored") ||
			(len(s.Overlays) == 0 && ok && !b.Off && !s.label("health.backups.restoring"))
	})
	if !w.cur.label("health.backups.restored") || len(w.cur.Overlays) > 0 {
		w.fatalf("the restore ended without being restored")
	}
	if soft != f.LoggedIn(xroad.SoftwareTokenID) || hw != f.LoggedIn(xroadtest.HWTokenID) {
		w.fatalf("after the restore the tokens logged in are soft %v hw %v, before soft %v hw %v",
			f.LoggedIn(xroad.SoftwareTokenID), f.LoggedIn(xroadtest.HWTokenID), soft, hw)
	}
	w.shot("health-restored")
}

// renew renews the walk's certificates from the Health step as far as
// the sending of the new CSRs (the walk's Submit folder): the result is
// the wait for it.
func (w *walk) renew(checkFree func(*snap) bool) {
	w.rig.fake.EndIn(w.t, 10)
	w.rig.fake.LogOutToken(xroad.SoftwareTokenID)
	w.pressWait("health.check", "the check of the certificates near their end", 3*time.Minute, func(s *snap) bool {
		_, ok := s.button("renew.finding")
		return checkFree(s) && ok
	})
	w.pressWait("renew.finding", "the renewal's plan", time.Minute, func(s *snap) bool { _, ok := s.field("renew.soft_pin"); return ok })
	w.shot("health-renew-plan")
	w.typeInto("renew.soft_pin", "Walk-soft-PIN-2026")
	w.pressWait("renew.start", "the renewal's result", 3*time.Minute, func(s *snap) bool { return s.label("renew.waiting") || s.label("renew.done") })
	w.shot("health-renew")
}
