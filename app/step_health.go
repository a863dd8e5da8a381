package app

// The Health step's page: Check (health.Gather in the background,
// bounded, with Stop), the verdict and when it was made, the findings
// grouped worst first, each with its icon, title, what was seen, why it
// matters and what to do, in the user's language; the support bundle
// saved where the user chooses. The work is health_run.go.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/health/bundle"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
)

type healthWidgets struct {
	adminUser, adminPW, sudoPW *widget.Entry // nil when not asked
	check, stop, bundle        *widget.Button
	progress                   *widget.ProgressBarInfinite
	busy                       *widget.Label
	verdictIcon                *widget.Icon
	verdict, checkedAt, counts *widget.Label
	outcome, findings          *fyne.Container
	okList                     *disclosure // the findings in order, closed
	scroll                     *container.Scroll
}

// healthGroups are the statuses in the order the page lists them: what
// is known broken first, then what could not be looked at, then what
// needs attention soon (the CLI's details in the same order), then what
// is in order.
var healthGroups = []health.Status{health.Critical, health.Unknown, health.Warning, health.OK}

func (hs *healthStep) view() fyne.CanvasObject {
	wz := hs.wz
	if err := wz.localProblem(false); err != nil {
		return wz.localCard(err)
	}
	intro := wrapped(T("health.intro"))
	// The server must be initialised: before that, there is nothing to
	// look at but a bare X-Road.
	if rec := wz.rec.snapshot(); !rec.Init.Done() {
		hs.v = nil
		return container.NewVScroll(container.NewVBox(intro,
			wz.deadEnd(T("health.not_configured"), T("health.not_configured.todo"), stepConfigure)))
	}
	v := &healthWidgets{}
	hs.v = v
	box := container.NewVBox(intro)
	var login []*widget.FormItem
	login, v.adminUser, v.adminPW, v.sudoPW = wz.loginItems(hs.refresh)
	if len(login) > 0 {
		form := widget.NewForm(login...)
		form.Orientation = widget.Vertical
		box.Add(form)
	}
	v.check = widget.NewButtonWithIcon(T("health.check"), theme.MediaPlayIcon(), hs.check)
	v.check.Importance = widget.HighImportance
	v.stop = widget.NewButtonWithIcon(T("health.stop"), theme.MediaStopIcon(), hs.cancel)
	v.progress = widget.NewProgressBarInfinite()
	v.busy = wrapped("")
	box.Add(buttonRow(v.check, v.stop))
	box.Add(v.progress)
	box.Add(v.busy)

	v.verdictIcon = widget.NewIcon(nil)
	v.verdict = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.verdict.Wrapping = fyne.TextWrapWord
	v.checkedAt = wrappedLow("")
	v.counts = wrapped("")
	box.Add(container.NewBorder(nil, nil, container.NewVBox(v.verdictIcon), nil,
		container.NewVBox(v.verdict, v.checkedAt, v.counts)))
	v.outcome = container.NewVBox()
	box.Add(v.outcome)
	v.findings = container.NewVBox()
	box.Add(v.findings)
	box.Add(hs.renew.view())

	// The support bundle, one button on its own row: the Russian and
	// Kyrgyz texts beside Check would widen the window past 1024 px.
	box.Add(widget.NewSeparator())
	box.Add(heading(T("health.bundle.title")))
	box.Add(wrappedLow(T("health.bundle.about")))
	v.bundle = widget.NewButtonWithIcon(T("health.bundle"), theme.DocumentSaveIcon(), hs.saveBundle)
	box.Add(buttonRow(v.bundle))
	box.Add(hs.backupsSection()) // health_backups.go

	v.scroll = container.NewVScroll(box)
	hs.renderFindings()
	hs.refresh()
	return v.scroll
}

// refresh brings the buttons, the verdict and the outcome in line with
// the state (the findings change only with a report: renderFindings).
func (hs *healthStep) refresh() {
	v := hs.v
	if v == nil {
		return
	}
	busy := hs.busy != ""
	enable(v.check, !busy && !hs.saving)
	enable(v.stop, busy)
	enable(v.bundle, !busy && !hs.saving)
	showIf(v.progress, busy || hs.saving)
	switch {
	case busy:
		v.busy.SetText(T("health.working", map[string]any{"Target": hs.wz.state.Server.Display()}))
	case hs.saving:
		v.busy.SetText(T("health.bundle.saving"))
	default:
		v.busy.SetText("")
	}
	showIf(v.busy, v.busy.Text != "")
	hs.renderVerdict()
	if hs.shown != hs.report {
		hs.renderFindings()
	}
	setCard(v.outcome, hs.outcome)
	relayout(v.scroll)
}

