package app

// Dead ends: a step that cannot do its work yet says why, and offers a
// button to the step that fixes it (Configure on a server without X-Road:
// Install; Register before anything was submitted: Submit; a page that
// needs SSH: Server). The button is named for the step, in the step
// list's words, and goes there as the list would.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// goToButton is a button to the step id: "Go to “Install”".
func (wz *wizard) goToButton(id string) *widget.Button {
	i := wz.stepIndex(id)
	title := ""
	if i >= 0 {
		title = wz.steps[i].title()
	}
	icon := theme.NavigateBackIcon()
	if i > wz.cur {
		icon = theme.NavigateNextIcon()
	}
	b := widget.NewButtonWithIcon(T("nav.go_to", map[string]any{"Step": title}), icon, func() { wz.goTo(i) })
	b.Importance = widget.HighImportance
	return b
}

// deadEnd is a card telling what is missing and why (title, todo), with
// the button to the step that makes it, and any other buttons after it.
func (wz *wizard) deadEnd(title, todo, to string, more ...fyne.CanvasObject) fyne.CanvasObject {
	buttons := container.NewHBox(wz.goToButton(to))
	for _, o := range more {
		buttons.Add(o)
	}
	buttons.Add(layout.NewSpacer())
	return container.NewVBox(infoCard(title, todo), buttons)
}
