package app

// One row model for the step lists that run, Install and Configure.
//
// The two flows report progress in types of their own: installer.Event (a
// plan step checked, applied, logging, waiting for the package manager,
// reconnecting) and configure.Progress (a part of a flow running, done,
// skipped, failed). They stay two: no room below both holds progress
// (xroad/configure may not import installer, and i18n, remote, xroad and
// profile are about words, transport, the admin API and the operator), the
// installer's events say more than a state, and the CLI prints each its
// own way. So each step turns its flow's reports into these rows, and
// rowView draws them alike.

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// Row states.
const (
	rowPending = iota
	rowRunning
	rowDone
	rowAlreadyDone
	rowFailed
)

// progressRow is one row of a list that runs: a step of the install plan
// or a part of a configure flow.
type progressRow struct {
	id      string
	title   i18n.Text
	note    i18n.Text // what the plan says of this step, if anything
	state   int
	started time.Time
	seconds string // how long it took, once done
}

// begin: the row runs from now on.
func (r *progressRow) begin() { r.state, r.started = rowRunning, time.Now() }

// end sets how the row ended; a row done records how long it ran.
func (r *progressRow) end(state int) {
	r.state = state
	if state == rowDone {
		r.seconds = "0.0"
		if !r.started.IsZero() {
			r.seconds = fmt.Sprintf("%.1f", time.Since(r.started).Seconds())
		}
	}
}

// progressRows is a list that runs, in order.
type progressRows []progressRow

// find is the row of id, or nil.
func (rs progressRows) find(id string) *progressRow {
	for i := range rs {
		if rs[i].id == id {
			return &rs[i]
		}
	}
	return nil
}

// failRunning marks the rows still running as failed (the run stopped).
func (rs progressRows) failRunning() {
	for i := range rs {
		if rs[i].state == rowRunning {
			rs[i].state = rowFailed
		}
	}
}

// render puts the rows into box in the user's language; skipped is the
// flow's own words for a row found done already.
func (rs progressRows) render(box *fyne.Container, skipped string) {
	box.Objects = nil
	for _, r := range rs {
		box.Add(r.view(CurrentLanguage(), skipped))
	}
	box.Refresh()
}

// view is the state's icon, then the title with how it ended; the note,
// when there is one, goes on a line of its own below.
func (r progressRow) view(lang, skipped string) fyne.CanvasObject {
	title := r.title.In(lang)
	icon := theme.RadioButtonIcon()
	switch r.state {
	case rowRunning:
		icon = primaryIcon(theme.MediaPlayIcon())
	case rowDone:
		icon = successIcon(theme.ConfirmIcon())
		title += "  · " + T("install.row_done", map[string]any{"Seconds": r.seconds})
	case rowAlreadyDone:
		icon = successIcon(theme.ConfirmIcon())
		title += "  · " + skipped
	case rowFailed:
		icon = errorIcon(theme.CancelIcon())
		title += "  · " + T("install.row_failed")
	}
	if note := r.note.In(lang); note != "" {
		title += "\n" + note
	}
	l := widget.NewLabel(title)
	l.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, l)
}
