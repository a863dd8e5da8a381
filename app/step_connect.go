package app

// The Connect step's page: the subsystems (added, registered, followed
// until the operator approves), the connection type of the information
// system with its certificates, the services and their access rights,
// the plan shown before it is applied, the first real call, the notice
// to the operator and the Catalogue export. The work is connect_run.go
// and connect_notice.go.

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

type connectWidgets struct {
	subCode, subName             *widget.Entry
	subAdd                       *widget.Button
	subs                         *widget.RadioGroup
	subLabels                    []string
	subRows                      *fyne.Container
	conn                         *widget.RadioGroup
	connLabels                   map[string]string // label -> type
	connAbout                    *widget.Label
	tlsFiles                     *fyne.Container
	tlsAdd, tlsExport, tlsFetch  *widget.Button
	tlsURL                       *widget.Entry
	tlsFrom                      *fyne.Container // the address to read the certificate from
	svcType                      *widget.Select
	svcURL, svcFile, svcCode     *widget.Entry
	svcAdd                       *widget.Button
	services                     *fyne.Container
	search                       *widget.Entry
	searchBtn                    *widget.Button
	subject                      *widget.Select
	grantTo                      *widget.Select
	grantBtn                     *widget.Button
	preview, apply, follow, read *widget.Button
	stop                         *widget.Button
	busy                         *widget.Label
	plan                         *fyne.Container
	callBtn                      *widget.Button
	callBox                      *fyne.Container
	callAbout                    *widget.Label
	callCert, callKey            *widget.Entry
	callFiles                    *fyne.Container // the IS's certificate and key (HTTPS)
	notice, csv, json, marked    *widget.Button
	noticeAbout                  *widget.Label
	outcome                      *fyne.Container
	adminUser, adminPW, sudoPW   *widget.Entry
	scroll                       *container.Scroll
	problem                      *widget.Label
	needsSubsystem               []fyne.Disableable
	svcTypes                     map[string]string // label -> type
}

// connTypes are the connection types, HTTPS (recommended) first.
var connTypes = []struct{ typ, key string }{
	{xroad.ConnHTTPS, "connect.conn_https"},
	{xroad.ConnHTTPSNoAuth, "connect.conn_https_no_auth"},
	{xroad.ConnHTTP, "connect.conn_http"},
}

// svcKinds are the ways to describe a service.
var svcKinds = []struct{ kind, key string }{
	{xroad.TypeREST, "connect.svc.rest"},
	{xroad.TypeOpenAPI3, "connect.svc.openapi_url"},
	{"OPENAPI3_FILE", "connect.svc.openapi_file"},
	{xroad.TypeWSDL, "connect.svc.wsdl"},
}

