package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// welcomeKeys are the Welcome step's "have at hand" items, in the order the
// user meets them: organisation, server and login, the Rutoken, the
// operator's anchor file.
var welcomeKeys = []struct {
	icon func() fyne.Resource
	key  string
}{
	{theme.AccountIcon, "welcome.need.code"},
	{theme.DocumentCreateIcon, "welcome.need.server_code"},
	{theme.ComputerIcon, "welcome.need.server"},
	{theme.SearchIcon, "welcome.need.ip"},
	{theme.LoginIcon, "welcome.need.rutoken"},
	{theme.FileIcon, "welcome.need.anchor"},
}

// welcomeView says what the product does and, first, what to have at hand
// (so it fits one screen), then the three ways to use it.
func (wz *wizard) welcomeView() fyne.CanvasObject {
	para := func(key string) *widget.Label {
		l := widget.NewLabel(T(key))
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	heading := func(key string) *widget.Label {
		return widget.NewLabelWithStyle(T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	need := container.NewVBox()
	for _, n := range welcomeKeys {
		ic := widget.NewIcon(theme.NewPrimaryThemedResource(n.icon()))
		need.Add(container.NewBorder(nil, nil, ic, nil, para(n.key)))
	}
	way := func(icon fyne.Resource, titleKey, bodyKey, code string) fyne.CanvasObject {
		body := container.NewVBox(heading(titleKey), para(bodyKey))
		if code != "" {
			c := widget.NewLabelWithStyle(code, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
			c.Selectable = true
			body.Add(c)
		}
		ic := widget.NewIcon(theme.NewPrimaryThemedResource(icon))
		return container.NewBorder(nil, nil, container.NewVBox(ic), nil, body)
	}
	return container.NewVScroll(container.NewVBox(
		para("welcome.intro"),
		heading("welcome.need"),
		need,
		para("welcome.next"),
		widget.NewSeparator(),
		heading("app.help"),
		para("app.help.welcome"),
		wz.operatorContact(),
		wz.caContact(),
		widget.NewSeparator(),
		heading("welcome.ways"),
		way(theme.ComputerIcon(), "welcome.way.gui", "welcome.way.gui.body", ""),
		way(theme.StorageIcon(), "welcome.way.cli", "welcome.way.cli.body", "sudo tunduk-onboard-cli check"),
		way(theme.ListIcon(), "welcome.way.ssh", "welcome.way.ssh.body", "tunduk-onboard-cli check --hosts servers.txt --format json --output readiness.json"),
	))
}

// startLanguage is the language the wizard opens in: the one the user
// chose last time, else the OS language when the wizard speaks it, else
// English. The Welcome step is always the first page of a first run.
func startLanguage(prefs Prefs) string {
	if code := prefs.String(prefLanguage); supported(code) {
		return code
	}
	return DefaultLanguage()
}
