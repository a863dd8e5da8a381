package readcap

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadFileRefusesWhatIsNotASmallFile: /dev/zero, a FIFO nobody writes
// to, a folder and an oversized file are refused at once, each with its
// reason; a file of exactly the limit is read.
func TestReadFileRefusesWhatIsNotASmallFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 1025), 0o600); err != nil {
		t.Fatal(err)
	}
	exact := filepath.Join(dir, "exact")
	if err := os.WriteFile(exact, []byte(strings.Repeat("x", 1024)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want error
	}{
		{"/dev/zero", ErrNotRegular},
		{fifo, ErrNotRegular},
		{dir, syscall.EISDIR},
		{big, ErrTooLarge},
		{filepath.Join(dir, "missing"), os.ErrNotExist},
	} {
		start := time.Now()
		_, err := ReadFile(c.path, 1024)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.path, err, c.want)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v", c.path, d)
		}
	}
	var ce *Error
	if _, err := ReadFile(big, 1024); !errors.As(err, &ce) || ce.Limit != 1024 || ce.Path != big {
		t.Errorf("big: %#v", err)
	}
	if b, err := ReadFile(exact, 1024); err != nil || len(b) != 1024 {
		t.Errorf("exact: %d %v", len(b), err)
	}
}

// TestReadAllStopsAtTheLimit: an endless reader is cut after limit+1 bytes.
func TestReadAllStopsAtTheLimit(t *testing.T) {
	f, err := os.Open("/dev/zero")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := ReadAll(f, "/dev/zero", 64<<10); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("%v", err)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{1 << 20: "1 MiB", 64 << 10: "64 KiB", 100: "100 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("%d: %s", n, got)
		}
	}
}
