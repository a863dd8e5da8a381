package app

// The Install step: first what the install will do, in a few lines in the
// user's language (installer.Summary); then the operator's inputs; the
// commands behind Details; per-step status, a live log and the outcome.
// Start stays in view (a bar under the page that never scrolls away). The
// run itself is install_run.go; this file is the page.

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
)

// Preference keys of the install form; the passwords have none.
const (
	prefAdminUser     = "install_admin_user"
	prefAdminNetwork  = "install_admin_network"
	prefISNetwork     = "install_is_network"
	prefPackagesDir   = "install_packages_dir"
	prefTokenOnServer = "install_token_on_server"
)

// maxLogLines bounds the live log kept in memory and on screen.
const maxLogLines = 400

// installWidgets are the page's widgets while it is shown.
type installWidgets struct {
	adminUser, adminPW, adminPW2, adminNet, isNet, pkgDir, sudoPW *widget.Entry
	tokenOnServer, force                                          *widget.Check
	tokenVendor                                                   *widget.Select    // which token goes to the server
	tokenVendorRow                                                fyne.CanvasObject // shown while it does
	plan, start, cancel                                           *widget.Button
	status                                                        *widget.Label
	progress                                                      *widget.ProgressBar
	rows                                                          *fyne.Container
	log                                                           *widget.Label
	logScroll                                                     *container.Scroll
	outcome                                                       *fyne.Container
	summary                                                       *fyne.Container // what the install does
	settings                                                      *fyne.Container
	body                                                          *container.Scroll
	main                                                          *fyne.Container // the body, with the log once there is one
	withLog                                                       *container.Split
	// fieldErrs show, under each field, what the plan refuses in it.
	fieldErrs map[string]*widget.Label
}

