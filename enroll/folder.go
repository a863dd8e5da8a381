package enroll

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
)

// SaveToFolder copies the package to dest/<name>/ (Manifest.Name) through a temporary
// folder, then reads the copy back and checks every hash: a USB stick can
// accept a write and return other bytes. An existing dest/<ID> is accepted
// only when it verifies identical to this package (saving twice is fine),
// and refused otherwise rather than overwritten.
func SaveToFolder(p *Package, dest string) (string, error) {
	m, files, err := readVerified(p)
	if err != nil {
		return "", err
	}
	final := filepath.Join(dest, m.Name())
	writeErr := func(err error) error {
		return &Error{Key: "enroll.err.folder_write", Data: map[string]any{"Dir": dest}, Err: err}
	}
	if _, err := os.Lstat(final); err == nil {
		if same(final, files) {
			return final, nil
		}
		return "", &Error{Key: "enroll.err.folder_exists", Data: map[string]any{"Dir": final}}
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return "", writeErr(err)
	}
	tmp, err := os.MkdirTemp(dest, ".copying-")
	if err != nil {
		return "", writeErr(err)
	}
	for name, data := range files {
		if err := writeFileSync(filepath.Join(tmp, name), data, 0o644); err != nil {
			os.RemoveAll(tmp)
			return "", writeErr(err)
		}
	}
	atomicfile.SyncDir(tmp)
	err = os.Chmod(tmp, 0o755)
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return "", writeErr(err)
	}
	atomicfile.SyncDir(dest)
	if testHookAfterCopy != nil {
		testHookAfterCopy(final)
	}
	// Read back through the folder as a reader will see it: the manifest
	// there must verify and hold what we wrote.
	if _, err := Open(final); err != nil || !same(final, files) {
		if err == nil {
			err = &Error{Key: "enroll.err.file_changed", Data: map[string]any{"File": ManifestName, "Dir": final}}
		}
		// A copy that does not read back is removed, so saving again (to
		// another stick) starts clean.
		os.RemoveAll(final)
		var e *Error
		if errors.As(err, &e) {
			return "", &Error{Key: "enroll.err.folder_verify", Data: map[string]any{"Dir": final, "File": e.Data["File"]}, Err: err}
		}
		return "", &Error{Key: "enroll.err.folder_verify", Data: map[string]any{"Dir": final, "File": ""}, Err: err}
	}
	return final, nil
}

// same reports whether dir holds exactly files (the names sent, byte for
// byte).
func same(dir string, files map[string][]byte) bool {
	for name, data := range files {
		got, err := readPackageFile(dir, name)
		if err != nil || sha256Hex(got) != sha256Hex(data) {
			return false
		}
	}
	return true
}

// testHookAfterCopy lets a test play the lying USB stick: it changes the
// copy between the write and the read-back.
var testHookAfterCopy func(dir string)
