package app

// The renewal's part of the Health page: a "Renew certificates…" button,
// one beside each finding of a certificate near its end, and the panel
// they open: the plan in the user's words (which certificates and why,
// the order that keeps a pair in service), the PINs of the tokens the
// plan needs logged in, the CA's certificates once they come, Start and
// Stop, a row per step, and how the run ended. The work is renew_run.go.

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/backup"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure/renew"
)

type renewWidgets struct {
	openBtn                  *widget.Button
	section                  *fyne.Container // the page's part, the panel in it
	panel                    *fyne.Container // hidden until opened
	plan, rows, outcome      *fyne.Container
	softPIN, hwPIN           *widget.Entry
	softBox, hwBox, certsBox *fyne.Container
	authCert, signCert       *widget.Entry
	start, stop, sent        *widget.Button
	busy                     *widget.Label
	progress                 *widget.ProgressBarInfinite
}

// renewable: f is a certificate's expiry past the profile's first
// threshold (or expired), which a renewal answers.
func renewable(f health.Finding) bool {
	return strings.HasPrefix(f.ID, "cert.") && strings.HasSuffix(f.ID, ".expiry") && f.Stage != "" &&
		(f.Status == health.Warning || f.Status == health.Critical)
}

// findingRow is row with a Renew… button when f is renewable.
func (rp *renewPanel) findingRow(f health.Finding, row fyne.CanvasObject) fyne.CanvasObject {
	if !renewable(f) {
		return row
	}
	b := widget.NewButtonWithIcon(T("renew.finding"), theme.ViewRefreshIcon(), rp.openPanel)
	return container.NewVBox(row, buttonRow(b))
}

// view is the renewal's section of the page. A run left waiting opens
// it: the step, opened again, goes on from where the server stands.
func (rp *renewPanel) view() fyne.CanvasObject {
	v := &renewWidgets{}
	rp.v = v
	v.openBtn = widget.NewButtonWithIcon(T("renew.open"), theme.ViewRefreshIcon(), rp.openPanel)
	v.plan, v.rows, v.outcome = container.NewVBox(), container.NewVBox(), container.NewVBox()
	pin := func(val *string, label string) (*widget.Entry, *fyne.Container) {
		e := entryFor(val, "", true, rp.refresh)
		f := widget.NewForm(&widget.FormItem{Text: label, Widget: e, HintText: T("renew.pin_hint")})
		f.Orientation = widget.Vertical
		return e, container.NewVBox(f)
	}
	v.softPIN, v.softBox = pin(&rp.softPIN, T("renew.soft_pin"))
	v.hwPIN, v.hwBox = pin(&rp.hwPIN, T("renew.hw_pin"))
	certEntry := func(val *string) (*widget.Entry, fyne.CanvasObject) {
		e := entryFor(val, T("register.cert_placeholder"), false, rp.refresh)
		browse := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() { rp.wz.register.chooseCert(e) })
		return e, container.NewBorder(nil, nil, nil, browse, e)
	}
	var authBox, signBox fyne.CanvasObject
	v.authCert, authBox = certEntry(&rp.authCert)
	v.signCert, signBox = certEntry(&rp.signCert)
	certs := widget.NewForm(&widget.FormItem{Text: T("renew.auth_cert"), Widget: authBox},
		&widget.FormItem{Text: T("renew.sign_cert"), Widget: signBox, HintText: T("renew.cert_hint")})
	certs.Orientation = widget.Vertical
	v.certsBox = container.NewVBox(certs)
	v.start = widget.NewButtonWithIcon(T("renew.start"), theme.MediaPlayIcon(), rp.startPressed)
	v.start.Importance = widget.HighImportance
	v.stop = widget.NewButtonWithIcon(T("renew.stop"), theme.MediaStopIcon(), rp.cancel)
	v.sent = widget.NewButtonWithIcon(T("renew.sent"), theme.MailSendIcon(), rp.markSent)
	v.busy = wrapped("")
	v.progress = widget.NewProgressBarInfinite()
	v.panel = container.NewVBox(wrappedLow(T("renew.order")), v.plan, v.softBox, v.hwBox, v.certsBox,
		buttonRow(v.start, v.stop, v.sent), v.progress, v.busy, rp.backup.widget(), v.rows, v.outcome)
	v.section = container.NewVBox(widget.NewSeparator(), heading(T("renew.title")), wrappedLow(T("renew.about")),
		buttonRow(v.openBtn), v.panel)
	rp.refresh()
	if rp.waiting != "" && rp.plan == nil && rp.busy == "" && rp.err == nil {
		rp.open = true
		rp.read() // where the server stands now
	}
	return v.section
}

