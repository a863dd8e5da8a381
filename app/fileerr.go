package app

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// fileText is a file the user chose that could not be read or written,
// in the user's words: the situation (key, a sentence with {{.Reason}})
// and why (i18n.FileReason), never the OS error itself, which is English
// and may name a temporary file.
func fileText(key string, err error) string {
	return T(key, map[string]any{"Reason": i18n.FileReason(CurrentLanguage(), err)})
}

// causeText is the cause of a flow's error as a card's detail: a file
// error in the user's words (the OS's names a temporary file beside the
// user's), anything else as it came, cleaned.
func causeText(err error) string {
	var pe *fs.PathError
	var le *os.LinkError
	var errno syscall.Errno
	if errors.As(err, &pe) || errors.As(err, &le) || errors.As(err, &errno) || errors.Is(err, io.ErrShortWrite) {
		return i18n.FileReason(CurrentLanguage(), err)
	}
	return i18n.Line(err.Error(), 600)
}

// fileProblem is fileText, with the OS error written to the log.
func fileProblem(key string, err error) string {
	log.WithError(errors.New(i18n.Line(err.Error(), 600))).WithField("message", key).Warn("file not read or written")
	return fileText(key, err)
}
