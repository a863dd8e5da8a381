package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := Write(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	st, _ := os.Stat(p)
	if string(b) != "new" || st.Mode().Perm() != 0o644 {
		t.Fatalf("%q %v", b, st.Mode())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestCrashBeforeRenameKeepsTheOld(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	Write(p, []byte("old"), 0o600)
	var seen []byte
	err := WriteBefore(p, []byte("new"), 0o600, func(tmp string) error {
		seen, _ = os.ReadFile(tmp)
		return errors.New("crash")
	})
	b, _ := os.ReadFile(p)
	if err == nil || string(b) != "old" || string(seen) != "new" {
		t.Fatalf("err %v, file %q, temporary %q", err, b, seen)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestWriteIntoAMissingFolderFails(t *testing.T) {
	if err := Write(filepath.Join(t.TempDir(), "no", "f"), []byte("x"), 0o600); err == nil {
		t.Fatal("wrote into a folder that does not exist")
	}
}
