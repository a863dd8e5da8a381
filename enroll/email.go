package enroll

import (
	"path/filepath"

	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
)

// Via is how a package was delivered.
type Via string

// The four ways to deliver a package.
const (
	ViaEmail  Via = "email"  // an .eml the user sends from their mail client
	ViaSMTP   Via = "smtp"   // sent through the user's SMTP server
	ViaHTTPS  Via = "https"  // POSTed to the operator's intake URL
	ViaFolder Via = "folder" // copied to a folder or USB stick
)

// Mail addresses the letter to the CA.
type Mail struct {
	From    string // empty: the mail client fills in the user's account
	To      []string
	Subject string // empty: a Russian subject made from the participant
}

// WriteEML writes the letter with every package file attached to
// <package dir>/submission.eml, for the user's mail client. The package is
// verified against its manifest first: a changed file is never attached.
// The message carries "X-Unsent: 1" so clients that honour it (Outlook)
// open it as a draft ready to send.
func WriteEML(p *Package, m Mail) (path string, err error) {
	msg, err := buildMessage(p, m.From, m.To, m.Subject, true)
	if err != nil {
		return "", err
	}
	path = filepath.Join(p.Dir, EMLName)
	if err := atomicfile.Write(path, msg, 0o644); err != nil {
		return "", &Error{Key: "enroll.err.write", Data: map[string]any{"Dir": p.Dir}, Err: err}
	}
	return path, nil
}

// readVerified reads the manifest and every file it lists, checking each
// against its hash as read: what is attached or posted is exactly what
// the manifest promises, even if the folder changes meanwhile.
func readVerified(p *Package) (Manifest, map[string][]byte, error) {
	m, err := readManifest(p.Dir)
	if err != nil {
		return m, nil, err
	}
	if p.Manifest.ID != "" && (m.ID != p.Manifest.ID || m.Part != p.Manifest.Part) {
		return m, nil, &Error{Key: "enroll.err.file_changed", Data: map[string]any{"File": ManifestName, "Dir": p.Dir}}
	}
	out := map[string][]byte{}
	if out[ManifestName], err = readPackageFile(p.Dir, ManifestName); err != nil {
		return m, nil, fileError(p.Dir, ManifestName, err)
	}
	for _, f := range m.Files {
		data, err := readPackageFile(p.Dir, f.Name)
		if err != nil {
			return m, nil, fileError(p.Dir, f.Name, err)
		}
		if int64(len(data)) != f.Size || sha256Hex(data) != f.SHA256 {
			return m, nil, &Error{Key: "enroll.err.file_changed", Data: map[string]any{"File": f.Name, "Dir": p.Dir}}
		}
		out[f.Name] = data
	}
	return m, out, nil
}
