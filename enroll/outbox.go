package enroll

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// Outbox is a folder of packages waiting for the operator's HTTPS intake.
// Each item is one small JSON file written before any network send, so a
// crash, a closed laptop or a restart loses nothing: the next Flush picks
// it up with the same idempotency key, and the intake can tell a retry
// from a new submission.
type Outbox struct {
	dir string
	// BackoffBase is the delay after the first failed attempt, doubled
	// after each further one (with jitter) up to MaxBackoff. Tests set it
	// to milliseconds.
	BackoffBase time.Duration
	MaxBackoff  time.Duration
	// MaxAttempts bounds the attempts per item within one Flush.
	MaxAttempts int
	// MaxWait is the longest wait one Flush accepts (a Retry-After above it
	// ends the Flush for that item; NextAttempt records when to come back).
	MaxWait time.Duration
}

// Pending is one item of the outbox. It never holds a secret.
type Pending struct {
	ID             string    `json:"id"`             // package ID
	Part           int       `json:"part,omitempty"` // the part of an application sent in parts
	Dir            string    `json:"dir"`            // package folder
	URL            string    `json:"url"`
	IdempotencyKey string    `json:"idempotency_key"`
	Created        time.Time `json:"created"`
	Attempts       int       `json:"attempts"`
	NextAttempt    time.Time `json:"next_attempt"`
	LastStatus     int       `json:"last_status,omitempty"`
	LastError      string    `json:"last_error,omitempty"`
	// Permanent: the intake refused the package for good (a 4xx); Flush
	// leaves it alone until the user removes it.
	Permanent bool `json:"permanent,omitempty"`
}

// Result is what one Flush did with one item.
type Result struct {
	ID             string
	Part           int // of an application sent in parts; 0 for a whole one
	IdempotencyKey string
	URL            string
	Delivered      bool // a 2xx or 409: the item was removed from the outbox
	AlreadyThere   bool // 409: the intake had this key already
	Permanent      bool // refused for good; kept in the outbox with its error
	Attempts       int  // all attempts so far, across Flushes
	Status         int  // the last HTTP status, 0 when none came
	NextAttempt    time.Time
	Err            error // *Error when not delivered
}

// OpenOutbox opens the outbox folder dir, creating it when needed.
func OpenOutbox(dir string) (*Outbox, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, &Error{Key: "enroll.err.write", Data: map[string]any{"Dir": dir}, Err: err}
	}
	return &Outbox{dir: dir, BackoffBase: 2 * time.Second, MaxBackoff: 5 * time.Minute, MaxAttempts: 5, MaxWait: 5 * time.Minute}, nil
}

// Dir is the outbox folder.
func (o *Outbox) Dir() string { return o.dir }

// CheckURL accepts only an absolute https:// URL without a user name or
// password in it (the item file and its errors would show them).
func CheckURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return &Error{Key: "enroll.err.url_not_https", Data: map[string]any{"URL": raw}, Err: err}
	}
	return nil
}

// Enqueue adds p for url and writes the item to disk before anything is
// sent. The same package for the same URL keeps its first key: enqueuing
// twice never makes two submissions.
func (o *Outbox) Enqueue(p *Package, rawURL string) (idempotencyKey string, err error) {
	if err := CheckURL(rawURL); err != nil {
		return "", err
	}
	if _, err := Open(p.Dir); err != nil {
		return "", err
	}
	dir, err := filepath.Abs(p.Dir)
	if err != nil {
		return "", err
	}
	items, err := o.Pending()
	if err != nil {
		return "", err
	}
	for _, it := range items {
		if it.ID == p.Manifest.ID && it.Part == p.Manifest.Part && it.URL == rawURL {
			return it.IdempotencyKey, nil
		}
	}
	var k [16]byte
	if _, err := rand.Read(k[:]); err != nil {
		return "", err
	}
	it := Pending{ID: p.Manifest.ID, Part: p.Manifest.Part, Dir: dir, URL: rawURL, IdempotencyKey: hex.EncodeToString(k[:]),
		Created: time.Now().UTC(), NextAttempt: time.Now().UTC()}
	if err := o.save(&it); err != nil {
		return "", err
	}
	return it.IdempotencyKey, nil
}

// Pending lists the items waiting, oldest first (permanent failures too);
// Scan says which are damaged.
func (o *Outbox) Pending() ([]Pending, error) {
	items, _, err := o.Scan()
	return items, err
}

// Scan lists the items waiting, oldest first, and the item files that are
// there and cannot be read as one (Damaged): those are left as they are,
// and the others still go.
func (o *Outbox) Scan() ([]Pending, []Damaged, error) {
	ents, err := os.ReadDir(o.dir)
	if err != nil {
		return nil, nil, &Error{Key: "enroll.err.read", Data: map[string]any{"Dir": o.dir}, Err: err}
	}
	var out []Pending
	var bad []Damaged
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			continue
		}
		// A folder named as an item is read too, and so listed damaged.
		path := filepath.Join(o.dir, name)
		data, err := readcap.ReadFile(path, readcap.Record)
		if err != nil {
			bad = append(bad, Damaged{Path: path, Err: err})
			continue
		}
		var it Pending
		if err := json.Unmarshal(data, &it); err != nil || !validKey(it.IdempotencyKey) || it.IdempotencyKey+".json" != name {
			if err == nil {
				err = errors.New("not an outbox item of this name")
			}
			bad = append(bad, Damaged{Path: path, Err: err})
			continue
		}
		if !filepath.IsAbs(it.Dir) {
			it.Dir = filepath.Join(filepath.Dir(o.dir), it.Dir)
		}
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, bad, nil
}

// Remove deletes the item with this key (e.g. a permanent failure the
// user gave up on). Removing a missing item is not an error.
func (o *Outbox) Remove(key string) error {
	if !validKey(key) {
		return &Error{Key: "enroll.err.outbox_key", Data: map[string]any{"Key": key}}
	}
	if err := os.Remove(o.itemPath(key)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return &Error{Key: "enroll.err.write", Data: map[string]any{"Dir": o.dir}, Err: err}
	}
	atomicfile.SyncDir(o.dir)
	return nil
}

func (o *Outbox) itemPath(key string) string { return filepath.Join(o.dir, key+".json") }

// save writes the item. A package inside the folder that holds the outbox
// (the store: <store>/.outbox beside <store>/<id>) is recorded relative to
// it, so the store can be moved or restored from a backup as a whole.
func (o *Outbox) save(it *Pending) error {
	rec := *it
	if rel, err := filepath.Rel(filepath.Dir(o.dir), it.Dir); err == nil && filepath.IsLocal(rel) {
		rec.Dir = rel
	}
	data, err := json.MarshalIndent(&rec, "", "  ")
	if err == nil {
		err = atomicfile.Write(o.itemPath(it.IdempotencyKey), append(data, '\n'), 0o600)
	}
	if err != nil {
		return &Error{Key: "enroll.err.write", Data: map[string]any{"Dir": o.dir}, Err: err}
	}
	return nil
}

func validKey(k string) bool {
	if len(k) != 32 {
		return false
	}
	_, err := hex.DecodeString(k)
	return err == nil
}
