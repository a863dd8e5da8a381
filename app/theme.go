package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// wizardTheme is Fyne's theme with placeholders that read as placeholders:
// the default grey (#888 on white, #b2b2b2 on dark) is close to the text
// colour (#565656, #f3f3f3), so an example in an empty field looked like a
// value already typed. The examples ("e.g. 70000001") are fainter instead.
type wizardTheme struct{ fyne.Theme }

func newWizardTheme() fyne.Theme { return wizardTheme{theme.DefaultTheme()} }

// Placeholder colours, well apart from the text colour in either variant.
var (
	placeholderLight = color.NRGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff}
	placeholderDark  = color.NRGBA{R: 0x78, G: 0x78, B: 0x78, A: 0xff}
)

func (t wizardTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if name == theme.ColorNamePlaceHolder {
		if v == theme.VariantDark {
			return placeholderDark
		}
		return placeholderLight
	}
	return t.Theme.Color(name, v)
}
