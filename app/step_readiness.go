package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// checkFunc runs one readiness check of srv, calling onResult from its own
// goroutine for each result as it is decided.
type checkFunc func(ctx context.Context, srv Server, onResult func(checks.Result)) (*checks.Report, error)

// readiness is the readiness step: the last run's data (kept across page
// changes and language switches) and the widgets showing it. All fields
// are touched on the UI goroutine only.
type readiness struct {
	wz  *wizard
	run checkFunc

	results  []checks.Result
	report   *checks.Report
	keptAt   time.Time // report is an earlier session's, checked then (readiness_kept.go); zero: this session's
	keptBad  string    // the kept report that could not be read, shown until a new check (readiness_kept.go)
	err      error
	running  bool
	cancelFn context.CancelFunc
	gen      int       // run number: late callbacks of an older run are dropped
	relaidAt time.Time // the page's last relayout (relayoutSoon)

	v *readinessWidgets // nil while the page is not built

	afterRun func() // tests: called on the UI goroutine when a run ends
}

type readinessWidgets struct {
	target                            *widget.Label
	check, cancel, saveHTML, saveJSON *widget.Button
	progress                          *widget.ProgressBarInfinite
	verdict                           *widget.Label
	summary                           *fyne.Container
	counts                            map[checks.Status]*widget.Label // the summary's numbers
	errBox                            *fyne.Container
	rows                              *fyne.Container
	scroll                            *container.Scroll
	shown                             []*resultRow
}

func newReadiness(wz *wizard) *readiness {
	r := &readiness{wz: wz}
	r.run = wz.realCheck
	return r
}

// realCheck checks this computer, or the remote server over SSH.
func (wz *wizard) realCheck(ctx context.Context, srv Server, onResult func(checks.Result)) (*checks.Report, error) {
	opt := checks.Options{PublicIP: strings.TrimSpace(srv.PublicIP)}
	if !srv.Remote {
		host, _ := os.Hostname()
		log.WithField("host", host).Info("local readiness check")
		return checks.Check(ctx, checks.Target{Host: host, Local: true}, checks.CollectLocal, wz.profile, opt, onResult)
	}
	cfg, err := srv.SSHConfig(func(host, fp, keyType string) bool { return wz.askHostKey(ctx, host, fp, keyType) })
	if err != nil {
		return nil, err
	}
	log.WithField("target", srv.Display()).WithField("auth", string(srv.Auth)).Info("remote readiness check")
	// The probe's answer is read up to its limit only; CollectRemote gives
	// it checks.DefaultProbeTimeout.
	cfg.MaxOutput = checks.MaxProbeOutput
	client, err := remote.Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	collect := func(ctx context.Context) (*checks.Facts, error) { return checks.CollectRemote(ctx, client) }
	return checks.Check(ctx, checks.Target{Host: cfg.Host}, collect, wz.profile, opt, onResult)
}