func (is *installStep) view() fyne.CanvasObject {
	wz := is.wz
	if err := wz.localProblem(true); err != nil {
		return wz.localCard(err)
	}
	if wz.readiness.report == nil {
		go2 := widget.NewButtonWithIcon(T("install.go_readiness"), theme.NavigateBackIcon(), func() { wz.goTo(wz.stepIndex(stepReadiness)) })
		box := container.NewVBox(infoCard(T("install.need_report"), T("install.need_report.todo")), container.NewHBox(go2))
		if n := wz.readiness.keptNotice("install.kept_report"); n != nil {
			box.Add(n) // the kept report could not be read: said, with its path
		}
		return box
	}
	v := &installWidgets{}
	is.v = v
	f := &is.form
	// A field's problem shows once it was typed in or Start was pressed
	// (fieldGuide), as on the other forms.
	entry := func(val *string, field, placeholder string, pw bool) *widget.Entry {
		e := widget.NewEntry()
		if pw {
			e = widget.NewPasswordEntry()
		}
		e.SetText(*val)
		e.SetPlaceHolder(placeholder)
		if field != "" {
			wz.guide.watch(field, nil, *val)
		}
		e.OnChanged = func(s string) {
			*val = s
			if field != "" {
				wz.guide.touch(field)
			}
			is.saveForm()
			is.refresh()
		}
		return e
	}
	v.adminUser = entry(&f.AdminUser, installer.FieldAdminUser, example("xrdadmin"), false)
	v.adminPW = entry(&f.AdminPassword, installer.FieldAdminPassword, "", true)
	v.adminPW2 = entry(&f.AdminPassword2, fieldPassword2, "", true)
	v.adminNet = entry(&f.AdminNetwork, installer.FieldAdminNetwork, T("install.network_closed"), false)
	v.isNet = entry(&f.ISNetwork, installer.FieldISNetwork, T("install.network_closed"), false)
	v.pkgDir = entry(&f.PackagesDir, installer.FieldPackagesDir, T("install.packages_network"), false)
	sudoHint := T("install.sudo_placeholder")
	if !wz.state.Server.Remote {
		sudoHint = T("install.sudo_placeholder_local")
	}
	v.sudoPW = entry(&f.SudoPassword, "", sudoHint, true)
	v.tokenOnServer = widget.NewCheck(T("install.token_on_server"), func(b bool) { f.TokenOnServer = b; is.saveForm(); is.refresh() })
	v.tokenOnServer.Checked = f.TokenOnServer
	v.tokenVendor, v.tokenVendorRow = is.tokenVendorRow()
	v.force = widget.NewCheck(T("install.force"), func(b bool) { f.Force = b; is.refresh() })
	v.force.Checked = f.Force
	// The override is offered when the plan would refuse the server.
	if installer.CheckReadiness(wz.readiness.report, false) == nil {
		v.force.Hide()
	}
	browse := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), is.choosePackagesDir)
	v.fieldErrs = map[string]*widget.Label{}
	// under puts the problems of field below w.
	under := func(field string, w fyne.CanvasObject) fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.DangerImportance
		l.Hide()
		v.fieldErrs[field] = l
		return container.NewVBox(w, l)
	}
	form := widget.NewForm(
		widget.NewFormItem(T("install.admin_user"), under(installer.FieldAdminUser, v.adminUser)),
		widget.NewFormItem(T("install.admin_password"), under(installer.FieldAdminPassword, v.adminPW)),
		widget.NewFormItem(T("install.admin_password2"), under(fieldPassword2, v.adminPW2)),
		widget.NewFormItem(T("install.sudo_password"), v.sudoPW),
		widget.NewFormItem(T("install.admin_network"), under(installer.FieldAdminNetwork, v.adminNet)),
		widget.NewFormItem(T("install.is_network"), under(installer.FieldISNetwork, v.isNet)),
		widget.NewFormItem(T("install.packages_dir"), under(installer.FieldPackagesDir, container.NewBorder(nil, nil, nil, browse, v.pkgDir))),
	)
	v.plan = widget.NewButtonWithIcon(T("install.details"), theme.DocumentIcon(), is.showPlan)
	v.start = widget.NewButtonWithIcon(T("install.start"), theme.MediaPlayIcon(), is.pressStart)
	v.start.Importance = widget.HighImportance
	v.cancel = widget.NewButtonWithIcon(T("install.cancel"), theme.MediaStopIcon(), is.cancel)
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	v.progress = widget.NewProgressBar()
	v.progress.Hide() // no 0 % bar before anything started
	v.rows = container.NewVBox()
	v.log = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	v.log.Selectable = true
	v.logScroll = container.NewVScroll(v.log)
	v.logScroll.SetMinSize(fyne.NewSize(0, 140))
	v.outcome = container.NewVBox()
	v.summary = container.NewVBox()

	target := widget.NewLabel(T("install.target", map[string]any{"Target": wz.state.Server.Display()}))
	target.Wrapping = fyne.TextWrapWord
	// The settings make way for the step rows while a run is under way.
	// The checks only as wide as their box and text: Fyne's Check ignores
	// a tap beside its text (widget/check.go, Tapped), so a check
	// stretched across the row had a dead stretch that looked part of it
	// (the real-window walk's click there toggled nothing).
	v.settings = container.NewVBox(heading(T("install.settings")), form, container.NewHBox(v.tokenOnServer), v.tokenVendorRow,
		under(fieldForce, container.NewHBox(v.force)))
	top := container.NewVBox(target)
	if n := wz.readiness.keptNotice("install.kept_report"); n != nil {
		top.Add(n) // the plan is made from an earlier session's check
	}
	top.Add(v.outcome)
	top.Add(v.summary)
	top.Add(v.settings)
	top.Add(v.rows)
	v.body = container.NewVScroll(top)
	// Start, its status and the progress stay under the page, in view at
	// any window size; the page scrolls above them.
	bar := container.NewVBox(widget.NewSeparator(), v.progress, v.status, container.NewHBox(v.start, v.cancel, v.plan))
	v.withLog = container.NewVSplit(v.body,
		container.NewBorder(widget.NewLabelWithStyle(T("install.log"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, v.logScroll))
	v.withLog.Offset = 0.72
	v.main = container.NewStack(v.body)
	is.refresh()
	return container.NewBorder(nil, bar, nil, nil, v.main)
}

// renderSummary lists what the install will do, from the plan's own
// summary: what is installed, which ports open to whom, what is asked.
func (is *installStep) renderSummary() {
	v := is.v
	v.summary.Objects = nil
	lang := CurrentLanguage()
	items := installer.Summary(is.wz.profile, is.options(true))
	section := func(kind, title string, icon fyne.Resource) {
		box := container.NewVBox(heading(title))
		for _, it := range items {
			if it.Kind == kind {
				box.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, wrapped(it.Text(lang))))
			}
		}
		v.summary.Add(box)
	}
	section(installer.SummaryInstall, T("install.summary.installs"), theme.NewPrimaryThemedResource(theme.DownloadIcon()))
	section(installer.SummaryPort, T("install.summary.ports"), theme.NewPrimaryThemedResource(theme.ComputerIcon()))
	section(installer.SummaryAsk, T("install.summary.asks"), theme.NewPrimaryThemedResource(theme.QuestionIcon()))
	v.summary.Refresh()
}

// infoCard is a notice: what it is about and what to do.
func infoCard(title, body string) fyne.CanvasObject {
	return card(theme.NewWarningThemedResource(theme.InfoIcon()), title, body)
}

