package health

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// HistorySchema is History.Schema.
const HistorySchema = "tunduk-onboard.status-history/v1"

// The history's bounds. X-Road archives the message log every 6 hours
// by default (X-Road 7.4.2 MessageLogProperties.java, archive-interval
// "0 0 0/6 1/1 * ? *"), so the archive grows in steps: one sample per
// 6 hours is all a growth needs, and a growth is told only over at least
// a day, averaged over at most 8.
const (
	sampleEvery   = 6 * time.Hour
	historyWindow = 8 * 24 * time.Hour
	minGrowthSpan = 24 * time.Hour
	// maxSamples holds historyWindow at sampleEvery, and the newest.
	maxSamples = int(historyWindow/sampleEvery) + 1
	// maxHosts bounds a fleet's file (readcap.StatusHistory): the hosts
	// seen least recently go first.
	maxHosts = 1000
)

// History remembers, between status runs, the size of each server's
// message log archive, to tell how fast it grows. It holds no secret:
// hosts as the user named them, times, sizes.
type History struct {
	Schema string              `json:"schema"`
	Hosts  map[string][]Sample `json:"hosts"`
}

// Sample is the archive's size at one time.
type Sample struct {
	At    time.Time `json:"at"`
	Bytes uint64    `json:"bytes"`
}

// LoadHistory reads the history at path. No file is an empty history. A
// damaged one gives an empty history and a *StateError (the file kept
// aside); one that cannot be read at all, nil and the OS's error.
func LoadHistory(path string) (*History, error) {
	h, err := loadState(path, readcap.StatusHistory, HistorySchema, func(h *History) string { return h.Schema })
	if h == nil && (err == nil || isStateError(err)) {
		h = &History{Schema: HistorySchema}
	}
	if h != nil && h.Hosts == nil {
		h.Hosts = map[string][]Sample{}
	}
	return h, err
}

// Save writes the history whole or not at all, readable by its owner.
func (h *History) Save(path string) error {
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'), 0o600)
}

// Add records the archive's size of each report that has one. A size
// below the last one (archives moved away) starts the host's series
// again. Samples closer than sampleEvery to the last kept are not kept.
func (h *History) Add(reports []Report) {
	for _, r := range reports {
		size, ok := archiveSize(r)
		if !ok {
			continue
		}
		at := r.CheckedAt.UTC().Truncate(time.Second)
		s := h.Hosts[r.Host]
		if n := len(s); n > 0 && size < s[n-1].Bytes {
			s = nil
		}
		if n := len(s); n == 0 || at.Sub(s[n-1].At) >= sampleEvery {
			s = append(s, Sample{At: at, Bytes: size})
		}
		// The oldest within the window is kept, and the newest.
		for len(s) > 1 && (at.Sub(s[0].At) > historyWindow || len(s) > maxSamples) {
			s = s[1:]
		}
		h.Hosts[r.Host] = append([]Sample(nil), s...)
	}
	if len(h.Hosts) <= maxHosts {
		return
	}
	hosts := make([]string, 0, len(h.Hosts))
	for k := range h.Hosts {
		hosts = append(hosts, k)
	}
	last := func(k string) time.Time { s := h.Hosts[k]; return s[len(s)-1].At }
	sort.Slice(hosts, func(i, j int) bool { return last(hosts[i]).Before(last(hosts[j])) })
	for _, k := range hosts[:len(hosts)-maxHosts] {
		delete(h.Hosts, k)
	}
}

// archiveSize is the report's message log archive size, when known.
func archiveSize(r Report) (uint64, bool) {
	if r.Err != "" {
		return 0, false
	}
	for _, f := range r.Findings {
		if f.ID == "archive" && f.Value != nil {
			return uint64(*f.Value), true
		}
	}
	return 0, false
}

// growth is the archive's growth in bytes a day from the oldest sample
// at least minGrowthSpan before now, and the span it was measured over;
// ok is false when there is none yet (or the series started again).
func growth(samples []Sample, now time.Time, size uint64) (perDay float64, span time.Duration, ok bool) {
	for _, s := range samples {
		span = now.Sub(s.At)
		if span < minGrowthSpan || size < s.Bytes {
			continue
		}
		return float64(size-s.Bytes) / days(span), span, true
	}
	return 0, 0, false
}
