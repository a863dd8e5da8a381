package app

// The backup before a change (issue 17), a thin front end over
// xroad/backup as the CLI's beforeChange is: before the first change of
// a run on an installed server (Configure's initialisation, Register's
// import, registration and activation, Connect's apply, a restore) a
// backup is made there, downloaded to this computer and checked. When
// none can be made the user is asked, before anything changes, whether
// to go on without one; Stop is the default. One backup per run, shown
// as a row of the step's page; Connect's single changes (a grant, a
// revoke, a refresh) one per visit of the page (connectStep.changer).

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/backup"
)

// backupSettings is where this computer keeps backups, and the tests'
// hooks.
type backupSettings struct {
	dir string // "" is backup.DefaultDir; tests set a folder of theirs
	// asked, when set, is called on the UI goroutine once the question
	// "go on without a backup?" is up, with what answers it (tests).
	asked func(answer func(goOn bool))
	// health is the Health step's Backups section, once built.
	health *healthBackups
}

// backupStore is where backups are kept, with the profile's backups.keep.
func (wz *wizard) backupStore() (backup.Store, error) {
	dir := wz.backups.dir
	if dir == "" {
		d, err := backup.DefaultDir()
		if err != nil {
			return backup.Store{}, &backup.Error{Key: "backup.err.write", Data: map[string]any{"Path": "~"}, Err: err}
		}
		dir = d
	}
	return backup.Store{Dir: dir, Keep: wz.profile.BackupKeep()}, nil
}

// Backup row states.
const (
	backupNone    = iota
	backupRunning // being made and downloaded
	backupSaved   // saved here and checked
	backupSkipped // the server holds no configuration yet
	backupWithout // none could be made; the user chose to go on
	backupFailed  // none could be made; the run stopped
)

// backupNote is what the backup of a run came to. Touched on the UI
// goroutine only.
type backupNote struct {
	state int
	saved backup.Saved
}

// backupRow is a step's row for its run's backup: the note and the box
// that shows it on the page (nil until the page is built).
type backupRow struct {
	note backupNote
	box  *fyne.Container
}

// widget is the row's place on a new page.
func (r *backupRow) widget() fyne.CanvasObject {
	r.box = container.NewVBox()
	r.render()
	return r.box
}

// render shows the note (the step's refresh calls it).
func (r *backupRow) render() {
	if r.box == nil {
		return
	}
	var f func() fyne.CanvasObject
	if r.note.state != backupNone {
		f = r.note.view
	}
	setCard(r.box, f)
}

// backupFirst takes the backup before the run's first change through
// api (the run's session), telling row (on the UI goroutine, then
// refresh) how it goes. nil: go on (saved, nothing to back up yet, or
// the user chose to go on without one). Otherwise the run must stop
// before it changes anything: the backup's error (the user said Stop) or
// ctx's.
func (wz *wizard) backupFirst(ctx context.Context, api *xroad.Client, uiDo func(func()), row *backupRow, refresh func()) error {
	set := func(n backupNote) { uiDo(func() { row.note = n; refresh() }) }
	set(backupNote{state: backupRunning})
	st, err := wz.backupStore()
	var sv backup.Saved
	if err == nil {
		sv, err = backup.BeforeChange(ctx, api, st)
	}
	switch {
	case err == nil && sv.Skipped:
		log.Info("no backup before the change: the server is not initialised")
		set(backupNote{state: backupSkipped})
		return nil
	case err == nil:
		log.WithFields(map[string]any{"file": sv.Path, "size": sv.Size, "sha256": sv.SHA256}).Info("backup saved before the change")
		set(backupNote{state: backupSaved, saved: sv})
		return nil
	case ctx.Err() != nil:
		set(backupNote{state: backupFailed})
		return ctx.Err()
	}
	log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("no backup before the change")
	if !wz.askGoWithoutBackup(ctx, uiDo, err) {
		set(backupNote{state: backupFailed})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	log.Warn("going on without a backup: the user chose to")
	set(backupNote{state: backupWithout})
	return nil
}

// askGoWithoutBackup asks, on the UI goroutine, whether to change the
// server without a backup, and waits for the answer (or for ctx: then
// no). Stop is the default: the primary button, and closing the dialog.
func (wz *wizard) askGoWithoutBackup(ctx context.Context, uiDo func(func()), cause error) bool {
	answer := make(chan bool, 1)
	reply := func(goOn bool) {
		select {
		case answer <- goOn:
		default:
		}
	}
	var d dialog.Dialog
	uiDo(func() {
		text := wrapped(backupErrText(cause))
		text.Importance = widget.DangerImportance
		stop := widget.NewButtonWithIcon(T("backup.ask.stop"), theme.MediaStopIcon(), func() { reply(false); d.Hide() })
		stop.Importance = widget.HighImportance
		goOn := widget.NewButtonWithIcon(T("backup.ask.go_on"), theme.WarningIcon(), func() { reply(true); d.Hide() })
		content := container.NewVBox(text, wrapped(T("backup.ask.body")), container.NewHBox(layout.NewSpacer(), goOn, stop))
		d = dialog.NewCustomWithoutButtons(T("backup.ask.title"), content, wz.win)
		d.SetOnClosed(func() { reply(false) })
		showSized(d, wz.win, 620)
		if wz.backups.asked != nil {
			wz.backups.asked(func(on bool) { reply(on); d.Hide() })
		}
	})
	select {
	case on := <-answer:
		return on
	case <-ctx.Done():
		uiDo(func() { d.Hide() })
		return false
	}
}

// backupErrText is a backup's failure in the user's words: its lead
// (nothing was changed, or the restore is done) and its cause.
func backupErrText(err error) string {
	lang := CurrentLanguage()
	lead, key, data := backup.Explain(lang, err)
	s := i18n.T(lang, key, data)
	if lead != "" {
		s = i18n.T(lang, lead, nil) + " " + s
	}
	return s
}

// backupErrorCard is a card for a backup's failure, nil when err is not
// one (sessionErrorCard then tells it).
func backupErrorCard(err error) fyne.CanvasObject {
	var be *backup.Error
	if !errors.As(err, &be) || errors.Is(err, context.Canceled) {
		return nil
	}
	return messageCard(backupErrText(err), T("backup.failed.todo"), "")
}

// view is the row of the page, once the run's backup has begun.
func (n backupNote) view() fyne.CanvasObject {
	var text string
	done := true
	switch n.state {
	case backupRunning:
		text, done = T("backup.row.running"), false
	case backupSaved:
		text = T("backup.row.saved", savedData(n.saved))
	case backupSkipped:
		text = T("backup.row.skipped")
	case backupWithout:
		text, done = T("backup.row.without"), false
	case backupFailed:
		text, done = T("backup.row.failed"), false
	}
	return statusRow(done, text)
}

// savedData is what the page says of a backup saved: its name, where,
// its size, its hash and what its check found. Every string from the
// server is one clean line.
func savedData(sv backup.Saved) map[string]any {
	check := T("backup.checked_encrypted")
	if !sv.Check.Encrypted {
		check = T("backup.checked", map[string]any{"Server": i18n.Line(sv.Check.Server, 200), "Entries": sv.Check.Entries})
	}
	return map[string]any{"Name": i18n.Line(sv.Backup.Filename, 200), "Path": i18n.Line(sv.Path, 600), "Size": sv.Size,
		"SHA256": i18n.Line(sv.SHA256, 80), "Check": check}
}
