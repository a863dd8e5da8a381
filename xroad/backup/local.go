package backup

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// Local is one backup kept on this computer.
type Local struct {
	Name      string    `json:"filename"`
	Path      string    `json:"path"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"` // the server's, kept as the file's time
	SHA256    string    `json:"sha256,omitempty"`
	// State: LocalOK (its hash is the one kept beside it), LocalDamaged
	// (it is not), LocalUnchecked (no hash beside it).
	State string `json:"state"`
}

// Local states.
const (
	LocalOK        = "ok"
	LocalDamaged   = "damaged"
	LocalUnchecked = "unchecked"
)

// locals are the backups in dir, newest first, not hashed.
func locals(dir string) ([]Local, error) {
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Local
	for _, e := range ents {
		if !e.Type().IsRegular() || !ValidName(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, Local{Name: e.Name(), Path: filepath.Join(dir, e.Name()), Size: info.Size(), CreatedAt: info.ModTime().UTC()})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].Name > out[j].Name
	})
	return out, nil
}

// LocalBackups are the server's backups on this computer (its folder of
// st), newest first, each hashed again against the hash kept beside it.
func LocalBackups(st Store, id string) ([]Local, error) {
	ls, err := locals(st.ServerFolder(id))
	if err != nil {
		return nil, err
	}
	for i := range ls {
		ls[i].SHA256, ls[i].State = verifyLocal(ls[i].Path)
	}
	return ls, nil
}

// verifyLocal hashes path and compares it with path.sha256.
func verifyLocal(path string) (string, string) {
	line, err := readcap.ReadFile(path+".sha256", 4<<10)
	if err != nil {
		return "", LocalUnchecked
	}
	want, name, _ := strings.Cut(strings.TrimSpace(string(line)), "  ")
	f, err := readcap.Open(path)
	if err != nil {
		return "", LocalDamaged
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, bufio.NewReader(f)); err != nil {
		return "", LocalDamaged
	}
	got := hex.EncodeToString(h.Sum(nil))
	if got != want || name != filepath.Base(path) {
		return got, LocalDamaged
	}
	return got, LocalOK
}

// prune removes the backups of dir beyond the newest keep (never keep'
// one: keep below 1 is 1), and their hashes; not the one named protect,
// which was just fetched. It returns the names removed.
func prune(dir string, keep int, protect string) ([]string, error) {
	ls, err := locals(dir)
	if err != nil {
		return nil, writeErr(dir, err)
	}
	keep = max(keep, 1)
	var gone []string
	for i, l := range ls {
		if i < keep || l.Name == protect {
			continue
		}
		if err := os.Remove(l.Path); err != nil && !os.IsNotExist(err) {
			return gone, writeErr(l.Path, err)
		}
		os.Remove(l.Path + ".sha256")
		gone = append(gone, l.Name)
	}
	return gone, nil
}
