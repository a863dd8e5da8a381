package app

import (
	"runtime"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
)

// rowsAlloc is the bytes allocated while 40 result rows are built and
// drawn, as the readiness page does for one check.
func rowsAlloc(t testing.TB) uint64 {
	w := test.NewTempWindow(t, container.NewVBox())
	w.Resize(fyne.NewSize(900, 700))
	statuses := []checks.Status{checks.Pass, checks.Warn, checks.Fail, checks.Unknown, checks.Info}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	box := container.NewVBox()
	for i := 0; i < 40; i++ {
		box.Add(newResultRow(sample(statuses[i%len(statuses)], "r"), "en").box)
	}
	w.SetContent(container.NewVScroll(box))
	_ = w.Canvas().Capture()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func BenchmarkResultRows(b *testing.B) {
	test.NewTempApp(b)
	var total uint64
	for i := 0; i < b.N; i++ {
		total += rowsAlloc(b)
	}
	b.ReportMetric(float64(total)/float64(b.N)/(1<<20), "MiB/40rows")
}

// The coloured icons are made once per colour: the same resource again
// (so an icon given it again draws nothing anew), another after the
// theme's colour changed.
func TestThemedIconsCached(t *testing.T) {
	test.NewTempApp(t)
	a, b := statusIcon(checks.Pass), statusIcon(checks.Pass)
	if a != b {
		t.Error("statusIcon made a new resource for the same status")
	}
	if statusIcon(checks.Fail) == a {
		t.Error("pass and fail share an icon")
	}
	test.NewTempApp(t).Settings().SetTheme(test.NewTheme()) // other colours
	if c := statusIcon(checks.Pass); c == a || c.Name() == a.Name() {
		t.Errorf("the icon did not follow the theme's colour: %s", c.Name())
	}
}

// A readiness check streams its results: the page is refreshed once per
// result, and its summary keeps the same four icons throughout.
func TestReadinessSummaryIconsMadeOnce(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	toReadiness(t, wz)
	r := wz.readiness
	icons := func() []fyne.CanvasObject { return append([]fyne.CanvasObject(nil), r.v.summary.Objects...) }
	r.results = []checks.Result{sample(checks.Pass, "a")}
	r.refresh()
	first := icons()
	for i := 0; i < 5; i++ {
		r.results = append(r.results, sample(checks.Fail, "b"))
		r.refresh()
	}
	now := icons()
	if len(now) != 8 || len(first) != 8 {
		t.Fatalf("summary holds %d then %d objects, want 8 (4 icons, 4 counts)", len(first), len(now))
	}
	for i := range now {
		if now[i] != first[i] {
			t.Fatalf("the summary's object %d was made again on a refresh", i)
		}
	}
}

// BenchmarkReadinessStream: a check streaming 40 results, the page
// refreshed and drawn after each, as the readiness step does.
func BenchmarkReadinessStream(b *testing.B) {
	var total uint64
	for i := 0; i < b.N; i++ {
		wz, w := newTestWizard(b, nil)
		b.StopTimer()
		toReadiness(b, wz)
		r := wz.readiness
		statuses := []checks.Status{checks.Pass, checks.Warn, checks.Fail, checks.Unknown, checks.Info}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		for j := 0; j < 40; j++ {
			res := sample(statuses[j%len(statuses)], "r")
			r.results = append(r.results, res)
			r.addRow(res)
			r.refresh()
			_ = w.Canvas().Capture()
		}
		b.StopTimer()
		runtime.ReadMemStats(&after)
		total += after.TotalAlloc - before.TotalAlloc
		b.StartTimer()
	}
	b.ReportMetric(float64(total)/float64(b.N)/(1<<20), "MiB/check")
}
