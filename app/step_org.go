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

	// Entries validate the typed text before OnChanged stores it, so the
	// check runs on a copy holding the new value.
	validator := func(field string, set func(*Organisation, string)) func(string) error {
		return func(v string) error {
			next := *o
			set(&next, v)
			for _, p := range next.Problems(wz.profile) {
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
	f.code.Validator = validator("member_code", func(x *Organisation, v string) { x.MemberCode = v })
	f.code.AlwaysShowValidationError = f.code.Text != "" // a restored bad value shows at once
	f.code.OnChanged = func(v string) { o.MemberCode = v; wz.changed() }

	f.name = widget.NewEntry()
	f.name.SetPlaceHolder(T("org.name.placeholder"))
	f.name.SetText(o.Name)
	f.name.Validator = validator("name", func(x *Organisation, v string) { x.Name = v })
	f.name.AlwaysShowValidationError = f.name.Text != "" // a restored bad value shows at once
	f.name.OnChanged = func(v string) { o.Name = v; wz.changed() }

	f.serverCode = widget.NewEntry()
	f.serverCode.SetPlaceHolder("SS1")
	f.serverCode.SetText(o.ServerCode)
	f.serverCode.Validator = validator("server_code", func(x *Organisation, v string) { x.ServerCode = v })
	f.serverCode.AlwaysShowValidationError = f.serverCode.Text != "" // a restored bad value shows at once
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
