package enroll

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"io"
	"os"
	"path/filepath"
)

// writeFileSync writes data to path and flushes it to the disk before
// closing, so a rename that follows never publishes an empty file after a
// power cut.
func writeFileSync(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// hashFile returns the size and hex SHA-256 of the file at path, a
// regular file of at most readcap.PackageFile bytes (streamed: a FIFO or
// /dev/zero in a package must not hold or fill the program).
func hashFile(path string) (int64, string, error) {
	f, err := readcap.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, readcap.PackageFile+1))
	if err != nil {
		return 0, "", err
	}
	if n > readcap.PackageFile {
		return 0, "", &readcap.Error{Path: path, Limit: readcap.PackageFile, Err: readcap.ErrTooLarge}
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// readPackageFile reads the file name of the package in dir within
// readcap.PackageFile.
func readPackageFile(dir, name string) ([]byte, error) {
	return readcap.ReadFile(filepath.Join(dir, name), readcap.PackageFile)
}

// fileError is the error for the package file name in dir that could not
// be read: too large or not a file are said as such (with the limit),
// anything else as missing.
func fileError(dir, name string, err error) error {
	var ce *readcap.Error
	switch {
	case errors.As(err, &ce) && ce.Err == readcap.ErrTooLarge:
		return &Error{Key: "enroll.err.file_too_large", Data: map[string]any{"File": name, "Dir": dir, "MiB": ce.Limit >> 20}, Err: err}
	case errors.Is(err, readcap.ErrNotRegular):
		return &Error{Key: "enroll.err.file_not_regular", Data: map[string]any{"File": name, "Dir": dir}, Err: err}
	}
	return &Error{Key: "enroll.err.file_missing", Data: map[string]any{"File": name, "Dir": dir}, Err: err}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
