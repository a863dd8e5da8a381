package enroll

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
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

// Stages lists every stage in order.
var Stages = []Stage{StagePrepared, StageSent, StageCertsReceived, StageImported, StageRegistered, StageActive}

// Rank is a stage's place in Stages, -1 for an unknown one.
func (s Stage) Rank() int {
	for i, x := range Stages {
		if x == s {
			return i
		}
	}
	return -1
}

// Event is one step of a record's history.
type Event struct {
	Stage Stage     `json:"stage"`
	At    time.Time `json:"at"`
	Via   Via       `json:"via,omitempty"`
	Note  string    `json:"note,omitempty"`
	// Part is the part of an application sent in parts the event is
	// about (its preparation, its sending); 0 for the whole application.
	Part int `json:"part,omitempty"`
}

// Record is a submission's status, kept as status.json beside the package.
type Record struct {
	ID          string      `json:"id"`
	Stage       Stage       `json:"stage"`
	Via         Via         `json:"via,omitempty"`
	Dir         string      `json:"dir"`
	Participant Participant `json:"participant"`
	// Kind is KindNotice for a notice to the operator, empty for an
	// application to the CA (Manifest.Kind).
	Kind    string  `json:"kind,omitempty"`
	History []Event `json:"history"`
	// Parts are the packages of an application sent in parts, in order:
	// part 1's is Dir, each later one a folder inside it (PartDir). Empty
	// for an application sent whole. Stage is the application's: sent once
	// its first part went.
	Parts []Part `json:"parts,omitempty"`
}

// Part is one package of an application sent in parts.
type Part struct {
	N    int     `json:"n"`
	CSRs []Usage `json:"csrs"`
	// Follows: the CSRs this part announced as coming later.
	Follows []Usage   `json:"follows,omitempty"`
	SentAt  time.Time `json:"sent_at,omitzero"` // zero: prepared, not sent yet
	Via     Via       `json:"via,omitempty"`
}

// maxParts bounds the parts of one application (two CSRs: two parts; a
// little room for a CSR made again).
const maxParts = 9

// PartDir is the folder of part n's package: part 1's is the record's
// folder, a later one "partN" inside it.
func (r Record) PartDir(n int) string {
	if n <= 1 {
		return r.Dir
	}
	return filepath.Join(r.Dir, "part"+strconv.Itoa(n))
}

// Awaited lists the CSRs the application still waits for: those its last
// part announced as following. Nil for an application sent whole or
// complete.
func (r Record) Awaited() []Usage {
	if len(r.Parts) == 0 {
		return nil
	}
	return r.Parts[len(r.Parts)-1].Follows
}

// Sent says whether the application (or any part of it) went to the
// operator.
func (r Record) Sent() bool { return r.Stage.Rank() >= StageSent.Rank() }

// part is the index of part n in r.Parts; n 0 is the first part not sent
// yet, else the last. -1 when there is no such part.
func (r Record) part(n int) int {
	for i, p := range r.Parts {
		if (n == 0 && p.SentAt.IsZero()) || (n != 0 && p.N == n) {
			return i
		}
	}
	if n == 0 && len(r.Parts) > 0 {
		return len(r.Parts) - 1
	}
	return -1
}

// ResendPart is the part to send when the user asks for the application
// again as it is: the first part not sent yet, else the last (0 for an
// application sent whole).
func (r Record) ResendPart() int {
	if i := r.part(0); i >= 0 {
		return r.Parts[i].N
	}
	return 0
}

// Created is when the record was made (its first event).
func (r Record) Created() time.Time {
	if len(r.History) == 0 {
		return time.Time{}
	}
	return r.History[0].At
}

// StatusName is the status file in each submission folder.
const StatusName = "status.json"

// Store keeps one folder per submission: the package and its status.json.
type Store struct {
	dir string
}

// DefaultDir is <user config dir>/tunduk-onboard/submissions.
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", &Error{Key: "enroll.err.no_config_dir", Err: err}
	}
	return filepath.Join(d, "tunduk-onboard", "submissions"), nil
}

// OpenStore opens the store folder dir, creating it when needed.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, &Error{Key: "enroll.err.write", Data: map[string]any{"Dir": dir}, Err: err}
	}
	return &Store{dir: dir}, nil
}

// Dir is the store folder.
func (s *Store) Dir() string { return s.dir }

// Outbox is the store's HTTPS outbox (a hidden folder inside the store, so
// it is never listed as a submission).
func (s *Store) Outbox() (*Outbox, error) { return OpenOutbox(filepath.Join(s.dir, ".outbox")) }

// Create builds the package inside the store, at stage prepared. When the
// status cannot be written the package is removed again: a folder in the
// store always has both.
func (s *Store) Create(in Input) (*Package, Record, error) {
	p, err := Build(s.dir, in)
	if err != nil {
		return nil, Record{}, err
	}
	r := Record{ID: p.Manifest.ID, Stage: StagePrepared, Dir: p.Dir, Participant: in.Participant, Kind: p.Manifest.Kind,
		History: []Event{{Stage: StagePrepared, At: time.Now().UTC(), Part: p.Manifest.Part}}}
	if p.Manifest.Part > 0 {
		r.Parts = []Part{{N: 1, CSRs: usages(in.CSRs), Follows: in.Follows}}
	}
	if err := s.write(r); err != nil {
		os.RemoveAll(p.Dir)
		return nil, Record{}, err
	}
	return p, r, nil
}

