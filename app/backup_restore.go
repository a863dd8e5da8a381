package app

// A restore from the Health step's Backups section, as the CLI's backup
// restore: the dialog names the backup and says what a restore does;
// Restore is enabled only once the backup's name is typed exactly
// (backup.Confirmed) and the PIN of every token logged in now (a restore
// logs every token out: they are logged in again with these). The run
// takes a backup of the configuration as it is first (a restore is a
// change), then backup.Restore, within restoreBound, Stop possible.
// The PINs live in the dialog's entries and the run only.

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/backup"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// restoreDialog is the question before a restore.
type restoreDialog struct {
	d          *dialog.CustomDialog
	name       string
	typed      *widget.Entry
	pins       map[string]*widget.Entry // by token ID
	ok, cancel *widget.Button
}

// ready: the name typed exactly and every PIN asked for typed.
func (rd *restoreDialog) ready() bool {
	if backup.Confirmed(rd.name, rd.typed.Text) != nil {
		return false
	}
	for _, e := range rd.pins {
		if e.Text == "" {
			return false
		}
	}
	return true
}

// askRestore shows the restore dialog for the server's backup name.
func (hb *healthBackups) askRestore(name string) {
	if hb.busy != "" || hb.listing == nil || hb.listing.Server == "" {
		return
	}
	server := backup.ShortID(hb.listing.Server)
	rd := &restoreDialog{name: name, typed: widget.NewEntry(), pins: map[string]*widget.Entry{}}
	intro := widget.NewLabelWithStyle(T("health.restore.intro", map[string]any{"Name": i18n.Line(name, 200), "Server": i18n.Line(server, 200)}),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro.Wrapping, intro.Importance = fyne.TextWrapWord, widget.DangerImportance
	shown := widget.NewLabelWithStyle(i18n.Line(name, 200), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	shown.Selectable = true
	form := widget.NewForm(&widget.FormItem{Text: T("health.restore.type_name"), Widget: rd.typed})
	form.Orientation = widget.Vertical
	for _, t := range hb.loggedIn {
		e := pinEntry()
		rd.pins[t.ID] = e
		label := T("health.restore.pin_hw")
		if t.ID == xroad.SoftwareTokenID {
			label = T("health.restore.pin_soft")
		}
		form.AppendItem(&widget.FormItem{Text: label, Widget: e, HintText: i18n.Line(t.Name, 100)})
	}
	pinsAbout := T("health.restore.pins")
	if len(hb.loggedIn) == 0 {
		pinsAbout = T("health.restore.no_pins")
	}
	var buttons fyne.CanvasObject
	rd.ok, rd.cancel, buttons = dialogButtons(T("health.restore.ok"), theme.HistoryIcon(), func() {
		if !rd.ready() {
			return
		}
		pins := backup.PINs{}
		for id, e := range rd.pins {
			pins[id] = e.Text
			e.SetText("")
		}
		typed := rd.typed.Text
		rd.d.Hide()
		hb.restore(name, typed, pins)
	}, func() { rd.d.Hide() })
	rd.ok.Importance = widget.DangerImportance
	rd.ok.Disable()
	changed := func(string) { enable(rd.ok, rd.ready()) }
	rd.typed.OnChanged = changed
	for _, e := range rd.pins {
		e.OnChanged = changed
	}
	content := container.NewVBox(intro, wrapped(T("health.restore.what")), wrappedLow(pinsAbout), shown, form, buttons)
	rd.d = dialog.NewCustomWithoutButtons(T("health.restore.title"), container.NewVScroll(content), hb.wz.win)
	rd.d.SetOnClosed(func() {
		for _, e := range rd.pins {
			e.SetText("")
		}
	})
	showSized(rd.d, hb.wz.win, 680)
	rd.d.Resize(fitWindow(hb.wz.win, fyne.NewSize(680, content.MinSize().Height+80)))
	if hb.restoreShown != nil {
		hb.restoreShown(rd)
	}
}

// restore runs the restore of name, typed the name as the user typed it,
// with the tokens' PINs: a backup first, then backup.Restore, then the
// listing read again.
func (hb *healthBackups) restore(name, typed string, pins backup.PINs) {
	bound := hb.bound
	var r backup.Restored
	var server string
	var l backup.Listing
	var toks []xroad.Token
	var dir string
	hb.outcome, hb.bk.note = nil, backupNote{}
	hb.rows = progressRows{{id: "restore", title: i18n.TT("backup.step.restore", nil)}}
	for _, t := range hb.loggedIn {
		id := "hw_login"
		if t.ID == xroad.SoftwareTokenID {
			id = "login"
		}
		if hb.rows.find(id) == nil {
			hb.rows = append(hb.rows, progressRow{id: id, title: i18n.TT("configure.step."+id, nil)})
		}
	}
	progress := func(p configure.Progress) {
		hb.uiDo(func() {
			if r := hb.rows.find("restore"); r != nil && r.state == rowRunning {
				r.end(rowDone) // the logins come after the restore
			}
			hb.rows.apply(p)
			hb.refresh()
		})
	}
	log.WithField("backup", name).Info("restore started")
	hb.start("restore", func(ctx context.Context, s *serverSession, in sessionInput) error {
		defer clear(pins)
		ctx, cancel := context.WithTimeout(ctx, bound)
		defer cancel()
		var err error
		if server, err = backup.Initialised(ctx, s.API()); err != nil {
			return err
		}
		if err := backup.Confirmed(name, typed); err != nil {
			return err // refused before the backup: nothing is done
		}
		if err := hb.wz.backupFirst(ctx, s.API(), hb.uiDo, &hb.bk, hb.refresh); err != nil {
			return err
		}
		hb.uiDo(func() { hb.rows[0].begin(); hb.refresh() })
		r, err = backup.Restore(ctx, s.Session, name, typed, pins, progress)
		if err != nil {
			return err
		}
		st, err := hb.wz.backupStore()
		if err == nil {
			err = hb.readListing(ctx, s, st, &l, &toks, &dir)
		}
		if err != nil {
			log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("backups not read again after the restore")
		}
		return nil
	}, func(err error) {
		defer hb.showOutcome()
		if err != nil {
			hb.rows.failRunning()
			hb.outcome = func() fyne.CanvasObject { return hb.wz.errorCard(err) }
			log.WithField("backup", name).Warn("restore stopped")
			return
		}
		for i := range hb.rows {
			if hb.rows[i].state != rowDone {
				hb.rows[i].end(rowDone)
			}
		}
		log.WithFields(map[string]any{"backup": name, "logged_in": fmt.Sprint(r.LoggedIn)}).Info("backup restored")
		data := map[string]any{"Name": i18n.Line(name, 200), "Server": i18n.Line(backup.ShortID(server), 200), "Tokens": tokenNames(r.LoggedIn, hb.loggedIn)}
		todo := T("health.backups.restored.todo", data)
		if len(r.LoggedIn) == 0 {
			todo = T("health.backups.restored.todo_none", data)
		}
		hb.outcome = func() fyne.CanvasObject { return successCard(T("health.backups.restored"), todo) }
		if l.Server != "" || len(l.OnServer) > 0 {
			hb.took(l, toks, dir)
		}
	}, hb.refresh)
	hb.showOutcome()
}
