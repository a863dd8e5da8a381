package app

// The walk log, for the real-window test (build/window): with
// TUNDUK_ONBOARD_WALK_LOG=path the wizard appends one JSON line to path
// each time what the window shows has changed and then held still for a
// tick: the step, the language, the canvas, every button, entry, check,
// radio option, select and label with its place in the window and the
// catalogue keys its text comes from, and the layout problems a person
// would see (text squeezed below the size it needs, or past the window's
// edge). The test clicks and types with real X events at those places;
// this file only reports. Password entries are never read.

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// envWalkLog names the walk log's file; unset, nothing is walked.
const envWalkLog = "TUNDUK_ONBOARD_WALK_LOG"

// tooSmall starts the problem of a step that needs a larger window.
const tooSmall = "window too small"

// walkTick is how often the window is looked at; walkProblemAge how long
// a layout problem must last to be reported.
const (
	walkTick       = 100 * time.Millisecond
	walkProblemAge = 700 * time.Millisecond
	// walkRestless: a window that changed on every look this long is
	// written anyway, with the change as a problem. A dialog laid out
	// again on every frame burns a core and flickers, and a walk waiting
	// for it to hold still saw only "the click changed nothing".
	walkRestless = 3 * time.Second
)

// restless starts the problem of a window that never held still.
const restless = "never held still"

// walkItem is one widget on screen. X, Y, W, H are canvas coordinates.
type walkItem struct {
	Kind  string   `json:"k"`
	Keys  []string `json:"keys,omitempty"` // catalogue keys whose text it shows
	Text  string   `json:"text,omitempty"` // never for password entries
	Form  []string `json:"form,omitempty"` // keys of its form item's label
	Icon  string   `json:"icon,omitempty"`
	Sel   bool     `json:"sel,omitempty"` // checked, chosen option
	Off   bool     `json:"off,omitempty"` // disabled
	Focus bool     `json:"focus,omitempty"`
	Layer int      `json:"layer"` // 0 the window's content, n its n-th overlay
	// View is the part of the window the scrolls around it show (x0, y0,
	// x1, y1): outside it, the widget must be scrolled to first.
	View [4]float32 `json:"view"`
	X    float32    `json:"x"`
	Y    float32    `json:"y"`
	W    float32    `json:"w"`
	H    float32    `json:"h"`
}

// walkOverlay is a dialog or pop-up over the content.
type walkOverlay struct {
	Title string   `json:"title,omitempty"`
	Keys  []string `json:"keys,omitempty"`
}

// walkSnap is one line of the walk log.
type walkSnap struct {
	Seq      int           `json:"seq"`
	Step     string        `json:"step"`
	Steps    []string      `json:"steps"`
	Lang     string        `json:"lang"`
	Canvas   [2]float32    `json:"canvas"`
	Overlays []walkOverlay `json:"overlays"`
	Items    []walkItem    `json:"items"`
	Problems []string      `json:"problems,omitempty"`
}