func (cs *connectStep) view() fyne.CanvasObject {
	wz := cs.wz
	if err := wz.localProblem(false); err != nil {
		return wz.localCard(err)
	}
	cs.load()
	v := &connectWidgets{connLabels: map[string]string{}, svcTypes: map[string]string{}}
	cs.v = v
	box := container.NewVBox(wrapped(T("connect.intro")))
	if wz.rec.state(stepRegister) != onboarding.Done {
		box.Add(wz.deadEnd(T("connect.not_active"), T("connect.not_active.todo"), stepRegister))
	}
	// The admin login and sudo, as on Register: the same in-memory fields.
	form := widget.NewForm()
	form.Orientation = widget.Vertical
	if _, _, ok := wz.adminCredentials(); !ok {
		cf := &wz.configure.form
		v.adminUser = entryFor(&cf.AdminUser, "xrdadmin", false, func() { wz.configure.saveForm(); cs.refresh() })
		v.adminPW = entryFor(&cf.AdminPassword, "", true, cs.refresh)
		form.Append(T("configure.admin_user"), v.adminUser)
		form.AppendItem(&widget.FormItem{Text: T("configure.admin_password"), Widget: v.adminPW, HintText: T("configure.secret_hint")})
	}
	if wz.askSudo() {
		var sudo *widget.FormItem
		v.sudoPW, sudo = sudoItem(&wz.configure.form.SudoPassword, cs.refresh)
		form.AppendItem(sudo)
	}
	if len(form.Items) > 0 {
		box.Add(form)
	}

	box.Add(heading(T("connect.subsystems")))
	v.subRows = container.NewVBox()
	v.subs = widget.NewRadioGroup(nil, func(s string) {
		for i, l := range v.subLabels {
			if l == s && i != cs.sel {
				cs.sel = i
				cs.subjects = nil
				cs.refresh()
			}
		}
	})
	v.subCode = widget.NewEntry()
	v.subCode.SetPlaceHolder(T("connect.sub_code_placeholder"))
	v.subName = widget.NewEntry()
	v.subName.SetPlaceHolder(T("connect.sub_name_placeholder"))
	v.problem = wrapped("")
	v.problem.Importance = widget.WarningImportance
	v.subAdd = widget.NewButtonWithIcon(T("connect.sub_add"), theme.ContentAddIcon(), func() {
		if key := cs.addSubsystem(v.subCode.Text, v.subName.Text); key != "" {
			v.problem.SetText(T(key, map[string]any{"Pattern": wz.profile.SubsystemCodePattern()}))
		} else {
			v.problem.SetText("")
			v.subCode.SetText("")
			v.subName.SetText("")
		}
		cs.refresh()
	})
	subForm := widget.NewForm(widget.NewFormItem(T("connect.sub_code"), v.subCode), widget.NewFormItem(T("connect.sub_name"), v.subName))
	subForm.Orientation = widget.Vertical
	box.Add(v.subRows)
	box.Add(v.subs)
	box.Add(subForm)
	box.Add(buttonRow(v.subAdd))
	box.Add(v.problem)

	// The connection type, explained in the user's language.
	box.Add(heading(T("connect.connection")))
	var labels []string
	for _, c := range connTypes {
		labels = append(labels, T(c.key))
		v.connLabels[T(c.key)] = c.typ
	}
	v.conn = widget.NewRadioGroup(labels, func(l string) {
		if t, ok := v.connLabels[l]; ok {
			cs.setConnection(t)
			cs.refresh()
		}
	})
	v.connAbout = wrappedLow("")
	v.tlsFiles = container.NewVBox()
	v.tlsAdd = widget.NewButtonWithIcon(T("connect.tls_import"), theme.FolderOpenIcon(), cs.chooseTLS)
	v.tlsExport = widget.NewButtonWithIcon(T("connect.tls_export"), theme.DownloadIcon(), cs.saveTLS)
	v.tlsURL = widget.NewEntry()
	v.tlsURL.SetPlaceHolder("https://is.example.kg:443")
	v.tlsFetch = widget.NewButtonWithIcon(T("connect.tls_fetch"), theme.DownloadIcon(), cs.fetchTLS)
	// Hints below a form, not its HintText: Fyne draws that unwrapped.
	from := widget.NewForm(widget.NewFormItem(T("connect.tls_url"), container.NewBorder(nil, nil, nil, v.tlsFetch, v.tlsURL)))
	from.Orientation = widget.Vertical
	v.tlsFrom = container.NewVBox(from, wrappedLow(T("connect.tls_url.hint")))
	box.Add(v.conn)
	box.Add(v.connAbout)
	box.Add(v.tlsFiles)
	// One or two buttons a row: a row-wrap layout keeps the width of its
	// first layout as its minimum, and the Russian texts side by side
	// would grow the window past 1024 px.
	box.Add(buttonRow(v.tlsAdd))
	box.Add(v.tlsFrom)
	box.Add(buttonRow(v.tlsExport))

	// Services.
	box.Add(heading(T("connect.services")))
	var kinds []string
	for _, k := range svcKinds {
		kinds = append(kinds, T(k.key))
		v.svcTypes[T(k.key)] = k.kind
	}
	v.svcType = widget.NewSelect(kinds, func(string) { cs.refresh() })
	v.svcType.Selected = kinds[0]
	v.svcURL = widget.NewEntry()
	v.svcURL.SetPlaceHolder("https://is.example.kg/api")
	v.svcFile = widget.NewEntry()
	v.svcFile.SetPlaceHolder(T("connect.svc_file_placeholder"))
	fileBrowse := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), cs.chooseOpenAPI)
	v.svcCode = widget.NewEntry()
	v.svcCode.SetPlaceHolder(T("connect.svc_code_placeholder"))
	v.svcAdd = widget.NewButtonWithIcon(T("connect.svc_add"), theme.ContentAddIcon(), cs.addServiceFromForm)
	svcForm := widget.NewForm(
		widget.NewFormItem(T("connect.svc_type"), v.svcType),
		widget.NewFormItem(T("connect.svc_url"), v.svcURL),
		widget.NewFormItem(T("connect.svc_file"), container.NewBorder(nil, nil, nil, fileBrowse, v.svcFile)),
		widget.NewFormItem(T("connect.svc_code"), v.svcCode))
	svcForm.Orientation = widget.Vertical
	v.services = container.NewVBox()
	box.Add(v.services)
	box.Add(svcForm)
	box.Add(buttonRow(v.svcAdd))

	// Access rights: a subject found by name or code, granted a service.
	box.Add(heading(T("connect.access")))
	v.search = widget.NewEntry()
	v.search.SetPlaceHolder(T("connect.search_placeholder"))
	v.searchBtn = widget.NewButtonWithIcon(T("connect.search"), theme.SearchIcon(), func() { cs.searchSubjects(v.search.Text) })
	v.subject = widget.NewSelect(nil, func(string) { cs.refreshButtons() })
	v.subject.PlaceHolder = T("connect.subject_placeholder")
	v.grantTo = widget.NewSelect(nil, func(string) { cs.refreshButtons() })
	v.grantTo.PlaceHolder = T("connect.grant_to_placeholder")
	v.grantBtn = widget.NewButtonWithIcon(T("connect.grant"), theme.ConfirmIcon(), cs.grantFromForm)
	box.Add(container.NewBorder(nil, nil, nil, v.searchBtn, v.search))
	grantForm := widget.NewForm(widget.NewFormItem(T("connect.subject"), v.subject), widget.NewFormItem(T("connect.grant_to"), v.grantTo))
	grantForm.Orientation = widget.Vertical
	box.Add(grantForm)
	box.Add(buttonRow(v.grantBtn))

	// The plan: shown, then applied; the registration followed.
	box.Add(heading(T("connect.plan")))
	v.preview = widget.NewButtonWithIcon(T("connect.preview"), theme.VisibilityIcon(), cs.preview)
	v.apply = widget.NewButtonWithIcon(T("connect.apply"), theme.ConfirmIcon(), cs.apply)
	v.apply.Importance = widget.HighImportance
	v.follow = widget.NewButtonWithIcon(T("connect.follow"), theme.HistoryIcon(), cs.follow)
	v.read = widget.NewButtonWithIcon(T("connect.read"), theme.ViewRefreshIcon(), cs.refreshServer)
	v.stop = widget.NewButtonWithIcon(T("connect.stop"), theme.MediaStopIcon(), cs.cancel)
	box.Add(buttonRow(v.preview, v.apply))
	box.Add(buttonRow(v.follow, v.read, v.stop))
	v.busy = wrapped("")
	v.plan = container.NewVBox()
	box.Add(v.busy)
	box.Add(cs.bk.widget())
	box.Add(v.plan)

	// The first real call.
	box.Add(heading(T("connect.call")))
	v.callAbout = wrappedLow(T("connect.call.about"))
	box.Add(v.callAbout)
	v.callFiles = cs.callForm()
	box.Add(v.callFiles)
	v.callBtn = widget.NewButtonWithIcon(T("connect.call_run"), theme.MediaPlayIcon(), cs.firstCall)
	v.callBox = container.NewVBox()
	box.Add(buttonRow(v.callBtn))
	box.Add(v.callBox)

	// The operator told, the Catalogue filled.
	box.Add(heading(T("connect.tell")))
	v.noticeAbout = wrappedLow("")
	v.notice = widget.NewButtonWithIcon(T("connect.notice_send"), theme.MailSendIcon(), cs.sendNotice)
	v.csv = widget.NewButtonWithIcon(T("connect.catalogue_csv"), theme.DocumentSaveIcon(), func() { cs.exportCatalogue("csv") })
	v.json = widget.NewButtonWithIcon(T("connect.catalogue_json"), theme.DocumentSaveIcon(), func() { cs.exportCatalogue("json") })
	v.marked = widget.NewButtonWithIcon(T("connect.notice.mark_sent.email"), theme.ConfirmIcon(), cs.markNoticeSent)
	v.marked.Importance = widget.SuccessImportance
	box.Add(v.noticeAbout)
	box.Add(buttonRow(v.notice, v.marked))
	box.Add(buttonRow(v.csv, v.json))
	v.outcome = container.NewVBox()
	box.Add(v.outcome)
	v.needsSubsystem = []fyne.Disableable{v.conn, v.tlsAdd, v.tlsURL, v.tlsFetch, v.svcType, v.svcURL, v.svcFile, v.svcCode, v.svcAdd,
		v.search, v.searchBtn, v.callBtn, v.callCert, v.callKey}

	v.scroll = container.NewVScroll(box)
	cs.refresh()
	return v.scroll
}

