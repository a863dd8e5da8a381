package i18n

// What went wrong with a file, in the user's words: an OS error ("open
// /x/.report-123: permission denied") is English and names paths the user
// never chose (temporary files), so a screen or a CLI message says the
// situation in a sentence of its own and keeps the OS text for the log.

import (
	"errors"
	"io"
	"io/fs"
	"syscall"

	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// FileReason is why a file operation failed, in lang: a phrase that fits
// after "cannot read/write FILE:" (keys file.reason.*). An error none of
// them fits is "the system refused" with the OS's own words, cleaned.
func FileReason(lang string, err error) string {
	key := fileReasonKey(err)
	switch key {
	case "file.reason.other":
		return T(lang, key, map[string]any{"Detail": Line(osText(err), 200)})
	case "file.reason.too_large":
		// The limit is said when the refusal knows it (readcap.Error).
		// Limits are whole KiB or MiB; the unit is a word of each language.
		var ce *readcap.Error
		if errors.As(err, &ce) && ce.Limit >= 1<<20 && ce.Limit%(1<<20) == 0 {
			return T(lang, "file.reason.too_large_mib", map[string]any{"N": ce.Limit >> 20})
		}
		if errors.As(err, &ce) && ce.Limit > 0 {
			return T(lang, "file.reason.too_large_kib", map[string]any{"N": (ce.Limit + 1023) >> 10})
		}
	}
	return T(lang, key, nil)
}

// FileReasonKeys are the keys FileReason may use, for completeness tests.
var FileReasonKeys = []string{"file.reason.not_found", "file.reason.permission", "file.reason.no_space",
	"file.reason.read_only", "file.reason.is_dir", "file.reason.not_dir", "file.reason.exists", "file.reason.too_large", "file.reason.too_large_mib", "file.reason.too_large_kib", "file.reason.not_regular", "file.reason.incomplete", "file.reason.other"}

// ErrTooLarge is a file over the size a caller accepts; wrap it to have
// FileReason say so (readcap.Error says the limit too).
var ErrTooLarge = readcap.ErrTooLarge

func fileReasonKey(err error) string {
	switch {
	case errors.Is(err, ErrTooLarge):
		return "file.reason.too_large"
	case errors.Is(err, readcap.ErrNotRegular):
		return "file.reason.not_regular"
	case errors.Is(err, io.ErrShortWrite):
		return "file.reason.incomplete"
	case errors.Is(err, fs.ErrNotExist):
		return "file.reason.not_found"
	case errors.Is(err, fs.ErrExist):
		// os.Rename onto a folder says EEXIST, as O_EXCL on a taken name.
		return "file.reason.exists"
	case errors.Is(err, fs.ErrPermission):
		return "file.reason.permission"
	case errors.Is(err, syscall.ENOSPC):
		return "file.reason.no_space"
	case errors.Is(err, syscall.EROFS):
		return "file.reason.read_only"
	case errors.Is(err, syscall.EISDIR):
		return "file.reason.is_dir"
	case errors.Is(err, syscall.ENOTDIR):
		return "file.reason.not_dir"
	}
	return "file.reason.other"
}

// osText is the OS's own words without the operation and the paths that
// *fs.PathError and *os.LinkError put before them (a temporary file's
// name among them).
func osText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
