package app

// When a form speaks up: a message about a field appears once the user
// has typed in that field (or brought its value from an earlier run), or
// pressed Next on its page; a fresh, empty form shows none. Problems that
// are not about a field of a form (a CSR not made yet) show at once.

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// fieldGuide remembers which fields the user has touched and on which
// steps Next was pressed.
type fieldGuide struct {
	watched map[string]bool // fields of a form: quiet until touched
	touched map[string]bool
	tried   map[string]bool // step id: Next pressed with problems
	// entries are the current page's entries by field, to show their
	// own error marks once Next was pressed.
	entries map[string]*widget.Entry
}

func newFieldGuide() *fieldGuide {
	return &fieldGuide{watched: map[string]bool{}, touched: map[string]bool{}, tried: map[string]bool{}, entries: map[string]*widget.Entry{}}
}

// watch makes field a form field: its problems wait for the user. A value
// already there (from an earlier run) counts as typed. e may be nil (a
// choice rather than an entry).
func (g *fieldGuide) watch(field string, e *widget.Entry, value string) {
	g.watched[field] = true
	if value != "" {
		g.touched[field] = true
	}
	if e != nil {
		g.entries[field] = e
		e.AlwaysShowValidationError = g.touched[field] // a restored bad value shows at once
	}
}

// touch records that the user changed field. From then on its entry keeps
// its error even while focused (Fyne drops an error found while the entry
// has focus, and shows a green tick for the wrong text instead); the mark
// still waits until the user leaves the field.
func (g *fieldGuide) touch(field string) {
	g.touched[field] = true
	if e := g.entries[field]; e != nil && !e.AlwaysShowValidationError {
		e.AlwaysShowValidationError = true
		_ = e.Validate()
	}
}

// try records that Next was pressed on step while it had problems, and
// marks every entry of the page that has one.
func (g *fieldGuide) try(step string, problems []Problem) {
	g.tried[step] = true
	for _, p := range problems {
		if e := g.entries[p.Field]; e != nil {
			e.AlwaysShowValidationError = true
			_ = e.Validate()
		}
	}
}

// visible are the problems the user should see now on step.
func (g *fieldGuide) visible(step string, problems []Problem) []Problem {
	if g.tried[step] {
		return problems
	}
	var out []Problem
	for _, p := range problems {
		if !g.watched[p.Field] || g.touched[p.Field] {
			out = append(out, p)
		}
	}
	return out
}

// hintError is what a field's validator returns for the problem's text.
// Fyne shows it in the form's hint line, which never wraps: a whole
// sentence there widens the window past a 1024 px screen (the real-window
// walk saw it). So the hint gets the first sentence, cut to hintRunes;
// the message under the page has the whole text (refreshNav).
func hintError(text string) error {
	for _, end := range []string{". ", "; ", ": "} {
		if i := strings.Index(text, end); i > 0 {
			text = text[:i]
		}
	}
	return errors.New(i18n.Line(text, hintRunes))
}

// hintRunes fits a hint beside the labels at 1024x768 in every language.
const hintRunes = 56
