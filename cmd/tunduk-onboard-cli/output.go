package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// writeTo runs write on stdout, or, when path is given, on a temporary
// file beside path that replaces path only when write succeeded: a failed
// run never leaves half a report. Its error names path, never the
// temporary file (fileErr).
func writeTo(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(stdout)
	}
	failed := func(err error) error { return &fileErr{op: "write", path: path, err: err} }
	// A device, pipe or socket (/dev/null, /dev/stdout, a FIFO) is written
	// in place: renaming over it would replace the device with a file.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return failed(syscall.EISDIR)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return failed(err)
		}
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return failed(err)
		}
		return nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".report-*")
	if err != nil {
		return failed(err)
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return failed(err)
	}
	return nil
}

// wrote tells on w where a file the user asked for was written: the path
// as the user's shell resolves it, so a relative --output is found too.
func wrote(w io.Writer, lang, key, path string) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	fmt.Fprintln(w, i18n.T(lang, key, map[string]any{"Path": path}))
}
