package app

// The application's status as the store keeps it: the latest submission of
// this organisation, shown as a timeline of its stages with their times.
// Read from disk on every visit, so it survives a restart of the wizard.

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// stages in order, with their names.
var stages = []struct {
	stage enroll.Stage
	key   string
}{
	{enroll.StagePrepared, "submit.stage.prepared"},
	{enroll.StageSent, "submit.stage.sent"},
	{enroll.StageCertsReceived, "submit.stage.certificates_received"},
	{enroll.StageImported, "submit.stage.imported"},
	{enroll.StageRegistered, "submit.stage.registered"},
	{enroll.StageActive, "submit.stage.active"},
}

// viaNames name the ways a package went.
var viaNames = map[enroll.Via]string{
	enroll.ViaEmail:  "submit.sent_via.email",
	enroll.ViaSMTP:   "submit.sent_via.smtp",
	enroll.ViaHTTPS:  "submit.sent_via.https",
	enroll.ViaFolder: "submit.sent_via.folder",
}

// stageIndex is st's place in stages (-1 when unknown).
func stageIndex(st enroll.Stage) int {
	for i, s := range stages {
		if s.stage == st {
			return i
		}
	}
	return -1
}

// latestRecord is the newest submission of the organisation o in the store
// at dir; nil when there is none (a store never made is no error: looking
// does not create it).
func latestRecord(dir string, o Organisation) (*enroll.Record, error) {
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return nil, nil
	}
	store, err := enroll.OpenStore(dir)
	if err != nil {
		return nil, err
	}
	return store.LatestOf(enroll.Participant{MemberClass: o.MemberClass, MemberCode: strings.TrimSpace(o.MemberCode), ServerCode: strings.TrimSpace(o.ServerCode)})
}

// submittedCSRs are the CSRs (DER) in the package of the organisation's
// latest application. After a restart of the wizard they are what an
// issued certificate is matched against: the local Rutoken's CSR is kept
// nowhere else. The package is verified against its manifest first.
func (wz *wizard) submittedCSRs() [][]byte {
	dir, err := wz.submit.dir()
	if err != nil {
		return nil
	}
	rec, err := latestRecord(dir, wz.state.Org)
	if err != nil || rec == nil {
		return nil
	}
	p, err := enroll.Open(rec.Dir)
	if err != nil {
		log.WithError(err).WithField("id", rec.ID).Warn("submitted CSRs not read")
		return nil
	}
	dirs := []string{p.Dir}
	for _, pt := range rec.Parts {
		if pt.N > 1 {
			// The rest of an application sent in parts.
			q, err := enroll.Open(rec.PartDir(pt.N))
			if err != nil {
				log.WithError(err).WithField("id", rec.ID).WithField("part", pt.N).Warn("submitted CSRs not read")
				continue
			}
			dirs = append(dirs, q.Dir)
		}
	}
	var out [][]byte
	for _, d := range dirs {
		for _, u := range []enroll.Usage{enroll.UsageAuth, enroll.UsageSign} {
			if der, err := readcap.ReadFile(filepath.Join(d, enroll.CSRFileName(u, false)), readcap.CSR); err == nil {
				out = append(out, der)
			}
		}
	}
	return out
}

// loadRecord reads the latest record and the outbox's size.
func (ss *submitStep) loadRecord() {
	ss.record, ss.recordErr, ss.recordFor = nil, nil, orgKey(ss.wz.state.Org)
	dir, err := ss.dir()
	if err != nil {
		ss.recordErr = err
		return
	}
	ss.record, ss.recordErr = latestRecord(dir, ss.wz.state.Org)
	if ss.recordErr != nil {
		log.WithError(ss.recordErr).Warn("submissions store not read")
	}
	ss.wz.rec.submission(ss.record)
	ss.damaged = storeDamaged(dir)
	ss.pending = 0
	if ss.intakeURL() == "" || ss.record == nil {
		return // no outbox without a store
	}
	if store, err := enroll.OpenStore(dir); err == nil {
		if ob, err := store.Outbox(); err == nil {
			if items, err := ob.Pending(); err == nil {
				for _, it := range items {
					if !it.Permanent {
						ss.pending++
					}
				}
			}
		}
	}
}

// orgKey names the organisation and server a record belongs to.
func orgKey(o Organisation) string {
	return o.MemberClass + "/" + strings.TrimSpace(o.MemberCode) + "/" + strings.TrimSpace(o.ServerCode)
}

// eventTime is when rec reached st (zero when it has not).
func eventTime(rec *enroll.Record, st enroll.Stage) (time.Time, string, bool) {
	for _, e := range rec.History {
		if e.Stage == st {
			return e.At, e.Note, true
		}
	}
	return time.Time{}, "", false
}

// when formats a time for people, in local time.
func when(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }

