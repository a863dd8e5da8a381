package srcdir

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRootFindsThisModuleFromBelow(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "srcdir", "srcdir.go")); err != nil {
		t.Fatalf("Root() = %s, which does not hold this package: %v", root, err)
	}
	p, err := Path("xroad/testdata")
	if err != nil || p != filepath.Join(root, "xroad", "testdata") {
		t.Fatalf("Path: %q, %v", p, err)
	}
}

func TestRootRefusesAnotherModule(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/other\n\ngo 1.26\n"), 0o644)
	sub := filepath.Join(dir, "a", "b")
	os.MkdirAll(sub, 0o755)
	t.Chdir(sub)
	if root, err := Root(); err == nil {
		t.Fatalf("Root() = %s from inside another module, want an error", root)
	}
}