// Advance moves record id to st, recording via and note in its history.
// Stages only move forward (skipping is allowed: the CA may answer
// through another channel); the same stage again is recorded as a repeat
// (sent once more, another way); a step back is refused.
func (s *Store) Advance(id string, st Stage, via Via, note string) (Record, error) {
	if st.Rank() < 0 {
		return Record{}, &Error{Key: "enroll.err.stage_unknown", Data: map[string]any{"Stage": string(st)}}
	}
	r, err := s.Get(id)
	if err != nil {
		return Record{}, err
	}
	if st == StageSent && len(r.Parts) > 0 {
		// "Sent" of an application in parts is its part not sent yet
		// (its second part may go after the first one's certificate came).
		return s.MarkPartSent(id, 0, via, note)
	}
	if st.Rank() < r.Stage.Rank() {
		return r, &Error{Key: "enroll.err.stage_backwards", Data: map[string]any{"ID": id, "From": string(r.Stage), "To": string(st)}}
	}
	return s.advance(r, st, via, note)
}

// advance moves r to st and writes it.
func (s *Store) advance(r Record, st Stage, via Via, note string) (Record, error) {
	r.Stage = st
	if via != "" {
		r.Via = via
	}
	r.History = append(r.History, Event{Stage: st, At: time.Now().UTC(), Via: via, Note: note})
	if err := s.write(r); err != nil {
		return Record{}, err
	}
	return r, nil
}

// Get reads record id.
func (s *Store) Get(id string) (Record, error) {
	if !plainName(id) || id[0] == '.' {
		return Record{}, &Error{Key: "enroll.err.not_found", Data: map[string]any{"ID": id}}
	}
	data, err := readcap.ReadFile(filepath.Join(s.dir, id, StatusName), readcap.Record)
	if errors.Is(err, os.ErrNotExist) {
		return Record{}, &Error{Key: "enroll.err.not_found", Data: map[string]any{"ID": id}}
	}
	if err != nil {
		return Record{}, &Error{Key: "enroll.err.read", Data: map[string]any{"Dir": s.dir, "File": filepath.Join(s.dir, id, StatusName)}, Err: err}
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil || r.ID != id {
		return Record{}, &Error{Key: "enroll.err.status_damaged", Data: map[string]any{"ID": id, "File": filepath.Join(s.dir, id, StatusName)}, Err: err}
	}
	// The store may have moved (a new home folder): the folder is where
	// the record was found, not where it was written.
	r.Dir = filepath.Join(s.dir, id)
	return r, nil
}

// Open returns record id's package, verified.
func (s *Store) Open(id string) (*Package, error) {
	r, err := s.Get(id)
	if err != nil {
		return nil, err
	}
	return Open(r.Dir)
}

// List returns every record, newest first; Scan says which are damaged.
func (s *Store) List() ([]Record, error) {
	recs, _, err := s.Scan()
	return recs, err
}

// Scan returns every record, newest first, and the status files that are
// there and cannot be read (Damaged, left as they are). Folders without a
// status file (another program's, a half-deleted one) are neither.
func (s *Store) Scan() ([]Record, []Damaged, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, nil, &Error{Key: "enroll.err.read", Data: map[string]any{"Dir": s.dir}, Err: err}
	}
	var out []Record
	var bad []Damaged
	for _, e := range ents {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		r, err := s.Get(e.Name())
		switch {
		case err == nil:
			out = append(out, r)
		case errKeyOf(err) != "enroll.err.not_found":
			bad = append(bad, Damaged{Path: filepath.Join(s.dir, e.Name(), StatusName), Err: err})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Created(), out[j].Created()
		if !a.Equal(b) {
			return a.After(b)
		}
		return out[i].ID > out[j].ID
	})
	return out, bad, nil
}

// errKeyOf is the key of an *Error, "" for anything else.
func errKeyOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// Latest returns the newest record; false when the store is empty.
func (s *Store) Latest() (Record, bool, error) {
	l, err := s.List()
	if err != nil || len(l) == 0 {
		return Record{}, false, err
	}
	return l[0], true, nil
}

func (s *Store) write(r Record) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err == nil {
		err = atomicfile.Write(filepath.Join(s.dir, r.ID, StatusName), append(data, '\n'), 0o600)
	}
	if err != nil {
		return &Error{Key: "enroll.err.write", Data: map[string]any{"Dir": filepath.Join(s.dir, r.ID)}, Err: err}
	}
	return nil
}

// usages lists the usages of csrs in their order.
func usages(csrs []CSR) []Usage {
	var out []Usage
	for _, c := range csrs {
		out = append(out, c.Usage)
	}
	return out
}
