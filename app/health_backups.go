package app

// The Health step's Backups section, a thin front end over xroad/backup
// as the CLI's backup verbs are: the server's backups and this
// computer's copies (List), one made now (CreateAndDownload: where it
// went, its size and SHA-256), and a restore (backup_restore.go). Its
// own session runner with the configure flow's roles (backups, and the
// token logins after a restore), so a check may run beside it. Fields
// are touched on the UI goroutine only.

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/backup"
)

// restoreBound bounds a restore run: the backup before it, its
// download, the restore and the logins, each within its own call's bound.
const restoreBound = xroad.BackupTimeout + xroad.DownloadTimeout + xroad.RestoreTimeout + 2*time.Minute

type healthBackups struct {
	sessionRunner
	v *healthBackupsWidgets

	listing  *backup.Listing // as last read; nil before
	dir      string          // this server's folder of backups, as last read
	loggedIn []xroad.Token   // the tokens logged in, as last read: a restore asks their PINs
	bk       backupRow       // the backup before a restore
	rows     progressRows    // a restore's parts
	outcome  func() fyne.CanvasObject
	bound    time.Duration // restoreBound; tests shorten it

	restoreShown func(*restoreDialog) // tests: called once the restore dialog is up
}

type healthBackupsWidgets struct {
	list, create, stop *widget.Button
	progress           *widget.ProgressBarInfinite
	busy               *widget.Label
	rows, outcome      *fyne.Container
	items              *fyne.Container
	restore            []*widget.Button // one for each backup on the server, in the list's order
}

// backupsSection is the Health step's Backups section, its state kept
// across pages.
func (hs *healthStep) backupsSection() fyne.CanvasObject {
	wz := hs.wz
	if wz.backups.health == nil {
		wz.backups.health = &healthBackups{sessionRunner: sessionRunner{wz: wz, api: hs.api, uiDo: hs.uiDo}, bound: restoreBound}
	}
	return wz.backups.health.view()
}

func (hb *healthBackups) view() fyne.CanvasObject {
	v := &healthBackupsWidgets{}
	hb.v = v
	dir := ""
	if st, err := hb.wz.backupStore(); err == nil {
		dir = st.Dir
	}
	v.list = widget.NewButtonWithIcon(T("health.backups.list"), theme.ViewRefreshIcon(), hb.list)
	v.create = widget.NewButtonWithIcon(T("health.backups.create"), theme.DocumentSaveIcon(), hb.create)
	v.stop = widget.NewButtonWithIcon(T("health.backups.stop"), theme.MediaStopIcon(), hb.cancel)
	v.progress = widget.NewProgressBarInfinite()
	v.busy = wrapped("")
	v.rows, v.outcome, v.items = container.NewVBox(), container.NewVBox(), container.NewVBox()
	box := container.NewVBox(widget.NewSeparator(), heading(T("health.backups.title")),
		wrappedLow(T("health.backups.about", map[string]any{"Keep": hb.wz.profile.BackupKeep(), "Dir": i18n.Line(dir, 600)})),
		buttonRow(v.list, v.create, v.stop), v.progress, v.busy, hb.bk.widget(), v.rows, v.outcome, v.items)
	hb.renderList()
	hb.refresh()
	return box
}

// refresh brings the section in line with its state.
func (hb *healthBackups) refresh() {
	v := hb.v
	if v == nil {
		return
	}
	busy := hb.busy != ""
	enable(v.list, !busy)
	enable(v.create, !busy)
	enable(v.stop, busy)
	for _, b := range v.restore {
		enable(b, !busy)
	}
	showIf(v.progress, busy)
	v.busy.SetText(map[string]string{"": "", "list": T("health.backups.listing"), "create": T("health.backups.creating"),
		"restore": T("health.backups.restoring")}[hb.busy])
	showIf(v.busy, busy)
	hb.bk.render()
	hb.rows.render(v.rows, T("configure.row_skipped"))
	setCard(v.outcome, hb.outcome)
	if hs := hb.wz.health; hs.v != nil {
		relayout(hs.v.scroll)
	}
}

// showOutcome scrolls the Health page to the section's progress and
// outcome: after a click, the answer is in sight, wherever the button
// was.
func (hb *healthBackups) showOutcome() {
	hs := hb.wz.health
	if hb.v == nil || hs.v == nil || fyne.CurrentApp() == nil {
		return
	}
	sc := hs.v.scroll
	d := fyne.CurrentApp().Driver()
	// From the section's buttons: what is below them moves as the run
	// ends (its busy line goes, its outcome comes).
	y := d.AbsolutePositionForObject(hb.v.list).Y - d.AbsolutePositionForObject(sc).Y + sc.Offset.Y
	sc.ScrollToOffset(fyne.NewPos(0, max(0, y-theme.Padding()*2)))
}

// list reads the server's backups, this computer's copies and the
// tokens logged in.
func (hb *healthBackups) list() { hb.read("list", nil) }

