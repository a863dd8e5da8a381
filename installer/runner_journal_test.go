package installer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunnerStopsOnADamagedJournal: a journal on the host that is
// truncated JSON, garbage, of the wrong type, or a folder where the file
// belongs, stops the run before any step is applied, as a JournalError
// naming its path (Explain: installer.err.journal_damaged), and is left
// exactly as it was: never taken for an empty journal and written over.
func TestRunnerStopsOnADamagedJournal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		make func(path string) error
	}{
		{"truncated", func(p string) error { return os.WriteFile(p, []byte(`{"one": {"status": "do`), 0o600) }},
		{"garbage", func(p string) error { return os.WriteFile(p, []byte("\x00\x01garbage\xff"), 0o600) }},
		{"wrong type", func(p string) error { return os.WriteFile(p, []byte(`["one", "two"]`), 0o600) }},
		{"folder", func(p string) error { return os.Mkdir(p, 0o700) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newRig(t)
			p := g.r.JournalPath
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := tc.make(p); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(p)
			s := Step{ID: "one", Check: "false", Apply: "echo applied >> " + q(g.marker)}
			err := g.run(context.Background(), s)
			var je *JournalError
			if !errors.As(err, &je) || je.Path != p {
				t.Fatalf("got %v, want a JournalError naming %s", err, p)
			}
			if key, data := Explain(err); key != "installer.err.journal_damaged" || data["File"] != p {
				t.Fatalf("explained as %s %v", key, data)
			}
			if _, err := os.Stat(g.marker); !os.IsNotExist(err) {
				t.Fatal("a step was applied with a damaged journal")
			}
			after, _ := os.ReadFile(p)
			if st, err := os.Stat(p); err != nil || string(after) != string(before) || (tc.name == "folder") != st.IsDir() {
				t.Fatalf("the damaged journal was changed: %v %q", err, after)
			}
			if strings.Contains(g.allEvents(), "applying") {
				t.Fatalf("events %s", g.allEvents())
			}
		})
	}
}
