package enroll

import "errors"

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
	From    string
	To      []string
	Subject string // empty: a subject made from the participant
}

// WriteEML writes the letter with every package file attached to
// <package dir>/submission.eml, for the user's mail client.
func WriteEML(p *Package, m Mail) (path string, err error) {
	return "", errors.New("enroll: not yet built")
}
