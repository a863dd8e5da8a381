package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// comingView is the page of a step not built yet: what it will do.
func comingView(key string) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(T("coming.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	what := widget.NewLabel(T(key))
	what.Wrapping = fyne.TextWrapWord
	meanwhile := widget.NewLabel(T("coming.meanwhile"))
	meanwhile.Wrapping = fyne.TextWrapWord
	meanwhile.Importance = widget.LowImportance
	icon := widget.NewIcon(theme.NewDisabledResource(theme.HistoryIcon()))
	return container.NewVBox(container.NewBorder(nil, nil, icon, nil, title), what, meanwhile)
}