// warnCard is a task finished in a way that stops what comes next.
func warnCard(title, body string) fyne.CanvasObject {
	return card(theme.NewErrorThemedResource(theme.WarningIcon()), title, body)
}

// successCard is a finished task and what comes next.
func successCard(title, body string) fyne.CanvasObject {
	return card(theme.NewSuccessThemedResource(theme.ConfirmIcon()), title, body)
}

func card(icon fyne.Resource, title, body string) fyne.CanvasObject {
	t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.Wrapping = fyne.TextWrapWord
	b := widget.NewLabel(body)
	b.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, container.NewVBox(t, b))
}

// refresh brings the widgets in line with the run's state.
func (is *installStep) refresh() {
	v := is.v
	if v == nil {
		return
	}
	problems := is.visibleProblems()
	for _, w := range []fyne.Disableable{v.adminUser, v.adminPW, v.adminPW2, v.adminNet, v.isNet, v.pkgDir, v.sudoPW, v.tokenOnServer, v.tokenVendor, v.force} {
		if is.running {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if is.running {
		v.settings.Hide()
	} else {
		v.settings.Show()
	}
	if is.form.TokenOnServer {
		v.tokenVendorRow.Show()
	} else {
		v.tokenVendorRow.Hide()
	}
	switch {
	case is.running:
		v.start.Disable()
		v.plan.Disable()
		v.cancel.Enable()
	default:
		v.cancel.Disable()
		v.plan.Enable()
		if len(problems) > 0 {
			v.start.Disable()
		} else {
			v.start.Enable()
		}
	}
	if is.resumable {
		v.start.SetText(T("install.resume"))
	} else {
		v.start.SetText(T("install.start"))
	}
	// The first problem is the status; each is under its field too.
	status := is.status
	v.status.Importance = widget.MediumImportance
	if !is.running && len(problems) > 0 {
		status, v.status.Importance = problems[0].text, widget.WarningImportance
	}
	v.status.SetText(status)
	if status == "" {
		v.status.Hide() // no empty line between the page and Start
	} else {
		v.status.Show()
	}
	v.status.Refresh()
	texts := map[string][]string{}
	for _, p := range problems {
		texts[p.field] = append(texts[p.field], p.text)
	}
	for field, l := range v.fieldErrs {
		l.SetText(strings.Join(texts[field], "\n"))
		if l.Text == "" || is.running {
			l.Hide()
		} else {
			l.Show()
		}
	}
	if is.total > 0 {
		v.progress.SetValue(float64(is.finished) / float64(is.total))
		v.progress.Show()
	} else {
		v.progress.Hide()
	}
	// The summary until a run has rows to show; the log once it has lines.
	if len(is.rows) == 0 {
		is.renderSummary()
		v.summary.Show()
	} else {
		v.summary.Hide()
	}
	if len(is.logLines) > 0 || is.running {
		if len(v.main.Objects) == 0 || v.main.Objects[0] != v.withLog {
			v.main.Objects = []fyne.CanvasObject{v.withLog}
			v.main.Refresh()
		}
	}
	is.renderRows()
	v.log.SetText(strings.Join(is.logLines, "\n"))
	v.logScroll.ScrollToBottom()
	v.outcome.Objects = nil
	if is.outcome != nil {
		v.outcome.Objects = []fyne.CanvasObject{is.outcome()}
	}
	v.outcome.Refresh()
	// Rows come and the settings go: the page's layout changes size.
	v.body.Content.Refresh()
	v.body.Refresh()
}

func (is *installStep) renderRows() { is.rows.render(is.v.rows, T("install.row_already")) }

// showPlan shows the dry run: every command, secrets masked; or why the
// plan cannot be made, as the form says it.
func (is *installStep) showPlan() {
	var why []string
	for _, p := range is.problems(true) {
		why = append(why, p.text)
	}
	steps, err := is.plan(true)
	if err != nil && len(why) == 0 {
		key, data := installer.Explain(err)
		why = append(why, i18n.T(CurrentLanguage(), key, data))
	}
	if len(why) > 0 {
		dialog.ShowError(errors.New(T("install.plan_error", map[string]any{"Detail": strings.Join(why, "\n")})), is.wz.win)
		return
	}
	text := widget.NewLabelWithStyle(installer.DryRun(steps, CurrentLanguage()), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	text.Selectable = true
	scroll := container.NewScroll(text)
	scroll.SetMinSize(fyne.NewSize(760, 480))
	dialog.ShowCustom(T("install.plan_title"), T("dialog.close"), scroll, is.wz.win)
}

func (is *installStep) choosePackagesDir() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		is.form.PackagesDir = u.Path()
		if is.v != nil {
			is.v.pkgDir.SetText(u.Path())
		}
	}, is.wz.win)
	showFileDialog(d, is.wz.win)
}
