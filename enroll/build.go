package enroll

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
	"github.com/tunduk-onboard/tunduk-onboard/internal/version"
)

// File names and roles inside a package. The names are fixed so the CA
// (and a script at the operator) can find the files without the manifest.
const (
	ManifestName    = "manifest.json"
	ParticipantName = "participant.json"
	ReportJSONName  = "readiness.json"
	ReportHTMLName  = "readiness.html"
	EMLName         = "submission.eml"

	RoleCSRDER      = "csr_der"
	RoleCSRPEM      = "csr_pem"
	RoleReportJSON  = "readiness_json"
	RoleReportHTML  = "readiness_html"
	RoleParticipant = "participant"
)

// CSRFileName is the name of a usage's CSR file: "auth.csr.der", "sign.csr.pem".
func CSRFileName(u Usage, pemForm bool) string {
	if pemForm {
		return string(u) + ".csr.pem"
	}
	return string(u) + ".csr.der"
}

// CSRInfo describes one CSR of a package, for the letter and the GUI.
type CSRInfo struct {
	Usage   Usage  `json:"usage"`
	Source  string `json:"source"`
	Subject string `json:"subject"`
	DER     string `json:"der_file"`
	PEM     string `json:"pem_file"`
}

// participantFile is participant.json: who asks, which CSR is which and
// where its key lives, and the user's language (the letter's second one).
type participantFile struct {
	Participant
	CSRs []CSRInfo `json:"csrs"`
	Lang string    `json:"lang"`
}

// validate checks everything Build needs before a single byte is written.
func (in *Input) validate() ([]CSRInfo, error) {
	for _, f := range []struct{ name, v string }{
		{"instance", in.Participant.Instance},
		{"member_class", in.Participant.MemberClass},
		{"member_code", in.Participant.MemberCode},
		{"name", in.Participant.Name},
		{"server_code", in.Participant.ServerCode},
		{"server_address", in.Participant.ServerAddress},
	} {
		if strings.TrimSpace(f.v) == "" {
			return nil, &Error{Key: "enroll.err.participant_field", Data: map[string]any{"Field": f.name}}
		}
		if strings.ContainsAny(f.v, "\r\n\x00") {
			return nil, &Error{Key: "enroll.err.participant_field", Data: map[string]any{"Field": f.name}}
		}
	}
	if in.Notice != nil {
		if len(in.CSRs) > 0 || len(in.Follows) > 0 || in.ReportJSON != nil || in.ReportHTML != nil {
			return nil, &Error{Key: "enroll.err.notice_mixed"}
		}
		return nil, in.Notice.validate()
	}
	if n := len(in.CSRs); n < 1 || n > 2 {
		return nil, &Error{Key: "enroll.err.csr_count", Data: map[string]any{"Count": n}}
	}
	var infos []CSRInfo
	seen := map[Usage]bool{}
	keys := map[string]Usage{}
	for _, c := range in.CSRs {
		data := map[string]any{"Usage": string(c.Usage)}
		if c.Usage != UsageAuth && c.Usage != UsageSign {
			return nil, &Error{Key: "enroll.err.csr_usage", Data: data}
		}
		if seen[c.Usage] {
			return nil, &Error{Key: "enroll.err.csr_duplicate", Data: data}
		}
		seen[c.Usage] = true
		req, err := x509.ParseCertificateRequest(c.DER)
		if err != nil {
			return nil, &Error{Key: "enroll.err.csr_parse", Data: data, Err: err}
		}
		if err := req.CheckSignature(); err != nil {
			return nil, &Error{Key: "enroll.err.csr_signature", Data: data, Err: err}
		}
		// X-Road needs two different keys: the same key in both CSRs is a
		// mistake the CA would only find later.
		pub := string(req.RawSubjectPublicKeyInfo)
		if other, ok := keys[pub]; ok {
			return nil, &Error{Key: "enroll.err.csr_same_key", Data: map[string]any{"Usage": string(c.Usage), "Other": string(other)}}
		}
		keys[pub] = c.Usage
		infos = append(infos, CSRInfo{
			Usage: c.Usage, Source: strings.TrimSpace(c.Source), Subject: req.Subject.String(),
			DER: CSRFileName(c.Usage, false), PEM: CSRFileName(c.Usage, true),
		})
	}
	// What follows later is another CSR than those sent now, named once.
	for _, u := range in.Follows {
		data := map[string]any{"Usage": string(u)}
		if u != UsageAuth && u != UsageSign {
			return nil, &Error{Key: "enroll.err.csr_usage", Data: data}
		}
		if seen[u] {
			return nil, &Error{Key: "enroll.err.follows_included", Data: data}
		}
		seen[u] = true
	}
	if in.ReportJSON != nil && !json.Valid(in.ReportJSON) {
		return nil, &Error{Key: "enroll.err.report_json"}
	}
	return infos, nil
}