// start runs a check in a goroutine; results appear as they come.
func (r *readiness) start() {
	if r.running {
		return
	}
	srv := r.wz.state.Server // a copy, with the in-memory secrets
	r.gen++
	gen := r.gen
	r.results, r.report, r.err, r.keptAt, r.keptBad = nil, nil, nil, time.Time{}, ""
	if p := srv.Problems(); len(p) > 0 {
		r.err = &problemError{key: p[0].Key}
		r.refresh()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancelFn = cancel
	r.running = true
	if r.v != nil {
		r.v.rows.Objects = nil
		r.v.shown = nil
		r.v.rows.Refresh()
	}
	r.refresh()
	go func() {
		defer cancel()
		rep, err := r.run(ctx, srv, func(res checks.Result) {
			fyne.Do(func() {
				if gen != r.gen {
					return
				}
				r.results = append(r.results, res)
				r.addRow(res)
				r.refresh()
			})
		})
		if err != nil {
			log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("readiness check failed")
		} else {
			log.WithField("summary", fmt.Sprintf("%+v", rep.Summary)).Info("readiness check done")
		}
		fyne.Do(func() {
			if gen != r.gen {
				return
			}
			r.running = false
			r.report, r.err = rep, err
			if err == nil {
				r.wz.rec.readiness(rep)
				if r.wz.list != nil {
					r.wz.list.Refresh() // the step's word in the list: done, or failed
				}
				// Streamed in rule order; once complete, what needs work first.
				sortBySeverity(r.results)
				r.rebuildRows()
			}
			r.refresh()
			if r.afterRun != nil {
				r.afterRun()
			}
		})
	}()
}

// cancel stops a running check.
func (r *readiness) cancel() {
	if r.running && r.cancelFn != nil {
		r.cancelFn()
	}
}

// problemError is an invalid server setting found when Check is pressed.
type problemError struct{ key string }

func (e *problemError) Error() string { return T(e.key) }

// view builds the readiness page from the last run.
func (r *readiness) view() fyne.CanvasObject {
	v := &readinessWidgets{}
	r.v = v
	v.target = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.target.Wrapping = fyne.TextWrapWord
	v.check = widget.NewButtonWithIcon(T("readiness.check"), theme.MediaPlayIcon(), r.start)
	v.check.Importance = widget.HighImportance
	v.cancel = widget.NewButtonWithIcon(T("readiness.cancel"), theme.CancelIcon(), r.cancel)
	v.saveHTML = widget.NewButtonWithIcon(T("readiness.save_html"), theme.DocumentSaveIcon(), func() { r.save("html") })
	v.saveJSON = widget.NewButtonWithIcon(T("readiness.save_json"), theme.DocumentSaveIcon(), func() { r.save("json") })
	v.progress = widget.NewProgressBarInfinite()
	v.verdict = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.verdict.Wrapping = fyne.TextWrapWord
	v.summary, v.counts = newSummaryCounts()
	v.errBox = container.NewVBox()
	v.rows = container.NewVBox()
	for _, res := range r.results {
		r.addRow(res)
	}

	buttons := container.NewBorder(nil, nil,
		container.NewHBox(v.check, v.cancel),
		container.NewHBox(v.saveHTML, v.saveJSON),
		v.progress)
	top := container.NewVBox(v.target, buttons)
	if n := r.keptNotice("readiness.kept"); n != nil {
		top.Add(n)
	}
	// Verdict, error and rows scroll together: wrapped text gets its
	// height from the scroll's width, never clipped in a fixed header.
	v.scroll = container.NewVScroll(container.NewVBox(v.verdict, v.summary, v.errBox, widget.NewSeparator(), v.rows))
	r.refresh()
	return container.NewBorder(top, nil, nil, nil, v.scroll)
}

// newSummaryCounts is the summary's row: an icon and a count for pass,
// warn, fail and unknown, in that order.
func newSummaryCounts() (*fyne.Container, map[checks.Status]*widget.Label) {
	box, counts := container.NewHBox(), map[checks.Status]*widget.Label{}
	for _, st := range []checks.Status{checks.Pass, checks.Warn, checks.Fail, checks.Unknown} {
		counts[st] = widget.NewLabel("")
		box.Add(widget.NewIcon(statusIcon(st)))
		box.Add(counts[st])
	}
	box.Hide()
	return box, counts
}

// addRow shows one more result.
func (r *readiness) addRow(res checks.Result) {
	if r.v == nil {
		return
	}
	row := newResultRow(res, CurrentLanguage())
	r.v.shown = append(r.v.shown, row)
	r.v.rows.Add(row.box)
	r.relayoutSoon()
}

// relayoutEvery spaces the relayouts of a check's streamed results: a
// relayout refreshes every row (each redraws its icons), so one per
// result made the work grow with the square of the results (tens of MB
// of garbage per check). The last refresh of a run lays out whatever came
// since.
const relayoutEvery = 150 * time.Millisecond

// relayoutSoon lays the page out again unless it was a moment ago (while
// results stream in; then the run's end does it).
func (r *readiness) relayoutSoon() {
	if r.v == nil || (r.running && time.Since(r.relaidAt) < relayoutEvery) {
		return
	}
	r.relaidAt = time.Now()
	relayout(r.v.scroll)
}

// rebuildRows shows r.results again from scratch.
func (r *readiness) rebuildRows() {
	if r.v == nil {
		return
	}
	r.v.rows.Objects = nil
	r.v.shown = nil
	for _, res := range r.results {
		r.addRow(res)
	}
	r.v.rows.Refresh()
}

// severity orders statuses: what needs work first.
var severity = map[checks.Status]int{checks.Fail: 0, checks.Warn: 1, checks.Unknown: 2, checks.Info: 3, checks.Pass: 4}

func sortBySeverity(results []checks.Result) {
	sort.SliceStable(results, func(i, j int) bool { return severity[results[i].Status] < severity[results[j].Status] })
}

// relayout lays a scroll's content out again once the wrapped labels in it
// know their width (their height depends on it), so rows do not overlap.
func relayout(s *container.Scroll) {
	if s == nil {
		return
	}
	s.Refresh()
	s.Content.Refresh()
}

// counts tallies results like checks.Report does (info is not counted).
func counts(results []checks.Result) checks.Summary {
	var s checks.Summary
	for _, res := range results {
		switch res.Status {
		case checks.Pass:
			s.Pass++
		case checks.Warn:
			s.Warn++
		case checks.Fail:
			s.Fail++
		case checks.Unknown:
			s.Unknown++
		}
	}
	return s
}

// refresh updates buttons, verdict, summary and error from the data.
func (r *readiness) refresh() {
	v := r.v
	if v == nil {
		return
	}
	srv := r.wz.state.Server
	target := srv.Display()
	if !srv.Remote {
		if h, err := os.Hostname(); err == nil {
			target += " (" + i18n.Line(h, 80) + ")"
		}
	}
	v.target.SetText(T("readiness.target", map[string]any{"Target": target}))

	if r.running {
		v.check.Disable()
		v.cancel.Enable()
		v.progress.Show()
		v.progress.Start()
	} else {
		v.check.Enable()
		v.cancel.Disable()
		v.progress.Stop()
		v.progress.Hide()
	}
	if r.report != nil {
		v.saveHTML.Enable()
		v.saveJSON.Enable()
	} else {
		v.saveHTML.Disable()
		v.saveJSON.Disable()
	}

	s := counts(r.results)
	switch {
	case r.running:
		v.verdict.SetText(T("readiness.running"))
		v.verdict.Importance = widget.MediumImportance
	case r.err != nil:
		v.verdict.SetText("")
	case r.report == nil:
		v.verdict.SetText(T("readiness.intro"))
		v.verdict.Importance = widget.MediumImportance
	case s.Fail > 0:
		v.verdict.SetText(T("readiness.verdict.fail"))
		v.verdict.Importance = widget.DangerImportance
	case s.Warn > 0 || s.Unknown > 0:
		v.verdict.SetText(T("readiness.verdict.warn"))
		v.verdict.Importance = widget.WarningImportance
	default:
		v.verdict.SetText(T("readiness.verdict.pass"))
		v.verdict.Importance = widget.SuccessImportance
	}
	if v.verdict.Text == "" {
		v.verdict.Hide()
	} else {
		v.verdict.Show()
	}
	v.verdict.Refresh()

	// The counts' icons are made once with the page (newSummaryCounts):
	// a refresh per streamed result only changes their numbers.
	if len(r.results) > 0 {
		v.counts[checks.Pass].SetText(T("summary.pass", map[string]any{"Count": s.Pass}))
		v.counts[checks.Warn].SetText(T("summary.warn", map[string]any{"Count": s.Warn}))
		v.counts[checks.Fail].SetText(T("summary.fail", map[string]any{"Count": s.Fail}))
		v.counts[checks.Unknown].SetText(T("summary.unknown", map[string]any{"Count": s.Unknown}))
		v.summary.Show()
	} else {
		v.summary.Hide()
	}

	v.errBox.Objects = nil
	if r.err != nil {
		v.errBox.Add(errorCard(r.err, func() { r.wz.goTo(r.wz.stepIndex(stepServer)) }))
	}
	v.errBox.Refresh()
	r.relayoutSoon() // while results stream in, not for each of them
}

// errorCard tells what went wrong and what to do; the form stays as is.
func errorCard(err error, toServer func()) fyne.CanvasObject {
	var what, todo, detail string
	var pe *problemError
	if errors.As(err, &pe) {
		what, todo = T("err.settings"), T(pe.key)
	} else {
		e := explain(err)
		what, todo, detail = T(e.What, e.Data), T(e.Todo, e.Data), e.Detail
	}
	icon := widget.NewIcon(errorIcon(theme.ErrorIcon()))
	if errors.Is(err, context.Canceled) {
		icon.SetResource(disabledIcon(theme.InfoIcon()))
	}
	title := widget.NewLabelWithStyle(what, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	body := widget.NewLabel(todo)
	body.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, body)
	if detail != "" && !errors.Is(err, context.Canceled) {
		d := widget.NewLabel(T("err.detail", map[string]any{"Detail": detail}))
		d.Wrapping = fyne.TextWrapWord
		d.Importance = widget.LowImportance
		d.Selectable = true
		box.Add(d)
	}
	if !errors.Is(err, context.Canceled) {
		box.Add(container.NewHBox(widget.NewButtonWithIcon(T("err.to_server"), theme.SettingsIcon(), toServer), layout.NewSpacer()))
	}
	return container.NewBorder(nil, nil, container.NewVBox(icon), nil, box)
}

// save writes the last report as HTML (in the UI language) or JSON.
func (r *readiness) save(kind string) {
	rep := r.report
	if rep == nil {
		return
	}
	win := r.wz.win
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(errors.New(fileProblem("readiness.save_failed", err)), win)
			return
		}
		if wc == nil {
			return // cancelled
		}
		if err := writeReport(wc, rep, kind, CurrentLanguage()); err != nil {
			dialog.ShowError(errors.New(fileProblem("readiness.save_failed", err)), win)
			return
		}
		log.WithField("file", wc.URI().Path()).Info("report saved")
		if kind == "json" {
			r.wz.rec.reportSaved(wc.URI().Path())
		}
		dialog.ShowInformation(T("readiness.saved.title"), T("readiness.saved", map[string]any{"File": wc.URI().Path()}), win)
	}, win)
	d.SetFileName(reportFileName(rep, kind))
	showFileDialog(d, win)
}

