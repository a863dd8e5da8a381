package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// Saved is a backup made or fetched, downloaded and checked.
//
// What "checked" means: the API gives no hash of a backup (X-Road 7.4.2
// has none), so the SHA-256 is of the bytes as they came. Their count
// must be the Content-Length the server announced; the file is then read
// back from this computer's disk, hashed again (the two must agree) and
// walked as X-Road's restore would read it (inspect.go): OpenPGP packets
// to the end, and in a signed-only backup the tar to its end marker with
// the label of this very server. The hash is kept beside the file
// (NAME.sha256) so the copy can be checked again later (List does).
type Saved struct {
	Backup xroad.Backup `json:"backup"`
	Server string       `json:"server"` // INSTANCE:CLASS:CODE:SERVER
	Path   string       `json:"path"`
	Size   int64        `json:"size"`
	SHA256 string       `json:"sha256"`
	Check  Check        `json:"check"`
	// Pruned are the older copies of this server removed to keep the
	// newest Store.Keep.
	Pruned []string `json:"pruned,omitempty"`
	// Skipped: BeforeChange made none, the server holding no
	// configuration of its own yet (not initialised).
	Skipped bool `json:"skipped,omitempty"`
}

// Server is the ID (INSTANCE:CLASS:CODE:SERVER) of the server c talks
// to, "" when it is not initialised (no owner or no server code: then it
// has no configuration to back up, and X-Road's backup script could not
// name one).
func Server(ctx context.Context, c *xroad.Client) (string, error) {
	st, err := c.InitializationStatus(ctx)
	if err != nil || !st.ServerCodeInitialized || !st.ServerOwnerInitialized {
		return "", err
	}
	ss, err := c.CurrentServer(ctx)
	return ss.ID, err
}

// Initialised is Server, with a server not initialised refused
// (backup.err.not_initialized): for a backup the user asked for.
func Initialised(ctx context.Context, c *xroad.Client) (string, error) {
	id, err := Server(ctx, c)
	if err == nil && id == "" {
		err = &Error{Key: "backup.err.not_initialized"}
	}
	return id, err
}

// BeforeChange is what a flow calls before it changes the server: a
// backup made there, downloaded into st, checked, and the server's older
// copies beyond st.Keep removed. A server not initialised yet has nothing
// to back up: Skipped. Any failure stops the change: the caller changes
// nothing unless the user said to go without a backup.
func BeforeChange(ctx context.Context, c *xroad.Client, st Store) (Saved, error) {
	id, err := Server(ctx, c)
	if err == nil && id == "" {
		return Saved{Skipped: true}, nil
	}
	var s Saved
	if err == nil {
		s, err = CreateAndDownload(ctx, c, st, id)
	}
	if err != nil {
		return s, &Error{Key: "backup.err.before_change", Err: err}
	}
	return s, nil
}

// CreateAndDownload makes a backup on the server id and downloads it.
func CreateAndDownload(ctx context.Context, c *xroad.Client, st Store, id string) (Saved, error) {
	b, err := Create(ctx, c)
	if err != nil {
		return Saved{}, err
	}
	return Download(ctx, c, st, id, b)
}

// Create makes a backup on the server. Its name is of the server's
// clock to the second (SecurityServerConfigurationBackupGenerator.java),
// and a second backup within the same second fails (and removes the
// first: xroadtest/backups.go says how), so a backup_generation_failed is
// tried once more a second later. Other failures are the server's script's:
// backup.err.generation.
func Create(ctx context.Context, c *xroad.Client) (xroad.Backup, error) {
	b, err := c.CreateBackup(ctx)
	if apiCode(err, xroad.CodeBackupGenerationFailed) {
		t := time.NewTimer(1100 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return b, ctx.Err()
		case <-t.C:
		}
		b, err = c.CreateBackup(ctx)
	}
	if apiCode(err, xroad.CodeBackupGenerationFailed) {
		return b, &Error{Key: "backup.err.generation", Err: err}
	}
	return b, err
}

// nameRE is X-Road's valid backup name (common-application.yml
// script.generate-backup.valid-filename-pattern, without its leading-dot
// lookahead, checked apart): a name from the server never leaves the
// server's folder.
var nameRE = regexp.MustCompile(`^[\w.\-]+\.gpg$`)

// ValidName says whether name is one X-Road lists.
func ValidName(name string) bool { return nameRE.MatchString(name) && name[0] != '.' }