// newID names a package: date, member class and code, server code and a
// random suffix, e.g. "20261122-GOV-70000001-SS1-3f2a".
func newID(p Participant, now time.Time) string {
	var r [2]byte
	rand.Read(r[:])
	return strings.Join([]string{now.UTC().Format("20060102"), idPart(p.MemberClass),
		idPart(p.MemberCode), idPart(p.ServerCode), hex.EncodeToString(r[:])}, "-")
}

// idPart keeps a field safe in a folder name on every OS.
func idPart(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			return r
		}
		return '_'
	}, strings.TrimSpace(s))
	if len(s) > 32 {
		s = s[:32]
	}
	return s
}

// Build validates in, then writes the package to parent/<ID>/ through a
// temporary folder renamed into place: a refused input or a failed write
// leaves nothing in parent. An input with CSRs to follow is the first
// part of an application sent in parts.
func Build(parent string, in Input) (*Package, error) {
	infos, err := in.validate()
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	m := Manifest{ID: newID(in.Participant, now), Created: now}
	if len(in.Follows) > 0 {
		m.Part, m.Follows = 1, in.Follows
	}
	return write(parent, m.ID, m, in, infos)
}

// write makes the package of in with manifest m (its ID, creation time
// and part set) as parent/name, atomically as Build says.
func write(parent, name string, m Manifest, in Input, infos []CSRInfo) (*Package, error) {
	m.Schema, m.Tool, m.Participant = Schema, "tunduk-onboard "+version.String(), in.Participant

	var files []struct {
		name, role string
		data       []byte
	}
	add := func(name, role string, data []byte) {
		files = append(files, struct {
			name, role string
			data       []byte
		}{name, role, data})
	}
	for _, c := range in.CSRs {
		add(CSRFileName(c.Usage, false), RoleCSRDER, c.DER)
		add(CSRFileName(c.Usage, true), RoleCSRPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: c.DER}))
	}
	if in.Notice != nil {
		m.Kind = KindNotice
		nj, err := json.MarshalIndent(in.Notice, "", "  ")
		if err != nil {
			return nil, err
		}
		add(NoticeName, RoleNotice, append(nj, '\n'))
	}
	if in.ReportJSON != nil {
		add(ReportJSONName, RoleReportJSON, in.ReportJSON)
	}
	if in.ReportHTML != nil {
		add(ReportHTMLName, RoleReportHTML, in.ReportHTML)
	}
	pf, err := json.MarshalIndent(participantFile{Participant: in.Participant, CSRs: infos, Lang: in.Lang}, "", "  ")
	if err != nil {
		return nil, err
	}
	add(ParticipantName, RoleParticipant, append(pf, '\n'))
	for _, f := range files {
		m.Files = append(m.Files, File{Name: f.name, Role: f.role, Size: int64(len(f.data)), SHA256: sha256Hex(f.data)})
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	add(ManifestName, "", append(mj, '\n'))

	writeErr := func(err error) error {
		return &Error{Key: "enroll.err.write", Data: map[string]any{"Dir": parent}, Err: err}
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, writeErr(err)
	}
	final := filepath.Join(parent, name)
	if _, err := os.Lstat(final); err == nil {
		return nil, writeErr(fmt.Errorf("%s exists", final))
	}
	tmp, err := os.MkdirTemp(parent, ".building-")
	if err != nil {
		return nil, writeErr(err)
	}
	for _, f := range files {
		if err := writeFileSync(filepath.Join(tmp, f.name), f.data, 0o644); err != nil {
			os.RemoveAll(tmp)
			return nil, writeErr(err)
		}
	}
	atomicfile.SyncDir(tmp)
	// MkdirTemp made the folder 0700; the package is not secret.
	err = os.Chmod(tmp, 0o755)
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nil, writeErr(err)
	}
	atomicfile.SyncDir(parent)
	return &Package{Dir: final, Manifest: m}, nil
}

