package app

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// TestInstallStepRealHost drives the Install step through the real plan
// onto a booted Debian host (build/targethost): a real readiness check
// over SSH, the form as a user fills it (non-root login, sudo password,
// the stand-in X-Road packages as the packages folder, the readiness
// override), Start, and the rows, log and outcome of a real install; then
// Configure as the same user (configureAsOps).
// With TUNDUK_SCREENSHOT_DIR set it also saves the page during the
// PostgreSQL step (make screenshot-install).
func TestInstallStepRealHost(t *testing.T) {
	if testing.Short() {
		t.Skip("installs packages on a booted container (minutes)")
	}
	h := targethost.Start(t, targethost.Options{})
	debs := targethost.StandinDebs(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SSH_AUTH_SOCK", "")
	os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	h.KnownHostsFile()
	os.Link(filepath.Join(h.Dir, "known_hosts"), filepath.Join(home, ".ssh", "known_hosts"))

	wz, w := newTestWizard(t, nil)
	// The stand-ins pass only the pins of a profile made for them.
	prof, err := profile.Load(targethost.StandinProfile(t, debs))
	if err != nil {
		t.Fatal(err)
	}
	wz.profile = prof
	fyne.CurrentApp().Settings().SetTheme(theme.DefaultTheme())
	w.Resize(fyne.NewSize(1280, 860))
	wz.state.Org = validOrg()
	wz.state.Server = Server{Remote: true, Host: h.IP, Port: "22", User: h.User, Auth: AuthKey, KeyFile: h.KeyPath}
	rep, err := wz.realCheck(context.Background(), wz.state.Server, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := showInstall(wz, rep)
	is := wz.install
	v := is.v
	v.adminUser.SetText("ssadmin")
	fillInstallForm(is, guiAdminPW, guiAdminPW)
	v.sudoPW.SetText(h.Password)
	v.adminNet.SetText(targethost.Subnet)
	v.pkgDir.SetText(debs)
	if rep.Summary.Fail > 0 {
		test.Tap(v.force) // Debian, not Ubuntu: the readiness check fails the OS rule
	}
	if v.start.Disabled() {
		t.Fatalf("Start disabled: %s", v.status.Text)
	}
	shots := os.Getenv("TUNDUK_SCREENSHOT_DIR")
	shot := func(name string) {
		if shots == "" {
			return
		}
		f, err := os.Create(filepath.Join(shots, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, w.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
	}
	ended := false
	is.afterRun = func() { ended = true }
	test.Tap(v.start)
	midShot := false
	deadline := time.After(10 * time.Minute)
	for !ended {
		select {
		case f := <-p:
			f()
		case <-deadline:
			t.Fatalf("the install did not end; log:\n%s", v.log.Text)
		}
		if i := is.rowIndex("postgresql"); !midShot && i >= 0 && is.rows[i].state == rowRunning && len(is.logLines) > 20 {
			shot("screenshot-install-run.png")
			midShot = true
		}
	}
	if !hasText(v.outcome, T("install.ok")) {
		t.Fatalf("outcome %q\nlog:\n%s", labelsIn(v.outcome), v.log.Text)
	}
	for _, r := range is.rows {
		if r.state != rowDone && r.state != rowAlreadyDone {
			t.Errorf("row %s: state %d", r.id, r.state)
		}
	}
	if hasTextPart(v.log, guiAdminPW) || hasTextPart(v.log, h.Password) {
		t.Fatal("the log shows a password")
	}
	configureAsOps(t, wz, p, h)
}
