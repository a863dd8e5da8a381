package app

// The Summary step's print section: the status report for the user's
// manager and the application to the operator (заявка на подключение),
// both from the onboarding record (onboarding/printout), saved where the
// user chooses as PDF or HTML.

import (
	"bytes"
	"errors"
	"regexp"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding/printout"
)

// printForm holds the print section's widgets (tests press them).
type printForm struct {
	status, application *widget.Button
	format, appLang     *widget.Select
}

// The format choices, as the select shows them.
var printFormats = []struct{ name, format string }{{"PDF", printout.FormatPDF}, {"HTML", printout.FormatHTML}}

// printView is the print section under the summary.
func (wz *wizard) printView() fyne.CanvasObject {
	f := &printForm{}
	wz.printing = f
	var names []string
	for _, x := range printFormats {
		names = append(names, x.name)
	}
	f.format = widget.NewSelect(names, nil)
	f.format.SetSelected(names[0])

	// The application is written in Russian or Kyrgyz: the user's
	// language when it is one of them, else Russian.
	var langs []string
	selected := languageName("ru")
	for _, l := range printout.ApplicationLanguages {
		langs = append(langs, languageName(l))
		if l == CurrentLanguage() {
			selected = languageName(l)
		}
	}
	f.appLang = widget.NewSelect(langs, nil)
	f.appLang.SetSelected(selected)

	f.status = widget.NewButtonWithIcon(T("summary.print.status"), theme.DocumentPrintIcon(), func() { wz.printStatus(f.chosenFormat()) })
	f.application = widget.NewButtonWithIcon(T("summary.print.application"), theme.DocumentPrintIcon(), func() {
		wz.printApplication(f.chosenFormat(), f.chosenLang())
	})
	return container.NewVBox(widget.NewSeparator(), heading(T("summary.print.title")), wrapped(T("summary.print.intro")),
		container.NewHBox(f.status, f.application, layout.NewSpacer()),
		container.NewHBox(widget.NewLabel(T("summary.print.format")), f.format,
			widget.NewLabel(T("summary.print.app_lang")), f.appLang, layout.NewSpacer()))
}

func (f *printForm) chosenFormat() string {
	for _, x := range printFormats {
		if x.name == f.format.Selected {
			return x.format
		}
	}
	return printout.FormatPDF
}

func (f *printForm) chosenLang() string {
	for _, l := range printout.ApplicationLanguages {
		if languageName(l) == f.appLang.Selected {
			return l
		}
	}
	return "ru"
}

// keepOrganisation writes the Organisation step's data as it is now into
// the record, which the printouts read next.
func (r *recorder) keepOrganisation() {
	o := r.wz.state.Org
	if len(o.Problems(r.wz.profile)) > 0 {
		return
	}
	r.update("organisation", func(rec *onboarding.Record) {
		if rec.SetOrganisation(o.Record()) {
			log.Info("onboarding record: another organisation; the earlier one's CSRs, submission and certificates are no longer shown")
		}
	})
}

// printStatus saves the status report in the user's language.
func (wz *wizard) printStatus(format string) {
	wz.rec.keepOrganisation()
	rec := wz.rec.snapshot()
	doc := printout.Status(rec, wz.profile, CurrentLanguage(), time.Now())
	name := "tunduk-status-" + fileCode(wz.state.Org.MemberCode) + "-" + time.Now().Format("20060102")
	wz.savePage(name, format, doc, func(path string) {
		dialog.ShowInformation(T("summary.print.saved.title"), T("summary.print.saved_status", map[string]any{"File": path}), wz.win)
	})
}

// printApplication saves the application to the operator in lang, or
// says what the Organisation step still lacks for it.
func (wz *wizard) printApplication(format, lang string) {
	wz.rec.keepOrganisation()
	rec := wz.rec.snapshot()
	var org onboarding.Organisation
	if rec.Organisation != nil {
		org = *rec.Organisation
	}
	doc, err := printout.Application(org, wz.profile, lang)
	var me *printout.MissingError
	if errors.As(err, &me) {
		wz.showMissing(me.Missing)
		return
	}
	if err != nil {
		wz.printFailed(err)
		return
	}
	name := "tunduk-application-" + fileCode(org.MemberCode) + "-" + lang
	wz.savePage(name, format, doc, func(path string) {
		where := wz.profile.Operator.Title.In(CurrentLanguage())
		if a := wz.profile.Operator.Contact.Address.In(CurrentLanguage()); a != "" {
			where += ", " + a
		}
		dialog.ShowInformation(T("summary.print.saved.title"), T("summary.print.saved_application",
			map[string]any{"File": path, "Operator": where}), wz.win)
	})
}

// showMissing tells what the application lacks, with a way to the
// Organisation step.
func (wz *wizard) showMissing(missing []printout.Missing) {
	text := widget.NewLabel(T("summary.print.missing", map[string]any{"List": "• " + missingList(missing, "\n• ")}))
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(T("summary.print.missing.title"), T("summary.print.to_org"), T("summary.print.close"), text,
		func(toOrg bool) {
			if toOrg {
				wz.goTo(wz.stepIndex(stepOrganisation))
			}
		}, wz.win)
	showSized(d, wz.win, 560)
}

// savePage asks where to save doc (suggested name, the extension of the
// chosen format) and writes it there in the format the chosen file's
// extension names, else in format.
func (wz *wizard) savePage(name, format string, doc printout.Doc, saved func(path string)) {
	wz.chooseSave(name+"."+format, func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			wz.printFailed(err)
			return
		}
		if wc == nil {
			return // cancelled
		}
		path := wc.URI().Path()
		if f := printout.FormatOf(path); f != "" {
			format = f
		}
		var b bytes.Buffer
		err = printout.Write(&b, doc, format)
		if err == nil {
			_, err = wc.Write(b.Bytes())
		}
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			wz.printFailed(err)
			return
		}
		log.WithField("file", path).Info("page saved")
		saved(path)
	})
}

// chooseSave asks for the file to save to: the file chooser, or what a
// test put in saveAs.
func (wz *wizard) chooseSave(name string, then func(fyne.URIWriteCloser, error)) {
	if wz.saveAs != nil {
		wz.saveAs(name, then)
		return
	}
	d := dialog.NewFileSave(then, wz.win)
	d.SetFileName(name)
	showFileDialog(d, wz.win)
}

// printFailed tells why a page was not saved, in the user's words (the
// OS's own in the log).
func (wz *wizard) printFailed(err error) {
	dialog.ShowError(errors.New(fileProblem("summary.print.failed", err)), wz.win)
}

var notFileSafe = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// fileCode is the member code as a part of a file name.
func fileCode(code string) string {
	if c := notFileSafe.ReplaceAllString(code, ""); c != "" {
		return c
	}
	return "organisation"
}
