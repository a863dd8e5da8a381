package printout

// The application to the operator (заявка на подключение к СМЭВ
// «Түндүк», «Түндүк» ВЭӨТкө кошулуу үчүн арыз): step 1 of joining. The
// operator's pages (../shared/seeds 000, 001, 002) say it is printed,
// filled in, signed by the head of the organisation and sent to the
// operator's address, and that it names the participant and its address,
// and the full name and position of each authorised employee responsible
// for the information system, for the accuracy of what is entered into
// it, and for the connection and the exchange through Tunduk. Seed 003
// (the offer agreement, 2.3) makes filing it the acceptance of the
// agreement, so the page says the organisation has read its terms. It is
// written in Russian or Kyrgyz, the operator's languages, in the
// operator's own words (the report catalogue's print.app.* keys).

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// ApplicationLanguages are the languages the application is written in.
var ApplicationLanguages = []string{"ru", "ky"}

// ErrApplicationLanguage: the application was asked in a language the
// operator does not take it in.
var ErrApplicationLanguage = errors.New("the application to the operator is written in Russian (ru) or Kyrgyz (ky)")

// Missing is one thing the application needs that the organisation's
// data lacks, or has in a form that cannot be right.
type Missing struct {
	// Field is the Organisation step's field: name, address, head_name,
	// head_position, system_name, employees, employee_name,
	// employee_position, employee_phone, employee_email.
	Field string
	// Employee is the employee's number (from 1) for employee_* fields.
	Employee int
	Key      string // report catalogue: print.missing.*
}

// Text is the problem in lang.
func (m Missing) Text(lang string) string {
	return i18n.T(lang, m.Key, map[string]any{"N": m.Employee})
}

// MissingError is Application's refusal: what to fill in first.
type MissingError struct{ Missing []Missing }

func (e *MissingError) Error() string {
	var keys []string
	for _, m := range e.Missing {
		keys = append(keys, m.Key)
	}
	return "the application lacks: " + strings.Join(keys, ", ")
}