// startWalkLog looks at the window every tick until it closes or stop
// is called (stop returns once the log is closed).
func (wz *wizard) startWalkLog(path string) (stop func()) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		log.WithError(err).Error("walk log not opened")
		return func() {}
	}
	log.WithField("file", path).Info("walk log on")
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		defer f.Close()
		var seq int
		var last, written []byte
		var prev *walkSnap
		var restlessSince time.Time    // when the window began to change on every look
		var changes []string           // what changed since then (the first few kinds)
		seen := map[string]time.Time{} // problems, when first seen
		tick := time.NewTicker(walkTick)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
			}
			var s *walkSnap
			fyne.DoAndWait(func() {
				if windowOpen(wz) {
					s = wz.walkSnapshot()
				}
			})
			if s == nil {
				return
			}
			// The beat: when the UI goroutine last ran the walk, so the
			// test knows its click was handled (a file chooser being
			// built holds the UI goroutine for a while). Renamed into
			// place, so a reader never sees it truncated and empty.
			now := time.Now()
			if os.WriteFile(path+".beat.new", []byte(strconv.FormatInt(now.UnixMilli(), 10)), 0o600) == nil {
				_ = os.Rename(path+".beat.new", path+".beat")
			}
			// A problem counts once it lasted: a page is laid out again
			// in the frames after a change, and what it showed between
			// is no one's to read.
			kept, still := s.Problems[:0], map[string]time.Time{}
			for _, p := range s.Problems {
				first, ok := seen[p]
				if !ok {
					first = now
				}
				still[p] = first
				// A window too small is reported at once: Fyne grows the
				// window the moment it is, and never shrinks it back.
				if now.Sub(first) >= walkProblemAge || strings.HasPrefix(p, tooSmall) {
					kept = append(kept, p)
				}
			}
			s.Problems, seen = kept, still
			b, _ := json.Marshal(s)
			write := string(b) == string(last) && string(b) != string(written)
			switch {
			case string(b) == string(last):
				restlessSince, changes = time.Time{}, nil
			case restlessSince.IsZero():
				restlessSince, changes = now, noteChange(nil, walkChange(prev, s))
			case now.Sub(restlessSince) >= walkRestless:
				changes = noteChange(changes, walkChange(prev, s))
				s.Problems = append(s.Problems, fmt.Sprintf("%s: the window changed on every look for %s; %s",
					restless, now.Sub(restlessSince).Round(time.Second), strings.Join(changes, "; ")))
				write, restlessSince, changes = true, now, nil
			default:
				changes = noteChange(changes, walkChange(prev, s))
			}
			// Written once it held still for a tick, and only when new.
			if write {
				seq++
				s.Seq = seq
				line, _ := json.Marshal(s)
				if _, err := f.Write(append(line, '\n')); err != nil {
					log.WithError(err).Error("walk log not written")
					return
				}
				written = b
			}
			last, prev = b, s
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(quit); <-done }) }
}

// walkChange names what differs between two looks at the window: the
// first widget only one of them has, else the step or the dialogs.
// noteChange adds c to the changes seen while the window was restless,
// the first few distinct ones only (the same change on every look is
// the usual case; which one is what a reader needs).
func noteChange(seen []string, c string) []string {
	if len(seen) >= 4 || slices.Contains(seen, c) {
		return seen
	}
	return append(seen, c)
}

func walkChange(a, b *walkSnap) string {
	if a == nil {
		return "nothing to compare"
	}
	if a.Step != b.Step || len(a.Overlays) != len(b.Overlays) {
		return fmt.Sprintf("step %s with %d dialogs, then %s with %d", a.Step, len(a.Overlays), b.Step, len(b.Overlays))
	}
	key := func(it walkItem) string { j, _ := json.Marshal(it); return string(j) }
	had := map[string]bool{}
	for _, it := range a.Items {
		had[key(it)] = true
	}
	for i, it := range b.Items {
		if k := key(it); !had[k] {
			was := "none"
			if i < len(a.Items) {
				was = shorten(key(a.Items[i]), 240)
			}
			return fmt.Sprintf("item %d was %s, now %s", i, was, shorten(k, 240))
		}
	}
	if len(a.Items) != len(b.Items) {
		return fmt.Sprintf("%d widgets, then %d", len(a.Items), len(b.Items))
	}
	return "only the problems changed"
}

// walkSnapshot describes the window now (UI goroutine).
func (wz *wizard) walkSnapshot() *walkSnap {
	s := &walkSnap{Step: wz.steps[wz.cur].id, Lang: CurrentLanguage()}
	for _, st := range wz.steps {
		s.Steps = append(s.Steps, st.id)
	}
	walkCanvas(s, wz.win.Canvas(), windowSize(os.Getenv(envSize)))
	return s
}