// refresh brings the page in line with the state.
func (cs *connectStep) refresh() {
	v := cs.v
	if v == nil {
		return
	}
	lang := CurrentLanguage()
	// Subsystems and their registration.
	v.subRows.Objects = nil
	v.subLabels = nil
	for _, s := range cs.subs {
		st := s.Status
		word := T("connect.status.unknown")
		if st != "" {
			word = i18n.Enum(lang, "xroad.cert_status.", st)
		}
		text := T("connect.sub_row", map[string]any{"Code": s.Code, "Name": s.Name, "Status": word})
		if !s.StatusAt.IsZero() {
			text += "\n" + T("connect.sub_checked", map[string]any{"Time": when(s.StatusAt)})
		}
		v.subRows.Add(statusRow(st == xroad.ClientRegistered, text))
		v.subLabels = append(v.subLabels, s.Code)
	}
	if len(cs.subs) == 0 {
		v.subRows.Add(wrappedLow(T("connect.no_subsystems")))
	}
	v.subs.Options = v.subLabels
	v.subs.Selected = ""
	cur := cs.cur()
	if cur != nil {
		v.subs.Selected = cur.Code
	}
	v.subs.Hidden = len(cs.subs) < 2
	v.subs.Refresh()

	// Connection type.
	v.conn.Selected = ""
	v.tlsFiles.Objects = nil
	if cur != nil {
		for l, t := range v.connLabels {
			if t == cur.Connection {
				v.conn.Selected = l
			}
		}
		v.connAbout.SetText(i18n.T(lang, connect.ConnectionKeys[cur.Connection], nil))
		for _, f := range cur.TLSFiles {
			f := f
			remove := widget.NewButtonWithIcon(T("connect.svc_remove"), theme.DeleteIcon(), func() { cs.removeTLSFile(f); cs.refresh() })
			remove.Importance = widget.LowImportance
			if cs.busy != "" {
				remove.Disable()
			}
			label := wrappedLow(T("connect.tls_file", map[string]any{"File": i18n.Line(f, 300)}))
			v.tlsFiles.Add(container.NewBorder(nil, nil, nil, remove, label))
		}
	} else {
		v.connAbout.SetText(i18n.T(lang, connect.ConnectionKeys[connect.Recommended], nil))
	}
	v.conn.Refresh()
	showIf(v.tlsAdd, cur != nil && cur.Connection == xroad.ConnHTTPS)
	showIf(v.tlsFrom, cur != nil && cur.Connection == xroad.ConnHTTPS)

	// Services of the shown subsystem, each with its access rights.
	kind := v.svcTypes[v.svcType.Selected]
	showIf(v.svcURL, kind != "OPENAPI3_FILE")
	showIf(v.svcCode, kind != xroad.TypeWSDL)
	cs.renderServices()
	cs.renderSubjects()
	cs.renderPlan()
	cs.renderCallForm()
	cs.renderCall()
	cs.renderNotice()
	switch cs.busy {
	case "":
		v.busy.SetText("")
	case "follow":
		v.busy.SetText(T("connect.following", map[string]any{"Subsystems": strings.Join(cs.waiting(), ", ")}))
	default:
		v.busy.SetText(T("configure.working", map[string]any{"Target": cs.wz.state.Server.Display()}))
	}
	showIf(v.busy, v.busy.Text != "")
	cs.bk.render()
	setCard(v.outcome, cs.outcome)
	cs.refreshButtons()
	relayout(v.scroll)
}

