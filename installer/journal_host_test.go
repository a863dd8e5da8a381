package installer

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestRecordStepAndRunnerShareTheJournal: a step another engine applied
// and recorded with RecordStep (the exported Ansible role) is one the
// runner finds done and skips; a step the runner applied is one
// RecordStep finds done and leaves; a damaged journal is refused, not
// written over.
func TestRecordStepAndRunnerShareTheJournal(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	a := Step{ID: "a", Check: "test -e " + q(g.marker), Apply: "touch " + q(g.marker)}
	b := Step{ID: "b", Check: "test -e " + q(g.marker+".b"), Apply: "touch " + q(g.marker+".b")}
	// What the role does: Apply, then record it.
	if err := os.WriteFile(g.marker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if changed, err := RecordStep(g.r.JournalPath, a.ID, ApplySHA256(a), true); err != nil || !changed {
		t.Fatalf("RecordStep applied: %v %v", changed, err)
	}
	if e := g.journal()[a.ID]; e.Status != JournalDone || e.Attempt != 1 || e.ApplySHA256 != applySHA(a) || e.Finished == "" {
		t.Fatalf("recorded entry %+v", e)
	}
	if err := g.r.Run(context.Background(), []Step{a, b}); err != nil {
		t.Fatal(err)
	}
	if k := g.kinds(a.ID); !slices.Equal(k, []string{EventChecking, EventSkipped}) {
		t.Errorf("the runner on a step the role applied: %v", k)
	}
	if e := g.journal()[b.ID]; e.Status != JournalDone || e.Attempt != 1 {
		t.Fatalf("runner's entry %+v", e)
	}
	// The role after the runner: both checks pass, nothing to record.
	for _, st := range []Step{a, b} {
		if changed, err := RecordStep(g.r.JournalPath, st.ID, ApplySHA256(st), false); err != nil || changed {
			t.Errorf("RecordStep on %s the runner did: changed %v, %v", st.ID, changed, err)
		}
	}
	// A check that passes without a journal entry is recorded done, at
	// attempt 0, as the runner records it.
	fresh := filepath.Join(t.TempDir(), "state", "journal.json")
	if changed, err := RecordStep(fresh, a.ID, ApplySHA256(a), false); err != nil || !changed {
		t.Fatalf("RecordStep passed: %v %v", changed, err)
	}
	if st, err := os.Stat(filepath.Dir(fresh)); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("journal folder: %v %v", st, err)
	}
	if err := os.WriteFile(fresh, []byte(`{"a": {"status": "do`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := RecordStep(fresh, a.ID, ApplySHA256(a), true); err == nil {
		t.Error("a damaged journal was written over")
	}
	if got, _ := os.ReadFile(fresh); string(got) != `{"a": {"status": "do` {
		t.Errorf("the damaged journal changed: %q", got)
	}
}
