package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// fileDialogSize is how large a file or folder chooser opens: room to
// browse, within the smallest window the wizard supports.
var fileDialogSize = fyne.NewSize(900, 600)

// showFileDialog opens a file or folder chooser as large as fits the
// window. It shows before it sizes: Fyne 2.8.1's FileDialog.Resize
// reaches the dialog's inner window, which only Show creates, so a
// Resize first is a nil pointer that takes the wizard down, and every
// password typed into it.
func showFileDialog(d *dialog.FileDialog, win fyne.Window) {
	d.Show()
	d.Resize(fitWindow(win, fileDialogSize))
}

// showSized shows a custom dialog, then gives it width w (its height is
// what its content needs), never wider than the window.
func showSized(d dialog.Dialog, win fyne.Window, w float32) {
	d.Show()
	d.Resize(fitWindow(win, fyne.NewSize(w, 0)))
}

// fitWindow shrinks want to the window's canvas less a margin, so a
// dialog never grows past the window (at 1024x768 and below).
func fitWindow(win fyne.Window, want fyne.Size) fyne.Size {
	if win == nil || win.Canvas() == nil {
		return want
	}
	c := win.Canvas().Size()
	const margin = 32
	if c.Width > margin && want.Width > c.Width-margin {
		want.Width = c.Width - margin
	}
	if c.Height > margin && want.Height > c.Height-margin {
		want.Height = c.Height - margin
	}
	return want
}

// chooseFile opens a file chooser; then gets the chosen file's path (it
// is not called when the chooser is cancelled).
func chooseFile(win fyne.Window, then func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		_ = r.Close()
		then(r.URI().Path())
	}, win)
	showFileDialog(d, win)
}
