package installer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
)

// Journal statuses.
const (
	JournalStarted = "started" // launched (or about to be); not finished
	JournalDone    = "done"
	JournalFailed  = "failed"
)

// JournalEntry is what the host's journal records about one step.
type JournalEntry struct {
	Status      string `json:"status"`
	Started     string `json:"started,omitempty"`  // RFC 3339, UTC
	Finished    string `json:"finished,omitempty"` // RFC 3339, UTC
	ApplySHA256 string `json:"apply_sha256,omitempty"`
	// Attempt numbers the launches of this step; its files in LogDir and
	// its unit are named after it, so a new attempt never mixes with an old
	// one.
	Attempt  int    `json:"attempt,omitempty"`
	Unit     string `json:"unit,omitempty"` // systemd unit or setsid job name
	PID      int    `json:"pid,omitempty"`  // detached step's main process
	Detached bool   `json:"detached,omitempty"`
	ExitCode int    `json:"exit_code,omitempty"`
}

// Journal maps step IDs to entries; it is the JSON file on the host.
type Journal map[string]JournalEntry

func applySHA(s Step) string {
	h := sha256.Sum256([]byte(s.Apply))
	return hex.EncodeToString(h[:])
}

// journalUnreadable is printed when the journal is there and cat cannot
// read it (a folder in its place, a broken file system): the journal is
// damaged, never taken for a missing one and written over.
const journalUnreadable = "tunduk-onboard: journal unreadable"

// JournalError is a journal on the host that is there and cannot be read
// or is not a journal: the run stops before it changes anything, and the
// file is left as it is for the user to look at and move aside.
type JournalError struct {
	Path string
	Err  error
}

func (e *JournalError) Error() string {
	return fmt.Sprintf("installer: the journal %s on the host is damaged (move it away to start over): %v", e.Path, e.Err)
}

func (e *JournalError) Unwrap() error { return e.Err }

// readJournal reads the journal from the host; a missing file is empty.
func (s *session) readJournal(ctx context.Context) (Journal, error) {
	p := q(s.r.journalPath())
	out, _, err := s.exec(ctx, "if [ -e "+p+" ] || [ -L "+p+" ]; then cat -- "+p+" 2>/dev/null || echo '"+journalUnreadable+"'; fi", "")
	if err != nil {
		return nil, err
	}
	if strings.Contains(out, journalUnreadable) {
		return nil, &JournalError{Path: s.r.journalPath(), Err: errors.New("not readable as a file")}
	}
	return parseJournal(s.r.journalPath(), []byte(out))
}

// parseJournal reads a journal file's content; empty is an empty journal.
// The runner (over its connection) and RecordStep (on the host itself)
// both read it here.
func parseJournal(path string, b []byte) (Journal, error) {
	j := Journal{}
	if strings.TrimSpace(string(b)) == "" {
		return j, nil
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, &JournalError{Path: path, Err: err}
	}
	return j, nil
}

// encodeJournal is the journal file's content, as both writers write it.
func encodeJournal(j Journal) ([]byte, error) {
	b, err := json.MarshalIndent(j, "", "  ")
	return append(b, '\n'), err
}

// passedEntry is the entry of a step whose Check passed, given its earlier
// one; false when the journal already says done (nothing to write).
func passedEntry(prev JournalEntry, sha string) (JournalEntry, bool) {
	if prev.Status == JournalDone {
		return prev, false
	}
	return JournalEntry{Status: JournalDone, Started: now(), Finished: now(), ApplySHA256: sha, Attempt: prev.Attempt}, true
}

// startedEntry is the entry written before a step's Apply: the next
// attempt of the earlier one.
func startedEntry(prev JournalEntry, sha string, detached bool) JournalEntry {
	return JournalEntry{Status: JournalStarted, Started: now(), ApplySHA256: sha, Attempt: prev.Attempt + 1, Detached: detached}
}

// finishedEntry is e once its Apply ended with code.
func finishedEntry(e JournalEntry, code int) JournalEntry {
	e.Finished = now()
	e.ExitCode = code
	e.Status = JournalDone
	if code != 0 {
		e.Status = JournalFailed
	}
	return e
}

// writeJournal replaces the journal atomically: a temp file in the same
// directory, then mv (rename(2)).
func (s *session) writeJournal(ctx context.Context, j Journal) error {
	b, err := encodeJournal(j)
	if err != nil {
		return err
	}
	p := s.r.journalPath()
	tmp := p + ".tmp"
	cmd := fmt.Sprintf("umask 077 && mkdir -p %s && cat > %s && mv -f %s %s", q(path.Dir(p)), q(tmp), q(tmp), q(p))
	_, _, err = s.execData(ctx, cmd, string(b))
	return err
}
