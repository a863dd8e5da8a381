package app

// The Summary step, last in the wizard: what was done, what the user
// waits for and what to do next, in plain words. Each line comes from a
// provider reading the wizard's state or the submissions store; a step
// that wants a line here adds its provider to summaryProviders.

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
)

// stepSummary is the last step's id.
const stepSummary = "summary"

// The summary's sections, in the order shown.
const (
	sectionDone = iota
	sectionWaiting
	sectionNext
)

// Line states: the icon in front of a line.
const (
	lineDone = iota
	lineTodo // not done, needs the user
	lineWait // someone else's turn
	lineNext // the user's next move
	lineInfo
)

// summaryLine is one line of the summary.
type summaryLine struct {
	section, state int
	text           string
}

// summaryFacts is what the providers read, gathered once per view.
type summaryFacts struct {
	wz     *wizard
	record *enroll.Record // latest submission of this organisation, nil: none
}

// summaryProviders make the summary's lines, in order within a section.
var summaryProviders = []func(f summaryFacts) []summaryLine{
	summaryReadiness,
	summaryInstall,
	summaryConfigure,
	summaryCSRs,
	summarySubmission,
	summaryWaiting,
	summaryNextSteps,
}

func (wz *wizard) summaryView() fyne.CanvasObject {
	facts := summaryFacts{wz: wz}
	if dir, err := wz.submit.dir(); err == nil {
		rec, err := latestRecord(dir, wz.state.Org)
		if err != nil {
			log.WithError(err).Warn("summary: submissions store not read")
		}
		facts.record = rec
	}
	sections := [][]summaryLine{nil, nil, nil}
	for _, p := range summaryProviders {
		for _, l := range p(facts) {
			sections[l.section] = append(sections[l.section], l)
		}
	}
	box := container.NewVBox(wrapped(T("summary.intro")))
	titles := []string{T("summary.done"), T("summary.waiting"), T("summary.next")}
	for i, lines := range sections {
		if len(lines) == 0 {
			continue
		}
		box.Add(widget.NewSeparator())
		box.Add(heading(titles[i]))
		for _, l := range lines {
			box.Add(summaryRow(l))
		}
	}
	return container.NewVScroll(box)
}

func summaryRow(l summaryLine) fyne.CanvasObject {
	var icon fyne.Resource
	label := wrapped(l.text)
	switch l.state {
	case lineDone:
		icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case lineTodo:
		icon = theme.NewWarningThemedResource(theme.WarningIcon())
	case lineWait:
		icon = theme.NewPrimaryThemedResource(theme.HistoryIcon())
	case lineNext:
		icon = theme.NewPrimaryThemedResource(theme.NavigateNextIcon())
	default:
		icon = theme.NewDisabledResource(theme.InfoIcon())
		label.Importance = widget.LowImportance
	}
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, label)
}

func summaryReadiness(f summaryFacts) []summaryLine {
	rep := f.wz.readiness.report
	if rep == nil {
		return []summaryLine{{sectionDone, lineInfo, T("summary.readiness_none")}}
	}
	s := rep.Summary
	state, key := lineDone, "summary.readiness_ok"
	if s.Fail > 0 {
		state, key = lineTodo, "summary.readiness_fail"
	} else if s.Warn > 0 || s.Unknown > 0 {
		key = "summary.readiness_warn"
	}
	return []summaryLine{{sectionDone, state, T(key, map[string]any{
		"Date": when(rep.CheckedAt), "Pass": s.Pass, "Warn": s.Warn + s.Unknown, "Fail": s.Fail})}}
}

func summaryInstall(f summaryFacts) []summaryLine {
	is := f.wz.install
	switch {
	case !f.wz.state.Server.Remote:
		return nil // installing on this computer is not the wizard's work
	case is.running:
		return []summaryLine{{sectionDone, lineTodo, T("summary.install_running")}}
	case is.total > 0 && is.finished >= is.total && !is.resumable:
		return []summaryLine{{sectionDone, lineDone, T("summary.install_done", map[string]any{"Target": f.wz.state.Server.Display()})}}
	case is.resumable:
		return []summaryLine{{sectionDone, lineTodo, T("summary.install_stopped")}}
	}
	return []summaryLine{{sectionDone, lineInfo, T("summary.install_none")}}
}

