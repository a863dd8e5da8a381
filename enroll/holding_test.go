package enroll

import (
	"os"
	"path/filepath"
	"testing"
)

// TestHolding: the application holding given CSRs is found by them
// alone, the newest first; one CSR it lacks, none, or a package that no
// longer verifies finds nothing.
func TestHolding(t *testing.T) {
	s, _ := OpenStore(t.TempDir())
	in := testInput(t)
	_, first, err := s.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	_, second, err := s.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	csrs := [][]byte{in.CSRs[0].DER, in.CSRs[1].DER}
	if r, ok, err := s.Holding(csrs); !ok || err != nil || r.ID != second.ID {
		t.Fatalf("holding both: %v %v %v (want %s)", r.ID, ok, err, second.ID)
	}
	if r, ok, _ := s.Holding(csrs[1:]); !ok || r.ID != second.ID {
		t.Fatalf("holding one: %v %v", r.ID, ok)
	}
	for name, c := range map[string][][]byte{"another CSR": {csrs[0], makeCSR(t, "other")}, "none": nil} {
		if r, ok, err := s.Holding(c); ok || err != nil {
			t.Errorf("%s: found %s, %v", name, r.ID, err)
		}
	}
	// The newest one's package damaged: the older one holds them.
	if err := os.WriteFile(filepath.Join(second.Dir, ManifestName), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, ok, _ := s.Holding(csrs); !ok || r.ID != first.ID {
		t.Fatalf("past a damaged package: %v %v", r.ID, ok)
	}
}
