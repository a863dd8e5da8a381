package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/internal/logging"
	"github.com/tunduk-onboard/tunduk-onboard/internal/version"
)

// appVersion is the version FyneApp.toml gave the build: stamped by the
// linker (make build, make package), else the metadata `fyne package`
// injects, else "dev" for a plain go build.
func (wz *wizard) appVersion() string {
	if version.Version != "dev" {
		return version.String()
	}
	// fyne reports 0.0.1 when no metadata was injected.
	if v := wz.app.Metadata().Version; v != "" && v != "0.0.1" {
		return v
	}
	return version.Version
}

// aboutContent is the About box: version, licence, and where the logs
// are, which support asks for first. Paths are in read-only entries so
// they can be selected and copied.
func (wz *wizard) aboutContent() fyne.CanvasObject {
	wrapped := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	path := func(s string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(s)
		e.Disable() // read-only, still selectable
		return e
	}
	logPath := wz.logPath
	if logPath == "" {
		logPath = T("about.no_log")
	}
	logDir, err := logging.Dir()
	if err != nil {
		logDir = T("about.no_log")
	}
	return container.NewVBox(
		widget.NewLabelWithStyle(T("about.version", map[string]any{"Version": wz.appVersion()}),
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapped(T("about.text")),
		wrapped(T("about.licence")),
		widget.NewLabel(T("about.log_dir")),
		path(logDir),
		widget.NewLabel(T("about.log")),
		path(logPath),
		wrapped(T("about.send_log", map[string]any{"Operator": wz.operatorTitle()})),
		contactBox("", wz.profile.Operator.Contact),
		widget.NewLabel(T("about.profile", map[string]any{"Name": wz.profile.Name, "Version": wz.profile.Version})),
	)
}

// showAbout opens the About box over the wizard.
func (wz *wizard) showAbout() {
	d := dialog.NewCustom(T("about.title"), T("dialog.close"), wz.aboutContent(), wz.win)
	showSized(d, wz.win, 620)
}
