package app

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Go keeps the heap a burst of work grew (up to twice what stays live)
// for the next burst, and gives it back to the OS only slowly. The
// wizard's bursts are few and far apart: the start (fonts, translations,
// the profile, the record), a readiness check (its rows' icons are drawn
// anew with every result), a language switch, an install's log. Between
// them it sits on a page for minutes, and what it kept is resident for
// nothing (about 10 MB after the start, build/bench-start.sh). So a
// background look every trimEvery: when at least trimSlack of the heap
// is garbage or free but not yet returned, collect and return it.
const (
	trimEvery = 2 * time.Second
	trimSlack = 4 << 20
)

// trimMemory runs until the process ends (started once, from Run).
func trimMemory() {
	for range time.Tick(trimEvery) {
		trimOnce(trimSlack)
	}
}

// trimOnce returns the heap's reclaimable part to the OS when it is at
// least slack bytes, and reports whether it did.
func trimOnce(slack uint64) bool {
	if reclaimable() < slack {
		return false
	}
	debug.FreeOSMemory()
	return true
}

// reclaimable is the heap a collection and a return to the OS would free:
// free spans not returned yet, and objects allocated since the last GC
// beyond what was live then (garbage, mostly, in an idle wizard).
func reclaimable() uint64 {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/free:bytes"},    // free, not yet returned
		{Name: "/memory/classes/heap/objects:bytes"}, // live and dead objects
		{Name: "/gc/heap/live:bytes"},                // live at the last GC
	}
	metrics.Read(s)
	for _, x := range s {
		if x.Value.Kind() != metrics.KindUint64 {
			return 0 // a runtime without these metrics: never trim
		}
	}
	free, objects, live := s[0].Value.Uint64(), s[1].Value.Uint64(), s[2].Value.Uint64()
	if objects > live {
		free += objects - live
	}
	return free
}