// Download fetches backup b of server id into its folder of st, checks
// it (see Saved) and removes the server's copies beyond st.Keep (never
// the one just fetched).
func Download(ctx context.Context, c *xroad.Client, st Store, id string, b xroad.Backup) (Saved, error) {
	s := Saved{Backup: b, Server: id}
	if !ValidName(b.Filename) {
		return s, &Error{Key: "backup.err.name", Data: map[string]any{"Name": b.Filename}}
	}
	dir := st.ServerFolder(id)
	if err := os.MkdirAll(dir, 0o700); err != nil { // a backup is the server's configuration: private
		return s, writeErr(dir, err)
	}
	s.Path = filepath.Join(dir, b.Filename)
	tmp, err := os.CreateTemp(dir, "."+b.Filename+".part-*")
	if err != nil {
		return s, writeErr(s.Path, err)
	}
	defer os.Remove(tmp.Name()) // gone once renamed; left only by a failure
	sum, err := fetch(ctx, c, b.Filename, tmp)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = writeErr(s.Path, cerr)
	}
	if err != nil {
		return s, err
	}
	s.SHA256 = hex.EncodeToString(sum[:])
	if s.Check, s.Size, err = checkFile(tmp.Name(), b.Filename, sum); err != nil {
		return s, err
	}
	if want := ShortID(id); !s.Check.Encrypted && s.Check.Server != want {
		return s, &Error{Key: "backup.err.other_server", Data: map[string]any{"Name": b.Filename, "Got": s.Check.Server, "Want": want}}
	}
	line := s.SHA256 + "  " + b.Filename + "\n" // sha256sum's format
	if err := atomicfile.Write(s.Path+".sha256", []byte(line), 0o600); err != nil {
		return s, writeErr(s.Path+".sha256", err)
	}
	at := b.Created()
	if at.IsZero() {
		at = time.Now()
	}
	os.Chtimes(tmp.Name(), at, at) // the folder sorts by when the server made it
	if err := os.Rename(tmp.Name(), s.Path); err != nil {
		return s, writeErr(s.Path, err)
	}
	atomicfile.SyncDir(dir)
	s.Pruned, err = prune(dir, st.Keep, b.Filename)
	return s, err
}

// fetch streams the backup into f, hashing it, and checks its length
// against the one the server announced.
func fetch(ctx context.Context, c *xroad.Client, name string, f *os.File) ([sha256.Size]byte, error) {
	h := sha256.New()
	d, err := c.DownloadBackup(ctx, name, io.MultiWriter(f, h), MaxSize)
	var sum [sha256.Size]byte
	switch {
	case errors.Is(err, xroad.ErrTooLarge):
		return sum, &Error{Key: "backup.err.too_large", Data: map[string]any{"Name": name, "Limit": MaxSize >> 20}, Err: err}
	case apiCode(err, xroad.CodeBackupNotFound):
		return sum, &Error{Key: "backup.err.not_found", Data: map[string]any{"Name": name}, Err: err}
	case err != nil:
		return sum, err
	case d.Length >= 0 && d.Length != d.Bytes:
		// Go's HTTP client already fails a body shorter than its
		// Content-Length (unexpected EOF); this holds should that change.
		return sum, &Error{Key: "backup.err.cut", Data: map[string]any{"Name": name, "Got": d.Bytes, "Want": d.Length}}
	}
	if err := f.Sync(); err != nil {
		return sum, writeErr(f.Name(), err)
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

// checkFile reads the file back from disk: its hash must be want, and
// its content a backup (inspect).
func checkFile(path, name string, want [sha256.Size]byte) (Check, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return Check{}, 0, writeErr(path, err)
	}
	defer f.Close()
	h := sha256.New()
	cr := &counter{r: io.TeeReader(f, h)}
	ch, ierr := inspect(cr)
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return ch, cr.n, writeErr(path, err)
	}
	if got := h.Sum(nil); string(got) != string(want[:]) {
		return ch, cr.n, &Error{Key: "backup.err.disk", Data: map[string]any{"Path": path}}
	}
	if ierr != nil {
		return ch, cr.n, &Error{Key: "backup.err.content", Data: map[string]any{"Name": name}, Err: ierr}
	}
	return ch, cr.n, nil
}

type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// writeErr is a file of this computer that could not be written: the
// reason in the user's words (i18n.FileReason), the OS's error for the log.
func writeErr(path string, err error) error {
	return &Error{Key: "backup.err.write", Data: map[string]any{"Path": path}, Err: err}
}
