package app

// The Install screen for people (issue 12, item 8): the plan first as a
// few lines in the user's language, the commands behind Details, Start in
// view without scrolling, no progress bar before anything started.

import (
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
)

func TestInstallSummaryFirst(t *testing.T) {
	for _, code := range Languages {
		wz, _ := installWizard(t, 0)
		if err := SetLanguage(code); err != nil {
			t.Fatal(err)
		}
		wz.showStep()
		v := wz.install.v
		texts := labelsIn(v.summary)
		all := strings.Join(texts, "\n")
		// Every port of the profile, with what it is for, in this language.
		for _, p := range wz.profile.Ports {
			line := ""
			for _, s := range texts {
				if strings.HasPrefix(s, strconv.Itoa(p.Port)+"/") {
					line = s
				}
			}
			if line == "" || !strings.Contains(line, p.Purpose.In(code)) {
				t.Errorf("%s: port %d: %q", code, p.Port, line)
			}
		}
		for _, key := range []string{"install.summary.installs", "install.summary.ports", "install.summary.asks"} {
			if !contains(texts, T(key)) {
				t.Errorf("%s: no heading %q", code, T(key))
			}
		}
		if !strings.Contains(all, "deb.tunduk.kg") || strings.Contains(all, "apt-get") || strings.Contains(all, "ufw allow") {
			t.Errorf("%s: the summary is not the short list:\n%s", code, all)
		}
		// The summary comes before the form, and the commands are behind Details.
		top := wz.install.v.body.Content.(*fyne.Container).Objects
		if idx(top, v.summary) < 0 || idx(top, v.summary) > idx(top, v.settings) {
			t.Errorf("%s: the summary is not above the form", code)
		}
		if v.plan.Text != T("install.details") {
			t.Errorf("%s: the commands' button says %q", code, v.plan.Text)
		}
		// A network typed in is in the summary at once.
		v.adminNet.SetText("10.9.0.0/24")
		if !hasTextPart(v.summary, "10.9.0.0/24") {
			t.Errorf("%s: the admin network is not in the summary", code)
		}
	}
	_ = SetLanguage("en")
}

func idx(list []fyne.CanvasObject, o fyne.CanvasObject) int {
	for i, x := range list {
		if x == o {
			return i
		}
	}
	return -1
}

// Start is on screen, whole, without scrolling, at 1024x768 and 1280x800,
// in every language; the window's content fits those sizes, so a real
// window would not grow past them.
func TestInstallStartInView(t *testing.T) {
	for _, size := range []fyne.Size{fyne.NewSize(1024, 768), fyne.NewSize(1280, 800)} {
		for _, code := range Languages {
			wz, _ := installWizard(t, 0)
			w := wz.win
			wz.app.Settings().SetTheme(newWizardTheme()) // the theme users get
			if err := SetLanguage(code); err != nil {
				t.Fatal(err)
			}
			wz.rebuild()
			w.Resize(size)
			v := wz.install.v
			if min := w.Content().MinSize(); min.Width > size.Width || min.Height > size.Height {
				t.Errorf("%s %v: the content needs %v", code, size, min)
			}
			pos := wz.app.Driver().AbsolutePositionForObject(v.start)
			end := pos.Add(v.start.Size())
			if !v.start.Visible() || v.start.Size().Height < 10 || pos.X < 0 || pos.Y < 0 || end.X > size.Width || end.Y > size.Height {
				t.Errorf("%s %v: Start at %v size %v, outside the window", code, size, pos, v.start.Size())
			}
			// Not inside the page's scroll: it never scrolls away.
			inScroll := false
			walk(v.body, func(o fyne.CanvasObject) { inScroll = inScroll || o == v.start })
			if inScroll {
				t.Errorf("%s %v: Start scrolls with the page", code, size)
			}
			if v.progress.Visible() {
				t.Errorf("%s %v: a progress bar before anything started", code, size)
			}
		}
	}
	_ = SetLanguage("en")
}

// A fresh install form does not scold: the empty password is told once it
// was typed in or Start was pressed; the progress bar comes with a run.
func TestInstallFormQuietUntilStart(t *testing.T) {
	wz, _ := installWizard(t, 0)
	is, v := wz.install, wz.install.v
	pwErr := v.fieldErrs[installer.FieldAdminPassword]
	empty := reportT("installer.opt.admin_password.empty", nil)
	if v.start.Disabled() || v.status.Text != "" || pwErr.Visible() {
		t.Fatalf("fresh form: Start disabled %v, status %q, password error shown %v", v.start.Disabled(), v.status.Text, pwErr.Visible())
	}
	test.Tap(v.start)
	if is.running || !v.start.Disabled() || v.status.Text != empty || !pwErr.Visible() || pwErr.Text != empty {
		t.Fatalf("Start on an empty form: running %v, status %q, under the field %q", is.running, v.status.Text, pwErr.Text)
	}
	// Typing clears it as soon as the form is whole.
	fillInstallForm(is, guiAdminPW, guiAdminPW)
	if v.start.Disabled() || v.status.Text != "" || pwErr.Visible() {
		t.Fatalf("whole form: Start disabled %v, status %q", v.start.Disabled(), v.status.Text)
	}

	// Typed in, the other field's mistake shows before Start.
	wz2, _ := installWizard(t, 0)
	v2 := wz2.install.v
	test.Type(v2.adminNet, "10.1.0.0/33")
	if !v2.fieldErrs[installer.FieldAdminNetwork].Visible() || v2.fieldErrs[installer.FieldAdminPassword].Visible() {
		t.Errorf("a bad network typed: network error shown %v, password error shown %v",
			v2.fieldErrs[installer.FieldAdminNetwork].Visible(), v2.fieldErrs[installer.FieldAdminPassword].Visible())
	}
}

// The bar appears with a run and shows its share.
func TestInstallProgressOnlyWhileRunning(t *testing.T) {
	wz, _ := installWizard(t, 0)
	is := wz.install
	if is.v.progress.Visible() {
		t.Fatal("progress bar before a run")
	}
	is.rows = progressRows{{id: "a"}, {id: "b"}}
	is.total, is.finished = 2, 1
	is.refresh()
	if !is.v.progress.Visible() || is.v.progress.Value != 0.5 || is.v.summary.Visible() {
		t.Errorf("during a run: bar shown %v at %v, summary shown %v", is.v.progress.Visible(), is.v.progress.Value, is.v.summary.Visible())
	}
	_ = checks.Pass
}
