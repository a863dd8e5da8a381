// Package bundletest opens a support bundle for tests: each file by its
// name below the bundle's one folder.
package bundletest

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"strings"
	"testing"
)

// maxFile bounds what one file of a bundle may hold when read back: a
// bundle keeps at most bundle.MaxFile of each, and its manifest.
const maxFile = 8 << 20

// Files is every file of the bundle at path, by its name without the
// bundle's folder ("manifest.json", "logs/x.log").
func Files(t testing.TB, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(io.LimitReader(tr, maxFile))
		if err != nil {
			t.Fatal(err)
		}
		_, name, _ := strings.Cut(h.Name, "/")
		out[name] = b
	}
}