// refresh brings the panel in line with the state.
func (rp *renewPanel) refresh() {
	v := rp.v
	if v == nil {
		return
	}
	busy := rp.busy != ""
	showIf(v.panel, rp.open)
	enable(v.openBtn, !busy && !rp.open)
	pl := rp.plan
	need := func(soft bool) bool {
		if pl == nil {
			return false
		}
		for _, tok := range pl.LoggedOut {
			if (tok == xroad.SoftwareTokenID) == soft {
				return true
			}
		}
		return false
	}
	showIf(v.softBox, need(true))
	showIf(v.hwBox, need(false))
	showIf(v.certsBox, awaitsCerts(pl))
	rp.renderPlan()
	v.start.SetText(T("renew.start"))
	if rp.begun() {
		v.start.SetText(T("renew.continue"))
	}
	enable(v.start, !busy && (pl == nil || pl.Next() != nil))
	enable(v.stop, busy)
	showIf(v.sent, !busy && pl != nil && pl.Submission != nil && pl.Submission.Stage.Rank() < enroll.StageSent.Rank())
	showIf(v.progress, busy)
	switch rp.busy {
	case "renew.read":
		v.busy.SetText(T("renew.reading"))
	case "renew.apply":
		v.busy.SetText(T("renew.running", map[string]any{"Target": rp.wz.state.Server.Display()}))
	default:
		v.busy.SetText("")
	}
	rp.backup.render()
	showIf(v.busy, v.busy.Text != "")
	rp.rows.render(v.rows, T("configure.row_skipped"))
	setCard(v.outcome, rp.outcome())
	if rp.hs.v != nil {
		relayout(rp.hs.v.scroll)
		if rp.show && !busy {
			rp.show = false
			rp.scrollTo()
		}
	}
}

// startPressed runs the renewal, or reads the server first when it has
// not been read (the admin login was missing).
func (rp *renewPanel) startPressed() {
	if rp.plan == nil {
		rp.read()
		return
	}
	rp.apply()
}

// clearPINs empties the PIN fields (the run has its copy).
func (rp *renewPanel) clearPINs() {
	if v := rp.v; v != nil {
		v.softPIN.SetText("")
		v.hwPIN.SetText("")
	}
}

// scrollTo brings what a read or a run ended with into view: the plan
// at the top, or the outcome a third down. The section is a child of
// the scrolled box, the panel of the section, the outcome of the panel.
func (rp *renewPanel) scrollTo() {
	v, hv := rp.v, rp.hs.v
	if v == nil || hv == nil || hv.scroll == nil {
		return
	}
	y := v.section.Position().Y
	if len(v.outcome.Objects) > 0 {
		y = max(y, y+v.panel.Position().Y+v.outcome.Position().Y-hv.scroll.Size().Height/3)
	}
	hv.scroll.ScrollToOffset(fyne.NewPos(0, y))
}

// awaitsCerts: a new key has its CSR and no certificate yet.
func awaitsCerts(pl *renew.Plan) bool {
	if pl == nil {
		return false
	}
	for _, rn := range pl.Renewals() {
		if rn.New != nil && rn.New.Cert == nil {
			return true
		}
	}
	return false
}

