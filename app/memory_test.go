package app

import (
	"runtime"
	"testing"
)

// sink keeps the test's allocations from being optimised away.
var sink [][]byte

// A burst of garbage under the heap's goal (as in the wizard, whose live
// heap lets the goal reach tens of MB) is returned once, and then there
// is little left to trim.
func TestTrimOnceReturnsGarbage(t *testing.T) {
	live := make([][]byte, 0, 128) // 32 MiB that stay live: the goal is ~64 MiB
	for i := 0; i < 128; i++ {
		live = append(live, make([]byte, 256<<10))
	}
	runtime.GC()
	trimOnce(0) // start from a trimmed heap
	for i := 0; i < 64; i++ {
		sink = append(sink, make([]byte, 256<<10)) // 16 MiB of garbage-to-be
	}
	sink = nil
	if got := reclaimable(); got < 8<<20 {
		t.Fatalf("reclaimable after 16 MiB of garbage = %d, want at least 8 MiB", got)
	}
	if !trimOnce(trimSlack) {
		t.Fatal("trimOnce did not trim 16 MiB of garbage")
	}
	if got := reclaimable(); got >= trimSlack {
		t.Errorf("reclaimable after the trim = %d, want under %d", got, trimSlack)
	}
	if trimOnce(1 << 40) {
		t.Error("trimOnce trimmed with less than its slack to return")
	}
	runtime.KeepAlive(live)
}
