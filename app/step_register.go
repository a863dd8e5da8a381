package app

// The Register step's page: the certificates received from the CA, and
// the way to an active authentication certificate (imported, registration
// sent, approved by the central server, active), one row per state.

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

type registerWidgets struct {
	authPath, signPath     *widget.Entry
	adminUser, adminPW     *widget.Entry // nil when the login is known
	sudoPW                 *widget.Entry // nil when not asked (wizard.askSudo)
	importBtn, registerBtn *widget.Button
	resumeBtn, cancelBtn   *widget.Button
	busy                   *widget.Label
	rows, outcome          *fyne.Container
	scroll                 *container.Scroll
}

func (rs *registerStep) view() fyne.CanvasObject {
	wz := rs.wz
	if err := wz.localProblem(false); err != nil {
		return wz.localCard(err)
	}
	v := &registerWidgets{}
	rs.v = v
	intro := widget.NewLabel(T("register.intro"))
	intro.Wrapping = fyne.TextWrapWord
	pathEntry := func(val *string) (*widget.Entry, fyne.CanvasObject) {
		e := widget.NewEntry()
		e.SetPlaceHolder(T("register.cert_placeholder"))
		e.SetText(*val)
		e.OnChanged = func(s string) { *val = s; rs.save(); rs.refresh() }
		browse := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() { rs.chooseCert(e) })
		return e, container.NewBorder(nil, nil, nil, browse, e)
	}
	var authBox, signBox fyne.CanvasObject
	v.authPath, authBox = pathEntry(&rs.authPath)
	v.signPath, signBox = pathEntry(&rs.signPath)
	form := widget.NewForm()
	// Labels above the fields: beside them, the Kyrgyz label of the
	// signing certificate (the glossary's term) and the hints made the
	// window wider than a 1024 px screen (the real-window walk).
	form.Orientation = widget.Vertical
	// The admin login and sudo: the certificates often come days later,
	// in a new run of the wizard.
	var login []*widget.FormItem
	login, v.adminUser, v.adminPW, v.sudoPW = wz.loginItems(rs.refresh)
	for _, it := range login {
		form.AppendItem(it)
	}
	form.AppendItem(&widget.FormItem{Text: T("register.auth_cert"), Widget: authBox, HintText: T("register.auth_cert_hint")})
	form.AppendItem(&widget.FormItem{Text: T("register.sign_cert"), Widget: signBox, HintText: T("register.sign_cert_hint")})
	v.importBtn = widget.NewButtonWithIcon(T("register.import"), theme.UploadIcon(), rs.importCerts)
	v.registerBtn = widget.NewButtonWithIcon(T("register.register"), theme.MailSendIcon(), rs.register)
	v.resumeBtn = widget.NewButtonWithIcon(T("register.resume"), theme.ViewRefreshIcon(), rs.resume)
	v.cancelBtn = widget.NewButtonWithIcon(T("register.stop"), theme.MediaStopIcon(), rs.cancel)
	v.busy = widget.NewLabel("")
	v.busy.Wrapping = fyne.TextWrapWord
	v.rows = container.NewVBox()
	v.outcome = container.NewVBox()
	v.scroll = container.NewVScroll(container.NewVBox(intro, rs.notYet(), wz.nextCard(false), form,
		container.NewHBox(v.importBtn, v.registerBtn, v.resumeBtn, v.cancelBtn), v.busy, rs.bk.widget(), v.rows, v.outcome))
	rs.refresh()
	return v.scroll
}

