package enroll

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSaveToFolderVerifiedCopy(t *testing.T) {
	p := buildTest(t)
	dest := t.TempDir()
	dir, err := SaveToFolder(p, dest)
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(dest, p.Manifest.ID) {
		t.Fatalf("saved to %s", dir)
	}
	q, err := Open(dir)
	if err != nil || q.Manifest.ID != p.Manifest.ID {
		t.Fatalf("copy does not open: %v", err)
	}
	// Saving again to the same place is fine: it is the same package.
	if again, err := SaveToFolder(p, dest); err != nil || again != dir {
		t.Fatalf("second save: %s %v", again, err)
	}
	// A different package already there under that name is refused, not
	// overwritten.
	os.WriteFile(filepath.Join(dir, "sign.csr.der"), []byte("other"), 0o644)
	if _, err := SaveToFolder(p, dest); errKey(err) != "enroll.err.folder_exists" {
		t.Fatalf("existing different copy: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "sign.csr.der")); string(b) != "other" {
		t.Fatal("the existing folder was overwritten")
	}
}

// The stick accepts the write and returns other bytes: the read-back
// catches it, says which file, and leaves no bad copy behind.
func TestSaveToFolderDetectsCorruptedCopy(t *testing.T) {
	p := buildTest(t)
	dest := t.TempDir()
	testHookAfterCopy = func(dir string) {
		f := filepath.Join(dir, "auth.csr.der")
		b, _ := os.ReadFile(f)
		b[10] ^= 0x40
		os.WriteFile(f, b, 0o644)
	}
	defer func() { testHookAfterCopy = nil }()
	_, err := SaveToFolder(p, dest)
	if errKey(err) != "enroll.err.folder_verify" || err.(*Error).Data["File"] != "auth.csr.der" {
		t.Fatalf("corrupted copy: %v", err)
	}
	if ents, _ := os.ReadDir(dest); len(ents) != 0 {
		t.Fatalf("a bad copy was left: %d entries", len(ents))
	}
	// A package changed in the store is never copied.
	testHookAfterCopy = nil
	os.WriteFile(filepath.Join(p.Dir, "participant.json"), []byte("{}"), 0o644)
	if _, err := SaveToFolder(p, dest); errKey(err) != "enroll.err.file_changed" {
		t.Fatalf("changed source: %v", err)
	}
}
