package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/sirupsen/logrus"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/internal/logging"
	"github.com/tunduk-onboard/tunduk-onboard/internal/version"
)

// cyrillicHome points HOME and the config dir at a folder named like a
// Windows profile of a Kyrgyz user: a space and Cyrillic letters in it.
func cyrillicHome(t *testing.T) (home, config string) {
	t.Helper()
	home = filepath.Join(t.TempDir(), "Users", "Айбек Төлөгөнов")
	config = filepath.Join(home, "AppData", "Roaming")
	if err := os.MkdirAll(config, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", config)
	return home, config
}

func TestAboutShowsVersionLicenceAndLogFolder(t *testing.T) {
	_, config := cyrillicHome(t)
	old := version.Version
	version.Version = "7.8.9"
	t.Cleanup(func() { version.Version = old })

	for _, code := range Languages {
		wz, w := newTestWizard(t, nil)
		if err := SetLanguage(code); err != nil {
			t.Fatal(err)
		}
		wz.rebuild()
		shown := strings.Join(texts(wz.aboutContent()), "\n")
		if !strings.Contains(shown, "7.8.9") {
			t.Errorf("%s: no version in About:\n%s", code, shown)
		}
		if !strings.Contains(shown, "MIT") || !strings.Contains(shown, "Tunduk Onboard contributors") {
			t.Errorf("%s: no licence in About:\n%s", code, shown)
		}
		if dir := filepath.Join(config, "tunduk-onboard", "logs"); !strings.Contains(shown, dir) {
			t.Errorf("%s: About does not show the log folder %s:\n%s", code, dir, shown)
		}
		if !strings.Contains(shown, "/tmp/test.log") {
			t.Errorf("%s: About does not show this run's log", code)
		}
		// The header's About button opens it over the wizard.
		test.Tap(findButton(t, w.Content(), T("about.button")))
		if ov := w.Canvas().Overlays().Top(); ov == nil || !contains(texts(ov), T("about.licence")) {
			t.Errorf("%s: the About button opened no About box", code)
		}
	}
}

func TestVersionFallsBackToDev(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	old := version.Version
	version.Version = "dev"
	t.Cleanup(func() { version.Version = old })
	if got := wz.appVersion(); got != "dev" {
		t.Errorf("unstamped build shows %q", got)
	}
}

// Logs and reports go under a config dir whose path has a space and
// Cyrillic letters, as on a Windows profile "C:\Users\Айбек Төлөгөнов".
func TestLogsAndReportsUnderCyrillicPath(t *testing.T) {
	home, config := cyrillicHome(t)

	path, closeLog, err := logging.Setup("tunduk-onboard-pathtest", false)
	if err != nil {
		t.Fatal(err)
	}
	logrus.WithField("where", "Бишкек").Info("path test line")
	closeLog()
	if want := filepath.Join(config, "tunduk-onboard", "logs"); filepath.Dir(path) != want {
		t.Errorf("log at %s, want under %s", path, want)
	}
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), "path test line") || !strings.Contains(string(data), "Бишкек") {
		t.Fatalf("log file %s: %v %q", path, err, data)
	}

	// The report, written through the same URI writer the save dialog gives.
	dir := filepath.Join(home, "Документы", "Отчёты готовности")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	rep := &checks.Report{Target: checks.Target{Host: "сервер 1"}}
	for _, kind := range []string{"html", "json"} {
		file := filepath.Join(dir, reportFileName(rep, kind))
		wc, err := storage.Writer(storage.NewFileURI(file))
		if err != nil {
			t.Fatal(err)
		}
		if err := writeReport(wc, rep, kind, "ky"); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if st, err := os.Stat(file); err != nil || st.Size() == 0 {
			t.Errorf("%s report at %s: %v", kind, file, err)
		}
	}
}

// findButton finds the button labelled text under o.
func findButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	walk(o, func(c fyne.CanvasObject) {
		if b, ok := c.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no button %q", text)
	}
	return found
}
