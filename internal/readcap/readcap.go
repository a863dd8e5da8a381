// Package readcap reads a file the user named without trusting it: the
// name may be /dev/zero, a FIFO nobody writes to, a folder, or a file of
// gigabytes. Every such file is opened without blocking, checked to be a
// regular file, and read through a limit fitting what it holds, so an
// oversized or endless one is refused before memory grows. The limits are
// in limits.go, in one place.
package readcap

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

var (
	// ErrTooLarge is a file over the limit its caller accepts.
	ErrTooLarge = errors.New("file too large")
	// ErrNotRegular is a device, a FIFO or a socket where a file belongs.
	ErrNotRegular = errors.New("not a regular file")
)

// Error is a file refused before it was read whole: it names the file and,
// for ErrTooLarge, the limit (i18n.FileReason says both in the user's words).
type Error struct {
	Path  string
	Limit int64
	Err   error
}

func (e *Error) Error() string {
	if e.Err == ErrTooLarge {
		return fmt.Sprintf("%s: larger than %s: %v", e.Path, Size(e.Limit), e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Open opens path for reading, refusing what is not a regular file. The
// open does not block: a FIFO with no writer would hold it for ever. Use
// it to stream a large file (a package being hashed); for a file read
// whole, ReadFile.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	switch {
	case st.IsDir():
		f.Close()
		return nil, &fs.PathError{Op: "read", Path: path, Err: syscall.EISDIR}
	case !st.Mode().IsRegular():
		f.Close()
		return nil, &Error{Path: path, Err: ErrNotRegular}
	}
	return f, nil
}

// ReadFile reads a regular file of at most limit bytes. A larger one is
// refused from its size before a byte is read, and, should it grow while
// read, after limit+1 bytes.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > limit {
		return nil, &Error{Path: path, Limit: limit, Err: ErrTooLarge}
	}
	return ReadAll(f, path, limit)
}

// ReadAll reads r to its end, refusing more than limit bytes; name is the
// file's name for the error.
func ReadAll(r io.Reader, name string, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &Error{Path: name, Limit: limit, Err: ErrTooLarge}
	}
	return data, nil
}

// Size says n bytes for people: "64 KiB", "1 MiB" (the limits are round).
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
