package app

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// countingPrefs counts the writes that reach the preferences file.
type countingPrefs struct {
	mu     sync.Mutex
	m      mapPrefs
	writes map[string][]string // key: the values written, in order
}

func newCountingPrefs() *countingPrefs {
	return &countingPrefs{m: mapPrefs{}, writes: map[string][]string{}}
}

func (c *countingPrefs) String(k string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m.String(k)
}
func (c *countingPrefs) Bool(k string) bool { c.mu.Lock(); defer c.mu.Unlock(); return c.m.Bool(k) }
func (c *countingPrefs) SetBool(k string, v bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m.SetBool(k, v)
}

func (c *countingPrefs) SetString(k, v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m.String(k) != v { // Fyne writes the file only on a change
		c.writes[k] = append(c.writes[k], v)
	}
	c.m.SetString(k, v)
}

func (c *countingPrefs) written(k string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.writes[k]...)
}

// Typing writes the preferences once the typing pauses, not per key; a
// step change writes what waits at once, so nothing typed is lost.
func TestFormSavedAfterPause(t *testing.T) {
	prefs := newCountingPrefs()
	wz, _ := newTestWizard(t, prefs)
	wz.later.delay = 300 * time.Millisecond
	test.Tap(wz.next)
	if wz.stepID() != stepOrganisation {
		t.Fatalf("at %s", wz.stepID())
	}
	test.Type(wz.org.name, "Ministry")
	if got := prefs.written(prefOrgName); len(got) != 0 {
		t.Fatalf("written while typing: %q", got)
	}
	if wz.prefs.String(prefOrgName) != "Ministry" {
		t.Fatalf("the form reads %q back before the write", wz.prefs.String(prefOrgName))
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(prefs.written(prefOrgName)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := prefs.written(prefOrgName); len(got) != 1 || got[0] != "Ministry" {
		t.Fatalf("after the pause: written %q, want once \"Ministry\"", got)
	}

	// Typed and left at once: written on the step change, not later.
	test.Type(wz.org.name, " of Digital")
	test.Tap(wz.back)
	if got := prefs.written(prefOrgName); len(got) != 2 || got[1] != "Ministry of Digital" {
		t.Fatalf("after Back: written %q", got)
	}
	time.Sleep(500 * time.Millisecond)
	if got := prefs.written(prefOrgName); len(got) != 2 {
		t.Fatalf("written again after the step change: %q", got)
	}
	if LoadState(prefs).Org.Name != "Ministry of Digital" {
		t.Fatalf("a restart reads %q", LoadState(prefs).Org.Name)
	}
}