// buttonRow is buttons side by side at the left.
func buttonRow(b ...fyne.CanvasObject) fyne.CanvasObject {
	return container.NewHBox(append(b, layout.NewSpacer())...)
}

// showIf shows o when on, hides it otherwise.
func showIf(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// refreshButtons enables what can be done now.
func (cs *connectStep) refreshButtons() {
	v := cs.v
	if v == nil {
		return
	}
	busy := cs.busy != ""
	enable := func(w fyne.Disableable, on bool) {
		if on && !busy {
			w.Enable()
		} else {
			w.Disable()
		}
	}
	has := cs.cur() != nil
	for _, w := range v.needsSubsystem {
		enable(w, has)
	}
	enable(v.subAdd, true)
	enable(v.tlsExport, true)
	enable(v.preview, len(cs.subs) > 0)
	enable(v.apply, len(cs.subs) > 0)
	enable(v.follow, len(cs.waiting()) > 0 && len(cs.subs) > 0)
	enable(v.read, true)
	enable(v.subject, has && len(cs.subjects) > 0)
	enable(v.grantTo, has && len(cs.cur().Services) > 0)
	enable(v.grantBtn, has && v.subject.Selected != "" && v.grantTo.Selected != "")
	enable(v.notice, cs.noticeProblem() == "")
	enable(v.marked, true)
	enable(v.csv, len(cs.catalogue()) > 0)
	enable(v.json, len(cs.catalogue()) > 0)
	if busy {
		v.stop.Enable()
	} else {
		v.stop.Disable()
	}
}

func (cs *connectStep) chooseOpenAPI() {
	chooseFile(cs.wz.win, func(path string) {
		if cs.v != nil {
			cs.v.svcFile.SetText(path)
		}
	})
}