// walkCanvas adds what canvas c shows to s; opened is the size its
// window was opened at.
func walkCanvas(s *walkSnap, c fyne.Canvas, opened fyne.Size) {
	size := c.Size()
	s.Canvas = [2]float32{size.Width, size.Height}
	w := &walker{snap: s, focused: c.Focused(), keys: walkKeys(CurrentLanguage())}
	whole := region{0, 0, size.Width, size.Height}
	canvasBox := bounds{whole, whole}
	if content := c.Content(); content != nil {
		w.visit(content, fyne.Position{}, canvasBox, nil)
		// Content that needs more than the window was opened at makes
		// Fyne grow the window, past the screen it was sized for.
		if m := content.MinSize(); m.Width > opened.Width+1 || m.Height > opened.Height+1 {
			s.Problems = append(s.Problems, fmt.Sprintf("%s: step %s needs %.0fx%.0f, it was opened at %.0fx%.0f; widest: %s",
				tooSmall, s.Step, m.Width, m.Height, opened.Width, opened.Height, widestChain(content)))
		}
	}
	for _, o := range c.Overlays().List() {
		w.layer++
		ov := walkOverlay{}
		// Fyne wraps each overlay in a container of its own (internal).
		if inner := contentOf(o); inner != nil {
			o = inner
		}
		if p, ok := o.(*widget.PopUp); ok {
			// A Fyne dialog: its title is the label last in its box.
			if box, ok := p.Content.(*fyne.Container); ok && len(box.Objects) == 5 {
				if l, ok := box.Objects[4].(*widget.Label); ok {
					ov.Title, ov.Keys = l.Text, w.keys(l.Text)
				}
			}
			if m, sz := p.Content.MinSize(), p.Content.Size(); p.Content.Visible() && (sz.Width+1 < m.Width || sz.Height+1 < m.Height) {
				s.Problems = append(s.Problems, fmt.Sprintf("dialog %q needs %.0fx%.0f, has %.0fx%.0f in a %.0fx%.0f window",
					ov.Title, m.Width, m.Height, sz.Width, sz.Height, size.Width, size.Height))
			}
		}
		s.Overlays = append(s.Overlays, ov)
		w.visit(o, fyne.CurrentApp().Driver().AbsolutePositionForObject(o).Subtract(o.Position()), canvasBox, nil)
	}
}

// contentOf is the exported Content field of a widget the walk has no
// case for (Fyne's internal overlay container), or nil.
func contentOf(o fyne.CanvasObject) fyne.CanvasObject {
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("Content")
	if !f.IsValid() || !f.CanInterface() {
		return nil
	}
	c, _ := f.Interface().(fyne.CanvasObject)
	return c
}

// region is where an object may lie without being cut off; a scroll
// lifts the bound along the axes it scrolls.
type region struct{ x0, y0, x1, y1 float32 }

// bounds is where an object may lie (in) and what of it is shown (view).
type bounds struct{ in, view region }

const unbounded = float32(1e9)

type walker struct {
	snap    *walkSnap
	layer   int
	focused fyne.Focusable
	keys    func(string) []string
}

