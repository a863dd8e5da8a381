package printout

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

func testProfile(t *testing.T) *profile.Profile {
	t.Helper()
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// hostile is an organisation name that would break a page that does not
// escape: a tag, a quote, an ampersand, a control character, a bidi
// override and a letter beyond the font's 16-bit glyph codes.
const hostile = "<script>alert(1)</script> \"&' Жаңы Өкмөт\x1b[31m\u202e ҢҮ 😀"

var (
	t0 = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	t1 = t0.Add(48 * time.Hour)
	t2 = t1.Add(24 * time.Hour)
)

func fullOrg() onboarding.Organisation {
	return onboarding.Organisation{
		MemberClass: "GOV", MemberCode: "70000001", Name: "Министерство цифрового развития Кыргызской Республики", ServerCode: "SS1",
		Address: "720040, г. Бишкек, ул. Абдымомунова, 207",
		Head:    onboarding.Person{Name: "Асанов Бакыт Үсөнович", Position: "Министр"},
		Employees: []onboarding.Person{
			{Name: "Токтогулова Айгүл Маратовна", Position: "Начальник управления информационных систем", Phone: "+996 312 000 001", Email: "a.toktogulova@example.kg"},
			{}, // a row left blank: not an employee
			{Name: "Ниязбеков Эрлан", Position: "Системный администратор", Phone: "0 (555) 12-34-56", Email: "e.niyazbekov@example.kg"},
			{Name: "Өмүрбекова Жаңыл", Position: "Инженер по информационной безопасности"},
		},
		System: onboarding.InfoSystem{Name: "Единый реестр цифровых услуг", Purpose: "учёт государственных услуг, оказываемых в электронной форме"},
	}
}

// midway: the CSRs went to the CA two days ago; nothing came back.
func midway() onboarding.Record {
	o := fullOrg()
	return onboarding.Record{
		Version: onboarding.Version, Updated: t2, Organisation: &o,
		Server:    &onboarding.Server{Host: "ss1.example.kg", Port: 2222, User: "admin"},
		Readiness: &onboarding.Readiness{At: t0, Pass: 14, Warn: 2, Fail: 0},
		Install:   &onboarding.Install{Started: t0, Finished: t0.Add(time.Hour), Outcome: onboarding.OutcomeOK, StepsDone: 12, StepsTotal: 12, XRoadVersion: "7.4.2"},
		Init:      &onboarding.Init{At: t0.Add(2 * time.Hour), TimeStamping: true, Outcome: onboarding.OutcomeOK},
		CSRs: []onboarding.CSR{
			{Usage: onboarding.UsageAuth, SHA256: "a", MadeAt: t0.Add(3 * time.Hour), Key: onboarding.Key{Place: onboarding.PlaceSoftToken}},
			{Usage: onboarding.UsageSign, SHA256: "b", MadeAt: t0.Add(4 * time.Hour), Key: onboarding.Key{Place: onboarding.PlaceRutoken}},
		},
		Submission: &onboarding.Submission{ID: "20261102-ss1", Via: "email", SentAt: t1, Stage: "sent"},
	}
}

func render(t *testing.T, d Doc, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, d, format); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	if os.Getenv("PRINTOUT_KEEP") != "" { // look at them: PRINTOUT_KEEP=DIR
		name := strings.NewReplacer(" ", "_", "/", "_").Replace(t.Name()) + "-" + d.Lang + "." + format
		_ = os.WriteFile(filepath.Join(os.Getenv("PRINTOUT_KEEP"), name), b.Bytes(), 0o644)
	}
	return b.Bytes()
}

