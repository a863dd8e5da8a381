package installer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// RecordStep keeps the journal for a step that another engine ran on this
// very host (the exported Ansible role: installer/ansible), with the
// runner's own entries (passedEntry, startedEntry, finishedEntry), so a
// server half-installed by one is finished by the other. applied says the
// step's Apply ran and succeeded; otherwise its Check passed. applySHA is
// the step's applySHA, computed where the plan was made. changed is false
// when the journal already said so.
func RecordStep(path, id, applySHA string, applied bool) (changed bool, err error) {
	b, err := readcap.ReadFile(path, readcap.Journal)
	if errors.Is(err, fs.ErrNotExist) {
		b, err = nil, nil
	}
	if err != nil {
		return false, &JournalError{Path: path, Err: err}
	}
	j, err := parseJournal(path, b)
	if err != nil {
		return false, err
	}
	e := j[id]
	if applied {
		e = finishedEntry(startedEntry(e, applySHA, false), 0)
	} else if e, changed = passedEntry(e, applySHA); !changed {
		return false, nil
	}
	j[id] = e
	if b, err = encodeJournal(j); err != nil {
		return false, err
	}
	// The runner's umask 077: the journal and its folder are root's.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, err
	}
	return true, atomicfile.Write(path, b, 0o600)
}

// ApplySHA256 is what the journal records of st's Apply (JournalEntry's
// ApplySHA256).
func ApplySHA256(st Step) string { return applySHA(st) }