// enable enables w when on, disables it otherwise.
func enable(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

// renderVerdict shows the last report's verdict, or the record's when
// there is no check this run (its findings' texts are not kept).
func (hs *healthStep) renderVerdict() {
	v := hs.v
	var st health.Status
	var data map[string]any
	switch rec := hs.wz.rec.snapshot().Health; {
	case hs.report != nil:
		r := hs.report
		st = verdict(*r)
		data = map[string]any{"Time": when(r.CheckedAt), "Target": i18n.Line(r.Host, 200)}
		if r.Err != "" {
			v.verdict.SetText(T("health.verdict.unreached"))
		} else {
			v.verdict.SetText(T("health.verdict." + string(st)))
		}
		v.checkedAt.SetText(T("health.checked_at", data))
		c := map[health.Status]int{}
		for _, f := range r.Findings {
			c[f.Status]++
		}
		v.counts.SetText(T("health.counts", map[string]any{"Critical": c[health.Critical], "Unknown": c[health.Unknown],
			"Warning": c[health.Warning], "OK": c[health.OK]}))
	case rec != nil:
		st = health.Status(rec.Status)
		v.verdict.SetText(T("health.verdict." + string(st)))
		v.checkedAt.SetText(T("health.recorded", map[string]any{"Time": when(rec.At)}))
		v.counts.SetText(T("health.counts", map[string]any{"Critical": rec.Count(onboarding.HealthCritical),
			"Unknown": rec.Count(onboarding.HealthUnknown), "Warning": rec.Count(onboarding.HealthWarning), "OK": rec.Count(onboarding.HealthOK)}))
	default:
		v.verdictIcon.Hide()
		v.verdict.SetText(T("health.never"))
		v.checkedAt.SetText("")
		v.counts.SetText("")
		showIf(v.checkedAt, false)
		showIf(v.counts, false)
		return
	}
	v.verdictIcon.SetResource(healthIcon(st))
	v.verdictIcon.Show()
	showIf(v.checkedAt, true)
	showIf(v.counts, true)
}

// renderFindings lists the report's findings by group, worst first; the
// ones in order (most of them, on a healthy server) under a disclosure,
// closed: the verdict says it already.
func (hs *healthStep) renderFindings() {
	v := hs.v
	hs.shown = hs.report
	v.findings.Objects = nil
	v.okList = nil
	if r := hs.report; r != nil {
		lang := CurrentLanguage()
		for _, st := range healthGroups {
			var rows []fyne.CanvasObject
			for _, f := range r.Findings {
				if f.Status == st {
					rows = append(rows, hs.renew.findingRow(f, findingRow(f, lang)))
				}
			}
			if len(rows) == 0 {
				continue
			}
			title := T("health.group."+string(st), map[string]any{"Count": len(rows)})
			if st == health.OK {
				v.okList = newDisclosure(title, container.NewVBox(rows...), false)
				v.findings.Add(v.okList.box)
				continue
			}
			v.findings.Add(widget.NewSeparator())
			v.findings.Add(container.NewHBox(widget.NewIcon(healthIcon(st)), heading(title)))
			for _, row := range rows {
				v.findings.Add(row)
			}
		}
	}
	v.findings.Refresh()
}

// findingRow is one finding: its icon, title, what was seen, and unless
// it is in order why it matters and what to do. Every text is cleaned
// again here: parts of it came from the server.
func findingRow(f health.Finding, lang string) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(i18n.Line(f.Title.In(lang), 300), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	body := container.New(layout.NewCustomPaddedVBoxLayout(0), title)
	if s := i18n.Line(f.Observed.In(lang), i18n.MaxLine); s != "" {
		body.Add(wrapped(T("health.observed", map[string]any{"Value": s})))
	}
	if s := i18n.Line(f.Why.In(lang), i18n.MaxLine); s != "" {
		body.Add(wrappedLow(T("health.why", map[string]any{"Value": s})))
	}
	if s := i18n.Line(f.Fix.In(lang), i18n.MaxLine); s != "" {
		fix := wrapped(T("health.fix", map[string]any{"Value": s}))
		fix.Selectable = true // a command to copy
		body.Add(fix)
	}
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(healthIcon(f.Status))), nil, body)
}

// healthIcon is a status's icon, as the readiness rows have them.
func healthIcon(st health.Status) fyne.Resource {
	switch st {
	case health.OK:
		return successIcon(theme.ConfirmIcon())
	case health.Warning:
		return warningIcon(theme.WarningIcon())
	case health.Critical:
		return errorIcon(theme.ErrorIcon())
	}
	return disabledIcon(theme.QuestionIcon())
}

// bundleCard tells where the bundle went and how many secrets were
// taken out of it; and, when X-Road's logs could not be read (logsErr),
// that they are missing and why, in the words of the server's work.
func (wz *wizard) bundleCard(path string, m bundle.Manifest, logsErr error) fyne.CanvasObject {
	c := successCard(T("health.bundle.saved"), T("health.bundle.saved.todo",
		map[string]any{"File": i18n.Line(path, 400), "Files": len(m.Files), "Redactions": len(m.Redactions)}))
	if logsErr == nil {
		return c
	}
	return container.NewVBox(c, wrapped(T("health.bundle.no_xroad_logs")), wz.errorCard(logsErr))
}
