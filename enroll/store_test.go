package enroll

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStoreStagesForwardOnlyAndSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, r, err := s.Create(testInput(t))
	if err != nil {
		t.Fatal(err)
	}
	if r.Stage != StagePrepared || len(r.History) != 1 || filepath.Dir(p.Dir) != dir {
		t.Fatalf("created %+v in %s", r, p.Dir)
	}
	if _, err := os.Stat(filepath.Join(p.Dir, StatusName)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Advance(r.ID, StageSent, ViaSMTP, "kuc@infocom.kg"); err != nil {
		t.Fatal(err)
	}
	// Backwards is refused and changes nothing.
	if _, err := s.Advance(r.ID, StagePrepared, "", ""); errKey(err) != "enroll.err.stage_backwards" {
		t.Fatalf("backwards: %v", err)
	}
	if _, err := s.Advance(r.ID, "lost", "", ""); errKey(err) != "enroll.err.stage_unknown" {
		t.Fatalf("unknown stage: %v", err)
	}
	// Skipping forward is allowed (the certificates came another way).
	if _, err := s.Advance(r.ID, StageImported, "", "imported by hand"); err != nil {
		t.Fatal(err)
	}

	// A new Store on the same folder (a restart) sees it all.
	s2, _ := OpenStore(dir)
	got, err := s2.Get(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stage != StageImported || got.Via != ViaSMTP || len(got.History) != 3 ||
		got.History[1].Stage != StageSent || got.History[1].Note != "kuc@infocom.kg" || got.History[2].Note != "imported by hand" ||
		got.Participant.Name != orgName {
		t.Fatalf("after reopen %+v", got)
	}
	if _, err := s2.Advance(r.ID, StageSent, "", ""); errKey(err) != "enroll.err.stage_backwards" {
		t.Fatalf("backwards after reopen: %v", err)
	}
	if _, err := s2.Open(r.ID); err != nil {
		t.Fatalf("package in store: %v", err)
	}
	if _, err := s2.Get("../etc"); errKey(err) != "enroll.err.not_found" {
		t.Fatalf("path id: %v", err)
	}
}

func TestStoreListNewestFirst(t *testing.T) {
	s, _ := OpenStore(t.TempDir())
	if _, ok, err := s.Latest(); ok || err != nil {
		t.Fatalf("empty store: %v %v", ok, err)
	}
	var ids []string
	for i := 0; i < 3; i++ {
		_, r, err := s.Create(testInput(t))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	// The outbox and a stray folder are not submissions.
	if _, err := s.Outbox(); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(s.Dir(), "not-a-submission"), 0o755)
	l, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 3 || l[0].ID != ids[2] || l[1].ID != ids[1] || l[2].ID != ids[0] {
		t.Fatalf("list %v, created %v", recIDs(l), ids)
	}
	latest, ok, err := s.Latest()
	if !ok || err != nil || latest.ID != ids[2] {
		t.Fatalf("latest %v %v %v", latest.ID, ok, err)
	}
}

func recIDs(l []Record) []string {
	var out []string
	for _, r := range l {
		out = append(out, r.ID)
	}
	return out
}
