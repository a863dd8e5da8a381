package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// writableDir checks, before a verb changes anything on a token, a server
// or the store, that files can be made in dir: a file is made there and
// removed. A folder not there yet (made later) is tried at its nearest
// existing parent. A verb that would fail only at its end, after a PIN
// try, a key made on a token or a CSR on a server, fails here instead.
func writableDir(dir string) error {
	d := dir
	for {
		st, err := os.Stat(d)
		if err == nil {
			if !st.IsDir() {
				return &fileErr{op: "mkdir", path: dir, err: syscall.ENOTDIR}
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return &fileErr{op: "write", path: dir, err: err}
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	f, err := os.CreateTemp(d, ".tunduk-onboard-probe-*")
	if err != nil {
		return &fileErr{op: "write", path: dir, err: err}
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