// visit adds o and what it holds; parent is the absolute position of
// the object o is placed in, form the keys of o's form item label.
func (w *walker) visit(o fyne.CanvasObject, parent fyne.Position, in bounds, form []string) {
	if o == nil || !o.Visible() {
		return
	}
	p := parent.Add(o.Position())
	switch x := o.(type) {
	case *fyne.Container:
		// A form item's box (an entry and its Browse button) keeps the
		// item's label for what it holds.
		for _, c := range x.Objects {
			w.visit(c, p, in, form)
		}
	case *container.Scroll:
		sz := x.Size()
		cut := func(r region) region {
			return region{max(r.x0, p.X), max(r.y0, p.Y), min(r.x1, p.X+sz.Width), min(r.y1, p.Y+sz.Height)}
		}
		inner := bounds{cut(in.in), cut(in.view)}
		if x.Direction == container.ScrollBoth || x.Direction == container.ScrollHorizontalOnly {
			inner.in.x0, inner.in.x1 = -unbounded, unbounded
		}
		if x.Direction == container.ScrollBoth || x.Direction == container.ScrollVerticalOnly {
			inner.in.y0, inner.in.y1 = -unbounded, unbounded
		}
		w.visit(x.Content, p, inner, nil)
	case *container.Split:
		w.visit(x.Leading, p, in, nil)
		w.visit(x.Trailing, p, in, nil)
	case *widget.PopUp:
		w.visit(x.Content, p, in, nil)
	case *widget.Form:
		w.form(x, p, in)
	case *widget.Accordion:
		// The details are the accordion's own children.
		for _, it := range x.Items {
			if it.Open && it.Detail != nil {
				w.visit(it.Detail, p, in, nil)
			}
		}
	case *canvas.Text: // a form's hint, a dialog's message
		w.check("text", o, p, in, x.Text)
	case *widget.Button:
		it := w.item("button", o, p, in, x.Text, form)
		if x.Icon != nil {
			it.Icon = x.Icon.Name()
		}
		it.Off = x.Disabled()
		w.add(it)
	case *widget.Check:
		it := w.item("check", o, p, in, x.Text, form)
		it.Sel, it.Off = x.Checked, x.Disabled()
		w.add(it)
	case *widget.RadioGroup:
		w.radio(x, p, in, form)
	case *widget.Select:
		it := w.item("select", o, p, in, x.Selected, form)
		it.Off = x.Disabled()
		w.add(it)
	case *widget.SelectEntry:
		w.entry(&x.Entry, "selectentry", o, p, in, form)
	case *widget.Entry:
		w.entry(x, "entry", o, p, in, form)
	case *widget.Label:
		w.add(w.item("label", o, p, in, x.Text, form))
	case *widget.Hyperlink:
		w.add(w.item("link", o, p, in, x.Text, form))
	case *widget.GridWrap:
		// Its items sit in a private scroll (the file chooser's files).
		if c := privateObject(x, "widget", "GridWrap", "scroller"); c != nil {
			w.visit(c, p, in, nil)
		}
	default:
		if c := privateObject(o, "widget", "gridWrapItem", "child"); c != nil {
			w.visit(c, p, in, form)
		} else if name, ok := chooserFile(o); ok {
			// A file or folder in Fyne's file chooser, by its name (in
			// the grid, without its extension): the walk picks files.
			sz := o.Size()
			w.add(walkItem{Kind: "file", Text: shorten(name, 120), Layer: w.layer,
				View: [4]float32{in.view.x0, in.view.y0, in.view.x1, in.view.y1}, X: p.X, Y: p.Y, W: sz.Width, H: sz.Height})
		} else if c := contentOf(o); c != nil {
			w.visit(c, p, in, nil)
		}
	}
}

// privateObject is the object in the private field of o, when o is a
// pointer to Fyne's type pkg.typ (read by reflection, as formGrid does);
// nil for anything else.
func privateObject(o any, pkg, typ, field string) fyne.CanvasObject {
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	if t := v.Elem().Type(); t.Name() != typ || t.PkgPath() != "fyne.io/fyne/v2/"+pkg {
		return nil
	}
	f := v.Elem().FieldByName(field)
	if !f.IsValid() || !f.CanAddr() {
		return nil
	}
	c, _ := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface().(fyne.CanvasObject)
	if c == nil {
		return nil
	}
	if r := reflect.ValueOf(c); r.Kind() == reflect.Pointer && r.IsNil() {
		return nil
	}
	return c
}

// chooserFile is the name a file of Fyne's file chooser shows (its
// private fileDialogItem, read by reflection); false for anything else.
func chooserFile(o fyne.CanvasObject) (string, bool) {
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return "", false
	}
	t := v.Elem().Type()
	if t.Name() != "fileDialogItem" || t.PkgPath() != "fyne.io/fyne/v2/dialog" {
		return "", false
	}
	f := v.Elem().FieldByName("name")
	if !f.IsValid() || f.Kind() != reflect.String {
		return "", false
	}
	return f.String(), true
}

// form visits a form's rows: each label (checked) and its input, which
// gets the label's keys. The rows sit in the form's private grid, read
// by reflection; a Fyne without it gets the driver's positions, which
// only hold for what was drawn.
func (w *walker) form(f *widget.Form, p fyne.Position, in bounds) {
	grid := formGrid(f)
	if grid == nil {
		for _, it := range f.Items {
			if it.Widget != nil {
				abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(it.Widget)
				w.visit(it.Widget, abs.Subtract(it.Widget.Position()), in, w.keys(it.Text))
			}
		}
		return
	}
	at := p.Add(grid.Position())
	for i, it := range f.Items {
		label, input := grid.Objects[2*i], grid.Objects[2*i+1]
		if label.Visible() {
			w.check("formlabel", label, at.Add(label.Position()), in, it.Text)
		}
		w.visit(input, at, in, w.keys(it.Text))
	}
}

