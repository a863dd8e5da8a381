package app

// The step list's rows: each step's true state from the onboarding record
// (done, failed, needs attention, not started) as an icon and a word, so
// the state is read, not only seen in a colour; and the step the wizard
// reopens at.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
)

// stepStates in the order their words are looked at for the widest.
var stepStates = []onboarding.State{onboarding.Done, onboarding.Failed, onboarding.Attention, onboarding.NotStarted}

// stepState is step i's state: the record's, except that a step done
// whose form is invalid now (a field emptied since) needs attention.
func (wz *wizard) stepState(i int) onboarding.State {
	s := wz.steps[i]
	st := wz.rec.state(s.id)
	if st == onboarding.Done && s.problems != nil && len(s.problems()) > 0 {
		return onboarding.Attention
	}
	return st
}

// stateWord is the state's word in the user's language.
func stateWord(st onboarding.State) string { return T("step.state." + st.String()) }

// stateIcon is the state's icon.
func stateIcon(st onboarding.State) fyne.Resource {
	switch st {
	case onboarding.Done:
		return successIcon(theme.ConfirmIcon())
	case onboarding.Failed:
		return errorIcon(theme.ErrorIcon())
	case onboarding.Attention:
		return warningIcon(theme.WarningIcon())
	}
	return theme.RadioButtonIcon()
}

// newStepRow is the list's template: icon, then the title over the
// state's word. It holds the longest title and word, so the list is never
// narrower than its texts, in any language.
func (wz *wizard) newStepRow() fyne.CanvasObject {
	longest, word := "", ""
	for i := range wz.steps {
		if t := wz.stepLabel(i); len([]rune(t)) > len([]rune(longest)) {
			longest = t
		}
	}
	for _, st := range stepStates {
		if w := stateWord(st); len([]rune(w)) > len([]rune(word)) {
			word = w
		}
	}
	text := widget.NewRichText(
		&widget.TextSegment{Text: longest, Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}}},
		&widget.TextSegment{Text: word, Style: widget.RichTextStyle{SizeName: theme.SizeNameCaptionText, ColorName: theme.ColorNamePlaceHolder}})
	return container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.RadioButtonIcon())), nil, text)
}

// updateStepRow shows step id in o (a row newStepRow made).
func (wz *wizard) updateStepRow(id int, o fyne.CanvasObject) {
	row := o.(*fyne.Container)
	var text *widget.RichText
	var icon *widget.Icon
	for _, c := range row.Objects {
		switch x := c.(type) {
		case *widget.RichText:
			text = x
		case *fyne.Container:
			icon = x.Objects[0].(*widget.Icon)
		}
	}
	st := wz.stepState(id)
	icon.SetResource(stateIcon(st))
	title := text.Segments[0].(*widget.TextSegment)
	title.Text, title.Style.TextStyle = wz.stepLabel(id), fyne.TextStyle{Bold: id == wz.cur}
	text.Segments[1].(*widget.TextSegment).Text = stateWord(st)
	text.Refresh()
}

// resumeIndex is the step to reopen at: the first step not done, or the
// step shown last if that is further; never past a step whose form is
// invalid (as the list and Next never go past one).
func (wz *wizard) resumeIndex() int {
	target := len(wz.steps) - 1
	for i := range wz.steps {
		if wz.stepState(i) != onboarding.Done {
			target = i
			break
		}
	}
	if last := wz.stepIndex(wz.rec.snapshot().LastStep); last > target {
		target = last
	}
	for j := 0; j < target; j++ {
		if f := wz.steps[j].problems; f != nil && len(f()) > 0 {
			return j
		}
	}
	return target
}
