package enroll

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// damage is each way a stored JSON file is found broken: truncated,
// garbage, of the wrong type, and a folder where the file belongs (what
// cannot be read as a file; the tests run as root, who reads any mode).
var damage = map[string]func(path string) error{
	"truncated":  func(p string) error { return os.WriteFile(p, []byte(`{"id": "x", "stage": "sen`), 0o600) },
	"garbage":    func(p string) error { return os.WriteFile(p, []byte("\x00\xffgarbage"), 0o600) },
	"wrong type": func(p string) error { return os.WriteFile(p, []byte(`{"id": 42, "history": "none"}`), 0o600) },
	"folder": func(p string) error {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
		return os.Mkdir(p, 0o700)
	},
}

// TestScanListsDamagedEntriesAndKeepsThem: status files and outbox items
// damaged in each way are listed by Scan with their paths, the sound ones
// still listed, and every damaged file left byte for byte as it was.
func TestScanListsDamagedEntriesAndKeepsThem(t *testing.T) {
	s, _ := OpenStore(t.TempDir())
	ob, err := s.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	kept := map[string]string{}
	for how, f := range damage {
		_, r, err := s.Create(testInput(t))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(s.Dir(), r.ID, StatusName)
		if err := f(p); err != nil {
			t.Fatal(err)
		}
		item := filepath.Join(ob.dir, how[:3]+"0123456789abcdef0123456789abcd.json")
		if err := f(item); err != nil {
			t.Fatal(err)
		}
		want = append(want, p, item)
		b, _ := os.ReadFile(p)
		kept[p] = string(b)
	}
	_, good, err := s.Create(testInput(t))
	if err != nil {
		t.Fatal(err)
	}
	recs, bad, err := s.Scan()
	if err != nil || len(recs) != 1 || recs[0].ID != good.ID {
		t.Fatalf("records %v, %v", recIDs(recs), err)
	}
	items, badItems, err := ob.Scan()
	if err != nil || len(items) != 0 {
		t.Fatalf("items %v, %v", items, err)
	}
	var got []string
	for _, d := range append(bad, badItems...) {
		if d.Err == nil {
			t.Errorf("%s listed damaged without a reason", d.Path)
		}
		got = append(got, d.Path)
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(got) != len(want) {
		t.Fatalf("damaged %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("damaged %v, want %v", got, want)
		}
	}
	for p, b := range kept {
		now, _ := os.ReadFile(p)
		if string(now) != b {
			t.Errorf("%s changed", p)
		}
	}
}
