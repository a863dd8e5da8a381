package app

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// orgForm holds the organisation page's widgets (tests type into them).
type orgForm struct {
	class                  *widget.Select
	code, name, serverCode *widget.Entry
}

// orgView asks who joins: member class and code, name, server code.
func (wz *wizard) orgView() fyne.CanvasObject {
	o := &wz.state.Org
	f := &orgForm{}
	wz.org = f

	validator := func(field string) func(string) error {
		return func(string) error {
			for _, p := range o.Problems(wz.profile) {
				if p.Field == field {
					return errors.New(T(p.Key))
				}
			}
			return nil
		}
	}

	f.class = widget.NewSelect(wz.profile.Identifiers.MemberClasses, func(v string) {
		o.MemberClass = v
		wz.changed()
	})
	f.class.PlaceHolder = T("org.class.placeholder")
	f.class.Selected = o.MemberClass

	f.code = widget.NewEntry()
	f.code.SetPlaceHolder("70000001")
	f.code.SetText(o.MemberCode)
	f.code.Validator = validator("member_code")
	f.code.OnChanged = func(v string) { o.MemberCode = v; wz.changed() }

	f.name = widget.NewEntry()
	f.name.SetPlaceHolder(T("org.name.placeholder"))
	f.name.SetText(o.Name)
	f.name.Validator = validator("name")
	f.name.OnChanged = func(v string) { o.Name = v; wz.changed() }

	f.serverCode = widget.NewEntry()
	f.serverCode.SetPlaceHolder("SS1")
	f.serverCode.SetText(o.ServerCode)
	f.serverCode.Validator = validator("server_code")
	f.serverCode.OnChanged = func(v string) { o.ServerCode = v; wz.changed() }

	form := widget.NewForm(
		&widget.FormItem{Text: T("org.class"), Widget: f.class, HintText: T("org.class.hint")},
		&widget.FormItem{Text: T("org.code"), Widget: f.code, HintText: T("org.code.hint")},
		&widget.FormItem{Text: T("org.name"), Widget: f.name, HintText: T("org.name.hint")},
		&widget.FormItem{Text: T("org.server_code"), Widget: f.serverCode, HintText: T("org.server_code.hint")},
	)
	intro := widget.NewLabel(T("org.intro"))
	intro.Wrapping = fyne.TextWrapWord
	return container.NewVScroll(container.NewVBox(intro, form))
}