// create makes a backup on the server now, downloads and checks it.
func (hb *healthBackups) create() {
	var sv backup.Saved
	hb.read("create", func(ctx context.Context, s *serverSession, st backup.Store) error {
		id, err := backup.Initialised(ctx, s.API())
		if err == nil {
			sv, err = backup.CreateAndDownload(ctx, s.API(), st, id)
		}
		if err == nil {
			log.WithFields(map[string]any{"file": sv.Path, "size": sv.Size, "sha256": sv.SHA256}).Info("backup saved")
			hb.uiDo(func() {
				hb.outcome = func() fyne.CanvasObject {
					return successCard(T("health.backups.saved"), T("health.backups.saved.todo", savedData(sv)))
				}
			})
		}
		return err
	})
}

// read does first (when set) in a session, then reads the listing again.
func (hb *healthBackups) read(what string, first func(ctx context.Context, s *serverSession, st backup.Store) error) {
	var l backup.Listing
	var toks []xroad.Token
	var dir string
	hb.outcome, hb.rows, hb.bk.note = nil, nil, backupNote{}
	hb.start(what, func(ctx context.Context, s *serverSession, in sessionInput) error {
		st, err := hb.wz.backupStore()
		if err != nil {
			return err
		}
		if first != nil {
			if err := first(ctx, s, st); err != nil {
				return err
			}
		}
		return hb.readListing(ctx, s, st, &l, &toks, &dir)
	}, func(err error) {
		defer hb.showOutcome()
		if err != nil {
			hb.outcome = func() fyne.CanvasObject { return hb.wz.errorCard(err) }
			return
		}
		hb.took(l, toks, dir)
	}, hb.refresh)
}

// readListing reads the listing and the tokens logged in.
func (hb *healthBackups) readListing(ctx context.Context, s *serverSession, st backup.Store, l *backup.Listing, toks *[]xroad.Token, dir *string) error {
	var err error
	if *l, err = backup.List(ctx, s.API(), st); err != nil {
		return err
	}
	if l.Server != "" {
		*dir = st.ServerFolder(l.Server)
	}
	all, err := s.API().Tokens(ctx)
	for _, t := range all {
		if t.LoggedIn {
			*toks = append(*toks, t)
		}
	}
	return err
}

// took keeps a listing read and shows it.
func (hb *healthBackups) took(l backup.Listing, toks []xroad.Token, dir string) {
	hb.listing, hb.loggedIn, hb.dir = &l, toks, dir
	hb.renderList()
}

// renderList shows the server's backups, each with Restore…, and this
// computer's copies. Every name and time came from the server: cleaned.
func (hb *healthBackups) renderList() {
	v := hb.v
	if v == nil {
		return
	}
	v.items.Objects, v.restore = nil, nil
	l := hb.listing
	if l == nil {
		v.items.Refresh()
		return
	}
	here := map[string]string{}
	for _, b := range l.Local {
		here[b.Name] = b.State
	}
	v.items.Add(heading(T("health.backups.on_server", map[string]any{"N": len(l.OnServer)})))
	if len(l.OnServer) == 0 {
		v.items.Add(wrappedLow(T("health.backups.none")))
	}
	for _, b := range l.OnServer {
		state, ok := here[b.Filename]
		if !ok {
			state = "missing"
		}
		created := i18n.Line(b.CreatedAt, 60)
		if at := b.Created(); !at.IsZero() {
			created = at.Local().Format("2006-01-02 15:04:05")
		}
		text := T("health.backups.server_row", map[string]any{"Name": i18n.Line(b.Filename, 200),
			"Created": created, "Here": T("health.backups.state." + state)})
		var restore fyne.CanvasObject = layout.NewSpacer()
		if l.Server != "" {
			name := b.Filename
			btn := widget.NewButtonWithIcon(T("health.backups.restore"), theme.HistoryIcon(), func() { hb.askRestore(name) })
			v.restore = append(v.restore, btn)
			restore = btn
		}
		v.items.Add(container.NewBorder(nil, nil, nil, restore, wrapped(text)))
	}
	if l.Server == "" {
		v.items.Add(wrappedLow(T("health.backups.not_initialised")))
		v.items.Refresh()
		return
	}
	v.items.Add(heading(T("health.backups.local", map[string]any{"N": len(l.Local)})))
	v.items.Add(wrappedLow(i18n.Line(hb.dir, 600)))
	for _, b := range l.Local {
		v.items.Add(wrapped(T("health.backups.local_row", map[string]any{"Name": i18n.Line(b.Name, 200), "Size": b.Size,
			"State": T("health.backups.state." + b.State)})))
	}
	v.items.Refresh()
}

// tokenNames are the names of tokens, for the page.
func tokenNames(ids []string, toks []xroad.Token) string {
	var out []string
	for _, id := range ids {
		name := id
		for _, t := range toks {
			if t.ID == id && t.Name != "" {
				name = t.Name
			}
		}
		out = append(out, i18n.Line(name, 100))
	}
	return strings.Join(out, ", ")
}