var (
	emailRE = regexp.MustCompile(`^[^@\s<>,;"]+@[^@\s<>,;"]+\.[^@\s<>,;".]+$`)
	phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{3,28}[0-9]$`)
)

// ValidEmail and ValidPhone are the gentle checks of an employee's
// contacts: an empty one is fine.
func ValidEmail(s string) bool { s = strings.TrimSpace(s); return s == "" || emailRE.MatchString(s) }
func ValidPhone(s string) bool { s = strings.TrimSpace(s); return s == "" || phoneRE.MatchString(s) }

// Employees are o's employees that are not left blank.
func Employees(o *onboarding.Organisation) []onboarding.Person {
	var out []onboarding.Person
	for _, e := range o.Employees {
		if !e.Empty() {
			out = append(out, e)
		}
	}
	return out
}

// MissingForApplication lists, in the form's order, what the application
// needs from o that is not there. Nothing missing: nil.
func MissingForApplication(o *onboarding.Organisation) []Missing {
	if o == nil {
		o = &onboarding.Organisation{}
	}
	var out []Missing
	need := func(v, field string) {
		if strings.TrimSpace(v) == "" {
			out = append(out, Missing{Field: field, Key: "print.missing." + field})
		}
	}
	need(o.Name, "name")
	need(o.Address, "address")
	need(o.Head.Name, "head_name")
	need(o.Head.Position, "head_position")
	need(o.System.Name, "system_name")
	staff := 0
	for i, e := range o.Employees {
		if e.Empty() {
			continue
		}
		staff++
		n := i + 1
		for _, c := range []struct {
			bad   bool
			field string
		}{
			{strings.TrimSpace(e.Name) == "", "employee_name"},
			{strings.TrimSpace(e.Position) == "", "employee_position"},
			{!ValidPhone(e.Phone), "employee_phone"},
			{!ValidEmail(e.Email), "employee_email"},
		} {
			if c.bad {
				out = append(out, Missing{Field: c.field, Employee: n, Key: "print.missing." + c.field})
			}
		}
	}
	if staff == 0 {
		out = append(out, Missing{Field: "employees", Key: "print.missing.employees"})
	}
	return out
}

// Application is the application to the operator p names, from o, in
// lang (ru or ky). It refuses (*MissingError) while anything it needs is
// missing: a half-empty application is not sent on paper.
func Application(o onboarding.Organisation, p *profile.Profile, lang string) (Doc, error) {
	if lang != "ru" && lang != "ky" {
		return Doc{}, ErrApplicationLanguage
	}
	if m := MissingForApplication(&o); len(m) > 0 {
		return Doc{}, &MissingError{Missing: m}
	}
	t := func(key string, data ...map[string]any) string {
		var d map[string]any
		if len(data) > 0 {
			d = data[0]
		}
		return i18n.T(lang, key, d)
	}
	name := value(o.Name, 300)
	d := Doc{
		Lang:     lang,
		Title:    t("print.app.title"),
		Subtitle: t("print.app.subtitle"),
		To: []string{
			t("print.app.to", map[string]any{"Operator": p.Operator.Title.In(lang)}),
		},
	}
	if a := p.Operator.Contact.Address.In(lang); a != "" {
		d.To = append(d.To, a)
	}

	d.Blocks = append(d.Blocks, Block{Kind: Para, Text: t("print.app.intro", map[string]any{"Name": name})})

	d.Blocks = append(d.Blocks, Block{Kind: Heading, Text: t("print.app.participant")}, Block{Kind: Fields, Rows: [][]string{
		{t("print.app.name"), name},
		{t("print.app.address"), value(o.Address, 300)},
		{t("print.app.member"), value(o.MemberClass, 16) + " " + value(o.MemberCode, 32)},
	}})

	sys := Block{Kind: Fields, Rows: [][]string{{t("print.app.system_name"), value(o.System.Name, 300)}}}
	if strings.TrimSpace(o.System.Purpose) != "" {
		sys.Rows = append(sys.Rows, []string{t("print.app.system_purpose"), value(o.System.Purpose, 600)})
	}
	if strings.TrimSpace(o.ServerCode) != "" {
		sys.Rows = append(sys.Rows, []string{t("print.app.server_code"), value(o.ServerCode, 64)})
	}
	d.Blocks = append(d.Blocks, Block{Kind: Heading, Text: t("print.app.system")}, sys)

	staff := Block{Kind: Table, Widths: []float64{0.06, 0.28, 0.26, 0.17, 0.23}, Header: []string{
		"№", t("print.app.col_name"), t("print.app.col_position"), t("print.app.col_phone"), t("print.app.col_email"),
	}}
	for i, e := range Employees(&o) {
		staff.Rows = append(staff.Rows, []string{strconv.Itoa(i + 1), value(e.Name, 200), value(e.Position, 200),
			value(e.Phone, 40), value(e.Email, 120)})
	}
	d.Blocks = append(d.Blocks, Block{Kind: Heading, Text: t("print.app.employees")},
		Block{Kind: Para, Text: t("print.app.employees_intro")}, staff)

	d.Blocks = append(d.Blocks, Block{Kind: Para, Text: t("print.app.agreement", map[string]any{"Operator": p.Operator.Title.In(lang)})})
	d.Blocks = append(d.Blocks, Block{Kind: Signature, Sign: &Sign{
		Position: value(o.Head.Position, 200),
		Name:     value(o.Head.Name, 200),
		Caption:  t("print.app.signature"),
		Stamp:    t("print.app.stamp"),
		Date:     t("print.app.date"),
	}})
	if first := Employees(&o)[0]; strings.TrimSpace(first.Phone) != "" {
		d.Footer = t("print.app.executor", map[string]any{"Name": value(first.Name, 200), "Phone": value(first.Phone, 40)})
	}
	return d, nil
}
