package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// TestFileErrorsNameTheUsersPath: a report or CSR that cannot be written
// is told with the path the user gave and why in the user's words, never
// with the temporary file written beside it nor the OS's English.
func TestFileErrorsNameTheUsersPath(t *testing.T) {
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o755); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	failing := func(w io.Writer) error { _, err := w.Write([]byte("x")); return errors.Join(err, io.ErrShortWrite) }
	ok := func(w io.Writer) error { _, err := w.Write([]byte("x")); return err }
	for _, c := range []struct {
		name, path string
		err        error
	}{
		{"no folder", filepath.Join(dir, "missing", "r.txt"), writeTo(filepath.Join(dir, "missing", "r.txt"), nil, ok)},
		{"a folder", sub, writeTo(sub, nil, ok)},
		{"the writer fails", filepath.Join(dir, "w.txt"), writeTo(filepath.Join(dir, "w.txt"), nil, failing)},
		{"atomic, no folder", filepath.Join(dir, "missing", "auth.csr.der"), writeFileAtomic(filepath.Join(dir, "missing", "auth.csr.der"), []byte("x"), 0o644)},
		{"atomic, onto a folder", sub, writeFileAtomic(sub, []byte("x"), 0o644)},
	} {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, lang := range i18n.Languages {
			msg := tellIn(lang, c.err)
			if !strings.Contains(msg, c.path) || strings.Contains(msg, ".report-") || strings.Contains(msg, "."+filepath.Base(c.path)+".") ||
				strings.Contains(msg, "no such file or directory") || strings.Contains(msg, "is a directory") || strings.Contains(msg, "file exists") {
				t.Errorf("%s %s: %q", c.name, lang, msg)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}
