package app

// The Submit step's page: what goes to the operator, how to send it, the
// outcome and the application's status. The work is submit_run.go.

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
)

// submitWidgets are the page's widgets while it is shown.
type submitWidgets struct {
	contents                     *fyne.Container
	recipient                    *widget.Label
	advanced                     *widget.Check
	to                           *widget.Entry
	via                          *widget.RadioGroup
	viaLabels                    map[string]enroll.Via
	forms                        map[enroll.Via]fyne.CanvasObject
	smtpHost, smtpPort, smtpUser *widget.Entry
	smtpPW, smtpFrom, emailFrom  *widget.Entry
	remember                     *widget.Check
	folder                       *widget.Entry
	pending                      *widget.Label
	retry                        *widget.Button
	send, cancel                 *widget.Button
	progress                     *widget.ProgressBarInfinite
	status                       *widget.Label
	outcome, timeline            *fyne.Container
	scroll, timelineScroll       *container.Scroll
}

// viaKeys name the ways to send, in the order offered.
var viaKeys = []struct {
	via enroll.Via
	key string
}{
	{enroll.ViaEmail, "submit.via.email"},
	{enroll.ViaSMTP, "submit.via.smtp"},
	{enroll.ViaHTTPS, "submit.via.https"},
	{enroll.ViaFolder, "submit.via.folder"},
}

func (ss *submitStep) view() fyne.CanvasObject {
	v := &submitWidgets{viaLabels: map[string]enroll.Via{}, forms: map[enroll.Via]fyne.CanvasObject{}}
	ss.v = v
	f := &ss.form
	ss.loadRecord()

	intro := wrapped(T("submit.intro"))
	v.contents = container.NewVBox()

	v.recipient = widget.NewLabel("")
	v.recipient.Wrapping = fyne.TextWrapWord
	v.to = entryFor(&f.To, "", false, func() { ss.refresh() })
	v.advanced = widget.NewCheck(T("submit.advanced"), func(b bool) {
		f.Advanced = b
		if !b {
			f.To = ss.wz.profile.CA.Email
			v.to.SetText(f.To)
		}
		ss.refresh()
	})
	v.advanced.Checked = f.Advanced

	var labels []string
	for _, k := range viaKeys {
		if ss.viaOffered(k.via) {
			labels = append(labels, T(k.key))
			v.viaLabels[T(k.key)] = k.via
		}
	}
	v.via = widget.NewRadioGroup(labels, func(s string) {
		if via, ok := v.viaLabels[s]; ok && via != f.Via {
			f.Via = via
			ss.outcome, ss.confirm = nil, ""
			ss.saveForm()
			ss.refresh()
		}
	})
	v.via.Required = true
	for l, via := range v.viaLabels {
		if via == f.Via {
			v.via.Selected = l
		}
	}

	save := func() { ss.saveForm(); ss.refresh() }
	// E-mail through the mail client: the sender is optional (the client
	// fills it in); it is the same address the SMTP form uses.
	v.emailFrom = entryFor(&f.SMTPFrom, T("submit.from_placeholder"), false, save)
	v.forms[enroll.ViaEmail] = container.NewVBox(wrappedLow(T("submit.email.about")),
		widget.NewForm(widget.NewFormItem(T("submit.from_optional"), v.emailFrom)))

	v.smtpHost = entryFor(&f.SMTPHost, "smtp.example.kg", false, save)
	v.smtpPort = entryFor(&f.SMTPPort, defaultSMTPPort, false, save)
	v.smtpUser = entryFor(&f.SMTPUser, T("submit.smtp_user_placeholder"), false, func() { ss.saveForm(); ss.loadPassword(); ss.refresh() })
	v.smtpPW = entryFor(&f.SMTPPassword, "", true, func() { ss.refresh() })
	v.smtpFrom = entryFor(&f.SMTPFrom, T("submit.from_placeholder"), false, save)
	v.remember = widget.NewCheck(T("submit.smtp_remember"), func(b bool) {
		if f.Remember && !b {
			ss.forgetPassword()
		}
		f.Remember = b
		ss.saveForm()
	})
	v.remember.Checked = f.Remember
	v.forms[enroll.ViaSMTP] = container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(T("submit.smtp_host"), v.smtpHost),
			widget.NewFormItem(T("submit.smtp_port"), v.smtpPort),
			widget.NewFormItem(T("submit.smtp_user"), v.smtpUser),
			widget.NewFormItem(T("submit.smtp_password"), v.smtpPW),
			widget.NewFormItem(T("submit.smtp_from"), v.smtpFrom)),
		v.remember,
		wrappedLow(T("submit.smtp_starttls")))

	v.pending = wrappedLow("")
	v.retry = widget.NewButtonWithIcon(T("submit.retry"), theme.ViewRefreshIcon(), ss.retryOutbox)
	v.forms[enroll.ViaHTTPS] = container.NewVBox(
		wrappedLow(T("submit.https.about", map[string]any{"URL": ss.intakeURL()})),
		container.NewBorder(nil, nil, nil, v.retry, v.pending))

	v.folder = entryFor(&f.Folder, T("submit.folder_placeholder"), false, save)
	browse := widget.NewButtonWithIcon(T("submit.choose_folder"), theme.FolderOpenIcon(), ss.chooseFolder)
	v.forms[enroll.ViaFolder] = container.NewVBox(wrappedLow(T("submit.folder.about")),
		container.NewBorder(nil, nil, nil, browse, v.folder))

	forms := container.NewVBox()
	for _, k := range viaKeys {
		forms.Add(v.forms[k.via])
	}

	v.send = widget.NewButtonWithIcon(T("submit.send"), theme.MailSendIcon(), ss.send)
	v.send.Importance = widget.HighImportance
	v.cancel = widget.NewButtonWithIcon(T("submit.cancel"), theme.MediaStopIcon(), ss.cancel)
	v.progress = widget.NewProgressBarInfinite()
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	v.outcome = container.NewVBox()
	v.timeline = container.NewVBox()

	v.scroll = container.NewVScroll(container.NewVBox(
		intro,
		heading(T("submit.how")),
		v.recipient, v.advanced, v.to,
		v.via, forms,
		container.NewBorder(nil, nil, container.NewHBox(v.send, v.cancel), nil, v.progress),
		v.status, v.outcome,
	))
	// What the package holds and where the application stands stay in
	// view beside the form: after a restart, the status is what the user
	// comes back for.
	v.timelineScroll = container.NewVScroll(container.NewVBox(
		heading(T("submit.contents")), v.contents,
		widget.NewSeparator(),
		heading(T("submit.status")), v.timeline,
		widget.NewSeparator(),
		ss.wz.nextCard(true)))
	split := container.NewHSplit(v.scroll, v.timelineScroll)
	split.Offset = 0.5
	ss.refresh()
	ss.loadPassword()
	return split
}