// Open reads the package in dir and verifies the size and SHA-256 of every
// file the manifest lists; a changed or missing file is an *Error naming it.
func Open(dir string) (*Package, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	for _, f := range m.Files {
		if err := verifyFile(dir, f); err != nil {
			return nil, err
		}
	}
	return &Package{Dir: dir, Manifest: m}, nil
}

// readManifest decodes and sanity-checks manifest.json: the schema, and
// file names that stay inside the package (a hostile manifest must not
// make us read or send /etc/passwd).
func readManifest(dir string) (Manifest, error) {
	var m Manifest
	bad := func(err error) error {
		return &Error{Key: "enroll.err.manifest", Data: map[string]any{"Dir": dir}, Err: err}
	}
	data, err := readPackageFile(dir, ManifestName)
	if err != nil {
		return m, bad(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, bad(err)
	}
	if m.Schema != Schema {
		return m, bad(fmt.Errorf("schema %q, want %q", m.Schema, Schema))
	}
	if m.ID == "" || len(m.Files) == 0 {
		return m, bad(errors.New("no id or no files"))
	}
	if m.Part < 0 || m.Part > maxParts {
		return m, bad(fmt.Errorf("part %d", m.Part))
	}
	seen := map[string]bool{}
	for _, f := range m.Files {
		if !plainName(f.Name) || f.Name == ManifestName || seen[f.Name] {
			return m, bad(fmt.Errorf("bad file name %q", f.Name))
		}
		seen[f.Name] = true
	}
	return m, nil
}

// plainName: a file name without any path part.
func plainName(n string) bool {
	return n != "" && n != "." && n != ".." && !strings.ContainsAny(n, `/\:`) && filepath.Base(n) == n
}

// verifyFile checks one file against its manifest entry.
func verifyFile(dir string, f File) error {
	size, sum, err := hashFile(filepath.Join(dir, f.Name))
	if err != nil {
		return fileError(dir, f.Name, err)
	}
	if size != f.Size || !strings.EqualFold(sum, f.SHA256) {
		return &Error{Key: "enroll.err.file_changed", Data: map[string]any{"File": f.Name, "Dir": dir}}
	}
	return nil
}

// Info returns which CSR is which, where its key lives, and the user's
// language, as recorded in the package's participant.json.
func (p *Package) Info() (Participant, []CSRInfo, string, error) {
	data, err := readPackageFile(p.Dir, ParticipantName)
	if err != nil {
		return Participant{}, nil, "", &Error{Key: "enroll.err.manifest", Data: map[string]any{"Dir": p.Dir}, Err: err}
	}
	var pf participantFile
	if err := json.Unmarshal(bytes.TrimSpace(data), &pf); err != nil {
		return Participant{}, nil, "", &Error{Key: "enroll.err.manifest", Data: map[string]any{"Dir": p.Dir}, Err: err}
	}
	return pf.Participant, pf.CSRs, pf.Lang, nil
}

// Names returns the package's files in sending order: the manifest first,
// then the files it lists.
func (p *Package) Names() []string {
	out := []string{ManifestName}
	for _, f := range p.Manifest.Files {
		out = append(out, f.Name)
	}
	return out
}