func TestFormatOf(t *testing.T) {
	for in, want := range map[string]string{"a.pdf": FormatPDF, "A.PDF": FormatPDF, "x/y.html": FormatHTML, "y.htm": FormatHTML, "y.txt": "", "pdf": ""} {
		if got := FormatOf(in); got != want {
			t.Errorf("FormatOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// The status report is one self-contained HTML page that prints: no
// script, nothing fetched, A4 print rules; it says what is done with its
// date, and whom the organisation waits for since when.
func TestStatusHTML(t *testing.T) {
	p := testProfile(t)
	for _, lang := range i18n.Languages {
		d := Status(midway(), p, lang, t2)
		page := string(render(t, d, FormatHTML))
		for _, want := range []string{
			"<!DOCTYPE html>", `<html lang="` + lang + `">`, "@page{size:A4", "@media print",
			"<h1>" + i18n.T(lang, "print.status.title", nil) + "</h1>",
			"Министерство цифрового развития Кыргызской Республики",
			"ss1.example.kg:2222",
			// done, with its date
			"<td>" + i18n.T(lang, "print.step.sent", nil) + "</td><td>" + i18n.T(lang, "print.state.done", nil) + "</td><td>" + date(t1, lang) + "</td>",
			// awaited from the CA since the CSRs went
			"<td>" + p.CA.Title.In(lang) + "</td><td>" + i18n.T(lang, "print.await.ca", nil) + "</td><td>" + date(t1, lang) + "</td>",
			p.Operator.Contact.Phone,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q", lang, want)
			}
		}
		for _, bad := range []string{"<script", " src=", "<link", "@import", "url(", "{{", "print.", "%!"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s: the page holds %q", lang, bad)
			}
		}
		// Nothing is awaited from the operator yet, nor is "send" ours to do.
		if strings.Contains(page, i18n.T(lang, "print.await.operator", nil)) || strings.Contains(page, i18n.T(lang, "print.todo.send", nil)) {
			t.Errorf("%s: the page waits for the operator or asks to send again", lang)
		}
	}
}

// Every value from the record is escaped: a hostile name prints as text.
func TestHTMLEscapesRecordValues(t *testing.T) {
	p := testProfile(t)
	r := midway()
	r.Organisation.Name = hostile
	r.Server.Host = `h"><img src=x onerror=alert(1)>`
	page := string(render(t, Status(r, p, "ru", t2), FormatHTML))
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<img") || strings.Contains(page, "\x1b") || strings.Contains(page, "\u202e") {
		t.Fatalf("a value reached the page unescaped:\n%s", page)
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt; &#34;&amp;&#39; Жаңы Өкмөт", "&lt;img src=x onerror=alert(1)&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("the escaped value %q is not on the page", want)
		}
	}

	o := fullOrg()
	o.Head.Name, o.Employees[0].Position = hostile, "</td></tr></table><h1>x"
	d, err := Application(o, p, "ky")
	if err != nil {
		t.Fatal(err)
	}
	page = string(render(t, d, FormatHTML))
	if strings.Contains(page, "<script>") || strings.Contains(page, "</td></tr></table><h1>x") {
		t.Fatalf("the application holds a value unescaped:\n%s", page)
	}
	if !strings.Contains(page, "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h1&gt;x") {
		t.Error("the escaped position is not on the page")
	}
}