// renderTimeline shows the record's stages: reached ones with their time.
func (ss *submitStep) renderTimeline() {
	v := ss.v
	v.timeline.Objects = nil
	rec := ss.record
	switch {
	case ss.recordErr != nil:
		v.timeline.Add(messageCard(T("submit.status_unreadable"), T("submit.status_unreadable.todo"), i18n.Line(errorText(ss.recordErr), 300)))
	case rec == nil:
		v.timeline.Add(wrappedLow(T("submit.status_none")))
	default:
		v.timeline.Add(timeline(rec))
		for _, pt := range rec.Parts {
			v.timeline.Add(wrappedLow(partLine(pt)))
		}
		dir := rec.Dir
		id := widget.NewLabelWithStyle(T("submit.package_id", map[string]any{"ID": rec.ID}), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		id.Selectable = true
		// The button under the ID, which wraps when the pane is narrower
		// still: side by side and unbroken, they made the window wider
		// than a 1024 px screen (the real-window walk).
		id.Wrapping = fyne.TextWrapBreak
		v.timeline.Add(id)
		v.timeline.Add(container.NewHBox(
			widget.NewButtonWithIcon(T("submit.show_folder"), theme.FolderOpenIcon(), func() { ss.showFolder(dir) }), layout.NewSpacer()))
	}
	for _, p := range ss.damaged {
		v.timeline.Add(messageCard(T("submit.damaged", map[string]any{"Path": i18n.Line(p, 300)}), T("submit.damaged.todo"), ""))
	}
	if ss.pending > 0 {
		v.timeline.Add(infoCard(T("submit.pending", map[string]any{"Count": ss.pending}), T("submit.queued.todo")))
	}
	v.timeline.Refresh()
}

// partLine is one part of an application sent in parts: its CSRs, and
// when it went.
func partLine(pt enroll.Part) string {
	var names []string
	for _, u := range pt.CSRs {
		names = append(names, T(csrNames[u]))
	}
	d := map[string]any{"Part": pt.N, "CSRs": strings.Join(names, ", "), "Date": when(pt.SentAt)}
	if pt.SentAt.IsZero() {
		return T("submit.part_prepared", d)
	}
	return T("submit.part_sent", d)
}

// timeline is one row per stage: done (with its time and how), next, later.
func timeline(rec *enroll.Record) fyne.CanvasObject {
	box := container.NewVBox()
	cur := stageIndex(rec.Stage)
	for i, s := range stages {
		at, note, reached := eventTime(rec, s.stage)
		reached = reached || i <= cur
		var icon fyne.Resource = disabledIcon(theme.RadioButtonIcon())
		text := T(s.key)
		switch {
		case reached:
			icon = successIcon(theme.ConfirmIcon())
			if !at.IsZero() {
				text += " · " + when(at)
			}
			if s.stage == enroll.StageSent {
				if k, ok := viaNames[rec.Via]; ok {
					text += " · " + T(k, map[string]any{"Note": note})
				}
			}
		case i == cur+1:
			icon = primaryIcon(theme.HistoryIcon())
			text += " · " + T("submit.stage.next")
		}
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		if !reached {
			l.Importance = widget.LowImportance
		}
		box.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, l))
	}
	return box
}

// advanceLatest moves this organisation's latest application on to st
// (Register calls it when certificates are imported, registered, active),
// so the status timeline and the summary show it. No application in the
// store is no error: the certificates may have come another way.
func (ss *submitStep) advanceLatest(st enroll.Stage, note string) error {
	ss.loadRecord()
	if ss.recordErr != nil || ss.record == nil {
		return ss.recordErr
	}
	if stageIndex(st) <= stageIndex(ss.record.Stage) {
		return nil // already there (a repeat of an earlier run)
	}
	dir, err := ss.dir()
	if err != nil {
		return err
	}
	store, err := enroll.OpenStore(dir)
	if err != nil {
		return err
	}
	if _, err := store.Advance(ss.record.ID, st, "", note); err != nil {
		return err
	}
	log.WithField("id", ss.record.ID).WithField("stage", string(st)).Info("submission advanced")
	ss.loadRecord()
	return nil
}

// onStage records a stage another step reached (the Register step's
// onStage hook: "certificates_received", "imported", "registered",
// "active"); on the UI goroutine.
func (ss *submitStep) onStage(stage string) {
	if err := ss.advanceLatest(enroll.Stage(stage), ""); err != nil {
		log.WithError(err).WithField("stage", stage).Warn("submission stage not recorded")
	}
}

// storeDamaged are the paths of the store's and the outbox's files that
// cannot be read (enroll.Damaged): shown, never skipped, and left as they
// are for the user to look at.
func storeDamaged(dir string) []string {
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	store, err := enroll.OpenStore(dir)
	if err != nil {
		return nil
	}
	var out []string
	_, bad, _ := store.Scan()
	if _, err := os.Stat(filepath.Join(dir, ".outbox")); err == nil {
		if ob, err := store.Outbox(); err == nil {
			_, b, _ := ob.Scan()
			bad = append(bad, b...)
		}
	}
	for _, d := range bad {
		log.WithError(d.Err).WithField("file", d.Path).Warn("submissions store: a damaged file, left as it is")
		out = append(out, d.Path)
	}
	return out
}
