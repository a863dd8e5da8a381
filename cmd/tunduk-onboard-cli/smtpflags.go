package main

// The SMTP server's flags, shared by the verbs that send mail: submit
// and client notify (--via smtp), status (--mail-to). One reading of
// them: the same checks, the same password rules (standard input, else
// the OS keyring entry the wizard shares, else the terminal).

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

type smtpFlags struct {
	smtpHost          string
	smtpPort          int
	smtpUser, from    string
	smtpPasswordStdin bool
	tlsCA             string
}

// register adds the flags; tlsCAUsage says what --tls-ca is trusted for
// in the verb.
func (s *smtpFlags) register(fs *flag.FlagSet, tlsCAUsage string) {
	fs.StringVar(&s.smtpHost, "smtp-host", "", "your SMTP server")
	fs.IntVar(&s.smtpPort, "smtp-port", 587, "SMTP port: 587 with STARTTLS (required), or 465 with TLS from the start")
	fs.StringVar(&s.smtpUser, "smtp-user", "", "SMTP user name (default: --from)")
	fs.StringVar(&s.from, "from", "", "your e-mail address")
	fs.BoolVar(&s.smtpPasswordStdin, "smtp-password-stdin", false, "read the SMTP password from the first line of standard input (else the OS keyring, else asked on the terminal)")
	fs.StringVar(&s.tlsCA, "tls-ca", "", tlsCAUsage)
}

// certPool is the system's roots with --tls-ca's added; nil without
// --tls-ca (Go's defaults).
func (s *smtpFlags) certPool() (*x509.CertPool, error) { return caPool(s.tlsCA) }

// caPool is the system's roots with file's certificates added; nil
// when file is "".
func caPool(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	data, err := readcap.ReadFile(file, readcap.CABundle)
	if err != nil {
		return nil, badRead("--tls-ca", file, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, badInput("cli.submit.err_tls_ca", map[string]any{"File": file})
	}
	return pool, nil
}

// poolClient is an HTTPS client trusting pool (nil: the system's roots).
func poolClient(pool *x509.CertPool, timeout time.Duration) *http.Client {
	c := &http.Client{Timeout: timeout}
	if pool != nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
		c.Transport = tr
	}
	return c
}

// checkAddresses refuses what is not an e-mail address ("" is skipped).
func checkAddresses(addrs ...string) error {
	for _, a := range addrs {
		if a == "" {
			continue
		}
		if _, err := mail.ParseAddress(a); err != nil {
			return &enroll.Error{Key: "enroll.err.address", Data: map[string]any{"Address": a}}
		}
	}
	return nil
}

// smtp is the server to send to with, its password read (fromKeyring:
// the OS keyring had it). pool is certPool's.
func (s *smtpFlags) smtp(to []string, pool *x509.CertPool, stdin io.Reader, lang string) (c enroll.SMTP, fromKeyring bool, err error) {
	if strings.TrimSpace(s.smtpHost) == "" {
		return c, false, &enroll.Error{Key: "enroll.err.smtp_host"}
	}
	if s.from == "" {
		return c, false, badInput("cli.submit.err_smtp_from", nil)
	}
	user := s.smtpUser
	if user == "" {
		user = s.from
	}
	c = enroll.SMTP{Host: s.smtpHost, Port: s.smtpPort, Username: user, From: s.from, To: to, Timeout: 2 * time.Minute}
	if pool != nil {
		c.TLS = &tls.Config{RootCAs: pool}
	}
	c.Password, fromKeyring, err = s.password(stdin, user, lang)
	return c, fromKeyring, err
}

// password takes the password from stdin (--smtp-password-stdin), else
// from the OS keyring when one was remembered (by submit or the wizard:
// enroll keeps one name for both), else from a no-echo prompt on the
// terminal. Never from argv or the environment.
func (s *smtpFlags) password(stdin io.Reader, user, lang string) (string, bool, error) {
	if s.smtpPasswordStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if (err != nil && !errors.Is(err, io.EOF)) || line == "" {
			return "", false, badInput("cli.submit.err_password_stdin", nil)
		}
		return line, false, nil
	}
	if pw, err := enroll.LoadSMTPPassword(user, s.smtpHost); err == nil && pw != "" {
		return pw, true, nil
	}
	pw, err := promptTTY(i18n.T(lang, "cli.submit.password_prompt", map[string]any{"User": user, "Server": s.smtpHost}))
	if err != nil || pw == "" {
		return "", false, badInput("cli.submit.err_no_tty", nil)
	}
	return pw, false, nil
}