// entryFor is an entry bound to *val; changed runs after each edit.
func entryFor(val *string, placeholder string, password bool, changed func()) *widget.Entry {
	e := widget.NewEntry()
	if password {
		e = widget.NewPasswordEntry()
	}
	e.SetText(*val)
	e.SetPlaceHolder(placeholder)
	e.OnChanged = func(s string) { *val = s; changed() }
	return e
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func wrappedLow(text string) *widget.Label {
	l := wrapped(text)
	l.Importance = widget.LowImportance
	return l
}

func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// refresh brings the widgets in line with the state.
func (ss *submitStep) refresh() {
	v := ss.v
	if v == nil {
		return
	}
	f := ss.form
	ss.renderContents()
	v.recipient.SetText(T("submit.recipient", map[string]any{"CA": ss.wz.caTitle(), "Email": strings.TrimSpace(f.To)}))
	if f.Advanced {
		v.to.Show()
	} else {
		v.to.Hide()
	}
	for via, form := range v.forms {
		if via == f.Via {
			form.Show()
		} else {
			form.Hide()
		}
	}
	v.pending.SetText(T("submit.pending", map[string]any{"Count": ss.pending}))
	if ss.pending > 0 && !ss.running {
		v.retry.Enable()
	} else {
		v.retry.Disable()
	}

	problem := ss.formProblem()
	for _, w := range []fyne.Disableable{v.advanced, v.to, v.via, v.smtpHost, v.smtpPort, v.smtpUser, v.smtpPW, v.smtpFrom, v.emailFrom, v.remember, v.folder} {
		if ss.running {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if ss.running || problem != "" {
		v.send.Disable()
	} else {
		v.send.Enable()
	}
	// What Send does: the whole application, what is ready of it, or its rest.
	switch {
	case ss.sendsRest():
		v.send.SetText(T("submit.send_rest"))
	case len(ss.follows()) > 0 && len(ss.awaited()) == 0:
		v.send.SetText(T("submit.send_ready"))
	default:
		v.send.SetText(T("submit.send"))
	}
	if ss.running {
		v.cancel.Enable()
		v.progress.Show()
		v.progress.Start()
	} else {
		v.cancel.Disable()
		v.progress.Stop()
		v.progress.Hide()
	}
	status := ss.status
	v.status.Importance = widget.MediumImportance
	if !ss.running && problem != "" {
		status = T(problem)
		v.status.Importance = widget.WarningImportance
	}
	v.status.SetText(status)
	v.status.Refresh()

	v.outcome.Objects = nil
	if ss.outcome != nil {
		v.outcome.Add(ss.outcome())
	}
	if ss.confirm != "" && !ss.running {
		key := "submit.mark_sent.email"
		if ss.confirm == enroll.ViaFolder {
			key = "submit.mark_sent.folder"
		}
		b := widget.NewButtonWithIcon(T(key), theme.ConfirmIcon(), ss.markSent)
		b.Importance = widget.SuccessImportance
		v.outcome.Add(container.NewHBox(b, layout.NewSpacer()))
	}
	v.outcome.Refresh()
	ss.renderTimeline()
	relayout(v.scroll)
	relayout(v.timelineScroll)
	ss.wz.refreshNav()
}

// renderContents lists what the package will hold.
func (ss *submitStep) renderContents() {
	v, wz := ss.v, ss.wz
	v.contents.Objects = nil
	auth, sign := wz.csrs.get()
	row := func(ok bool, text string, fix string, to string) {
		icon := theme.NewSuccessThemedResource(theme.ConfirmIcon())
		if !ok {
			icon = theme.NewWarningThemedResource(theme.WarningIcon())
		}
		body := container.NewVBox(wrapped(text))
		if !ok && fix != "" {
			// The way to the step that makes the missing part.
			if i := wz.stepIndex(to); i >= 0 {
				b := widget.NewButtonWithIcon(T(fix), theme.NavigateBackIcon(), func() { wz.goTo(i) })
				b.Importance = widget.LowImportance
				body.Add(container.NewHBox(b, layout.NewSpacer()))
			}
		}
		v.contents.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, body))
	}
	p := ss.participant()
	orgOK := len(wz.state.Org.Problems(wz.profile)) == 0
	if orgOK {
		row(true, T("submit.item.org", map[string]any{"Class": p.MemberClass, "Code": p.MemberCode, "Name": p.Name, "Server": p.ServerCode}), "", "")
	} else {
		row(false, T("submit.item.org_missing"), "submit.go_org", stepOrganisation)
	}
	if p.ServerAddress != "" {
		row(true, T("submit.item.address", map[string]any{"Address": p.ServerAddress}), "", "")
	} else {
		row(false, T("submit.item.address_missing"), "submit.go_server", stepServer)
	}
	if auth != nil {
		row(true, T("submit.item.auth", map[string]any{"Source": auth.source(CurrentLanguage())}), "", "")
	} else {
		// The Configure step (another page of the wizard) makes it.
		row(false, T("submit.item.auth_missing"), "submit.go_configure", "configure")
	}
	if sign != nil {
		row(true, T("submit.item.sign", map[string]any{"Source": sign.source(CurrentLanguage())}), "", "")
	} else if hw, soft := wz.signOnServer(); hw || soft {
		// The chosen place is at the server: Configure makes it.
		row(false, T("submit.item.sign_missing_server"), "submit.go_configure", stepConfigure)
	} else {
		row(false, T("submit.item.sign_missing"), "submit.go_certificates", stepCertificates)
	}
	if rep := wz.readiness.report; rep != nil {
		row(true, T("submit.item.report", map[string]any{"Pass": rep.Summary.Pass, "Warn": rep.Summary.Warn, "Fail": rep.Summary.Fail}), "", "")
	} else {
		row(false, T("submit.item.report_missing"), "submit.go_readiness", stepReadiness)
	}
	ss.renderPartial()
	v.contents.Refresh()
}

// renderPartial tells, under the contents, an application sent in parts:
// the rest awaited (and where it is made, when it is not made yet), or
// that what is ready can go now with the rest announced.
func (ss *submitStep) renderPartial() {
	v := ss.v
	auth, sign := ss.wz.csrs.get()
	madeHere := map[enroll.Usage]bool{enroll.UsageAuth: auth != nil, enroll.UsageSign: sign != nil}
	if aw := ss.awaited(); len(aw) > 0 {
		u := aw[0]
		if madeHere[u] {
			v.contents.Add(infoCard(T("submit.awaiting"), ss.awaitingText(u)+" "+T("submit.awaiting.ready")))
		} else {
			v.contents.Add(infoCard(T("submit.awaiting"), ss.awaitingText(u))) // the row above goes to where it is made
		}
		return
	}
	if f := ss.follows(); len(f) > 0 {
		v.contents.Add(infoCard(T("submit.partial"), T(ss.usageTextKey(partialTodo, f[0]))))
	}
}

func (ss *submitStep) chooseFolder() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		ss.form.Folder = u.Path()
		ss.saveForm()
		if ss.v != nil {
			ss.v.folder.SetText(u.Path())
		}
	}, ss.wz.win)
	showFileDialog(d, ss.wz.win)
}

// fileCard is a written file or folder: where it is, what to do, and
// buttons to open it or its folder.
func (ss *submitStep) fileCard(title, todo, path string, open bool) fyne.CanvasObject {
	where := widget.NewLabelWithStyle(path, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	where.Wrapping = fyne.TextWrapBreak
	where.Selectable = true
	buttons := container.NewHBox()
	if open {
		buttons.Add(widget.NewButtonWithIcon(T("submit.open_again"), theme.MailComposeIcon(), func() { ss.openLetter(path) }))
	}
	buttons.Add(widget.NewButtonWithIcon(T("submit.show_folder"), theme.FolderOpenIcon(), func() { ss.showFolder(path) }))
	return container.NewVBox(successCard(title, todo), where, buttons)
}
