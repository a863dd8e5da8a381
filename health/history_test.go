package health

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

func archiveReport(host string, at time.Time, size uint64) Report {
	v := float64(size)
	return Report{Schema: Schema, Host: host, CheckedAt: at, Findings: []Finding{{ID: "archive", Status: OK, Value: &v}}}
}

// TestHistoryBounded: a run every 5 minutes for 20 days keeps at most
// maxSamples per host, none older than the window but the one growth is
// measured from; the growth a day is the archive's; a size below the
// last starts the host's series again; past maxHosts the hosts seen
// least recently go; the file stays within its read limit and reads back.
func TestHistoryBounded(t *testing.T) {
	h := &History{Schema: HistorySchema, Hosts: map[string][]Sample{}}
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	const perDay = 300 << 20 // 300 MiB a day
	var at time.Time
	for i := 0; i < 20*288; i++ {
		at = t0.Add(time.Duration(i) * 5 * time.Minute)
		h.Add([]Report{archiveReport("ss1", at, uint64(days(at.Sub(t0))*perDay))})
		if n := len(h.Hosts["ss1"]); n > maxSamples {
			t.Fatalf("%d samples after %v", n, at.Sub(t0))
		}
	}
	s := h.Hosts["ss1"]
	if age := at.Sub(s[0].At); age > historyWindow || age < historyWindow-sampleEvery {
		t.Fatalf("oldest sample %v old", age)
	}
	size := uint64(days(at.Sub(t0)) * perDay)
	rate, span, ok := growth(s, at, size)
	if !ok || rate < perDay*0.999 || rate > perDay*1.001 || span < 7*24*time.Hour {
		t.Fatalf("growth %v over %v (%v), want %d a day", rate, span, ok, perDay)
	}
	// Archives moved away: the series starts again, no growth for a day.
	h.Add([]Report{archiveReport("ss1", at.Add(time.Minute), 1<<20)})
	if s := h.Hosts["ss1"]; len(s) != 1 || s[0].Bytes != 1<<20 {
		t.Fatalf("after a drop: %+v", s)
	}
	if _, _, ok := growth(h.Hosts["ss1"], at.Add(23*time.Hour), 2<<20); ok {
		t.Fatal("a growth told over less than a day")
	}
	// A host that could not be checked adds nothing.
	h.Add([]Report{{Host: "down", Err: "refused"}})
	if _, ok := h.Hosts["down"]; ok {
		t.Fatal("an unchecked host recorded")
	}
	// A fleet past maxHosts: the least recently seen go.
	for i := 0; i < maxHosts+5; i++ {
		h.Add([]Report{archiveReport(fmt.Sprintf("host-%04d.example.kg", i), at.Add(time.Hour+time.Duration(i)*time.Second), 1)})
	}
	if len(h.Hosts) != maxHosts {
		t.Fatalf("%d hosts kept", len(h.Hosts))
	}
	if _, ok := h.Hosts["ss1"]; ok {
		t.Fatal("the host seen least recently was kept")
	}
	// A fleet at its bounds, each host full: within the read limit.
	for k := range h.Hosts {
		var full []Sample
		for j := 0; j < maxSamples; j++ {
			full = append(full, Sample{At: at.Add(time.Duration(j) * sampleEvery), Bytes: 1 << 40})
		}
		h.Hosts[k] = full
	}
	path := filepath.Join(t.TempDir(), "history.json")
	if err := h.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	t.Logf("history of %d hosts × %d samples: %d bytes", maxHosts, maxSamples, fi.Size())
	if back, err := LoadHistory(path); err != nil || len(back.Hosts) != maxHosts || fi.Mode().Perm() != 0o600 {
		t.Fatalf("read back: %v, %d hosts, mode %v", err, len(back.Hosts), fi.Mode())
	}
	// Damaged: kept aside, an empty history.
	os.WriteFile(path, []byte(`{"schema":"tunduk-onboard.status-history/v1","hosts":{`), 0o600)
	back, err := LoadHistory(path)
	if !isStateError(err) || back == nil || len(back.Hosts) != 0 {
		t.Fatalf("damaged: %v %+v", err, back)
	}
}

// TestArchiveGrowthVerdict: the probe's sizes judged against a history:
// none a day old yet is said so (ok); 1 GiB a day with 20 GiB free is 20
// days, a warning below the profile's 30; with 60 GiB free, ok; a flat
// archive is ok; no history (the wizard) is no finding.
func TestArchiveGrowthVerdict(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	p, _ := profile.Default()
	const gib = 1 << 30
	probe := func(sizeGiB, freeGiB uint64) probeOut {
		return probeOut{archiveDir: true, archiveKB: fmt.Sprint(sizeGiB * gib / 1024), archiveFreeKB: fmt.Sprint(freeGiB * gib / 1024)}
	}
	hist := &History{Schema: HistorySchema, Hosts: map[string][]Sample{
		"ss1": {{At: now.Add(-72 * time.Hour), Bytes: 100 * gib}, {At: now.Add(-2 * time.Hour), Bytes: 102 * gib}},
		"new": {{At: now.Add(-2 * time.Hour), Bytes: 5 * gib}},
	}}
	judge := func(host string, h *History, p0 probeOut) *Finding {
		g := &gatherer{p: p, th: p.Health, now: func() time.Time { return now }, name: host, history: h}
		g.archive(p0)
		for i := range g.out {
			if g.out[i].ID == "archive.growth" {
				return &g.out[i]
			}
		}
		return nil
	}
	f := judge("ss1", hist, probe(103, 20))
	if f == nil || f.Status != Warning || *f.Value != gib || !strings.Contains(f.Observed.EN, "Grows 1024 MiB a day (over the last 3d)") ||
		!strings.Contains(f.Observed.EN, "last about 20 days") || !strings.Contains(f.Why.RU, "за 20 дней") || f.Fix.KY == "" {
		t.Fatalf("20 days left: %+v", f)
	}
	if f := judge("ss1", hist, probe(103, 60)); f.Status != OK || !strings.Contains(f.Observed.EN, "about 60 days") {
		t.Fatalf("60 days left: %+v", f)
	}
	// 4000 days at 1 GiB a day: more than the three years logs are kept.
	if f := judge("ss1", hist, probe(103, 4000)); f.Status != OK || !strings.Contains(f.Observed.EN, "more than three years") ||
		strings.Contains(f.Observed.EN, "4000") || !strings.Contains(f.Observed.KY, "үч жылдан") {
		t.Fatalf("ample: %+v", f)
	}
	if f := judge("ss1", hist, probe(100, 1)); f.Status != OK || !strings.Contains(f.Observed.EN, "Has not grown over the last 3d") {
		t.Fatalf("flat: %+v", f)
	}
	if f := judge("new", hist, probe(6, 1)); f.Status != OK || !strings.Contains(f.Observed.EN, "at least a day earlier") || f.Value != nil {
		t.Fatalf("new: %+v", f)
	}
	if f := judge("ss1", nil, probe(103, 20)); f != nil {
		t.Fatalf("without a history: %+v", f)
	}
	p.Health.ArchiveRunwayDays = 10
	if f := judge("ss1", hist, probe(103, 20)); f.Status != OK {
		t.Fatalf("runway 10 days: %+v", f)
	}
}
