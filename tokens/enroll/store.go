package enroll

import (
	"errors"
	"time"
)

// Stage is where a submission is.
type Stage string

// The stages in order; a record only moves forward.
const (
	StagePrepared      Stage = "prepared"
	StageSent          Stage = "sent"
	StageCertsReceived Stage = "certificates_received"
	StageImported      Stage = "imported"
	StageRegistered    Stage = "registered"
	StageActive        Stage = "active"
)

// Event is one step of a record's history.
type Event struct {
	Stage Stage     `json:"stage"`
	At    time.Time `json:"at"`
	Note  string    `json:"note,omitempty"`
}

// Record is a submission's status.
type Record struct {
	ID          string      `json:"id"`
	Stage       Stage       `json:"stage"`
	Via         Via         `json:"via,omitempty"`
	Dir         string      `json:"dir"`
	Participant Participant `json:"participant"`
	History     []Event     `json:"history"`
}

// Store keeps one folder per submission.
type Store struct {
	dir string
}

// DefaultDir is <user config dir>/tunduk-onboard/submissions.
func DefaultDir() (string, error) {
	return "", errors.New("enroll: not yet built")
}

// OpenStore opens (and creates) the store folder dir.
func OpenStore(dir string) (*Store, error) {
	return nil, errors.New("enroll: not yet built")
}

// Create builds the package inside the store, at stage prepared.
func (s *Store) Create(in Input) (*Package, Record, error) {
	return nil, Record{}, errors.New("enroll: not yet built")
}

// Advance moves record id forward to st.
func (s *Store) Advance(id string, st Stage, via Via, note string) (Record, error) {
	return Record{}, errors.New("enroll: not yet built")
}

// Get reads record id.
func (s *Store) Get(id string) (Record, error) {
	return Record{}, errors.New("enroll: not yet built")
}

// List returns every record, newest first.
func (s *Store) List() ([]Record, error) {
	return nil, errors.New("enroll: not yet built")
}

// Latest returns the newest record.
func (s *Store) Latest() (Record, bool, error) {
	return Record{}, false, errors.New("enroll: not yet built")
}
