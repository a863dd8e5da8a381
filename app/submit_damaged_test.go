package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
)

// TestSubmitShowsDamagedStoreFiles: the Submit step lists each saved
// status file and outbox item that cannot be read, naming its path in the
// user's language, beside this organisation's sound submission, and the
// files are left as they were.
func TestSubmitShowsDamagedStoreFiles(t *testing.T) {
	dir := t.TempDir()
	h := newSubmitHarness(t, dir, nil)
	auth, sign := setTestCSRs(t, h.wz)
	prepareSubmission(t, h, dir, auth, sign)
	status := filepath.Join(dir, "20200101-GOV-70000001-SS1-dead", enroll.StatusName)
	item := filepath.Join(dir, ".outbox", "0123456789abcdef0123456789abcdef.json")
	for _, p := range []string{status, item} {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(status, []byte(`{"id": 42}`), 0o600)
	os.WriteFile(item, []byte(`{"idempotency_key": "trunc`), 0o600)
	h2 := newSubmitHarness(t, dir, nil)
	if err := SetLanguage("ru"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { SetLanguage("en") })
	v := h2.show(t)
	shown := strings.Join(labelsIn(v.timeline), "\n")
	for _, p := range []string{status, item} {
		if want := T("submit.damaged", map[string]any{"Path": p}); !strings.Contains(shown, want) {
			t.Errorf("%q not shown:\n%s", want, shown)
		}
	}
	if !strings.Contains(shown, T("submit.damaged.todo")) || !strings.Contains(shown, "оставлен как есть") {
		t.Errorf("what to do not shown in Russian:\n%s", shown)
	}
	if h2.wz.submit.record == nil {
		t.Error("the sound submission is not shown beside the damaged ones")
	}
	if b, _ := os.ReadFile(status); string(b) != `{"id": 42}` {
		t.Errorf("the damaged status changed: %q", b)
	}
	if b, _ := os.ReadFile(item); string(b) != `{"idempotency_key": "trunc` {
		t.Errorf("the damaged item changed: %q", b)
	}
}
