package app

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
)

// appOrg is an organisation with everything the application names.
func appOrg() Organisation {
	o := validOrg()
	o.Address = "720040, г. Бишкек, ул. Абдымомунова, 207"
	o.Head = onboarding.Person{Name: "Асанов Бакыт Үсөнович", Position: "Министр"}
	o.System = onboarding.InfoSystem{Name: "Единый реестр цифровых услуг"}
	o.Employees = []onboarding.Person{
		{Name: "Токтогулова Айгүл", Position: "Начальник управления", Phone: "+996 312 000 001", Email: "a@example.kg"},
		{Name: "Өмүрбекова Жаңыл", Position: "Инженер"},
	}
	return o
}

func missingText(field string, n int) string {
	return i18n.T(CurrentLanguage(), "print.missing."+field, map[string]any{"N": n})
}

// The Organisation step asks what the application needs, tells what it
// still lacks, never blocks Next for it, marks a wrong e-mail, keeps
// everything for the next start and puts it in the record.
func TestOrgApplicationFields(t *testing.T) {
	prefs := mapPrefs{}
	wz, w := newTestWizard(t, prefs)
	wz.Next()
	if wz.stepID() != stepOrganisation {
		t.Fatalf("at %s", wz.stepID())
	}
	fillOrg(wz, validOrg())
	f := wz.org.app
	missing := func() string { return f.missing.Text }
	for _, m := range []string{missingText("address", 0), missingText("head_name", 0), missingText("system_name", 0), missingText("employees", 0)} {
		if !strings.Contains(missing(), m) {
			t.Errorf("the form does not say %q is missing: %q", m, missing())
		}
	}
	if wz.next.Disabled() {
		t.Fatalf("Next is blocked by the application's fields: %q", wz.message.Text)
	}
	if len(f.rows) != 1 || len(wz.state.Org.Employees) != 0 {
		t.Fatalf("%d employee rows, %d employees: want one empty row and none", len(f.rows), len(wz.state.Org.Employees))
	}

	want := appOrg()
	test.Type(f.address, want.Address)
	test.Type(f.headName, want.Head.Name)
	test.Type(f.headPosition, want.Head.Position)
	test.Type(f.systemName, want.System.Name)
	r := f.rows[0]
	test.Type(r.name, want.Employees[0].Name)
	test.Type(r.position, want.Employees[0].Position)
	test.Type(r.phone, want.Employees[0].Phone)
	test.Type(r.email, "a.example.kg")
	if r.email.Validate() == nil || !strings.Contains(missing(), missingText("employee_email", 1)) {
		t.Errorf("a wrong e-mail passes: validate %v, missing %q", r.email.Validate(), missing())
	}
	if wz.next.Disabled() {
		t.Error("a wrong e-mail blocks Next")
	}
	r.email.SetText("")
	test.Type(r.email, want.Employees[0].Email)
	if missing() != T("org.app.ready") {
		t.Errorf("all filled in, the form says %q", missing())
	}

	test.Tap(f.add)
	if len(f.rows) != 2 || missing() != T("org.app.ready") {
		t.Fatalf("after Add: %d rows, %q (an empty row is no employee)", len(f.rows), missing())
	}
	test.Type(f.rows[1].name, "Временный Сотрудник")
	if !strings.Contains(missing(), missingText("employee_position", 2)) {
		t.Errorf("an employee without position: %q", missing())
	}
	f.rows[1].name.SetText("")
	test.Type(f.rows[1].name, want.Employees[1].Name)
	test.Type(f.rows[1].position, want.Employees[1].Position)
	test.Tap(f.add)
	test.Type(f.rows[2].name, "Уволенный")
	test.Tap(f.rows[2].remove)
	if len(f.rows) != 2 || !reflect.DeepEqual(wz.state.Org.Employees, want.Employees) {
		t.Fatalf("after Remove: %d rows, employees %+v", len(f.rows), wz.state.Org.Employees)
	}
	if got := shownTexts(w.Canvas().Content()); !contains(got, T("org.employee", map[string]any{"N": 2})) {
		t.Errorf("the second employee's heading is not shown: %q", got)
	}

	// Kept like the other fields, and recorded once the step is left.
	wz.Next()
	if rec := wz.rec.snapshot().Organisation; rec == nil || !reflect.DeepEqual(*rec, want.Record()) {
		t.Errorf("record holds %+v\nwant %+v", rec, want.Record())
	}
	wz2, _ := newTestWizard(t, prefs)
	if !reflect.DeepEqual(wz2.state.Org, want) {
		t.Errorf("restored %+v\nwant %+v", wz2.state.Org, want)
	}
}