// formGrid is the form's private grid of rows (label, input, label...),
// or nil when this Fyne has none.
func formGrid(f *widget.Form) *fyne.Container {
	var grid *fyne.Container
	if v := reflect.ValueOf(f).Elem().FieldByName("itemGrid"); v.IsValid() && v.Kind() == reflect.Pointer &&
		v.Type() == reflect.TypeOf(grid) && !v.IsNil() {
		grid = (*fyne.Container)(unsafe.Pointer(v.Pointer()))
	}
	if grid == nil || len(grid.Objects) != 2*len(f.Items) {
		return nil
	}
	return grid
}

// widestChain follows, from o down, the part that needs the most width,
// and names the last few: what makes a step wider than its window.
func widestChain(o fyne.CanvasObject) string {
	var chain []string
	for depth := 0; o != nil && depth < 24; depth++ {
		name := strings.TrimPrefix(strings.TrimPrefix(fmt.Sprintf("%T", o), "*"), "widget.")
		var next fyne.CanvasObject
		widest := func(objs []fyne.CanvasObject) {
			for _, c := range objs {
				if c != nil && c.Visible() && (next == nil || c.MinSize().Width > next.MinSize().Width) {
					next = c
				}
			}
		}
		switch x := o.(type) {
		case *fyne.Container:
			widest(x.Objects)
		case *container.Scroll:
			if x.Direction == container.ScrollVerticalOnly || x.Direction == container.ScrollNone {
				next = x.Content
			}
		case *container.Split:
			name = fmt.Sprintf("split %.0f|%.0f", x.Leading.MinSize().Width, x.Trailing.MinSize().Width)
			widest([]fyne.CanvasObject{x.Leading, x.Trailing})
		case *widget.PopUp:
			next = x.Content
		case *widget.Form:
			if g := formGrid(x); g != nil {
				widest(g.Objects)
			}
		case *widget.Label:
			name += fmt.Sprintf(" %q", shorten(x.Text, 50))
		case *widget.Button:
			name += fmt.Sprintf(" %q", shorten(x.Text, 50))
		case *widget.Check:
			name += fmt.Sprintf(" %q", shorten(x.Text, 50))
		case *widget.RadioGroup:
			name += fmt.Sprintf(" %q", shorten(strings.Join(x.Options, " / "), 80))
		case *canvas.Text:
			name = fmt.Sprintf("text %q", shorten(x.Text, 60))
		case *widget.RichText:
			name += fmt.Sprintf(" %q", shorten(x.String(), 50))
		default:
			next = contentOf(o)
		}
		chain = append(chain, fmt.Sprintf("%s (%.0f)", name, o.MinSize().Width))
		o = next
	}
	if len(chain) > 4 {
		chain = chain[len(chain)-4:]
	}
	return strings.Join(chain, " > ")
}

// item makes the record of a leaf widget and checks its room.
func (w *walker) item(kind string, o fyne.CanvasObject, p fyne.Position, in bounds, text string, form []string) walkItem {
	sz := o.Size()
	it := walkItem{Kind: kind, Keys: w.keys(text), Text: shorten(text, 120), Form: form, Layer: w.layer,
		View: [4]float32{in.view.x0, in.view.y0, in.view.x1, in.view.y1}, X: p.X, Y: p.Y, W: sz.Width, H: sz.Height}
	if f, ok := o.(fyne.Focusable); ok && w.focused != nil && f == w.focused {
		it.Focus = true
	}
	w.check(kind, o, p, in, text)
	return it
}

