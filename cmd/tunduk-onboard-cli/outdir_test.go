package main

import (
	"os"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// readOnlyDir is a folder nobody can make files in, root included
// (sysfs); the test skips where it is not so.
func readOnlyDir(t *testing.T) string {
	t.Helper()
	d := "/sys/kernel"
	if f, err := os.CreateTemp(d, "probe-*"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("/sys/kernel is writable here")
	}
	return d
}

// TestOutputFolderCheckedFirst: a verb whose output folder cannot take a
// file stops before it touches anything, naming the folder in the user's
// words: csr sign before the PIN is read or tried (a wrong PIN on stdin
// spends no try), submit before the store holds the submission.
func TestOutputFolderCheckedFirst(t *testing.T) {
	ro := readOnlyDir(t)
	out := ro // there: made by nobody, written by nobody
	label := softToken(t, "outdir")
	code, _, errOut := tok(t, "wrong-pin\n", "csr", "sign", "--token", label, "--pin-stdin", "--id", "01",
		"--member-code", "70000001", "--org-name", testOrgName, "--member-class", "GOV", "--server-code", "ss-01",
		"--out", out, "--lang", "ru")
	want := i18n.T("ru", "cli.file.write", map[string]any{"Path": out, "Reason": i18n.T("ru", "file.reason.permission", nil)})
	if code != exitCannot || !strings.Contains(errOut, want) {
		t.Errorf("csr sign into %s: exit %d, want %q\n%s", out, code, want, errOut)
	}
	if ti := listToken(t, label); ti.UserPINCountLow || ti.UserPINFinalTry {
		t.Errorf("a PIN try was spent: %+v", ti)
	}

	e := newSubmitEnv(t)
	code, _, errOut = e.run("", append(e.base("folder"), "--out", out, "--lang", "en")...)
	if code != exitCannot || !strings.Contains(errOut, out) {
		t.Errorf("submit --out %s: exit %d\n%s", out, code, errOut)
	}
	if ents, _ := os.ReadDir(e.store); len(ents) != 0 {
		t.Errorf("the store holds %d entries after a refused submit", len(ents))
	}
}
