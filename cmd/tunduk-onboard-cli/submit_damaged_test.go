package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// TestSubmitListsDamagedStoreFiles: a submission's status file and an
// outbox item that cannot be read (truncated, garbage) are listed by
// submit list, status and flush with their paths, in each language, and
// in the JSON; the verb ends with exit 1 after its output, the sound
// submission still listed, and the damaged files are left as they were.
// status of the damaged submission names its file.
func TestSubmitListsDamagedStoreFiles(t *testing.T) {
	e := newSubmitEnv(t)
	_, sent := e.toFolder()
	good := sent.ID
	badID := "20200101-GOV-70000001-SS1-dead"
	status := filepath.Join(e.store, badID, "status.json")
	item := filepath.Join(e.store, ".outbox", "0123456789abcdef0123456789abcdef.json")
	for _, d := range []string{filepath.Dir(status), filepath.Dir(item)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(status, []byte(`{"id": "`+badID+`", "stage": "se`), 0o600)
	os.WriteFile(item, []byte("\x00\xffgarbage"), 0o600)

	for _, lang := range i18n.Languages {
		for _, verb := range [][]string{{"submit", "list"}, {"submit", "status"}, {"submit", "flush"}} {
			code, out, errOut := e.run("", append(verb, "--store", e.store, "--lang", lang)...)
			all := out + errOut
			if code != exitFailed {
				t.Errorf("%s %s: exit %d, want %d\n%s", lang, verb[1], code, exitFailed, all)
			}
			for _, p := range []string{status, item} {
				if want := i18n.T(lang, "cli.submit.damaged", map[string]any{"Path": p}); !strings.Contains(all, want) {
					t.Errorf("%s %s: %q not said\n%s", lang, verb[1], want, all)
				}
			}
			if !strings.Contains(all, i18n.T(lang, "cli.submit.damaged_todo", nil)) {
				t.Errorf("%s %s: what to do not said\n%s", lang, verb[1], all)
			}
			if verb[1] == "list" && !strings.Contains(out, good) {
				t.Errorf("%s list: the sound submission not listed\n%s", lang, out)
			}
		}
	}
	code, out, _ := e.run("", "submit", "list", "--store", e.store, "--format", "json")
	l := decodeSubmit(t, out)
	if code != exitFailed || len(l.Records) != 1 || len(l.Damaged) != 2 {
		t.Errorf("list --format json: exit %d, %d records, damaged %v", code, len(l.Records), l.Damaged)
	}
	code, _, errOut := e.run("", "submit", "status", badID, "--store", e.store, "--lang", "en")
	if code != exitCannot || !strings.Contains(errOut, status) {
		t.Errorf("status of the damaged one: exit %d\n%s", code, errOut)
	}
	if b, _ := os.ReadFile(status); !strings.HasSuffix(string(b), `"se`) {
		t.Errorf("the damaged status file changed: %q", b)
	}
	if b, _ := os.ReadFile(item); string(b) != "\x00\xffgarbage" {
		t.Errorf("the damaged outbox item changed: %q", b)
	}
}
