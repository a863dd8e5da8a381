package onboarding

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// FileName is the record's file in the tool's config folder.
const FileName = "onboarding.json"

// Error is an error a user must read: Key is a translation key of the
// report catalogue ("onboarding.err.*") for i18n.T, Data its values.
// Aside is where a file that could not be read was moved, "" when it was
// not moved (then it is still at its place and must not be written over).
type Error struct {
	Key   string
	Data  map[string]any
	Aside string
	Err   error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Key + ": " + e.Err.Error()
	}
	return e.Key
}

func (e *Error) Unwrap() error { return e.Err }

// DefaultPath is <user config dir>/tunduk-onboard/onboarding.json.
func DefaultPath() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", &Error{Key: "onboarding.err.no_config_dir", Err: err}
	}
	return filepath.Join(d, "tunduk-onboard", FileName), nil
}

// Load reads the record at path. No file is an empty record and no error.
// A file that is not a record this version reads (bad JSON, no version,
// a newer version) is moved aside to <path>.damaged-<UTC time> and an
// *Error says so and where it went (Aside), with an empty record: the old
// file is never dropped, nor written over later. A file that cannot be
// read at all, or not moved, stays where it is; the *Error then has no
// Aside and the caller must not save to path.
func Load(path string) (Record, error) {
	data, err := readcap.ReadFile(path, readcap.Record)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		// Nothing there (a folder on the way that is a file holds no
		// record either: Save will say it cannot write).
		return Record{Version: Version}, nil
	}
	if err != nil {
		return Record{Version: Version}, &Error{Key: "onboarding.err.read", Data: map[string]any{"File": path}, Err: err}
	}
	r, derr := decode(path, data)
	if derr == nil {
		return r, nil
	}
	aside, merr := moveAside(path)
	if merr != nil {
		return Record{Version: Version}, &Error{Key: "onboarding.err.not_moved", Data: map[string]any{"File": path},
			Err: fmt.Errorf("%v; moving it aside: %w", derr.Err, merr)}
	}
	derr.Data["Kept"] = aside
	derr.Aside = aside
	return Record{Version: Version}, derr
}

// Read reads the record at path for a reader that changes nothing (the
// CLI printing it): a file that is not a record this version reads is an
// *Error (onboarding.err.unreadable, onboarding.err.newer_read) and stays
// where it is; no file is an error too (onboarding.err.open, with
// fs.ErrNotExist inside).
func Read(path string) (Record, error) {
	data, err := readcap.ReadFile(path, readcap.Record)
	if err != nil {
		return Record{}, &Error{Key: "onboarding.err.open", Data: map[string]any{"File": path}, Err: err}
	}
	r, derr := decode(path, data)
	if derr != nil {
		derr.Key = map[string]string{"onboarding.err.damaged": "onboarding.err.unreadable", "onboarding.err.newer": "onboarding.err.newer_read"}[derr.Key]
		return Record{}, derr
	}
	return r, nil
}

// decode parses a record file's bytes; an *Error says why it is not one
// this version reads.
func decode(path string, data []byte) (Record, *Error) {
	var r Record
	key, data2 := "", map[string]any{"File": path}
	err := json.Unmarshal(data, &r)
	if err != nil {
		key = "onboarding.err.damaged"
	} else if r.Version < 1 {
		key, err = "onboarding.err.damaged", fmt.Errorf("no schema version")
	} else if r.Version > Version {
		key, err = "onboarding.err.newer", fmt.Errorf("schema version %d, this wizard reads up to %d", r.Version, Version)
		data2["Version"] = r.Version
	}
	if key == "" {
		return r, nil
	}
	return Record{}, &Error{Key: key, Data: data2, Err: err}
}

// moveAside renames path to <path>.damaged-<UTC time>, never over another
// file kept aside before.
func moveAside(path string) (string, error) {
	base := path + ".damaged-" + now().UTC().Format("20060102T150405Z")
	aside := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(aside); errors.Is(err, fs.ErrNotExist) {
			break
		}
		aside = base + "-" + strconv.Itoa(i)
	}
	if err := os.Rename(path, aside); err != nil {
		return "", err
	}
	atomicfile.SyncDir(filepath.Dir(path))
	return aside, nil
}

// now is the clock (tests set it).
var now = time.Now