func (rs *registerStep) refresh() {
	v := rs.v
	if v == nil {
		return
	}
	busy := rs.busy != ""
	files := strings.TrimSpace(rs.authPath) != "" || strings.TrimSpace(rs.signPath) != ""
	enable := func(b *widget.Button, on bool) {
		if on && !busy {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	enable(v.importBtn, files)
	enable(v.registerBtn, rs.authHash != "" && rs.sentAt.IsZero() && rs.address() != "")
	enable(v.resumeBtn, rs.authHash != "" && !rs.sentAt.IsZero() && !rs.active)
	if busy {
		v.cancelBtn.Enable()
		v.authPath.Disable()
		v.signPath.Disable()
	} else {
		v.cancelBtn.Disable()
		v.authPath.Enable()
		v.signPath.Enable()
	}
	switch {
	case rs.busy == "import":
		v.busy.SetText(T("register.importing"))
	case busy && !rs.sentAt.IsZero() && !rs.approved:
		v.busy.SetText(T("register.waiting"))
	case busy:
		v.busy.SetText(T("configure.working", map[string]any{"Target": rs.wz.state.Server.Display()}))
	default:
		v.busy.SetText("")
	}
	if v.busy.Text == "" {
		v.busy.Hide()
	} else {
		v.busy.Show()
	}
	rs.renderRows()
	rs.bk.render()
	setCard(v.outcome, rs.outcome)
	relayout(v.scroll)
}

// renderRows: imported, registration sent, approved, active.
func (rs *registerStep) renderRows() {
	v := rs.v
	v.rows.Objects = nil
	row := func(done bool, text string) {
		v.rows.Add(statusRow(done, text))
	}
	stamp := func(t interface{ Format(string) string }) string { return t.Format("2006-01-02 15:04") }
	if rs.authHash != "" {
		row(true, T("register.row.imported", map[string]any{"Hash": groupFingerprint(i18n.Line(rs.authHash, 100))}))
	} else {
		row(false, T("register.row.imported_no"))
	}
	if !rs.sentAt.IsZero() {
		row(true, T("register.row.sent", map[string]any{"Time": stamp(rs.sentAt.Local()), "Address": i18n.Line(rs.address(), 100)}))
	} else if rs.address() == "" {
		// Never a private or loopback address: the Server step gives the public one.
		row(false, T("register.row.sent_no")+"\n"+T("register.err.address"))
	} else {
		row(false, T("register.row.sent_no"))
	}
	switch {
	case rs.approved:
		row(true, T("register.row.approved"))
	case !rs.sentAt.IsZero():
		text := T("register.row.waiting", map[string]any{"Since": stamp(rs.sentAt.Local())})
		if !rs.lastPoll.IsZero() {
			text += "\n" + T("register.row.last_check", map[string]any{"Time": rs.lastPoll.Format("15:04:05"), "Status": i18n.Enum(CurrentLanguage(), "xroad.cert_status.", i18n.Line(rs.lastStatus, 60))})
		}
		row(false, text)
	default:
		row(false, T("register.row.approved_no"))
	}
	if rs.active {
		row(true, T("register.row.active"))
	} else {
		row(false, T("register.row.active_no"))
	}
	v.rows.Refresh()
}

func (rs *registerStep) chooseCert(e *widget.Entry) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		_ = r.Close()
		e.SetText(r.URI().Path())
	}, rs.wz.win)
	showFileDialog(d, rs.wz.win)
}

// notYet tells, above the form, why no certificate can have come yet, with
// the way to the step that fixes it: no application was sent (the
// certificates are the CA's answer to it), or it went without the
// authentication CSR, whose certificate is the one registered here. The
// form stays: certificates may have come another way. Nothing once a
// certificate is imported.
func (rs *registerStep) notYet() fyne.CanvasObject {
	wz := rs.wz
	if rs.authHash != "" || len(wz.rec.snapshot().Certificates) > 0 {
		return container.NewVBox()
	}
	ss := wz.submit
	ss.loadRecord()
	rec := ss.record
	switch {
	case rec == nil || !rec.Sent():
		return wz.deadEnd(T("register.no_application"), T("register.no_application.todo"), stepSubmit)
	case slices.Contains(rec.Awaited(), enroll.UsageAuth):
		to := stepConfigure // made there first, then sent
		if auth, _ := wz.csrs.get(); auth != nil {
			to = stepSubmit
		}
		return wz.deadEnd(T("register.auth_awaited"), T("register.auth_awaited.todo", map[string]any{"ID": rec.ID}), to)
	}
	return container.NewVBox()
}