// writeReport writes rep to wc and closes it, reporting the first error.
func writeReport(wc io.WriteCloser, rep *checks.Report, kind, lang string) error {
	var err error
	if kind == "html" {
		err = rep.WriteHTML(wc, lang)
	} else {
		err = rep.WriteJSON(wc)
	}
	if cerr := wc.Close(); err == nil {
		err = cerr
	}
	return err
}

// reportFileName is e.g. readiness-ss1-20261122-0930.html.
func reportFileName(rep *checks.Report, kind string) string {
	host := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, rep.Target.Host)
	if host == "" {
		host = "server"
	}
	at := rep.CheckedAt
	if at.IsZero() {
		at = time.Now()
	}
	return fmt.Sprintf("readiness-%s-%s.%s", host, at.Local().Format("20060102-1504"), kind)
}

// resultRow is one result on screen.
type resultRow struct {
	box     fyne.CanvasObject
	icon    *widget.Icon
	status  *widget.Label
	title   *widget.Label
	values  *widget.Label
	details *disclosure // why it matters, how to fix (icons.go)
}

// statusIcon is the coloured icon of a status.
func statusIcon(s checks.Status) fyne.Resource {
	switch s {
	case checks.Pass:
		return successIcon(theme.ConfirmIcon())
	case checks.Warn:
		return warningIcon(theme.WarningIcon())
	case checks.Fail:
		return errorIcon(theme.ErrorIcon())
	case checks.Info:
		return primaryIcon(theme.InfoIcon())
	}
	return disabledIcon(theme.QuestionIcon())
}

