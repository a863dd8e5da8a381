package app

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	// Bounded by progress, not by one fixed time: CI runs the packaging,
	// the real-window walk and two test packages at once on two cores, and
	// an install that takes 2 minutes alone once took over 10 there. What
	// must not happen is a stall: no new log line and no row changing for
	// installStall, or the whole run past installCap.
	start, seen, last := time.Now(), "", time.Now()
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for !ended {
		select {
		case f := <-p:
			f()
		case <-tick.C:
		}
		if now := progressMark(is); now != seen {
			if rows := rowsLine(is); rows != rowsLineOf(seen) {
				t.Logf("%s: %s", time.Since(start).Round(time.Second), rows)
			}
			seen, last = now, time.Now()
		}
		switch {
		case time.Since(last) > installStall:
			t.Fatalf("the install stalled: nothing new for %s (%s in all); rows: %s\nlast lines of the log:\n%s",
				installStall, time.Since(start).Round(time.Second), rowsLine(is), logTail(is, 60))
		case time.Since(start) > installCap:
			t.Fatalf("the install did not end within %s; rows: %s\nlast lines of the log:\n%s",
				installCap, rowsLine(is), logTail(is, 60))
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

// Bounds of TestInstallStepRealHost's wait (see there).
const (
	installStall = 4 * time.Minute
	installCap   = 15 * time.Minute
)

// rowsLine is each row of the install and its state, on one line.
func rowsLine(is *installStep) string {
	names := [...]string{rowPending: "pending", rowRunning: "running", rowDone: "done", rowAlreadyDone: "already", rowFailed: "failed"}
	var b strings.Builder
	for _, r := range is.rows {
		fmt.Fprintf(&b, "%s=%s ", r.id, names[r.state])
	}
	return strings.TrimSpace(b.String())
}

// progressMark changes whenever the install shows anything new: a row's
// state or a log line (the log keeps its last lines only, so the count
// alone would stop changing).
func progressMark(is *installStep) string {
	last := ""
	if n := len(is.logLines); n > 0 {
		last = is.logLines[n-1]
	}
	return rowsLine(is) + "\x00" + strconv.Itoa(len(is.logLines)) + "\x00" + last
}

// rowsLineOf is the rows part of a progressMark.
func rowsLineOf(mark string) string { r, _, _ := strings.Cut(mark, "\x00"); return r }

// logTail is the install log's last n lines.
func logTail(is *installStep, n int) string {
	l := is.logLines
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}
