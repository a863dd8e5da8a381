package app

// The Organisation step's second part: what the application to the
// operator (заявка на подключение) holds besides the member's identity —
// the postal address, the head of the organisation who signs it, the
// authorised employees, the information system. None of it blocks Next:
// a line under the fields says what the application still lacks, and
// the Summary step prints it once nothing is missing.

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding/printout"
)

// orgAppForm holds the application fields' widgets (tests type into them).
type orgAppForm struct {
	address, headName, headPosition, systemName, systemPurpose *widget.Entry
	employees                                                  *fyne.Container
	rows                                                       []*employeeRow
	add                                                        *widget.Button
	missing                                                    *widget.Label
}

// employeeRow is one authorised employee's entries.
type employeeRow struct {
	name, position, phone, email *widget.Entry
	remove                       *widget.Button
}

// orgApplicationView is the application part of the Organisation page.
func (wz *wizard) orgApplicationView() fyne.CanvasObject {
	o := &wz.state.Org
	f := &orgAppForm{}
	wz.org.app = f

	f.missing = widget.NewLabel("")
	f.missing.Wrapping = fyne.TextWrapWord
	edited := func() {
		wz.changed()
		f.refreshMissing(o)
	}
	entry := func(value, placeholder string, set func(string)) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.SetText(value)
		e.OnChanged = func(v string) { set(v); edited() }
		return e
	}
	f.address = entry(o.Address, example(T("org.address.example")), func(v string) { o.Address = v })
	f.headName = entry(o.Head.Name, example(T("org.head_name.example")), func(v string) { o.Head.Name = v })
	f.headPosition = entry(o.Head.Position, example(T("org.head_position.example")), func(v string) { o.Head.Position = v })
	f.systemName = entry(o.System.Name, T("org.system_name.placeholder"), func(v string) { o.System.Name = v })
	f.systemPurpose = widget.NewMultiLineEntry()
	f.systemPurpose.Wrapping = fyne.TextWrapWord
	f.systemPurpose.SetMinRowsVisible(2)
	f.systemPurpose.SetPlaceHolder(T("org.system_purpose.placeholder"))
	f.systemPurpose.SetText(o.System.Purpose)
	f.systemPurpose.OnChanged = func(v string) { o.System.Purpose = v; edited() }

	f.employees = container.NewVBox()
	f.add = widget.NewButtonWithIcon(T("org.employee.add"), theme.ContentAddIcon(), func() {
		for n := f.shown(o); len(o.Employees) < n; { // the empty row shown counts
			o.Employees = append(o.Employees, onboarding.Person{})
		}
		o.Employees = append(o.Employees, onboarding.Person{})
		f.buildEmployees(wz, edited)
		edited()
	})
	f.buildEmployees(wz, edited)
	f.refreshMissing(o)

	intro := widget.NewLabel(T("org.app.intro"))
	intro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		&widget.FormItem{Text: T("org.address"), Widget: f.address, HintText: T("org.address.hint")},
		&widget.FormItem{Text: T("org.head_name"), Widget: f.headName},
		&widget.FormItem{Text: T("org.head_position"), Widget: f.headPosition},
		&widget.FormItem{Text: T("org.system_name"), Widget: f.systemName, HintText: T("org.system_name.hint")},
		&widget.FormItem{Text: T("org.system_purpose"), Widget: f.systemPurpose},
	)
	staff := wrappedLow(T("org.employees.hint"))
	return container.NewVBox(widget.NewSeparator(), heading(T("org.app.title")), intro, form,
		heading(T("org.employees")), staff, f.employees, container.NewHBox(f.add, layout.NewSpacer()), f.missing)
}

// buildEmployees lays out one block of entries per employee.
func (f *orgAppForm) buildEmployees(wz *wizard, edited func()) {
	o := &wz.state.Org
	f.rows = nil
	f.employees.Objects = nil
	// emp is employee i, the list grown to hold it: the one empty row shown
	// when there is none becomes an employee once typed in.
	emp := func(i int) *onboarding.Person {
		for len(o.Employees) <= i {
			o.Employees = append(o.Employees, onboarding.Person{})
		}
		return &o.Employees[i]
	}
	for i := 0; i < f.shown(o); i++ {
		i := i
		var e onboarding.Person
		if i < len(o.Employees) {
			e = o.Employees[i]
		}
		r := &employeeRow{}
		entry := func(value, placeholder string, set func(string), valid func(string) bool, errKey string) *widget.Entry {
			w := widget.NewEntry()
			w.SetPlaceHolder(placeholder)
			w.SetText(value)
			if valid != nil {
				// Gentle: marks a wrong phone or e-mail, never blocks Next.
				w.Validator = func(v string) error {
					if !valid(v) {
						return errors.New(T(errKey))
					}
					return nil
				}
			}
			w.OnChanged = func(v string) { set(v); edited() }
			return w
		}
		r.name = entry(e.Name, T("org.employee.name.placeholder"), func(v string) { emp(i).Name = v }, nil, "")
		r.position = entry(e.Position, T("org.employee.position.placeholder"), func(v string) { emp(i).Position = v }, nil, "")
		r.phone = entry(e.Phone, example("+996 312 000 000"), func(v string) { emp(i).Phone = v }, printout.ValidPhone, "org.err.phone")
		r.email = entry(e.Email, example("name@example.kg"), func(v string) { emp(i).Email = v }, printout.ValidEmail, "org.err.email")
		r.remove = widget.NewButtonWithIcon(T("org.employee.remove"), theme.DeleteIcon(), func() {
			if i < len(o.Employees) {
				o.Employees = append(o.Employees[:i:i], o.Employees[i+1:]...)
			}
			f.buildEmployees(wz, edited)
			edited()
		})
		title := widget.NewLabelWithStyle(T("org.employee", map[string]any{"N": i + 1}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		form := widget.NewForm(
			&widget.FormItem{Text: T("org.employee.name"), Widget: r.name},
			&widget.FormItem{Text: T("org.employee.position"), Widget: r.position},
			&widget.FormItem{Text: T("org.employee.phone"), Widget: r.phone},
			&widget.FormItem{Text: T("org.employee.email"), Widget: r.email},
		)
		f.rows = append(f.rows, r)
		f.employees.Add(container.NewVBox(container.NewHBox(title, layout.NewSpacer(), r.remove), form))
	}
	f.employees.Refresh()
}

// shown is how many employee rows the form shows: one to fill in when
// there is no employee yet.
func (f *orgAppForm) shown(o *Organisation) int { return max(1, len(o.Employees)) }

// refreshMissing tells what the application still lacks.
func (f *orgAppForm) refreshMissing(o *Organisation) {
	rec := o.Record()
	missing := printout.MissingForApplication(&rec)
	if len(missing) == 0 {
		f.missing.SetText(T("org.app.ready"))
		f.missing.Importance = widget.SuccessImportance
		f.missing.Refresh()
		return
	}
	f.missing.SetText(T("org.app.missing", map[string]any{"List": missingList(missing, "; ")}))
	f.missing.Importance = widget.LowImportance
	f.missing.Refresh()
}

// missingList is what the application lacks, in the user's language.
func missingList(missing []printout.Missing, sep string) string {
	var out []string
	for _, m := range missing {
		out = append(out, m.Text(CurrentLanguage()))
	}
	return strings.Join(out, sep)
}
