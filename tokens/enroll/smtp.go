package enroll

import (
	"context"
	"crypto/tls"
	"errors"
	"time"
)

// SMTP is the user's mail server.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string // secret: never in an error or a log
	From     string
	To       []string
	// TLS verifies the server; nil = system roots, ServerName = Host.
	TLS     *tls.Config
	Timeout time.Duration
}

// SendSMTP sends the letter through s. STARTTLS is required: a server
// that does not offer it gets nothing, not a plain-text fallback.
func SendSMTP(ctx context.Context, p *Package, s SMTP) error {
	return errors.New("enroll: not yet built")
}