// renderPlan says what the renewal does, certificate by certificate.
func (rp *renewPanel) renderPlan() {
	box, pl := rp.v.plan, rp.plan
	box.Objects = nil
	if pl != nil {
		lang := CurrentLanguage()
		usage := func(u string) string { return T("renew.usage." + u) }
		dayData := func(days int, end string) map[string]any {
			d := map[string]any{"Days": days, "Date": end}
			if th := rp.wz.profile.Health.CertExpiryDays; len(th) > 0 {
				d["Threshold"] = th[0]
			}
			return d
		}
		for _, rn := range pl.Renewals() {
			c := rn.Old.Cert
			why := i18n.T(lang, "configure.renew.why."+rn.Why, dayData(rn.DaysLeft, c.NotAfter.UTC().Format("2006-01-02")))
			box.Add(wrapped(T("renew.cert", map[string]any{"Usage": usage(rn.Usage), "Hash": i18n.Line(shortHash(c.Hash), 40), "Why": why})))
		}
		for _, n := range pl.Notes {
			d := dayData(n.DaysLeft, n.NotAfter.UTC().Format("2006-01-02"))
			d["Place"] = i18n.T(lang, "csr.place."+n.Place, nil)
			box.Add(wrappedLow(T("renew.note", map[string]any{"Usage": usage(n.Usage), "Why": i18n.T(lang, "configure.renew.note."+n.Why, d)})))
		}
		if len(pl.Steps) == 0 {
			box.Add(wrapped(T("renew.nothing")))
		}
	}
	box.Refresh()
}

// shortHash is the start of a certificate's hash, as the CLI shows it.
func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}

// outcome is how the last read or run ended: done, waiting (for what,
// and that the wizard may be closed meanwhile), or why it stopped.
func (rp *renewPanel) outcome() func() fyne.CanvasObject {
	lang := CurrentLanguage()
	switch {
	case rp.busy != "":
		return nil
	case rp.err != nil:
		err := rp.err
		return func() fyne.CanvasObject { return rp.errorCard(err) }
	case rp.done:
		return func() fyne.CanvasObject { return successCard(T("renew.done"), T("renew.done.todo")) }
	case rp.waiting != "":
		text := T("renew.waiting.todo", map[string]any{"Text": i18n.T(lang, "configure.renew.wait."+rp.waiting, nil)})
		w := rp.sent.where
		if pl := rp.plan; w == "" && pl != nil && pl.Submission != nil {
			w = pl.Submission.ID // a package made in an earlier run
		}
		if w != "" && rp.waiting == renew.StepSubmit {
			text += "\n" + T("renew.package", map[string]any{"Where": i18n.Line(w, 400)})
		}
		return func() fyne.CanvasObject { return card(warningIcon(theme.InfoIcon()), T("renew.waiting"), text) }
	}
	return nil
}

// errorCard tells why a renewal stopped (renew.Explain's words), at
// which step, and that it goes on from there.
func (rp *renewPanel) errorCard(err error) fyne.CanvasObject {
	lang := CurrentLanguage()
	key, data, step := renew.Explain(err)
	var ce *configure.Error
	var ee *enroll.Error
	var fe *fileError
	var be *backup.Error
	var c fyne.CanvasObject
	switch {
	case errors.As(err, &be):
		c = messageCard(backupErrText(err), T("renew.again"), "")
	case errors.As(err, &fe):
		c = messageCard(fe.text(), T("renew.cert_hint"), "")
	case errors.As(err, &ee):
		c = messageCard(errorText(err), T("renew.submit.todo"), "")
	case errors.As(err, &ce):
		c = messageCard(i18n.T(lang, key, data), T("renew.again"), "")
	default:
		c = rp.wz.errorCard(err) // the connection's words, or cancelled
	}
	if step == "" {
		return c
	}
	return container.NewVBox(wrapped(T("renew.stopped_at", map[string]any{"Step": i18n.T(lang, "configure.renew.step."+step, nil)})), c)
}
