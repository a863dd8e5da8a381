package app

import (
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// wizardTheme is Fyne's theme with secondary text that can be read. Fyne
// draws a low-importance label (wrappedLow: the hints and notes under a
// form, when a report was made) in its disabled colour, #e3e3e3 on white
// (1.3:1) and #39393a on #171718 (1.6:1), and a form item's hint and an
// entry's placeholder in #888 on white (3.5:1): too faint to read. Both
// are one secondary grey here, at least 4.5:1 (WCAG AA for body text)
// against every background secondary text is drawn on in its variant
// (the page, an entry, a dialog, a menu), yet lighter (darker, in the
// dark variant) than the text. An example in an empty field still reads
// as one: example() says "e.g." in every language. A disabled button's
// label takes the same grey, on its own paler background.
type wizardTheme struct{ fyne.Theme }

func newWizardTheme() fyne.Theme { return wizardTheme{theme.DefaultTheme()} }

// Secondary text colours: #6b6b6b is 4.8:1 on the light input field
// (#f3f3f3), 5.3:1 on white; #909090 is 4.6:1 on the dark menu
// (#28292e), 5.1:1 on the dark input field, 5.6:1 on the page.
var (
	secondaryLight = color.NRGBA{R: 0x6b, G: 0x6b, B: 0x6b, A: 0xff}
	secondaryDark  = color.NRGBA{R: 0x90, G: 0x90, B: 0x90, A: 0xff}
)

// secondaryColors are the theme colours Fyne draws secondary text in.
var secondaryColors = []fyne.ThemeColorName{theme.ColorNameDisabled, theme.ColorNamePlaceHolder}

func (t wizardTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if slices.Contains(secondaryColors, name) {
		if v == theme.VariantDark {
			return secondaryDark
		}
		return secondaryLight
	}
	return t.Theme.Color(name, v)
}
