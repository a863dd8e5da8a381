// Package enrolltest holds real servers for tests of the enrollment
// delivery: an SMTP server (github.com/emersion/go-smtp) on loopback with
// STARTTLS and AUTH PLAIN, and a self-signed certificate to trust it by.
// It is imported by tests only.
package enrolltest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/tunduk-onboard/tunduk-onboard/internal/testcert"
)

// MailOptions shape the server.
type MailOptions struct {
	NoTLS    bool   // offer no STARTTLS (and so no AUTH)
	Implicit bool   // TLS from the first byte, as on port 465 (no STARTTLS)
	User     string // the account AUTH PLAIN accepts
	Password string
	// Refuse makes RCPT TO of these addresses fail with 550.
	Refuse []string
}

// Message is one message the server accepted.
type Message struct {
	From    string
	To      []string
	Data    []byte
	User    string // who authenticated
	TLS     bool   // the session was inside TLS when AUTH ran
	AuthTLS bool
}

// MailServer is a running SMTP server.
type MailServer struct {
	Host string
	Port int
	// ClientTLS trusts the server's self-signed certificate; CertPEM is
	// that certificate, for a --tls-ca file.
	ClientTLS *tls.Config
	CertPEM   []byte

	opts MailOptions
	mu   sync.Mutex
	msgs []Message
	cmds []string
}

// StartMail starts a server on 127.0.0.1; it stops when t ends.
func StartMail(t testing.TB, o MailOptions) *MailServer {
	t.Helper()
	cert, certPEM := testcert.KeyPair(t, "127.0.0.1")
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	ms := &MailServer{opts: o, ClientTLS: &tls.Config{RootCAs: pool}, CertPEM: certPEM}
	srv := smtp.NewServer(ms)
	srv.Domain = "mail.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.ErrorLog = quietLog{}
	if !o.NoTLS {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms.Host = "127.0.0.1"
	ms.Port = l.Addr().(*net.TCPAddr).Port
	if o.Implicit {
		l = tls.NewListener(l, srv.TLSConfig)
		srv.TLSConfig = nil // no STARTTLS inside TLS
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return ms
}

// Addr is host:port.
func (m *MailServer) Addr() string { return net.JoinHostPort(m.Host, strconv.Itoa(m.Port)) }

// Messages returns what was accepted so far.
func (m *MailServer) Messages() []Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Message(nil), m.msgs...)
}

// Commands lists the transaction commands the server saw (AUTH, MAIL,
// RCPT, DATA), to prove what never happened.
func (m *MailServer) Commands() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.cmds...)
}

func (m *MailServer) saw(c string) {
	m.mu.Lock()
	m.cmds = append(m.cmds, c)
	m.mu.Unlock()
}

// NewSession implements smtp.Backend.
func (m *MailServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{m: m, c: c}, nil
}

type session struct {
	m   *MailServer
	c   *smtp.Conn
	msg Message
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	s.m.saw("AUTH")
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != s.m.opts.User || pass != s.m.opts.Password {
			return smtp.ErrAuthFailed
		}
		_, inTLS := s.c.TLSConnectionState()
		s.msg.User, s.msg.AuthTLS = user, inTLS
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.m.saw("MAIL")
	if s.m.opts.User != "" && s.msg.User == "" {
		return smtp.ErrAuthRequired
	}
	s.msg.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.m.saw("RCPT")
	for _, r := range s.m.opts.Refuse {
		if r == to {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	s.m.saw("DATA")
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	s.msg.Data = b.Bytes()
	_, s.msg.TLS = s.c.TLSConnectionState()
	s.m.mu.Lock()
	s.m.msgs = append(s.m.msgs, s.msg)
	s.m.mu.Unlock()
	s.msg = Message{User: s.msg.User, AuthTLS: s.msg.AuthTLS}
	return nil
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

type quietLog struct{}

func (quietLog) Printf(string, ...interface{}) {}
func (quietLog) Println(...interface{})        {}
