// Package bundle makes the support bundle for the operator's help desk
// (issue 16): one tar.gz of the readiness report, the health report,
// the versions, the last install journal, this program's own logs and
// the tails of the X-Road services' logs, every file scanned for secrets
// before it is added, and a manifest of what is in it.
package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// Schema is Manifest.Schema.
const Schema = "tunduk-onboard.support-bundle/v1"

// ManifestName is the manifest's name in the archive.
const ManifestName = "manifest.json"

// Limits: a help desk reads the end of a log, and a bundle must fit in a
// letter.
const (
	// MaxFile is the most of one file kept: its end.
	MaxFile = 1 << 20
	// MaxLogs is how many of our own newest logs are taken.
	MaxLogs = 10
)

// Input is what goes in. The caller gathers what lies elsewhere (the
// journal on the server, the services' logs over SSH).
type Input struct {
	Readiness []byte            // the readiness report as saved (JSON or text); nil: none
	Health    []byte            // the health report (JSON); nil: none
	Journal   []byte            // the last install journal (installer.DefaultJournalPath)
	Versions  map[string]string // this program's, X-Road's, the OS's...
	// LogDir is this program's log folder (internal/logging.Dir); its
	// newest MaxLogs files are taken. "": none.
	LogDir string
	// ServiceLogs are the tails of X-Road's logs, name to bytes
	// ("xroad-proxy.log"), gathered by the caller.
	ServiceLogs map[string][]byte
	// Notes say what the caller could not gather (a log not readable
	// without root): the manifest lists them.
	Notes []string
	// Secrets the caller knows (PINs, passwords, API keys): each is
	// taken out wherever it appears, besides what the patterns find.
	Secrets []string
	Now     time.Time // zero: time.Now
}

// Manifest lists every file with its size and SHA-256 (after
// redaction), what was redacted where, and what was cut or left out.
type Manifest struct {
	Schema     string      `json:"schema"`
	Created    time.Time   `json:"created"`
	Files      []File      `json:"files"`
	Redactions []Redaction `json:"redactions"`
	Notes      []string    `json:"notes,omitempty"`
}

// File is one file of the bundle.
type File struct {
	Name   string `json:"name"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
	Cut    bool   `json:"cut,omitempty"` // only its last MaxFile bytes
}

// Write makes the bundle at path (written whole, then renamed; readable
// by its owner only: it describes a server) and returns its manifest.
func Write(path string, in Input) (Manifest, error) {
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	m := Manifest{Schema: Schema, Created: now.UTC(), Redactions: []Redaction{}, Notes: append([]string(nil), in.Notes...)}
	type entry struct {
		name string
		data []byte
	}
	var files []entry
	add := func(name string, data []byte, cut bool) {
		f := File{Name: name, Cut: cut}
		if len(data) > MaxFile {
			data, f.Cut = data[len(data)-MaxFile:], true
		}
		data, red := redact(name, data, in.Secrets)
		m.Redactions = append(m.Redactions, red...)
		sum := sha256.Sum256(data)
		f.Size, f.SHA256 = len(data), hex.EncodeToString(sum[:])
		m.Files = append(m.Files, f)
		files = append(files, entry{name, data})
	}
	if in.Readiness != nil {
		ext := ".txt"
		if json.Valid(in.Readiness) {
			ext = ".json"
		}
		add("readiness-report"+ext, in.Readiness, false)
	}
	if in.Health != nil {
		add("health-report.json", in.Health, false)
	}
	if in.Journal != nil {
		add("install-journal.json", in.Journal, false)
	}
	v, _ := json.MarshalIndent(in.Versions, "", "  ")
	add("versions.json", v, false)
	if in.LogDir != "" {
		logs, notes := ownLogs(in.LogDir)
		m.Notes = append(m.Notes, notes...)
		for _, l := range logs {
			add("logs/"+l.name, l.data, l.cut)
		}
	}
	names := make([]string, 0, len(in.ServiceLogs))
	for n := range in.ServiceLogs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		add("xroad-logs/"+safeName(n), in.ServiceLogs[n], false)
	}
	for _, k := range in.Secrets {
		if k != "" && len(k) < minKnown {
			m.Notes = append(m.Notes, fmt.Sprintf("a known secret of %d characters is too short to search for: check the files by eye", len(k)))
		}
	}

	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	dir := "tunduk-support-" + now.UTC().Format("20060102-150405") + "/"
	for _, e := range append([]entry{{ManifestName, append(mb, '\n')}}, files...) {
		h := &tar.Header{Name: dir + e.name, Mode: 0o600, Size: int64(len(e.data)), ModTime: now, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return m, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return m, err
		}
	}
	if err := tw.Close(); err != nil {
		return m, err
	}
	if err := gz.Close(); err != nil {
		return m, err
	}
	return m, atomicfile.Write(path, buf.Bytes(), 0o600)
}

type logFile struct {
	name string
	data []byte
	cut  bool
}

// ownLogs reads the newest MaxLogs files of dir (their names start with
// a sortable time), each its last MaxFile bytes.
func ownLogs(dir string) ([]logFile, []string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, []string{"this program's logs could not be read: " + err.Error()}
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".log") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) > MaxLogs {
		names = names[len(names)-MaxLogs:]
	}
	var out []logFile
	var notes []string
	for _, n := range names {
		data, cut, err := tail(filepath.Join(dir, n))
		if err != nil {
			notes = append(notes, n+": "+err.Error())
			continue
		}
		out = append(out, logFile{n, data, cut})
	}
	return out, notes
}

// tail is the last MaxFile bytes of a regular file, and whether that
// is less than all of it.
func tail(path string) ([]byte, bool, error) {
	f, err := readcap.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	cut := false
	if st, err := f.Stat(); err == nil && st.Size() > MaxFile {
		if _, err := f.Seek(st.Size()-MaxFile, 0); err != nil {
			return nil, false, err
		}
		cut = true
	}
	// A log may grow while read: its first MaxFile bytes from there.
	data, err := io.ReadAll(io.LimitReader(f, MaxFile))
	return data, cut, err
}

// safeName keeps a caller's log name one plain file name.
func safeName(n string) string {
	n = strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, filepath.Base(n))
	if strings.Trim(n, ".") == "" {
		n = "_"
	}
	return n
}