// savedFiles replaces the file chooser: each save goes to dir under the
// name the wizard suggests (rename, when set, changes the extension, as
// a user typing another name would).
func savedFiles(t *testing.T, wz *wizard, rename func(string) string) (dir string, names *[]string) {
	dir = t.TempDir()
	names = &[]string{}
	wz.saveAs = func(name string, then func(fyne.URIWriteCloser, error)) {
		if rename != nil {
			name = rename(name)
		}
		*names = append(*names, name)
		then(storage.Writer(storage.NewFileURI(filepath.Join(dir, name))))
	}
	return dir, names
}

func toSummary(t *testing.T, wz *wizard) {
	t.Helper()
	wz.cur = wz.stepIndex(stepSummary)
	wz.showStep()
	if wz.printing == nil {
		t.Fatal("no print section on the Summary")
	}
}

// topDialogText is what the top dialog shows (it stays open).
func topDialogText(w fyne.Window) string {
	if top := w.Canvas().Overlays().Top(); top != nil {
		return strings.Join(shownTexts(top), "\n")
	}
	return ""
}

// The Summary's buttons save the status report and the application where
// the user chooses, as PDF or HTML, the application in Russian or Kyrgyz.
func TestSummaryPrintButtons(t *testing.T) {
	wz, w := newTestWizard(t, nil)
	wz.state.Org = appOrg()
	sent := time.Now().Add(-time.Hour)
	wz.rec.update("test", func(rec *onboarding.Record) {
		rec.Submission = &onboarding.Submission{ID: "x", Via: "email", SentAt: sent, Stage: "sent"}
	})
	dir, names := savedFiles(t, wz, nil)
	toSummary(t, wz)
	p := wz.printing

	test.Tap(p.status)
	if len(*names) != 1 || !strings.HasPrefix((*names)[0], "tunduk-status-70000001-") || !strings.HasSuffix((*names)[0], ".pdf") {
		t.Fatalf("suggested %q", *names)
	}
	pdf, _ := os.ReadFile(filepath.Join(dir, (*names)[0]))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the status report is not a PDF: %q", pdf[:min(len(pdf), 10)])
	}
	if ov := topDialogText(w); !strings.Contains(ov, filepath.Join(dir, (*names)[0])) {
		t.Errorf("no word where it was saved: %q", ov)
	}

	p.format.SetSelected("HTML")
	test.Tap(p.status)
	page, _ := os.ReadFile(filepath.Join(dir, (*names)[1]))
	for _, want := range []string{"<!DOCTYPE html>", i18n.T("en", "print.status.title", nil), i18n.T("en", "print.await.ca", nil), wz.state.Org.Name} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the HTML status report lacks %q", want)
		}
	}

	p.appLang.SetSelected(languageName("ky"))
	test.Tap(p.application)
	if got := (*names)[2]; got != "tunduk-application-70000001-ky.html" {
		t.Errorf("application suggested as %q", got)
	}
	page, _ = os.ReadFile(filepath.Join(dir, (*names)[2]))
	for _, e := range appOrg().Employees {
		if !strings.Contains(string(page), e.Name) {
			t.Errorf("the application lacks employee %q", e.Name)
		}
	}
	if !strings.Contains(string(page), i18n.T("ky", "print.app.title", nil)) || !strings.Contains(string(page), `lang="ky"`) {
		t.Error("the application is not the Kyrgyz one")
	}
	if ov := topDialogText(w); !strings.Contains(ov, wz.profile.Operator.Contact.Address.In("en")) {
		t.Errorf("the saved note does not say where to send it: %q", ov)
	}

	// A name the user gives another extension decides the format.
	wz.saveAs = nil
	dir2, names2 := savedFiles(t, wz, func(n string) string { return strings.TrimSuffix(n, ".html") + ".pdf" })
	p.appLang.SetSelected(languageName("ru"))
	test.Tap(p.application)
	if pdf, _ := os.ReadFile(filepath.Join(dir2, (*names2)[0])); !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("%s is not a PDF", (*names2)[0])
	}
}

