package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// orgForm holds the organisation page's widgets (tests type into them).
type orgForm struct {
	class                  *widget.Select
	code, name, serverCode *widget.Entry
	app                    *orgAppForm // what the application to the operator needs besides
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
					return hintError(p.Text())
				}
			}
			return nil
		}
	}

	// Each field stays quiet until the user types in it or presses Next
	// (fieldGuide); a value from an earlier run counts as typed.
	entry := func(field, value, placeholder string, set func(*Organisation, string)) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.SetText(value)
		e.Validator = validator(field, set)
		wz.guide.watch(field, e, value)
		e.OnChanged = func(v string) { set(o, v); wz.guide.touch(field); wz.changed() }
		return e
	}
	f.code = entry("member_code", o.MemberCode, wz.memberCodeExample(o.MemberClass), func(x *Organisation, v string) { x.MemberCode = v })
	f.name = entry("name", o.Name, T("org.name.placeholder"), func(x *Organisation, v string) { x.Name = v })
	f.serverCode = entry("server_code", o.ServerCode, example("SS1"), func(x *Organisation, v string) { x.ServerCode = v })

	f.class = widget.NewSelect(wz.profile.Identifiers.MemberClasses, func(v string) {
		o.MemberClass = v
		wz.guide.touch("member_class")
		// The class decides how the code begins: its example and its check.
		f.code.SetPlaceHolder(wz.memberCodeExample(v))
		if f.code.Text != "" {
			_ = f.code.Validate()
		}
		wz.changed()
	})
	f.class.PlaceHolder = T("org.class.placeholder")
	f.class.Selected = o.MemberClass
	wz.guide.watch("member_class", nil, o.MemberClass)

	form := widget.NewForm(
		&widget.FormItem{Text: T("org.class"), Widget: f.class, HintText: T("org.class.hint")},
		&widget.FormItem{Text: T("org.code"), Widget: f.code, HintText: T("org.code.hint")},
		&widget.FormItem{Text: T("org.name"), Widget: f.name, HintText: T("org.name.hint")},
		&widget.FormItem{Text: T("org.server_code"), Widget: f.serverCode, HintText: T("org.server_code.hint")},
	)
	intro := widget.NewLabel(T("org.intro"))
	intro.Wrapping = fyne.TextWrapWord
	return container.NewVScroll(container.NewVBox(intro, form, wz.orgApplicationView()))
}

// memberCodeExample is the member code field's placeholder: an example
// that begins as the class's codes do (70000001 for GOV, 60000001 for COM
// in Tunduk).
func (wz *wizard) memberCodeExample(class string) string {
	code := "70000001"
	if p := wz.profile.MemberCodePrefix(class); p != "" && len(p) < len(code) {
		code = p + code[len(p):]
	}
	return example(code)
}

// example is a placeholder that reads as an example ("e.g. SS1"), so it
// is never taken for a value already entered.
func example(s string) string { return T("app.example", map[string]any{"Example": s}) }