// What is awaited, from whom and since when, at each stage of the way.
func TestStatusAwaited(t *testing.T) {
	p := testProfile(t)
	lang := "en"
	tt := func(k string) string { return i18n.T(lang, k, nil) }
	ca, op, us := p.CA.Title.In(lang), p.Operator.Title.In(lang), tt("print.who.us")

	withCerts := func(f func(c *onboarding.Certificate)) onboarding.Record {
		r := midway()
		r.Submission.Stage = "imported"
		c := onboarding.Certificate{Usage: onboarding.UsageAuth, Hash: "h1", ImportedAt: t2, NotAfter: t2.AddDate(2, 0, 0)}
		f(&c)
		r.Certificates = []onboarding.Certificate{c, {Usage: onboarding.UsageSign, Hash: "h2", ImportedAt: t2}}
		return r
	}
	// connected: an active server with a registered subsystem, a first
	// call made (ok or not) when called.
	connected := func(called, ok bool) onboarding.Record {
		r := withCerts(func(c *onboarding.Certificate) { c.RegistrationSent, c.RegisteredAt, c.ActivatedAt = t2, t2, t2 })
		r.Connect = &onboarding.Connect{Subsystems: []onboarding.ConnectSubsystem{{Code: "crm", Name: "CRM", Status: "REGISTERED", Registered: t2}}}
		if called {
			r.Connect.FirstCall = &onboarding.FirstCall{At: t2, Client: "KG/GOV/70000001/crm", OK: ok}
		}
		return r
	}
	fresh := onboarding.Record{Version: 1}
	// The signing CSR went alone: the letter said the authentication CSR
	// follows, and the server is not configured yet to make it.
	partSent := midway()
	partSent.Init, partSent.CSRs = nil, partSent.CSRs[1:]
	partSent.Submission.Awaiting = []string{onboarding.UsageAuth}
	rest := i18n.T(lang, "print.await.rest_auth", map[string]any{"ID": "20261102-ss1", "CA": ca})
	failedCheck := midway()
	failedCheck.Readiness.Fail, failedCheck.Submission = 2, nil
	for _, c := range []struct {
		name string
		rec  onboarding.Record
		want [][]string
	}{
		{"nothing yet", fresh, [][]string{
			{us, tt("print.todo.organisation"), ""}, {us, tt("print.todo.server"), ""}, {us, tt("print.todo.readiness"), ""},
			{us, tt("print.todo.install"), ""}, {us, tt("print.todo.configure"), ""}, {us, tt("print.todo.auth_csr"), ""},
			{us, tt("print.todo.sign_csr"), ""}, {us, tt("print.todo.send"), ""}}},
		{"check failed, nothing sent", failedCheck, [][]string{
			{us, i18n.T(lang, "print.todo.readiness_fix", map[string]any{"Fail": 2}), ""}, {us, tt("print.todo.send"), ""}}},
		{"sent", midway(), [][]string{{ca, tt("print.await.ca"), date(t1, lang)}}},
		{"sent in part", partSent, [][]string{{ca, tt("print.await.ca_sign"), date(t1, lang)}, {us, rest, date(t1, lang)},
			{us, tt("print.todo.configure"), ""}, {us, tt("print.todo.auth_csr"), ""}}},
		{"imported", withCerts(func(*onboarding.Certificate) {}), [][]string{{us, tt("print.todo.register"), ""}}},
		{"registration sent", withCerts(func(c *onboarding.Certificate) { c.RegistrationSent = t2.Add(time.Hour) }),
			[][]string{{op, tt("print.await.operator"), date(t2.Add(time.Hour), lang)}}},
		{"approved", withCerts(func(c *onboarding.Certificate) { c.RegistrationSent, c.RegisteredAt = t2, t2.Add(5*time.Hour) }),
			[][]string{{us, tt("print.todo.activate"), ""}}},
		{"active", withCerts(func(c *onboarding.Certificate) { c.RegistrationSent, c.RegisteredAt, c.ActivatedAt = t2, t2, t2 }),
			[][]string{{us, tt("print.todo.subsystem"), ""}, {us, tt("print.todo.catalogue"), ""}}},
		{"subsystem registered, no call", connected(false, false), [][]string{{us, tt("print.todo.first_call"), ""}, {us, tt("print.todo.catalogue"), ""}}},
		{"first call through", connected(true, true), [][]string{{us, tt("print.todo.catalogue"), ""}}},
	} {
		d := Status(c.rec, p, lang, t2)
		var got [][]string
		for i, b := range d.Blocks {
			if b.Kind == Heading && b.Text == tt("print.status.awaited") {
				got = d.Blocks[i+1].Rows
			}
		}
		if !equalRows(got, c.want) {
			t.Errorf("%s: awaited\n%q\nwant\n%q", c.name, got, c.want)
		}
	}
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}

// The PDF is a real PDF (header, cross-reference table, trailer) whose
// text reads back as drawn, Kyrgyz letters and all; a hostile name is
// just text there; a letter the font's codes cannot hold prints as "?".
func TestStatusPDF(t *testing.T) {
	p := testProfile(t)
	r := midway()
	r.Organisation.Name = hostile
	for _, lang := range i18n.Languages {
		f := readPDF(t, render(t, Status(r, p, lang, t2), FormatPDF))
		text := strings.Join(f.lines, " ") // lines wrapped at spaces join back
		if f.pages != 1 {
			t.Errorf("%s: %d pages, want 1", lang, f.pages)
		}
		for _, want := range []string{
			i18n.T(lang, "print.status.title", nil),
			i18n.T(lang, "print.status.as_of", map[string]any{"Date": date(t2, lang)}),
			"<script>alert(1)</script> \"&' Жаңы Өкмөт ҢҮ ?", // escapes, controls and bidi overrides dropped, the emoji a "?"
			i18n.T(lang, "print.step.sent", nil), date(t1, lang), p.CA.Title.In(lang),
		} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the PDF's text lacks %q:\n%s", lang, want, f.text())
			}
		}
		if strings.Contains(text, "<0") {
			t.Errorf("%s: glyphs without text in the PDF:\n%s", lang, f.text())
		}
	}
	ky := readPDF(t, render(t, Status(r, p, "ky", t2), FormatPDF)).text()
	for _, letter := range []string{"ө", "ү", "ң", "Ө", "Ү", "Ң"} {
		if !strings.Contains(ky, letter) {
			t.Errorf("the Kyrgyz PDF lacks %q", letter)
		}
	}
}

