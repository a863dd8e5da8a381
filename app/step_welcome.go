package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// welcomeView says what the product does, the three ways to use it and
// what to have at hand.
func (wz *wizard) welcomeView() fyne.CanvasObject {
	para := func(key string) *widget.Label {
		l := widget.NewLabel(T(key))
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	heading := func(key string) *widget.Label {
		l := widget.NewLabelWithStyle(T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		return l
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
	bullets := container.NewVBox()
	for _, k := range []string{"welcome.need.code", "welcome.need.server_code", "welcome.need.server", "welcome.need.ip", "welcome.need.token"} {
		l := widget.NewLabel("•  " + T(k))
		l.Wrapping = fyne.TextWrapWord
		bullets.Add(l)
	}
	return container.NewVScroll(container.NewVBox(
		para("welcome.intro"),
		heading("welcome.ways"),
		way(theme.ComputerIcon(), "welcome.way.gui", "welcome.way.gui.body", ""),
		way(theme.StorageIcon(), "welcome.way.cli", "welcome.way.cli.body", "sudo tunduk-onboard-cli check"),
		way(theme.ListIcon(), "welcome.way.ssh", "welcome.way.ssh.body", "tunduk-onboard-cli check --hosts servers.txt --format json --output readiness.json"),
		widget.NewSeparator(),
		heading("welcome.need"),
		bullets,
		para("welcome.next"),
	))
}
