package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func findItem(s *walkSnap, kind, key string) (walkItem, bool) {
	for _, it := range s.Items {
		if it.Kind != kind {
			continue
		}
		for _, k := range append(append([]string{}, it.Keys...), it.Form...) {
			if k == key {
				return it, true
			}
		}
	}
	return walkItem{}, false
}

// The walk log names what is on screen by catalogue key, with a place
// inside the window; a disabled button says so.
func TestWalkSnapshotNamesButtonsByKey(t *testing.T) {
	wz, w := newTestWizard(t, nil)
	s := wz.walkSnapshot()
	if s.Step != stepWelcome || s.Lang != "en" || len(s.Steps) != len(wz.steps) {
		t.Fatalf("snapshot: step %q lang %q steps %v", s.Step, s.Lang, s.Steps)
	}
	next, ok := findItem(s, "button", "nav.next")
	if !ok || next.Off {
		t.Fatalf("no enabled Next in %+v", s.Items)
	}
	back, ok := findItem(s, "button", "nav.back")
	if !ok || !back.Off {
		t.Fatalf("Back on Welcome should be there, disabled: %+v %v", back, ok)
	}
	size := w.Canvas().Size()
	if next.X <= size.Width/2 || next.X+next.W > size.Width+1 || next.Y+next.H > size.Height+1 || next.Y < size.Height/2 {
		t.Errorf("Next at %v,%v %vx%v is not at the bottom right of %v", next.X, next.Y, next.W, next.H, size)
	}
	if len(s.Problems) != 0 {
		t.Errorf("problems on Welcome: %v", s.Problems)
	}
}

// Form entries carry their label's key; a password entry's text never
// reaches the log.
func TestWalkSnapshotNeverReadsPasswords(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	wz.state.Server = Server{Remote: true, Host: "ss1.example.kg", Port: "22", User: "admin", Auth: AuthPassword}
	wz.cur = wz.stepIndex(stepServer)
	wz.showStep()
	test.Type(wz.server.password, "Sekret-PW-4711")
	wz.server.host.SetText("")
	test.Type(wz.server.host, "ss2.example.kg")
	s := wz.walkSnapshot()
	pw, ok := findItem(s, "password", "server.password")
	if !ok || pw.Text != "" {
		t.Fatalf("password entry: %+v %v", pw, ok)
	}
	host, ok := findItem(s, "entry", "server.host")
	if !ok || host.Text != "ss2.example.kg" {
		t.Fatalf("host entry: %+v %v", host, ok)
	}
	b, _ := json.Marshal(s)
	if strings.Contains(string(b), "Sekret-PW-4711") {
		t.Fatal("the password reached the walk log")
	}
}

// Text wider than its scroll, squeezed below its size, or needing a
// wider window than it was opened at is reported.
func TestWalkCanvasReportsCutText(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("walk")
	t.Cleanup(w.Close)
	long := widget.NewLabel(strings.Repeat("unwrapped words ", 20))
	squeezed := widget.NewButton("a button with a long label", nil)
	w.SetContent(container.NewVBox(
		container.NewVScroll(long),
		container.NewGridWrap(fyne.NewSize(60, 36), squeezed),
	))
	w.Resize(fyne.NewSize(400, 300))
	s := &walkSnap{}
	walkCanvas(s, w.Canvas(), fyne.NewSize(400, 300))
	all := strings.Join(s.Problems, "\n")
	for _, want := range []string{`label "unwrapped words`, "cut at the edge", `button "a button with a long label" (layer 0, step ) squeezed`, "window too small: step  needs"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in:\n%s", want, all)
		}
	}

	fine := a.NewWindow("fine")
	t.Cleanup(fine.Close)
	fine.SetContent(container.NewVScroll(wrapped(strings.Repeat("wrapped words ", 40))))
	fine.Resize(fyne.NewSize(400, 300))
	s = &walkSnap{}
	walkCanvas(s, fine.Canvas(), fyne.NewSize(400, 300))
	if len(s.Problems) != 0 {
		t.Errorf("a wrapped label in a scroll reported: %v", s.Problems)
	}
}

// The files of Fyne's file chooser are reported by name (the grid shows
// them without their extension), so the walk can pick one.
func TestWalkSnapshotNamesChooserFiles(t *testing.T) {
	wz, w := newTestWizard(t, nil)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "is-client-cert.pem"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := dialog.NewFileOpen(func(fyne.URIReadCloser, error) {}, w)
	loc, err := storage.ListerForURI(storage.NewFileURI(dir))
	if err != nil {
		t.Fatal(err)
	}
	d.SetLocation(loc)
	showFileDialog(d, w)
	var names []string
	for _, it := range wz.walkSnapshot().Items {
		if it.Kind == "file" && it.Layer == 1 {
			names = append(names, it.Text)
			if it.W <= 0 || it.H <= 0 {
				t.Errorf("file %q has no place: %+v", it.Text, it)
			}
		}
	}
	if !slices.Contains(names, "is-client-cert") {
		t.Fatalf("the chooser's files: %q", names)
	}
}

// The log is written only for a settled state that changed, with a beat
// beside it; a problem only once it lasted.
func TestWalkLogWritesSettledStates(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	path := filepath.Join(t.TempDir(), "walk.log")
	t.Cleanup(wz.startWalkLog(path)) // stopped before the folder goes
	var lines []walkSnap
	read := func() {
		b, _ := os.ReadFile(path)
		lines = nil
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var s walkSnap
			if json.Unmarshal([]byte(l), &s) == nil {
				lines = append(lines, s)
			}
		}
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("waited for %s; log: %+v", what, lines)
			}
			read()
		}
	}
	waitFor("the first line", func() bool { return len(lines) == 1 && lines[0].Step == stepWelcome && lines[0].Seq == 1 })
	time.Sleep(3 * walkTick)
	if read(); len(lines) != 1 {
		t.Fatalf("an unchanged window was written again: %d lines", len(lines))
	}
	if b, err := os.ReadFile(path + ".beat"); err != nil || len(b) == 0 {
		t.Fatalf("no beat: %v", err)
	}
	fyne.DoAndWait(wz.Next)
	waitFor("the Organisation step", func() bool { return len(lines) == 2 && lines[1].Step == stepOrganisation && lines[1].Seq == 2 })
}

// A window that changes on every look is written anyway after a while,
// with what changed as a problem: the walk sees it instead of waiting
// for a stillness that never comes.
func TestWalkLogReportsARestlessWindow(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	ticker := widget.NewLabel("0")
	fyne.DoAndWait(func() { wz.win.SetContent(container.NewVBox(ticker)) })
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			case <-time.After(walkTick / 3):
			}
			fyne.DoAndWait(func() { ticker.SetText(strconv.Itoa(n)) })
		}
	}()
	path := filepath.Join(t.TempDir(), "walk.log")
	t.Cleanup(wz.startWalkLog(path))
	// Ample time: on a loaded machine a tick comes late now and then, a
	// look sees the window unchanged, and the restless run begins again.
	for end := time.Now().Add(walkRestless + 30*time.Second); ; time.Sleep(50 * time.Millisecond) {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), restless) {
			if !strings.Contains(string(b), `\"text\":`) {
				t.Errorf("the problem does not say what changed: %.400s", b)
			}
			return
		}
		if time.Now().After(end) {
			t.Fatalf("no %q problem after %s; log: %.400s", restless, walkRestless+30*time.Second, b)
		}
	}
}
