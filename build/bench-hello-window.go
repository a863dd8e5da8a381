//go:build ignore

// bench-hello-window is the floor build/bench-start.sh measures the wizard
// against: the smallest Fyne program that opens a window of the wizard's
// default size with one line of text, built with the wizard's tags and
// flags. What the wizard costs above it is ours to cut.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("kg.tunduk.onboard.bench")
	w := a.NewWindow("Hello")
	w.SetContent(widget.NewLabel("Hello, Tunduk"))
	w.Resize(fyne.NewSize(1180, 720))
	w.ShowAndRun()
}