// Save writes r to path atomically: a temporary file in the same folder,
// flushed to the disk, made 0600, renamed over path, and the folder
// flushed; a reader (or a crash) sees the old file or the new one, never
// half of either. It stamps r with Version and the time.
func (r *Record) Save(path string) error {
	r.Version, r.Updated = Version, now().UTC()
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return &Error{Key: "onboarding.err.write", Data: map[string]any{"File": path}, Err: err}
	}
	if err := writeAtomic(path, append(data, '\n')); err != nil {
		return &Error{Key: "onboarding.err.write", Data: map[string]any{"File": path}, Err: err}
	}
	return nil
}

// beforeRename runs between the temporary file's flush and its rename;
// tests make it fail to act out a crash at the worst moment.
var beforeRename = func(tmp string) error { return nil }

// writeAtomic replaces path with data (0600) through a temporary file
// beside it, making the folder first.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.WriteBefore(path, data, 0o600, beforeRename)
}

// CSRFolder is the folder beside the record where CSRs are kept.
const CSRFolder = "csrs"

// ReportFolder is the folder beside the record where the latest readiness
// report is kept.
const ReportFolder = "readiness"

// SaveCSR keeps a CSR's DER beside the record at path (a CSR is public:
// it goes to the CA) and returns the file and the DER's SHA-256, for a
// CSR entry. Atomic like Save.
func SaveCSR(path, usage string, der []byte, at time.Time) (file, sum string, err error) {
	return saveBeside(path, CSRFolder, usage+"-"+at.UTC().Format("20060102T150405Z"), ".der", der)
}

// SaveReport keeps a readiness report (its JSON) beside the record at
// path and returns the file and its SHA-256, for Readiness.Kept. Atomic
// like Save.
func SaveReport(path string, data []byte, at time.Time) (file, sum string, err error) {
	return saveBeside(path, ReportFolder, "report-"+at.UTC().Format("20060102T150405Z"), ".json", data)
}

// saveBeside writes data to folder/<name>-<first 8 of its SHA-256><ext>
// beside the record at path.
func saveBeside(path, folder, name, ext string, data []byte) (file, sum string, err error) {
	sum = SHA256(data)
	file = filepath.Join(filepath.Dir(path), folder, name+"-"+sum[:8]+ext)
	if err := writeAtomic(file, data); err != nil {
		return "", "", &Error{Key: "onboarding.err.write", Data: map[string]any{"File": file}, Err: err}
	}
	return file, sum, nil
}

// ReadCSR reads the DER of c back, checked against its SHA-256: a file
// changed or gone is an error.
func ReadCSR(c CSR) ([]byte, error) {
	if c.File == "" {
		return nil, fmt.Errorf("the %s CSR of %s has no file", c.Usage, c.MadeAt.Format(time.RFC3339))
	}
	return ReadKept(c.File, c.SHA256, readcap.CSR)
}

// ReadKept reads a file kept beside the record (a CSR, a readiness
// report), at most limit bytes (readcap), checked against its SHA-256
// sum: a file changed or gone is an error.
func ReadKept(file, sum string, limit int64) ([]byte, error) {
	data, err := readcap.ReadFile(file, limit)
	if err != nil {
		return nil, err
	}
	s := sha256.Sum256(data)
	if want, err := hex.DecodeString(sum); err != nil || !bytes.Equal(s[:], want) {
		return nil, fmt.Errorf("%s: changed since it was made", file)
	}
	return data, nil
}

// SHA256 is the hex SHA-256 of der, as CSR entries hold it.
func SHA256(der []byte) string {
	s := sha256.Sum256(der)
	return hex.EncodeToString(s[:])
}

// Update reads the record at path, changes it with f and writes it back
// atomically (Save): the way a front end that keeps no record in memory
// (the CLI) records a milestone. A file that is not a record is moved
// aside first and a new record started (Load); the *Error says so, and
// the update is still written. A file that cannot be read nor moved is
// left alone and nothing is written.
func Update(path string, f func(r *Record)) error {
	r, err := Load(path)
	var oe *Error
	if err != nil && (!errors.As(err, &oe) || oe.Aside == "") {
		return err
	}
	f(&r)
	if serr := r.Save(path); serr != nil {
		return serr
	}
	return err
}