// The application, in Russian and in Kyrgyz, names the operator, the
// participant and its address, the information system and every
// employee with position and contacts (a blank row is no employee), in
// the operator's words, and is laid out to be signed by the head.
func TestApplication(t *testing.T) {
	p := testProfile(t)
	o := fullOrg()
	for _, lang := range ApplicationLanguages {
		d, err := Application(o, p, lang)
		if err != nil {
			t.Fatal(err)
		}
		tt := func(k string) string { return i18n.T(lang, k, nil) }
		want := []string{
			tt("print.app.title"), tt("print.app.subtitle"), tt("print.app.employees_intro"), tt("print.app.agreement"),
			p.Operator.Title.In(lang), p.Operator.Contact.Address.In(lang),
			o.Name, o.Address, "GOV 70000001", o.System.Name, o.System.Purpose, "SS1",
			o.Head.Name, o.Head.Position, tt("print.app.signature"), tt("print.app.stamp"), tt("print.app.date"),
			i18n.T(lang, "print.app.executor", map[string]any{"Name": o.Employees[0].Name, "Phone": o.Employees[0].Phone}),
		}
		for _, e := range o.Employees {
			for _, v := range []string{e.Name, e.Position, e.Phone, e.Email} {
				if v != "" {
					want = append(want, v)
				}
			}
		}
		page := string(render(t, d, FormatHTML))
		pdf := readPDF(t, render(t, d, FormatPDF))
		// The PDF wraps long texts, and cuts words wider than a column:
		// compare without spaces.
		pdfText := strings.ReplaceAll(strings.Join(pdf.lines, ""), " ", "")
		for _, w := range want {
			if !strings.Contains(page, htmlText(w)) {
				t.Errorf("%s HTML lacks %q", lang, w)
			}
			if !strings.Contains(pdfText, strings.ReplaceAll(w, " ", "")) {
				t.Errorf("%s PDF lacks %q", lang, w)
			}
		}
		// Three employees, numbered 1 to 3, in the table.
		var staff Block
		for _, b := range d.Blocks {
			if b.Kind == Table {
				staff = b
			}
		}
		if len(staff.Rows) != 3 || staff.Rows[2][0] != "3" || staff.Rows[2][1] != "Өмүрбекова Жаңыл" || staff.Rows[2][3] != "—" {
			t.Errorf("%s: employees %q", lang, staff.Rows)
		}
		if pdf.pages != 1 {
			t.Errorf("%s: the application takes %d pages, want 1", lang, pdf.pages)
		}
	}
	// The two languages are two texts, not one with another title.
	ru, _ := Application(o, p, "ru")
	ky, _ := Application(o, p, "ky")
	if ru.Title == ky.Title || ru.Blocks[0].Text == ky.Blocks[0].Text {
		t.Error("the Kyrgyz application reads as the Russian one")
	}
}

// A long list of employees goes on over pages, the table's header again
// on each, and nobody is lost at a page break.
func TestApplicationOverPages(t *testing.T) {
	p := testProfile(t)
	o := fullOrg()
	o.Employees = nil
	for i := 0; i < 40; i++ {
		o.Employees = append(o.Employees, onboarding.Person{Name: "Сотрудник Номер " + string(rune('А'+i%32)) + strings.Repeat("ө", i%5), Position: "Должность " + strings.Repeat("очень длинная ", i%4)})
	}
	d, err := Application(o, p, "ru")
	if err != nil {
		t.Fatal(err)
	}
	f := readPDF(t, render(t, d, FormatPDF))
	if f.pages < 2 {
		t.Fatalf("%d pages for 40 employees", f.pages)
	}
	headers := 0
	for _, l := range f.lines {
		if l == i18n.T("ru", "print.app.col_name", nil) {
			headers++
		}
	}
	if headers != f.pages && headers != f.pages-1 { // the last page may hold only the signature
		t.Errorf("the table's header is drawn %d times over %d pages", headers, f.pages)
	}
	text := strings.Join(f.lines, " ")
	for _, e := range o.Employees {
		if !strings.Contains(text, e.Name) {
			t.Errorf("%q is lost", e.Name)
		}
	}
}