// Without what it needs, the application is not saved: a dialog lists
// what is missing and leads to the Organisation step.
func TestSummaryPrintApplicationMissing(t *testing.T) {
	for _, lang := range Languages {
		t.Run(lang, func(t *testing.T) {
			wz, w := newTestWizard(t, nil)
			if err := SetLanguage(lang); err != nil {
				t.Fatal(err)
			}
			wz.rebuild()
			o := appOrg()
			o.Address, o.Employees = "", nil
			wz.state.Org = o
			_, names := savedFiles(t, wz, nil)
			toSummary(t, wz)
			if lang == "ky" && wz.printing.appLang.Selected != languageName("ky") {
				t.Errorf("the Kyrgyz wizard offers the application in %q first", wz.printing.appLang.Selected)
			}
			test.Tap(wz.printing.application)
			if len(*names) != 0 {
				t.Fatalf("saved %q though data is missing", *names)
			}
			ov := topDialogText(w)
			for _, want := range []string{missingText("address", 0), missingText("employees", 0)} {
				if !strings.Contains(ov, want) {
					t.Errorf("the dialog does not say %q:\n%s", want, ov)
				}
			}
			if strings.Contains(ov, missingText("head_name", 0)) {
				t.Errorf("the head is there but said missing:\n%s", ov)
			}
			var toOrg *widget.Button
			walk(w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
				if b, ok := o.(*widget.Button); ok && b.Text == T("summary.print.to_org") {
					toOrg = b
				}
			})
			if toOrg == nil {
				t.Fatal("no button to the Organisation step")
			}
			test.Tap(toOrg)
			if wz.stepID() != stepOrganisation {
				t.Errorf("at %s after the button", wz.stepID())
			}
		})
	}
}

// What the record keeps of the form: values trimmed, rows left blank
// dropped, the four identity fields as they were.
func TestOrganisationRecord(t *testing.T) {
	o := validOrg()
	o.Address = "  г. Ош \n"
	o.Head = onboarding.Person{Name: " Асанов ", Position: "Министр "}
	o.Employees = []onboarding.Person{{}, {Name: " Өмүрбекова Ж. ", Position: "Инженер", Email: " j@example.kg"}, {Phone: "  "}}
	o.System = onboarding.InfoSystem{Name: "Реестр ", Purpose: " "}
	want := onboarding.Organisation{MemberClass: "GOV", MemberCode: "70000001", Name: validOrg().Name, ServerCode: "SS1",
		Address: "г. Ош", Head: onboarding.Person{Name: "Асанов", Position: "Министр"},
		Employees: []onboarding.Person{{Name: "Өмүрбекова Ж.", Position: "Инженер", Email: "j@example.kg"}},
		System:    onboarding.InfoSystem{Name: "Реестр"}}
	if got := o.Record(); !reflect.DeepEqual(got, want) {
		t.Errorf("record\n%+v\nwant\n%+v", got, want)
	}
}

// A page that cannot be written is told in the user's words, never as
// the OS's English with a path.
func TestSummaryPrintFailure(t *testing.T) {
	wz, w := newTestWizard(t, nil)
	wz.state.Org = appOrg()
	gone := filepath.Join(t.TempDir(), "gone")
	wz.saveAs = func(name string, then func(fyne.URIWriteCloser, error)) {
		then(storage.Writer(storage.NewFileURI(filepath.Join(gone, name))))
	}
	toSummary(t, wz)
	test.Tap(wz.printing.status)
	ov := topDialogText(w)
	want := T("summary.print.failed", map[string]any{"Reason": i18n.FileReason("en", os.ErrNotExist)})
	if !strings.Contains(ov, want) || strings.Contains(ov, gone) {
		t.Errorf("the failure reads %q, want %q", ov, want)
	}
}
