package app

// The form's preferences are written once the user pauses, not on every
// keystroke. Fyne (2.8.1, app/preferences.go) rewrites preferences.json
// in place on each change and reloads it whenever its folder changes on
// disk, ignoring its own writes for 100 ms only: a save per keystroke kept
// it writing and reloading all the time, and on a loaded machine a reload
// met the file half written ("Preferences load error: EOF", seen by the
// real-window walk). What waits is written when the typing stops
// (formSaveDelay), when another step is shown, on a language switch and
// when the window closes (flush), so nothing typed is lost.

import (
	"sync"
	"time"
)

// formSaveDelay is how long the form must be still before what was typed
// is written (the package's tests write at once: TestMain).
var formSaveDelay = 800 * time.Millisecond

// prefsLater is a Prefs that keeps changes in memory and hands them to
// the real preferences after a pause (delay 0: at once). Reads see the
// changes not yet written.
type prefsLater struct {
	to    Prefs
	delay time.Duration
	do    func(func()) // runs the write on the UI goroutine (fyne.Do)

	mu      sync.Mutex
	pending map[string]any // string or bool, by key
	order   []string       // keys in the order they changed
	timer   *time.Timer
	gen     int // bumped by each change: a timer of an older one writes nothing
}

func newPrefsLater(to Prefs, delay time.Duration, do func(func())) *prefsLater {
	return &prefsLater{to: to, delay: delay, do: do, pending: map[string]any{}}
}

func (p *prefsLater) String(key string) string {
	p.mu.Lock()
	v, ok := p.pending[key]
	p.mu.Unlock()
	if ok {
		s, _ := v.(string)
		return s
	}
	return p.to.String(key)
}

func (p *prefsLater) Bool(key string) bool {
	p.mu.Lock()
	v, ok := p.pending[key]
	p.mu.Unlock()
	if ok {
		b, _ := v.(bool)
		return b
	}
	return p.to.Bool(key)
}

func (p *prefsLater) SetString(key, value string) {
	if p.String(key) == value {
		return
	}
	p.set(key, value)
}

func (p *prefsLater) SetBool(key string, value bool) {
	if p.Bool(key) == value {
		return
	}
	p.set(key, value)
}

// set keeps the change and (re)starts the pause.
func (p *prefsLater) set(key string, value any) {
	if p.delay <= 0 {
		p.write(key, value)
		return
	}
	p.mu.Lock()
	if _, ok := p.pending[key]; !ok {
		p.order = append(p.order, key)
	}
	p.pending[key] = value
	p.gen++
	gen := p.gen
	if p.timer != nil {
		p.timer.Stop()
	}
	p.timer = time.AfterFunc(p.delay, func() {
		p.do(func() {
			p.mu.Lock()
			still := p.gen == gen
			p.mu.Unlock()
			if still {
				p.flush()
			}
		})
	})
	p.mu.Unlock()
}

// flush writes what waits, now. Called on the UI goroutine.
func (p *prefsLater) flush() {
	p.mu.Lock()
	pending, order := p.pending, p.order
	p.pending, p.order = map[string]any{}, nil
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.mu.Unlock()
	for _, k := range order {
		p.write(k, pending[k])
	}
}

func (p *prefsLater) write(key string, value any) {
	switch v := value.(type) {
	case string:
		p.to.SetString(key, v)
	case bool:
		p.to.SetBool(key, v)
	}
}