// A word wider than its column is cut, never drawn past the page.
func TestPDFCutsLongWords(t *testing.T) {
	p := testProfile(t)
	o := fullOrg()
	long := strings.Repeat("Ө", 300)
	o.System.Name = long
	d, err := Application(o, p, "ky")
	if err != nil {
		t.Fatal(err)
	}
	f := readPDF(t, render(t, d, FormatPDF))
	pieces := 0
	for _, l := range f.lines {
		if strings.Trim(l, "Ө") == "" && l != "" {
			pieces++
		}
	}
	if pieces < 3 || !strings.Contains(strings.Join(f.lines, ""), long) {
		t.Errorf("the long name is in %d pieces, or lost", pieces)
	}
}

// What the application needs is told field by field; it is not made
// while anything is missing, nor in a language the operator does not use.
func TestApplicationMissing(t *testing.T) {
	p := testProfile(t)
	if m := MissingForApplication(ptr(fullOrg())); m != nil {
		t.Fatalf("a full organisation misses %v", m)
	}
	fields := func(m []Missing) string {
		var out []string
		for _, x := range m {
			f := x.Field
			if x.Employee > 0 {
				f += "#" + string(rune('0'+x.Employee))
			}
			out = append(out, f)
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		name string
		edit func(o *onboarding.Organisation)
		want string
	}{
		{"only the wizard's first fields", func(o *onboarding.Organisation) {
			*o = onboarding.Organisation{MemberClass: "GOV", MemberCode: "70000001", Name: "A", ServerCode: "SS1"}
		}, "address head_name head_position system_name employees"},
		{"blank rows are no employees", func(o *onboarding.Organisation) { o.Employees = []onboarding.Person{{}, {Name: "  "}} }, "employees"},
		{"an employee without position", func(o *onboarding.Organisation) { o.Employees[2].Position = "" }, "employee_position#3"},
		{"an employee with only a phone", func(o *onboarding.Organisation) { o.Employees[1].Phone = "0555" }, "employee_name#2 employee_position#2 employee_phone#2"},
		{"a wrong e-mail", func(o *onboarding.Organisation) { o.Employees[0].Email = "a.toktogulova" }, "employee_email#1"},
		{"a phone with letters", func(o *onboarding.Organisation) { o.Employees[0].Phone = "call me" }, "employee_phone#1"},
		{"no head", func(o *onboarding.Organisation) { o.Head = onboarding.Person{} }, "head_name head_position"},
	} {
		o := fullOrg()
		c.edit(&o)
		m := MissingForApplication(&o)
		if got := fields(m); got != c.want {
			t.Errorf("%s: missing %q, want %q", c.name, got, c.want)
		}
		_, err := Application(o, p, "ru")
		var me *MissingError
		if !errors.As(err, &me) || len(me.Missing) != len(m) {
			t.Errorf("%s: Application said %v", c.name, err)
		}
		for _, x := range m {
			for _, lang := range i18n.Languages {
				if s := x.Text(lang); s == "" || strings.HasPrefix(s, "print.") || strings.Contains(s, "{{") || strings.Contains(s, "<no value>") {
					t.Errorf("%s: %s in %s reads %q", c.name, x.Key, lang, s)
				}
			}
		}
	}
	if _, err := Application(fullOrg(), p, "en"); !errors.Is(err, ErrApplicationLanguage) {
		t.Errorf("an English application: %v", err)
	}
}

// htmlText is s as html/template writes it in text.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

func ptr[T any](v T) *T { return &v }

// The notice to the operator is done only once it went: a letter or a
// folder written and not marked sent is "needs attention", prepared.
func TestStatusNotice(t *testing.T) {
	p := testProfile(t)
	lang := "en"
	tt := func(k string, d map[string]any) string { return i18n.T(lang, k, d) }
	noticeRow := func(c *onboarding.Connect) []string {
		r := midway()
		r.Connect = c
		for _, b := range Status(r, p, lang, t2).Blocks {
			for _, row := range b.Rows {
				if len(row) == 4 && row[0] == tt("print.step.notice", nil) {
					return row
				}
			}
		}
		return nil
	}
	subs := []onboarding.ConnectSubsystem{{Code: "crm", Status: "REGISTERED", Registered: t1}}
	written := &onboarding.Connect{Subsystems: subs, NoticeID: "n-1", NoticeVia: "email", NoticeWritten: t1}
	want := []string{tt("print.step.notice", nil), tt("print.state.attention", nil), date(t1, lang), tt("print.detail.prepared", map[string]any{"ID": "n-1"})}
	if got := noticeRow(written); !equalRows([][]string{got}, [][]string{want}) {
		t.Errorf("written, not sent: %q, want %q", got, want)
	}
	sent := *written
	sent.NoticeSent = t2
	want = []string{tt("print.step.notice", nil), tt("print.state.done", nil), date(t2, lang), "n-1"}
	if got := noticeRow(&sent); !equalRows([][]string{got}, [][]string{want}) {
		t.Errorf("sent: %q, want %q", got, want)
	}
}

// The Health section: when the server was last checked, the verdict,
// and each finding worst first with its title and what to do in the
// report's language; a finding kept without texts (an older record) by
// its ID; host text escaped. No section before a check.
func TestStatusHealth(t *testing.T) {
	p := testProfile(t)
	r := midway()
	if page := string(render(t, Status(r, p, "en", t2), FormatHTML)); strings.Contains(page, i18n.T("en", "print.status.health", nil)) {
		t.Error("a Health section before any check")
	}
	title := i18n.Text{EN: "Token " + hostile + " logged in", RU: "Токен " + hostile + " вошёл", KY: "Токен " + hostile + " кирди"}
	fix := i18n.Text{EN: "Log the token in", RU: "Войдите в токен", KY: "Токенге кириңиз"}
	ok := i18n.Text{EN: "Global configuration", RU: "Глобальная конфигурация", KY: "Глобалдык конфигурация"}
	r.Health = &onboarding.Health{At: t1, Status: onboarding.HealthCritical, Findings: []onboarding.HealthFinding{
		{ID: "globalconf", Status: onboarding.HealthOK, Title: &ok},
		{ID: "token.0", Status: onboarding.HealthCritical, Title: &title, Fix: &fix},
		{ID: "clock<b>", Status: onboarding.HealthWarning},
	}}
	for _, lang := range i18n.Languages {
		tt := func(k string) string { return i18n.T(lang, k, nil) }
		page := string(render(t, Status(r, p, lang, t2), FormatHTML))
		want := []string{"<h2>" + tt("print.status.health") + "</h2>", "<td>" + tt("print.field.health_checked") + "</td><td>" + date(t1, lang) + "</td>",
			"<td>" + tt("print.field.health_verdict") + "</td><td>" + tt("print.health.critical") + "</td>",
			"<th>" + tt("print.col.finding") + "</th><th>" + tt("print.col.fix") + "</th>",
			"<td>" + tt("print.health.status.critical") + "</td><td>" + strings.Fields(title.In(lang))[0] + " &lt;script&gt;",
			fix.In(lang) + "</td>", "<td>" + tt("print.health.status.warning") + "</td><td>clock&lt;b&gt;</td>",
			"<td>" + tt("print.health.status.ok") + "</td><td>" + ok.In(lang) + "</td>"}
		at := -1
		for _, w := range want {
			i := strings.Index(page, w)
			if i < 0 {
				t.Errorf("%s: the page lacks %q", lang, w)
				continue
			}
			if i < at {
				t.Errorf("%s: %q out of order", lang, w)
			}
			at = i
		}
		if strings.Contains(page, "<script>alert") || strings.Contains(page, "<b>") || strings.Contains(page, "\u202e") {
			t.Errorf("%s: host text unescaped", lang)
		}
		if pdf := render(t, Status(r, p, lang, t2), FormatPDF); !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("%s: no PDF", lang)
		}
	}
	r.Health.Unreached, r.Health.Findings = true, nil
	if page := string(render(t, Status(r, p, "ru", t2), FormatHTML)); !strings.Contains(page, i18n.T("ru", "print.health.unreached", nil)) {
		t.Error("an unreached server is not told")
	}
}
