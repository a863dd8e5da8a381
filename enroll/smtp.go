package enroll

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
)

// SMTP is the user's mail server.
type SMTP struct {
	Host     string
	Port     int    // 0: 587 (submission, STARTTLS)
	Username string // empty: no AUTH
	Password string // secret: never in an error or a log
	From     string
	To       []string
	// TLS verifies the server; nil = system roots, ServerName = Host.
	TLS     *tls.Config
	Timeout time.Duration // the whole conversation; 0: one minute
	// ImplicitTLS speaks TLS from the first byte ("SMTPS"), as servers on
	// port 465 do; port 465 implies it.
	ImplicitTLS bool
}

// SendSMTP sends the letter and the package through s. TLS is required
// and the server's certificate verified: from the first byte on port 465
// (or with ImplicitTLS), else by STARTTLS, and a server that does not
// offer STARTTLS gets nothing (no MAIL, no password, no DATA), never a
// plain-text fallback. AUTH PLAIN is used only inside TLS.
func SendSMTP(ctx context.Context, p *Package, s SMTP) error {
	if strings.TrimSpace(s.Host) == "" {
		return &Error{Key: "enroll.err.smtp_host"}
	}
	// Build (and verify) the message before touching the network.
	msg, err := buildMessage(p, s.From, s.To, "", false)
	if err != nil {
		return err
	}
	if err := sendSMTP(ctx, s, msg); err != nil {
		return err
	}
	logrus.WithFields(logrus.Fields{"package": p.Manifest.ID, "server": net.JoinHostPort(s.Host, strconv.Itoa(cmp.Or(s.Port, 587))), "recipients": len(s.To)}).
		Info("enroll: package sent by SMTP")
	return nil
}

// SendText sends a plain-text message (UTF-8) through s, as SendSMTP
// sends a package: same TLS, authentication and errors. Other rooms'
// notices use it (health alerts), so there is one SMTP conversation.
func SendText(ctx context.Context, s SMTP, subject, body string) error {
	if strings.TrimSpace(s.Host) == "" {
		return &Error{Key: "enroll.err.smtp_host"}
	}
	msg, err := buildText(s.From, s.To, subject, body)
	if err != nil {
		return err
	}
	return sendSMTP(ctx, s, msg)
}

// sendSMTP holds the conversation that delivers msg (see SendSMTP).
func sendSMTP(ctx context.Context, s SMTP, msg []byte) error {
	if s.Port == 0 {
		s.Port = 587
	}
	if s.Timeout == 0 {
		s.Timeout = time.Minute
	}
	server := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	data := func(extra ...any) map[string]any {
		d := map[string]any{"Server": server}
		for i := 0; i+1 < len(extra); i += 2 {
			d[extra[i].(string)] = extra[i+1]
		}
		return d
	}

	implicit := s.ImplicitTLS || s.Port == 465
	cfg := clientTLS(s)
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	d := net.Dialer{}
	raw, err := d.DialContext(ctx, "tcp", server)
	if err != nil {
		return &Error{Key: "enroll.err.smtp_connect", Data: data(), Err: err}
	}
	capped := newCapConn(raw)
	var conn net.Conn = capped
	if implicit {
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			if ctx.Err() != nil {
				return &Error{Key: "enroll.err.smtp_connect", Data: data(), Err: ctx.Err()}
			}
			return &Error{Key: "enroll.err.smtp_tls", Data: data(), Err: err}
		}
		conn = tc
	}
	// The deadline and a cancelled context both end a stalled server.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer conn.Close()

	// connErr maps a failure mid-conversation: a cancelled context is
	// reported as such, not as whatever the closed socket said.
	connErr := func(err error) error {
		if capped.flooded.Load() {
			return &Error{Key: "enroll.err.smtp_flood", Data: data("KiB", maxSMTPRead>>10), Err: err}
		}
		if ctx.Err() != nil {
			return &Error{Key: "enroll.err.smtp_connect", Data: data(), Err: ctx.Err()}
		}
		return &Error{Key: "enroll.err.smtp_connect", Data: data(), Err: err}
	}
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		return connErr(err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return connErr(err)
	}
	if !implicit {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			c.Quit()
			return &Error{Key: "enroll.err.smtp_no_starttls", Data: data()}
		}
		if err := c.StartTLS(cfg); err != nil {
			if ctx.Err() != nil {
				return connErr(err)
			}
			return &Error{Key: "enroll.err.smtp_tls", Data: data(), Err: err}
		}
	}
	if s.Username != "" {
		ok, mechs := c.Extension("AUTH")
		if !ok || !hasWord(mechs, "PLAIN") {
			c.Quit()
			return &Error{Key: "enroll.err.smtp_no_auth", Data: data()}
		}
		if err := c.Auth(&plainAuth{user: s.Username, pass: s.Password}); err != nil {
			if code(err) == 0 {
				return connErr(err)
			}
			return &Error{Key: "enroll.err.smtp_auth_failed", Data: data("User", s.Username), Err: err}
		}
	}
	if err := c.Mail(s.From); err != nil {
		return replyErr(err, "enroll.err.smtp_from_refused", data("Address", s.From), connErr)
	}
	for _, to := range s.To {
		if err := c.Rcpt(to); err != nil {
			return replyErr(err, "enroll.err.smtp_recipient_refused", data("Address", to), connErr)
		}
	}
	w, err := c.Data()
	if err != nil {
		return replyErr(err, "enroll.err.smtp_data", data(), connErr)
	}
	if _, err := w.Write(msg); err != nil {
		return connErr(err)
	}
	if err := w.Close(); err != nil {
		return replyErr(err, "enroll.err.smtp_data", data(), connErr)
	}
	c.Quit()
	return nil
}

// clientTLS is the TLS configuration for s: the certificate is always
// verified (skipping is accepted only from a caller that verifies it
// itself, by pinning), TLS 1.2 at least.
func clientTLS(s SMTP) *tls.Config {
	cfg := &tls.Config{}
	if s.TLS != nil {
		cfg = s.TLS.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = s.Host
	}
	if cfg.InsecureSkipVerify && cfg.VerifyPeerCertificate == nil && cfg.VerifyConnection == nil {
		cfg.InsecureSkipVerify = false
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

// replyErr: an SMTP reply (a code) is the server's refusal, anything else
// a broken connection.
func replyErr(err error, key string, d map[string]any, connErr func(error) error) error {
	if c := code(err); c != 0 {
		d["Reply"] = c
		return &Error{Key: key, Data: d, Err: err}
	}
	return connErr(err)
}

func code(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

func hasWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, w) {
			return true
		}
	}
	return false
}

// plainAuth is SASL PLAIN (RFC 4616) that refuses to run outside TLS, so
// a coding mistake can never put the password on the wire in clear.
type plainAuth struct{ user, pass string }

func (a *plainAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS {
		return "", nil, errors.New("smtp: refusing AUTH PLAIN without TLS")
	}
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
}

func (a *plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("smtp: unexpected server challenge")
	}
	return nil, nil
}

// String shows the settings without the password, so printing an SMTP
// value (%v, %+v, a log field) never reveals it.
func (s SMTP) String() string {
	pw := ""
	if s.Password != "" {
		pw = "(set)"
	}
	return fmt.Sprintf("smtp{%s:%d user=%q password=%s from=%q to=%q}", s.Host, s.Port, s.Username, pw, s.From, s.To)
}

// GoString is String for %#v.
func (s SMTP) GoString() string { return s.String() }
