package app

// The Summary step, last in the wizard: what was done, what the user
// waits for and what to do next, in plain words. Each line comes from a
// provider reading this run's state, the onboarding record (what earlier
// runs did) or the submissions store; a step that wants a line here adds
// its provider to summaryProviders.

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
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
	ob     onboarding.Record
}

// summaryProviders make the summary's lines, in order within a section.
var summaryProviders = []func(f summaryFacts) []summaryLine{
	summaryReadiness,
	summaryInstall,
	summaryConfigure,
	summaryCSRs,
	summarySubmission,
	summaryAwaited, // summary_awaited.go
	summaryConnect, // summary_connect.go
	summaryHealth,  // summary_health.go
	summaryWaiting,
	summaryNextSteps,
}

func (wz *wizard) summaryView() fyne.CanvasObject {
	facts := summaryFacts{wz: wz, ob: wz.rec.snapshot()}
	if dir, err := wz.submit.dir(); err == nil {
		rec, err := latestRecord(dir, wz.state.Org)
		if err != nil {
			log.WithError(err).Warn("summary: submissions store not read")
		}
		facts.record = rec
	}
	if facts.record == nil { // no application in this computer's store: the record's
		facts.record = submissionFromRecord(facts.ob.Submission)
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
	box.Add(wz.printView())
	return container.NewVScroll(box)
}

func summaryRow(l summaryLine) fyne.CanvasObject {
	var icon fyne.Resource
	label := wrapped(l.text)
	switch l.state {
	case lineDone:
		icon = successIcon(theme.ConfirmIcon())
	case lineTodo:
		icon = warningIcon(theme.WarningIcon())
	case lineWait:
		icon = primaryIcon(theme.HistoryIcon())
	case lineNext:
		icon = primaryIcon(theme.NavigateNextIcon())
	default:
		icon = disabledIcon(theme.InfoIcon())
		label.Importance = widget.LowImportance
	}
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, label)
}

// summaryReadiness: this run's check, else the record's (an earlier run's).
func summaryReadiness(f summaryFacts) []summaryLine {
	var s checks.Summary
	var at time.Time
	if rep := f.wz.readiness.report; rep != nil {
		s, at = rep.Summary, rep.CheckedAt
	} else if rd := f.ob.Readiness; rd != nil {
		s, at = checks.Summary{Pass: rd.Pass, Warn: rd.Warn, Fail: rd.Fail, Unknown: rd.Unknown}, rd.At
	} else {
		return []summaryLine{{sectionDone, lineInfo, T("summary.readiness_none")}}
	}
	state, key := lineDone, "summary.readiness_ok"
	if s.Fail > 0 {
		state, key = lineTodo, "summary.readiness_fail"
	} else if s.Warn > 0 || s.Unknown > 0 {
		key = "summary.readiness_warn"
	}
	return []summaryLine{{sectionDone, state, T(key, map[string]any{
		"Date": when(at), "Pass": s.Pass, "Warn": s.Warn + s.Unknown, "Fail": s.Fail})}}
}

func summaryInstall(f summaryFacts) []summaryLine {
	is := f.wz.install
	switch {
	case is.running:
		return []summaryLine{{sectionDone, lineTodo, T("summary.install_running")}}
	case is.total > 0 && is.finished >= is.total && !is.resumable:
		return []summaryLine{{sectionDone, lineDone, T("summary.install_done", map[string]any{"Target": f.wz.state.Server.Display()})}}
	case is.resumable:
		return []summaryLine{{sectionDone, lineTodo, T("summary.install_stopped")}}
	}
	// Not in this run: what the record says of the last one.
	switch in := f.ob.Install; {
	case in == nil:
	case in.Outcome == onboarding.OutcomeOK:
		return []summaryLine{{sectionDone, lineDone, T("summary.install_done", map[string]any{"Target": f.wz.state.Server.Display()})}}
	case in.Outcome == onboarding.OutcomeFailed:
		return []summaryLine{{sectionDone, lineTodo, T("summary.install_failed", map[string]any{
			"Date": when(in.Finished), "Done": in.StepsDone, "Total": in.StepsTotal})}}
	default: // stopped, or cut off while it ran
		return []summaryLine{{sectionDone, lineTodo, T("summary.install_stopped")}}
	}
	return []summaryLine{{sectionDone, lineInfo, T("summary.install_none")}}
}

// summaryConfigure tells the server's initialisation as the Configure
// step last read it (nothing when it never asked the server).
func summaryConfigure(f summaryFacts) []summaryLine {
	st, in := f.wz.configure.status, f.ob.Init
	switch {
	case st == nil && in == nil:
		return nil
	case st != nil && st.Init.Done() && st.TSAConfigured:
		return []summaryLine{{sectionDone, lineDone, T("summary.configure_done", map[string]any{"Date": when(f.wz.configure.statusAt)})}}
	case st == nil && in.Done() && in.TimeStamping: // an earlier run saw it
		return []summaryLine{{sectionDone, lineDone, T("summary.configure_done", map[string]any{"Date": when(in.At)})}}
	}
	return []summaryLine{{sectionDone, lineTodo, T("summary.configure_todo")}}
}

// summaryCSRs: the latest CSR of each usage in the record (this run's
// reach it too, through the recorder), with when and where it was made.
func summaryCSRs(f summaryFacts) []summaryLine {
	var out []summaryLine
	for _, u := range []struct{ usage, made, missing string }{
		{onboarding.UsageAuth, "summary.auth_csr", "summary.auth_csr_missing"},
		{onboarding.UsageSign, "summary.sign_csr", "summary.sign_csr_missing"},
	} {
		if c := f.ob.LatestCSR(u.usage); c != nil {
			m := madeCSR{Where: c.Key.Place, Token: c.Key.TokenSerial}
			out = append(out, summaryLine{sectionDone, lineDone, T(u.made, map[string]any{"Date": when(c.MadeAt), "Source": m.source(CurrentLanguage())})})
		} else if f.record == nil {
			out = append(out, summaryLine{sectionDone, lineTodo, T(u.missing)})
		}
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
		out = append(out, summaryLine{sectionWaiting, lineWait, T(f.waitCertsKey(), map[string]any{"CA": f.wz.caTitle()})})
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