// statusText is the translated name of a status.
func statusText(s checks.Status) string {
	switch s {
	case checks.Pass:
		return T("status.pass")
	case checks.Warn:
		return T("status.warn")
	case checks.Fail:
		return T("status.fail")
	case checks.Info:
		return T("status.info")
	}
	return T("status.unknown")
}

func statusImportance(s checks.Status) widget.Importance {
	switch s {
	case checks.Pass:
		return widget.SuccessImportance
	case checks.Warn:
		return widget.WarningImportance
	case checks.Fail:
		return widget.DangerImportance
	case checks.Info:
		return widget.HighImportance
	}
	return widget.LowImportance
}

// newResultRow builds the row of one result in language code: icon, title,
// status, observed vs required, and why/fix behind a "Details" fold
// (opened for failures).
func newResultRow(res checks.Result, code string) *resultRow {
	row := &resultRow{}
	row.icon = widget.NewIcon(statusIcon(res.Status))
	row.status = widget.NewLabelWithStyle(statusText(res.Status), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	row.status.Importance = statusImportance(res.Status)
	title := res.Title.In(code)
	if title == "" {
		title = res.ID
	}
	row.title = widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	row.title.Wrapping = fyne.TextWrapWord

	observed, required := i18n.Line(res.Observed.In(code), 300), i18n.Line(res.Required.In(code), 300)
	var vals []string
	if observed != "" {
		vals = append(vals, T("readiness.observed", map[string]any{"Value": observed}))
	}
	if required != "" {
		vals = append(vals, T("readiness.required", map[string]any{"Value": required}))
	}
	row.values = widget.NewLabel(strings.Join(vals, "    "))
	row.values.Wrapping = fyne.TextWrapWord

	body := container.New(layout.NewCustomPaddedVBoxLayout(0), container.NewBorder(nil, nil, nil, row.status, row.title))
	if len(vals) > 0 {
		body.Add(row.values)
	}
	why, fix := res.Why.In(code), res.Fix.In(code)
	if why != "" || fix != "" {
		detail := container.New(layout.NewCustomPaddedVBoxLayout(0))
		if why != "" {
			detail.Add(widget.NewLabelWithStyle(T("readiness.why"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
			l := widget.NewLabel(why)
			l.Wrapping = fyne.TextWrapWord
			detail.Add(l)
		}
		if fix != "" && res.Status != checks.Pass {
			detail.Add(widget.NewLabelWithStyle(T("readiness.fix"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
			l := widget.NewLabel(fix)
			l.Wrapping = fyne.TextWrapWord
			l.Selectable = true
			detail.Add(l)
		}
		row.details = newDisclosure(T("readiness.details"), detail, res.Status == checks.Fail)
		body.Add(row.details.box)
	}
	row.box = container.NewVBox(
		container.NewBorder(nil, nil, container.NewVBox(row.icon), nil, body),
		widget.NewSeparator())
	return row
}