// summaryConfigure tells the server's initialisation as the Configure
// step last read it (nothing when it never asked the server).
func summaryConfigure(f summaryFacts) []summaryLine {
	st := f.wz.configure.status
	switch {
	case !f.wz.state.Server.Remote || st == nil:
		return nil
	case st.Init.Done() && st.TSAConfigured:
		return []summaryLine{{sectionDone, lineDone, T("summary.configure_done", map[string]any{"Date": when(f.wz.configure.statusAt)})}}
	}
	return []summaryLine{{sectionDone, lineTodo, T("summary.configure_todo")}}
}

func summaryCSRs(f summaryFacts) []summaryLine {
	auth, sign := f.wz.csrs.get()
	var out []summaryLine
	if auth != nil {
		out = append(out, summaryLine{sectionDone, lineDone, T("summary.auth_csr", map[string]any{"Source": auth.source(CurrentLanguage())})})
	} else if f.record == nil {
		out = append(out, summaryLine{sectionDone, lineTodo, T("summary.auth_csr_missing")})
	}
	if sign != nil {
		out = append(out, summaryLine{sectionDone, lineDone, T("summary.sign_csr", map[string]any{"Source": sign.source(CurrentLanguage())})})
	} else if f.record == nil {
		out = append(out, summaryLine{sectionDone, lineTodo, T("summary.sign_csr_missing")})
	}
	return out
}

func summarySubmission(f summaryFacts) []summaryLine {
	rec := f.record
	if rec == nil {
		return []summaryLine{{sectionDone, lineTodo, T("summary.submission_none")}}
	}
	prepared, _, _ := eventTime(rec, enroll.StagePrepared)
	if rec.Stage == enroll.StagePrepared {
		return []summaryLine{{sectionDone, lineTodo, T("summary.submission_prepared", map[string]any{"ID": rec.ID, "Date": when(prepared)})}}
	}
	sent, note, _ := eventTime(rec, enroll.StageSent)
	how := ""
	if k, ok := viaNames[rec.Via]; ok {
		how = T(k, map[string]any{"Note": note})
	}
	out := []summaryLine{{sectionDone, lineDone, T("summary.submission_sent", map[string]any{"ID": rec.ID, "Date": when(sent), "How": how})}}
	// Later stages, when other steps have recorded them.
	for _, s := range stages[stageIndex(enroll.StageSent)+1:] {
		if at, _, ok := eventTime(rec, s.stage); ok {
			out = append(out, summaryLine{sectionDone, lineDone, T(s.key) + " · " + when(at)})
		}
	}
	return out
}

// summaryWaiting: the CA's certificates after sending; the central
// server's approval after registering.
func summaryWaiting(f summaryFacts) []summaryLine {
	rec := f.record
	if rec == nil || rec.Stage == enroll.StagePrepared {
		return []summaryLine{{sectionWaiting, lineInfo, T("summary.wait_nothing")}}
	}
	i := stageIndex(rec.Stage)
	var out []summaryLine
	if i < stageIndex(enroll.StageCertsReceived) {
		out = append(out, summaryLine{sectionWaiting, lineWait, T("summary.wait_certs", map[string]any{"CA": f.wz.caTitle()})})
	}
	if i < stageIndex(enroll.StageActive) {
		out = append(out, summaryLine{sectionWaiting, lineWait, T("summary.wait_approval")})
	}
	return out
}

func summaryNextSteps(f summaryFacts) []summaryLine {
	rec := f.record
	var out []summaryLine
	if rec == nil || rec.Stage == enroll.StagePrepared {
		out = append(out, summaryLine{sectionNext, lineNext, T("summary.next_send")})
	}
	if rec == nil || stageIndex(rec.Stage) < stageIndex(enroll.StageImported) {
		out = append(out, summaryLine{sectionNext, lineNext, T("summary.next_import")})
	}
	out = append(out, summaryLine{sectionNext, lineNext, T("summary.next_catalogue")})
	if p := f.wz.logPath; p != "" {
		out = append(out, summaryLine{sectionNext, lineInfo, T("summary.next_keep", map[string]any{"Log": strings.TrimSpace(p)})})
	}
	return out
}
