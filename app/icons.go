package app

// Coloured icons, made once per colour. Fyne's themed resources colour
// their SVG again on every Content call (an XML parse and encode of the
// icon), and every new icon widget, and every refresh of one given a new
// resource, calls it: the readiness page's rows and the step list did so
// for each result and each refresh. Here each (icon, colour) is coloured
// once and kept as a static resource; the key holds the colour the theme
// gives now, so a theme or variant switch makes new ones.

import (
	"fmt"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

var iconCache sync.Map // key string -> fyne.Resource

// themedIcon is src in the theme's colour c (theme.ColorNameSuccess...).
func themedIcon(src fyne.Resource, c fyne.ThemeColorName) fyne.Resource {
	r, g, b, a := theme.Color(c).RGBA()
	key := fmt.Sprintf("%s_%s-%04x%04x%04x%04x", c, src.Name(), r, g, b, a)
	if res, ok := iconCache.Load(key); ok {
		return res.(fyne.Resource)
	}
	// The name carries the colour: Fyne's raster cache is keyed by name.
	res := fyne.NewStaticResource("tunduk-"+key+".svg", theme.NewColoredResource(src, c).Content())
	got, _ := iconCache.LoadOrStore(key, res)
	return got.(fyne.Resource)
}

func successIcon(src fyne.Resource) fyne.Resource { return themedIcon(src, theme.ColorNameSuccess) }
func warningIcon(src fyne.Resource) fyne.Resource { return themedIcon(src, theme.ColorNameWarning) }
func errorIcon(src fyne.Resource) fyne.Resource   { return themedIcon(src, theme.ColorNameError) }
func primaryIcon(src fyne.Resource) fyne.Resource { return themedIcon(src, theme.ColorNamePrimary) }
func disabledIcon(src fyne.Resource) fyne.Resource {
	return themedIcon(src, theme.ColorNameDisabled)
}

// disclosure is a header that shows or hides the details under it: a
// plain button, where an Accordion refreshes its header on every layout
// and size pass (its arrow icon coloured and decoded anew each time,
// for every row of the readiness page whenever one row was added). The
// arrow is a cached coloured icon, so a refresh does not colour it again.
type disclosure struct {
	button *widget.Button
	body   fyne.CanvasObject
	open   bool
	box    *fyne.Container
}

func newDisclosure(title string, body fyne.CanvasObject, open bool) *disclosure {
	d := &disclosure{body: body}
	d.button = widget.NewButton(title, d.toggle)
	d.button.Alignment = widget.ButtonAlignLeading
	d.button.Importance = widget.LowImportance
	d.box = container.NewVBox(d.button, body)
	d.set(open)
	return d
}

func (d *disclosure) toggle() { d.set(!d.open) }

// set opens or closes it.
func (d *disclosure) set(open bool) {
	d.open = open
	arrow := theme.MenuDropDownIcon()
	if open {
		arrow = theme.MenuDropUpIcon()
		d.body.Show()
	} else {
		d.body.Hide()
	}
	d.button.SetIcon(themedIcon(arrow, theme.ColorNameForeground))
	d.box.Refresh()
}