// check reports a leaf whose text cannot be read whole: smaller than it
// needs, or reaching past the window or the scroll it is in.
func (w *walker) check(kind string, o fyne.CanvasObject, p fyne.Position, b bounds, text string) {
	in := b.in
	sz := o.Size()
	if sz.Width <= 0 || sz.Height <= 0 {
		return
	}
	what := fmt.Sprintf("%s %q (layer %d, step %s)", kind, shorten(text, 60), w.layer, w.snap.Step)
	// Entries scroll their own text; a squeezed entry is not cut text.
	if kind != "entry" && kind != "password" && kind != "selectentry" {
		if m := o.MinSize(); sz.Width+1 < m.Width || sz.Height+1 < m.Height {
			w.snap.Problems = append(w.snap.Problems, fmt.Sprintf("%s squeezed: needs %.0fx%.0f, has %.0fx%.0f", what, m.Width, m.Height, sz.Width, sz.Height))
		}
	}
	if p.X+1 < in.x0 || p.Y+1 < in.y0 || p.X+sz.Width > in.x1+1 || p.Y+sz.Height > in.y1+1 {
		w.snap.Problems = append(w.snap.Problems, fmt.Sprintf("%s cut at the edge: at %.0f,%.0f size %.0fx%.0f, visible area %.0f,%.0f-%.0f,%.0f",
			what, p.X, p.Y, sz.Width, sz.Height, in.x0, in.y0, in.x1, in.y1))
	}
}

func (w *walker) entry(e *widget.Entry, kind string, o fyne.CanvasObject, p fyne.Position, in bounds, form []string) {
	if e.Password {
		kind = "password"
	}
	it := w.item(kind, o, p, in, "", form)
	if !e.Password {
		it.Text = shorten(e.Text, 120)
	}
	it.Keys = w.keys(e.PlaceHolder)
	it.Off = e.Disabled()
	w.add(it)
}

// radio adds one item per option: a vertical group stacks them in equal
// rows, a horizontal one in equal columns (Fyne's radio layout).
func (w *walker) radio(r *widget.RadioGroup, p fyne.Position, in bounds, form []string) {
	n := len(r.Options)
	if n == 0 {
		return
	}
	sz := r.Size()
	w.check("radio", r, p, in, strings.Join(r.Options, " / "))
	for i, opt := range r.Options {
		it := walkItem{Kind: "radio", Keys: w.keys(opt), Text: shorten(opt, 120), Form: form, Layer: w.layer,
			View: [4]float32{in.view.x0, in.view.y0, in.view.x1, in.view.y1}, Sel: r.Selected == opt, Off: r.Disabled()}
		if r.Horizontal {
			it.X, it.Y, it.W, it.H = p.X+sz.Width*float32(i)/float32(n), p.Y, sz.Width/float32(n), sz.Height
		} else {
			it.X, it.Y, it.W, it.H = p.X, p.Y+sz.Height*float32(i)/float32(n), sz.Width, sz.Height/float32(n)
		}
		w.add(it)
	}
}

func (w *walker) add(it walkItem) { w.snap.Items = append(w.snap.Items, it) }

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// fyneTexts are Fyne's own button texts (file dialogs, message boxes),
// reported as "fyne:<English>" keys.
var fyneTexts = []string{"Cancel", "Save", "Open", "OK", "Yes", "No", "Confirm", "New Folder", "Create Folder"}

var (
	walkKeysMu   sync.Mutex
	walkKeysLang string
	walkKeysMap  map[string][]string
)

// walkKeys maps a text shown in language code back to the catalogue keys
// that give it (plain messages only: a filled-in template has none).
func walkKeys(code string) func(string) []string {
	walkKeysMu.Lock()
	defer walkKeysMu.Unlock()
	if walkKeysLang != code || walkKeysMap == nil {
		m := map[string][]string{}
		if data, err := translationFile(code); err == nil {
			var cat map[string]json.RawMessage
			if json.Unmarshal(data, &cat) == nil {
				for k, raw := range cat {
					var v string
					if json.Unmarshal(raw, &v) == nil && !strings.Contains(v, "{{") {
						m[v] = append(m[v], k)
					}
				}
			}
		}
		for _, t := range fyneTexts {
			v := lang.L(t)
			m[v] = append(m[v], "fyne:"+t)
		}
		for _, ks := range m {
			sort.Strings(ks)
		}
		walkKeysLang, walkKeysMap = code, m
	}
	m := walkKeysMap
	return func(text string) []string {
		if text == "" {
			return nil
		}
		return m[text]
	}
}
