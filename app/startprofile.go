package app

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"
)

// envProfileDir, when set, makes the wizard profile its own start for
// whoever works on its memory and start time (build/bench-start.sh tells
// how): a CPU profile of the first seconds and then a heap profile
// (after a GC: what is live, and the allocations since the start), written
// into that folder as cpu.pprof and heap.pprof. Read them with
// `go tool pprof BINARY FILE`.
const envProfileDir = "TUNDUK_ONBOARD_PROFILE_DIR"

// profileFor is how long the CPU profile runs: the first frame and the
// first idle moments of the window.
const profileFor = 6 * time.Second

// startProfile begins the profile when envProfileDir is set; nothing
// otherwise.
func startProfile() {
	dir := strings.TrimSpace(os.Getenv(envProfileDir))
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		log.WithError(err).Warn("profile: no folder")
		return
	}
	cpu, err := os.Create(filepath.Join(dir, "cpu.pprof"))
	if err != nil {
		log.WithError(err).Warn("profile: cpu")
		return
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		log.WithError(err).Warn("profile: cpu")
		cpu.Close()
		return
	}
	time.AfterFunc(profileFor, func() {
		pprof.StopCPUProfile()
		cpu.Close()
		runtime.GC()
		heap, err := os.Create(filepath.Join(dir, "heap.pprof"))
		if err != nil {
			log.WithError(err).Warn("profile: heap")
			return
		}
		defer heap.Close()
		if err := pprof.Lookup("heap").WriteTo(heap, 0); err != nil {
			log.WithError(err).Warn("profile: heap")
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		log.WithFields(map[string]any{"dir": dir, "heap_inuse": m.HeapInuse, "heap_idle": m.HeapIdle,
			"heap_released": m.HeapReleased, "stack_inuse": m.StackInuse, "sys": m.Sys, "gc": m.NumGC}).Info("profile written")
	})
}
