package app

// The Configure step's page: the server's status, the form (admin login,
// configuration anchor, software token PIN, where the signing key lives),
// Initialise with its progress rows, and the authentication CSR made. The
// work is configure_run.go.

import (
	"encoding/pem"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

type configureWidgets struct {
	adminUser, adminPW, anchorPath, anchorHash, pin, pin2    *widget.Entry
	hwPIN                                                    *widget.Entry
	sudoPW                                                   *widget.Entry
	sudoBox                                                  *fyne.Container     // shown when wz.askSudo()
	hwToken                                                  *widget.SelectEntry // typed, or one the server lists
	signPlace                                                *widget.Label       // where the signing key lives (chosen on Certificates)
	adminNote, anchorLocal, anchorServer, anchorErr, problem *widget.Label
	anchorCheck                                              *widget.Label // the file's hash against the published one
	statusAt, busy                                           *widget.Label
	adminBox, hwBox                                          *fyne.Container
	refreshBtn, previewBtn, initBtn, cancelBtn               *widget.Button
	statusRows, rows, notice, outcome, csrs                  *fyne.Container
	pinItem, pin2Item                                        *widget.FormItem
	form                                                     *widget.Form
	scroll                                                   *container.Scroll
	root                                                     *fyne.Container // the form, or why it cannot be used yet
}

func (cs *configureStep) view() fyne.CanvasObject {
	wz := cs.wz
	if err := wz.localProblem(false); err != nil {
		return wz.localCard(err)
	}
	v := &configureWidgets{}
	cs.v = v
	f := &cs.form
	entry := func(val *string, placeholder string, secret, save bool) *widget.Entry {
		e := widget.NewEntry()
		if secret {
			e = widget.NewPasswordEntry()
		}
		e.SetText(*val)
		e.SetPlaceHolder(placeholder)
		e.OnChanged = func(s string) {
			*val = s
			if save {
				cs.saveForm()
			}
			cs.refresh()
		}
		return e
	}
	intro := widget.NewLabel(T("configure.intro", map[string]any{"Target": wz.state.Server.Display()}))
	intro.Wrapping = fyne.TextWrapWord

	// Status of the server, read on entry and on Refresh.
	v.refreshBtn = widget.NewButtonWithIcon(T("configure.refresh"), theme.ViewRefreshIcon(), cs.refreshStatus)
	v.statusAt = widget.NewLabel("")
	v.statusAt.Importance = widget.LowImportance
	v.statusRows = container.NewVBox()
	v.notice = container.NewVBox()
	statusBox := container.NewVBox(
		container.NewHBox(widget.NewLabelWithStyle(T("configure.status"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			layout.NewSpacer(), v.statusAt, v.refreshBtn),
		v.statusRows)

	// The admin login, unless the Install step holds it.
	v.adminNote = widget.NewLabel("")
	v.adminNote.Wrapping = fyne.TextWrapWord
	v.adminUser = entry(&f.AdminUser, "xrdadmin", false, true)
	v.adminPW = entry(&f.AdminPassword, "", true, false)
	v.adminBox = container.NewVBox(widget.NewForm(
		widget.NewFormItem(T("configure.admin_user"), v.adminUser),
		&widget.FormItem{Text: T("configure.admin_password"), Widget: v.adminPW, HintText: T("configure.secret_hint")}))
	var sudo *widget.FormItem
	v.sudoPW, sudo = sudoItem(&f.SudoPassword, cs.refresh)
	v.sudoBox = container.NewVBox(widget.NewForm(sudo))

	// The anchor: typed or chosen, previewed locally, then by the server.
	v.anchorPath = widget.NewEntry()
	v.anchorPath.SetPlaceHolder(T("configure.anchor_placeholder"))
	v.anchorPath.SetText(f.AnchorPath)
	v.anchorPath.OnChanged = cs.setAnchorPath
	browse := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), cs.chooseAnchor)
	v.anchorLocal = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	v.anchorLocal.Wrapping = fyne.TextWrapWord // the hash is in blocks: lines break between them
	v.anchorServer = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	v.anchorServer.Wrapping = fyne.TextWrapWord
	v.anchorErr = errLabel()
	v.anchorHash = widget.NewEntry()
	v.anchorHash.SetPlaceHolder(T("configure.anchor_hash_placeholder"))
	v.anchorHash.SetText(f.AnchorHash)
	v.anchorHash.OnChanged = cs.setAnchorHash
	v.anchorCheck = widget.NewLabel("")
	v.anchorCheck.Wrapping = fyne.TextWrapWord
	v.previewBtn = widget.NewButtonWithIcon(T("configure.preview_server"), theme.SearchIcon(), cs.previewOnServer)

	v.pin = entry(&f.PIN, "", true, false)
	v.pin2 = entry(&f.PIN2, "", true, false)
	v.signPlace = widget.NewLabel("")
	v.signPlace.Wrapping = fyne.TextWrapWord
	toCerts := wz.goToButton(stepCertificates) // where the place is chosen
	toCerts.Importance = widget.MediumImportance
	v.hwToken = widget.NewSelectEntry(nil)
	v.hwToken.SetText(f.HWTokenID)
	v.hwToken.SetPlaceHolder(T("configure.hw_token_placeholder")) // the server's ID, read with Refresh: no example fits
	v.hwToken.OnChanged = func(s string) { f.HWTokenID = s; cs.saveForm(); cs.refresh() }
	v.hwPIN = entry(&f.HWPIN, "", true, false)
	hwForm := widget.NewForm(
		&widget.FormItem{Text: T("configure.hw_token"), Widget: v.hwToken, HintText: T("configure.hw_token_hint")},
		&widget.FormItem{Text: T("configure.hw_pin"), Widget: v.hwPIN, HintText: T("configure.secret_hint")})
	hwForm.Orientation = widget.Vertical // as the form below
	v.hwBox = container.NewVBox(hwForm)
	v.pin2Item = widget.NewFormItem(T("configure.pin2"), v.pin2)
	v.pinItem = &widget.FormItem{Text: T("configure.pin"), Widget: v.pin}
	v.form = widget.NewForm(
		&widget.FormItem{Text: T("configure.anchor"), Widget: container.NewBorder(nil, nil, nil, browse, v.anchorPath), HintText: T("configure.anchor_hint")},
		&widget.FormItem{Text: T("configure.anchor_hash"), Widget: v.anchorHash, HintText: T("configure.anchor_hash_hint")},
		v.pinItem, v.pin2Item)
	// Labels above the fields: beside them, the Kyrgyz PIN and hardware
	// token hints made the window wider than a 1024 px screen (the
	// real-window walk).
	v.form.Orientation = widget.Vertical

	v.initBtn = widget.NewButtonWithIcon(T("configure.initialise"), theme.MediaPlayIcon(), cs.initialise)
	v.initBtn.Importance = widget.HighImportance
	v.cancelBtn = widget.NewButtonWithIcon(T("configure.cancel"), theme.MediaStopIcon(), cs.cancel)
	v.problem = widget.NewLabel("")
	v.problem.Wrapping = fyne.TextWrapWord
	v.problem.Importance = widget.WarningImportance
	v.busy = widget.NewLabel("")
	v.rows = container.NewVBox()
	v.outcome = container.NewVBox()
	v.csrs = container.NewVBox()

	v.scroll = container.NewVScroll(container.NewVBox(
		intro, statusBox, v.notice, widget.NewSeparator(),
		v.adminNote, v.adminBox, v.sudoBox,
		v.form, v.anchorErr, v.anchorLocal, v.anchorCheck, container.NewHBox(v.previewBtn), v.anchorServer,
		container.NewBorder(nil, nil, nil, toCerts, v.signPlace), v.hwBox,
		container.NewHBox(v.initBtn, v.cancelBtn), v.problem, v.busy, cs.bk.widget(), v.rows, v.outcome, v.csrs))
	v.root = container.NewStack(v.scroll)
	cs.refresh()
	if cs.status == nil && cs.busy == "" {
		if _, _, ok := wz.adminCredentials(); ok {
			cs.refreshStatus()
		} else if wz.state.Server.Remote && cs.needsLook() {
			// No login to ask with yet: is X-Road there at all?
			cs.lookForXRoad()
		}
	}
	return v.root
}

// refresh brings the widgets in line with the state.
func (cs *configureStep) refresh() {
	v := cs.v
	if v == nil {
		return
	}
	wz := cs.wz
	busy := cs.busy != ""
	cr, fromInstall, _ := wz.adminCredentials()
	if fromInstall {
		v.adminNote.SetText(T("configure.admin_from_install", map[string]any{"User": cr.User}))
		v.adminNote.Show()
		v.adminBox.Hide()
	} else {
		v.adminNote.Hide()
		v.adminBox.Show()
	}
	if wz.askSudo() {
		v.sudoBox.Show()
	} else {
		v.sudoBox.Hide()
	}
	for _, w := range []fyne.Disableable{v.adminUser, v.adminPW, v.sudoPW, v.anchorPath, v.anchorHash, v.pin, v.pin2, v.hwToken, v.hwPIN, v.refreshBtn} {
		if busy {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	v.signPlace.SetText(T(placeTexts[wz.signPlacement()].configure, map[string]any{"Token": wz.tokenName()}))
	if hw, _ := wz.signOnServer(); hw {
		v.hwBox.Show()
	} else {
		v.hwBox.Hide()
	}
	// Once the software token has its PIN it is typed once, to log in.
	items := v.form.Items[:0:0]
	for _, it := range v.form.Items {
		if it != v.pin2Item {
			items = append(items, it)
		}
	}
	if cs.tokenInitialised() {
		v.pin2.Hide()
	} else {
		v.pin2.Show()
		items = append(items, v.pin2Item)
	}
	// A logged-in token needs no PIN: the hint says so, and the
	// hardware tokens the server lists are offered by ID.
	hint := T("configure.pin_hint", map[string]any{"Min": cs.pinMin()})
	if cs.loggedIn(xroad.SoftwareTokenID) {
		hint = T("configure.pin_hint_logged_in")
	}
	if len(items) != len(v.form.Items) || v.pinItem.HintText != hint {
		v.pinItem.HintText = hint
		v.form.Items = items
		v.form.Refresh()
	}
	v.hwToken.SetOptions(cs.hardwareTokenIDs())

	cs.renderStatus()
	cs.renderAnchor()
	problem := cs.formProblem()
	if busy {
		v.initBtn.Disable()
		v.cancelBtn.Enable()
	} else {
		v.cancelBtn.Disable()
		if problem != "" {
			v.initBtn.Disable()
		} else {
			v.initBtn.Enable()
		}
	}
	if cs.resumable {
		v.initBtn.SetText(T("configure.resume"))
	} else {
		v.initBtn.SetText(T("configure.initialise"))
	}
	if !busy && problem != "" {
		v.problem.SetText(problem)
		v.problem.Show()
	} else {
		v.problem.Hide()
	}
	v.busy.Show()
	switch cs.busy {
	case "":
		v.busy.SetText("")
		v.busy.Hide()
		if cs.xroad.looking {
			v.busy.SetText(T("configure.probing", map[string]any{"Target": wz.state.Server.Display()}))
			v.busy.Show()
		}
	case "status":
		v.busy.SetText(T("configure.reading_status"))
	case "preview":
		v.busy.SetText(T("configure.previewing"))
	default:
		v.busy.SetText(T("configure.working", map[string]any{"Target": wz.state.Server.Display()}))
	}
	cs.renderRows()
	cs.bk.render()
	setCard(v.notice, cs.notice)
	setCard(v.outcome, cs.outcome)
	cs.renderCSRs()
	if v.root == nil {
		return // still being built
	}
	if cs.xroadAbsent() {
		v.root.Objects = []fyne.CanvasObject{container.NewVScroll(cs.notInstalledView())}
	} else if pc := wz.install.missingClass(); pc != nil {
		// NIIS's packages: the CA would refuse every CSR made here.
		v.root.Objects = []fyne.CanvasObject{container.NewVScroll(wz.deadEnd(T("install.profile_class_absent"), pc.Text(CurrentLanguage()), stepInstall))}
	} else {
		v.root.Objects = []fyne.CanvasObject{v.scroll}
	}
	v.root.Refresh()
	relayout(v.scroll)
}

// setCard shows the card made by f in box (none when f is nil).
func setCard(box *fyne.Container, f func() fyne.CanvasObject) {
	box.Objects = nil
	if f != nil {
		box.Objects = []fyne.CanvasObject{f()}
	}
	box.Refresh()
}

// statusRow is one line of the server's status.
func statusRow(done bool, text string) fyne.CanvasObject {
	icon := theme.NewWarningThemedResource(theme.RadioButtonIcon())
	if done {
		icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
	}
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, l)
}

func (cs *configureStep) renderStatus() {
	v := cs.v
	v.statusRows.Objects = nil
	st := cs.status
	if st == nil {
		v.statusAt.SetText("")
		l := widget.NewLabel(T("configure.status_unknown"))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.LowImportance
		v.statusRows.Add(l)
		v.statusRows.Refresh()
		return
	}
	v.statusAt.SetText(T("configure.status_at", map[string]any{"Time": cs.statusAt.Format("15:04:05")}))
	p := cs.wz.params()
	yes := func(b bool, done, notYet string, data ...map[string]any) {
		text := T(notYet, data...)
		if b {
			text = T(done, data...)
		}
		v.statusRows.Add(statusRow(b, text))
	}
	yes(st.Init.AnchorImported, "configure.st.anchor", "configure.st.anchor_no")
	yes(st.Init.ServerCodeInitialized && st.Init.ServerOwnerInitialized, "configure.st.owner", "configure.st.owner_no",
		map[string]any{"Owner": i18n.Line(p.MemberClass+"/"+p.MemberCode, 60), "Server": i18n.Line(p.ServerCode, 40)})
	yes(cs.tokenInitialised(), "configure.st.token", "configure.st.token_no")
	yes(st.TSAConfigured, "configure.st.tsa", "configure.st.tsa_no")
	yes(st.SoftTokenLoggedIn, "configure.st.login", "configure.st.login_no")
	key := func(k *keyStateView, done, notYet string) {
		v.statusRows.Add(statusRow(k.csr, T(map[bool]string{true: done, false: notYet}[k.csr], map[string]any{"Label": i18n.Line(k.label, 80)})))
	}
	key(keyView(st.Auth), "configure.st.auth", "configure.st.auth_no")
	key(keyView(st.Sign), "configure.st.sign", "configure.st.sign_no")
	v.statusRows.Refresh()
}

// renderAnchor shows what the chosen anchor file says and the server's view of it.
func (cs *configureStep) renderAnchor() {
	v := cs.v
	showErr(v.anchorErr, cs.anchorProblem())
	if a := cs.anchorInfo; a != nil {
		v.anchorLocal.SetText(T("configure.anchor_local", map[string]any{"Instance": i18n.Line(a.Instance, 60), "Hash": anchorHashText(a.Hash), "Created": i18n.Line(a.Created, 60)}))
		v.anchorLocal.Show()
	} else {
		v.anchorLocal.Hide()
	}
	switch {
	case cs.anchor == nil:
		v.anchorCheck.Hide()
	case cs.anchorHashChecked():
		v.anchorCheck.SetText(T("configure.anchor_hash_ok"))
		v.anchorCheck.Importance = widget.SuccessImportance
		v.anchorCheck.Show()
	default:
		v.anchorCheck.SetText(T("configure.anchor_hash_compare"))
		v.anchorCheck.Importance = widget.MediumImportance
		v.anchorCheck.Show()
	}
	switch {
	case cs.serverErr != nil:
		v.anchorServer.SetText("")
		v.anchorServer.Hide()
		showErr(v.anchorErr, T("configure.anchor_refused")+" "+sessionErrorText(cs.serverErr))
	case cs.serverAnchor != nil:
		a := cs.serverAnchor
		v.anchorServer.SetText(T("configure.anchor_server", map[string]any{"Instance": i18n.Line(a.Instance, 60), "Hash": anchorHashText(a.Hash), "Created": i18n.Line(a.Created, 60)}))
		v.anchorServer.Show()
	default:
		v.anchorServer.Hide()
	}
	if cs.anchor != nil && cs.busy == "" {
		v.previewBtn.Enable()
	} else {
		v.previewBtn.Disable()
	}
}

func (cs *configureStep) renderRows() { cs.rows.render(cs.v.rows, T("configure.row_skipped")) }

// renderCSRs shows the CSRs made, with Save buttons.
func (cs *configureStep) renderCSRs() {
	v := cs.v
	v.csrs.Objects = nil
	add := func(c *tokens.CSR, title, file string) {
		if c == nil {
			return
		}
		pemBtn := widget.NewButtonWithIcon(T("cert.save_pem"), theme.DocumentSaveIcon(), func() { cs.wz.saveCSR(c, file, true) })
		derBtn := widget.NewButtonWithIcon(T("cert.save_der"), theme.DocumentSaveIcon(), func() { cs.wz.saveCSR(c, file, false) })
		v.csrs.Add(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		v.csrs.Add(widget.NewForm(
			widget.NewFormItem(T("cert.subject"), subjectLabel(c.Subject)),
			widget.NewFormItem(T("cert.sha256"), fingerprintLabel(c.PublicKeySHA256))))
		v.csrs.Add(container.NewHBox(pemBtn, derBtn, layout.NewSpacer()))
	}
	o := cs.wz.state.Org
	base := safeFileName(o.MemberCode) + "-" + safeFileName(o.ServerCode)
	add(cs.auth, T("configure.auth_csr"), "auth-csr-"+base)
	add(cs.sign, T("configure.sign_csr"), "sign-csr-"+base)
	v.csrs.Refresh()
}

// safeFileName keeps letters, digits, - and _.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, s)
}

// saveCSR writes c as PEM or DER to a file the user chooses (the
// Certificates step's writer reports the outcome).
func (wz *wizard) saveCSR(c *tokens.CSR, base string, asPEM bool) {
	data, name := c.DER, base+".der"
	if asPEM {
		data, name = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: c.DER}), base+".pem"
	}
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err == nil && wc == nil {
			return // cancelled
		}
		if err != nil {
			dialog.ShowError(errors.New(fileProblem("cert.save_failed", err)), wz.win)
			return
		}
		_ = wz.certs.writeCSR(wc, data)
	}, wz.win)
	d.SetFileName(name)
	showFileDialog(d, wz.win)
}

func (cs *configureStep) chooseAnchor() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		_ = r.Close()
		if cs.v != nil {
			cs.v.anchorPath.SetText(r.URI().Path()) // OnChanged reads it
		}
		if cs.anchor != nil {
			if _, _, ok := cs.wz.adminCredentials(); ok {
				cs.previewOnServer()
			}
		}
	}, cs.wz.win)
	showFileDialog(d, cs.wz.win)
}

// forgetPINs clears the PINs once the tokens are logged in: a PIN lives
// in memory only while it is needed, and a later run needs none.
func (cs *configureStep) forgetPINs() {
	cs.form.PIN, cs.form.PIN2, cs.form.HWPIN = "", "", ""
	v := cs.v
	if v == nil {
		return
	}
	v.pin.SetText("")
	v.hwPIN.SetText("")
	if v.pin2.Hidden {
		// Out of the form: SetText would run the form's validation hook,
		// which still holds the item's old index (a Fyne panic). Not shown,
		// so the field alone is enough.
		v.pin2.Text = ""
	} else {
		v.pin2.SetText("")
	}
}
