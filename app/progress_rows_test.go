package app

import (
	"testing"

	"fyne.io/fyne/v2/container"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// The Install and Configure flows report progress in their own types; both
// end in the same rows, drawn alike.
func TestProgressRowsFromBothFlows(t *testing.T) {
	wz, _ := installWizard(t, 0)
	is, cs := wz.install, wz.configure
	is.rows = progressRows{{id: "a", title: i18n.Same("A")}, {id: "b", title: i18n.Same("B")}, {id: "c", title: i18n.Same("C")}}
	cs.rows = progressRows{{id: "a", title: i18n.Same("A")}, {id: "b", title: i18n.Same("B")}, {id: "c", title: i18n.Same("C")}}
	for _, e := range []installer.Event{{StepID: "a", Kind: installer.EventChecking}, {StepID: "a", Kind: installer.EventApplying},
		{StepID: "a", Kind: installer.EventDone}, {StepID: "b", Kind: installer.EventAlreadyDone},
		{StepID: "c", Kind: installer.EventChecking}, {StepID: "c", Kind: installer.EventFailed}} {
		is.event(e)
	}
	for _, p := range []configure.Progress{{ID: "a", State: configure.StateRunning}, {ID: "a", State: configure.StateDone},
		{ID: "b", State: configure.StateSkipped}, {ID: "c", State: configure.StateRunning}, {ID: "c", State: configure.StateFailed}} {
		cs.progress(p)
	}
	for i, want := range []int{rowDone, rowAlreadyDone, rowFailed} {
		if is.rows[i].state != want || cs.rows[i].state != want {
			t.Errorf("row %d: install %d, configure %d, want %d", i, is.rows[i].state, cs.rows[i].state, want)
		}
	}
	if is.rows[0].seconds == "" || cs.rows[0].seconds == "" || is.finished != 2 {
		t.Errorf("done rows lack their time (%q, %q), or finished %d", is.rows[0].seconds, cs.rows[0].seconds, is.finished)
	}
	a, b := container.NewVBox(), container.NewVBox()
	is.rows.render(a, "skipped")
	cs.rows.render(b, "skipped")
	la, lb := labelsIn(a), labelsIn(b)
	if len(la) != 3 || len(lb) != 3 || la[1] != lb[1] || la[2] != lb[2] || la[1] != "B  · skipped" {
		t.Errorf("drawn unlike: %q, %q", la, lb)
	}
	cs.rows[2].begin()
	cs.rows.failRunning()
	if cs.rows[2].state != rowFailed {
		t.Error("a row left running is not failed when the run stops")
	}
}
