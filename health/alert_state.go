package health

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// StateSchema is AlertState.Schema.
const StateSchema = "tunduk-onboard.alert-state/v1"

// AlertState remembers which problems each channel was told of, so a
// warning or a critical is sent once, not on every run, and its clearing
// once. It holds no secret: a channel is named by where it sends
// ("telegram:<chat>", "smtp:<recipients>"), never by a token.
type AlertState struct {
	Schema string `json:"schema"`
	Sent   []Sent `json:"sent"`
}

// Sent is one problem a channel was told of and not yet of its end.
type Sent struct {
	Channel string `json:"channel"`
	Host    string `json:"host"`
	ID      string `json:"id"`
	Status  Status `json:"status"`
	// Stage is the finding's Stage when told. Files of versions that kept
	// none lack it (schema v1 either way): see AlertState.plan.
	Stage string    `json:"stage,omitempty"`
	Title i18n.Text `json:"title"` // to name it when it ends unseen
	At    time.Time `json:"at"`
}

// StateError is a state file (the alerts' or status's history) that
// exists but cannot be used: not JSON, another schema, too large. It is
// reported, never passed over in silence: the run goes on from an empty
// state (for alerts: a problem told twice beats one never told) and the
// damaged file is kept aside.
type StateError struct {
	Path string
	Kept string // where the damaged file was moved; "" if it could not be
	Err  error
}

func (e *StateError) Error() string {
	return fmt.Sprintf("health: state file %s is damaged (kept as %s), started again from an empty state: %v", e.Path, e.Kept, e.Err)
}

func (e *StateError) Unwrap() error { return e.Err }

// LoadAlertState reads the state at path. No file is an empty state. A
// damaged one (not JSON, another schema, too large, not a regular file)
// gives an empty state and a *StateError; one that cannot be read at
// all, no state and the OS's error.
func LoadAlertState(path string) (*AlertState, error) {
	st, err := loadState(path, readcap.AlertState, StateSchema, func(s *AlertState) string { return s.Schema })
	if st == nil && (err == nil || isStateError(err)) {
		st = &AlertState{Schema: StateSchema}
	}
	return st, err
}

// loadState reads the JSON state of schema want at path, at most limit
// bytes: nil and no error when there is no file; nil and a *StateError
// when it is damaged (moved aside); nil and the OS's error when it
// cannot be read at all.
func loadState[T any](path string, limit int64, want string, schema func(*T) string) (*T, error) {
	b, err := readcap.ReadFile(path, limit)
	var capped *readcap.Error
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil && !errors.As(err, &capped):
		// Not readable (no permission, a folder): no damage to set
		// aside, and going on would send every problem on every run.
		return nil, err
	}
	if err == nil {
		var got T
		if err = json.Unmarshal(b, &got); err == nil && schema(&got) != want {
			err = fmt.Errorf("schema %q, want %q", schema(&got), want)
		}
		if err == nil {
			return &got, nil
		}
	}
	serr := &StateError{Path: path, Err: err}
	// A damaged file is moved aside for a person to read, so the next
	// run starts clean and this one's state can be written.
	if fi, statErr := os.Lstat(path); statErr == nil && fi.Mode().IsRegular() {
		kept := fmt.Sprintf("%s.damaged-%d", path, time.Now().Unix())
		if os.Rename(path, kept) == nil {
			serr.Kept = kept
		}
	}
	return nil, serr
}

func isStateError(err error) bool {
	var se *StateError
	return errors.As(err, &se)
}

// Save writes the state whole or not at all, readable by its owner only.
func (s *AlertState) Save(path string) error {
	sort.Slice(s.Sent, func(i, j int) bool {
		a, b := s.Sent[i], s.Sent[j]
		if a.Channel != b.Channel {
			return a.Channel < b.Channel
		}
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		return a.ID < b.ID
	})
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'), 0o600)
}

// findSample returns the index of what channel was told of (host, id), or -1.
func (s *AlertState) find(channel, host, id string) int {
	for i, e := range s.Sent {
		if e.Channel == channel && e.Host == host && e.ID == id {
			return i
		}
	}
	return -1
}
