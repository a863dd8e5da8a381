package i18n

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// TestFileReason: each OS error a user meets with a file is told in
// their language, and no reason names the path (a temporary file's among
// them) the OS error carries.
func TestFileReason(t *testing.T) {
	dir := t.TempDir()
	_, notFound := os.Open(filepath.Join(dir, "missing", "x"))
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	renameOnDir := os.Rename(file, sub)
	_, underFile := os.Create(filepath.Join(file, "x"))
	tmp := "/home/u/.report-123456"
	for _, c := range []struct {
		err  error
		want string
	}{
		{notFound, "file.reason.not_found"},
		{renameOnDir, "file.reason.exists"},
		{underFile, "file.reason.not_dir"},
		{&fs.PathError{Op: "open", Path: tmp, Err: syscall.EACCES}, "file.reason.permission"},
		{&os.LinkError{Op: "rename", Old: tmp, New: "/home/u/r.html", Err: syscall.ENOSPC}, "file.reason.no_space"},
		{&fs.PathError{Op: "open", Path: tmp, Err: syscall.EROFS}, "file.reason.read_only"},
		{&fs.PathError{Op: "open", Path: tmp, Err: syscall.EISDIR}, "file.reason.is_dir"},
		{fmt.Errorf("x: %w", ErrTooLarge), "file.reason.too_large"},
		{&readcap.Error{Path: tmp, Limit: 1 << 20, Err: readcap.ErrTooLarge}, "file.reason.too_large"},
		{&readcap.Error{Path: tmp, Err: readcap.ErrNotRegular}, "file.reason.not_regular"},
		{io.ErrShortWrite, "file.reason.incomplete"},
		{&fs.PathError{Op: "write", Path: tmp, Err: syscall.EIO}, "file.reason.other"},
	} {
		if got := fileReasonKey(c.err); got != c.want {
			t.Errorf("%v: %s, want %s", c.err, got, c.want)
		}
		for _, lang := range Languages {
			r := FileReason(lang, c.err)
			if r == "" || strings.Contains(r, "file.reason") || strings.Contains(r, tmp) || strings.Contains(r, dir) {
				t.Errorf("%s %v: reason %q", lang, c.err, r)
			}
		}
	}
	if r := FileReason("ru", &fs.PathError{Op: "write", Path: tmp, Err: syscall.EIO}); r != T("ru", "file.reason.other", map[string]any{"Detail": syscall.EIO.Error()}) {
		t.Errorf("ru other: %q", r)
	}
	if r := FileReason("ru", &readcap.Error{Path: tmp, Limit: 64 << 10, Err: readcap.ErrTooLarge}); !strings.Contains(r, "64 КБ") {
		t.Errorf("ru limit: %q", r)
	}
	if r := FileReason("en", &readcap.Error{Path: tmp, Limit: 4 << 20, Err: readcap.ErrTooLarge}); !strings.Contains(r, "4 MiB") {
		t.Errorf("en limit: %q", r)
	}
	for _, k := range FileReasonKeys {
		for _, lang := range Languages {
			if s, _ := CatalogKeys(lang); strings.TrimSpace(s[k]) == "" {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
	}
}
