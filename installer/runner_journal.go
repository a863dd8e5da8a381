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
	j := Journal{}
	if strings.Contains(out, journalUnreadable) {
		return nil, &JournalError{Path: s.r.journalPath(), Err: errors.New("not readable as a file")}
	}
	if strings.TrimSpace(out) == "" {
		return j, nil
	}
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		return nil, &JournalError{Path: s.r.journalPath(), Err: err}
	}
	return j, nil
}

// writeJournal replaces the journal atomically: a temp file in the same
// directory, then mv (rename(2)).
func (s *session) writeJournal(ctx context.Context, j Journal) error {
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	p := s.r.journalPath()
	tmp := p + ".tmp"
	cmd := fmt.Sprintf("umask 077 && mkdir -p %s && cat > %s && mv -f %s %s", q(path.Dir(p)), q(tmp), q(tmp), q(p))
	_, _, err = s.execData(ctx, cmd, string(b)+"\n")
	return err
}
