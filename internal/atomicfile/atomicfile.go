// Package atomicfile replaces a file so that a reader (or the next run,
// after a crash or a full disk) finds the old content or the new, never
// part of it: records, CSRs, packages, reports.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write replaces path with data: a temporary file beside it (".NAME.tmp-*",
// which listings that skip dot files never show), written, synced, given
// perm, renamed over path, and the folder synced. On an error the
// temporary file is gone and path is as it was; the error is the OS's.
func Write(path string, data []byte, perm os.FileMode) error {
	return WriteBefore(path, data, perm, nil)
}

// WriteBefore is Write with beforeRename called (when not nil) once the
// temporary file is complete and before it replaces path: tests make it
// fail to act out a crash at the worst moment.
func WriteBefore(path string, data []byte, perm os.FileMode, beforeRename func(tmp string) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm)
	}
	if err == nil && beforeRename != nil {
		err = beforeRename(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	SyncDir(dir)
	return nil
}

// SyncDir makes a rename in dir durable. Not every OS can open a folder
// for syncing (Windows cannot); the rename has happened either way.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
