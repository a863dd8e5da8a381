package remote

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"

	"github.com/sirupsen/logrus"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// AuthError reports that every configured authentication method failed.
// It names the methods, never a secret.
type AuthError struct {
	User, Host string
	Tried      []string // what was offered, e.g. "publickey (ssh-agent: 1 key)", "password"
	Allowed    []string // methods the server said it accepts, when known
	Notes      []string // why some credentials were not usable
	Err        error    // underlying library error (no secrets)
}

func (e *AuthError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ssh: authentication as %q on %s failed", e.User, e.Host)
	if len(e.Tried) == 0 {
		b.WriteString("; no authentication method was usable (configure ssh-agent, an identity file or a password)")
	} else {
		b.WriteString("; tried: " + strings.Join(e.Tried, ", "))
	}
	if len(e.Allowed) > 0 {
		b.WriteString("; server accepts: " + strings.Join(e.Allowed, ", "))
	}
	if len(e.Notes) > 0 {
		b.WriteString("; " + strings.Join(e.Notes, "; "))
	}
	return b.String()
}

func (e *AuthError) Unwrap() error { return e.Err }

// authState collects what was tried during one handshake.
type authState struct {
	cfg      *Config
	log      logrus.FieldLogger
	interact func(func())

	mu      sync.Mutex
	tried   []string
	allowed []string
	notes   []string

	pwOnce sync.Once
	pw     string
	pwErr  error

	agentConn net.Conn
}

func (s *authState) record(what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tried {
		if t == what {
			return
		}
	}
	s.tried = append(s.tried, what)
}

func (s *authState) note(n string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notes = append(s.notes, n)
}

func (s *authState) password() (string, error) {
	s.pwOnce.Do(func() {
		s.interact(func() { s.pw, s.pwErr = s.cfg.Password() })
		if s.pwErr != nil {
			// The callback's error text is the caller's; keep only its kind.
			s.note("password prompt failed")
		}
	})
	return s.pw, s.pwErr
}

func (s *authState) close() {
	if s.agentConn != nil {
		s.agentConn.Close()
	}
}

// methods returns the auth methods in order: agent + identity files
// (one "publickey" method, agent keys first), keyboard-interactive, password.
func (s *authState) methods() []gossh.AuthMethod {
	var m []gossh.AuthMethod
	if s.cfg.Agent || len(s.cfg.IdentityFiles) > 0 {
		m = append(m, gossh.PublicKeysCallback(s.signers))
	}
	if s.cfg.Password != nil {
		m = append(m, gossh.KeyboardInteractive(s.keyboardInteractive))
		m = append(m, gossh.PasswordCallback(func() (string, error) {
			s.record("password")
			s.log.Debug("ssh: trying password authentication")
			return s.password()
		}))
	}
	return m
}

func (s *authState) signers() ([]gossh.Signer, error) {
	var out []gossh.Signer
	var parts []string
	if s.cfg.Agent {
		sock := s.cfg.AgentSocket
		if sock == "" {
			sock = os.Getenv("SSH_AUTH_SOCK")
		}
		switch {
		case sock == "":
			s.note("ssh-agent requested but SSH_AUTH_SOCK is not set")
		default:
			conn, err := net.Dial("unix", sock)
			if err != nil {
				s.note("ssh-agent not reachable: " + err.Error())
				break
			}
			s.agentConn = conn
			sg, err := agent.NewClient(conn).Signers()
			if err != nil {
				s.note("ssh-agent did not list keys: " + err.Error())
				break
			}
			out = append(out, sg...)
			parts = append(parts, fmt.Sprintf("ssh-agent: %d key(s)", len(sg)))
			s.log.WithField("keys", len(sg)).Debug("ssh: using ssh-agent keys")
		}
	}
	for _, file := range s.cfg.IdentityFiles {
		sg, err := s.identity(file)
		if err != nil {
			s.note(err.Error())
			continue
		}
		out = append(out, sg)
		parts = append(parts, file)
		s.log.WithFields(logrus.Fields{"file": file, "fingerprint": Fingerprint(sg.PublicKey())}).Debug("ssh: offering identity file")
	}
	if len(parts) > 0 {
		s.record("publickey (" + strings.Join(parts, ", ") + ")")
	} else {
		s.record("publickey (no usable key)")
	}
	return out, nil
}

// identity loads one private key. An encrypted key whose public half is
// known (OpenSSH format or a .pub file beside it) is decrypted only when the
// server accepts that public key, so its passphrase is asked only if needed.
func (s *authState) identity(file string) (gossh.Signer, error) {
	data, err := readcap.ReadFile(file, readcap.Key)
	if err != nil {
		return nil, fmt.Errorf("identity file %s not readable: %w", file, err)
	}
	sg, err := gossh.ParsePrivateKey(data)
	if err == nil {
		return sg, nil
	}
	var missing *gossh.PassphraseMissingError
	if !errors.As(err, &missing) {
		return nil, fmt.Errorf("identity file %s is not a usable private key: %v", file, err)
	}
	if s.cfg.Passphrase == nil {
		return nil, fmt.Errorf("identity file %s is encrypted and no passphrase callback is set", file)
	}
	pub := missing.PublicKey
	if pub == nil {
		if b, err := readcap.ReadFile(file+".pub", readcap.Key); err == nil {
			pub, _, _, _, _ = gossh.ParseAuthorizedKey(b)
		}
	}
	ls := &lazySigner{file: file, data: data, pub: pub, st: s}
	if pub == nil {
		if _, err := ls.load(); err != nil {
			return nil, err
		}
		pub = ls.signer.PublicKey()
		ls.pub = pub
	}
	return ls, nil
}

// identityError is a local key that could not be used during auth.
type identityError struct{ msg string }

func (e *identityError) Error() string { return e.msg }

type lazySigner struct {
	file string
	data []byte
	pub  gossh.PublicKey
	st   *authState

	once   sync.Once
	signer gossh.Signer
	err    error
}

func (l *lazySigner) load() (gossh.Signer, error) {
	l.once.Do(func() {
		defer func() {
			if l.err != nil {
				l.st.note(l.err.Error())
			}
		}()
		var (
			pass, perr = "", error(nil)
			sg         gossh.Signer
			err        error
		)
		// The prompt and the (deliberately slow, bcrypt) decryption are
		// local work: the connect timeout is suspended meanwhile.
		l.st.interact(func() {
			if pass, perr = l.st.cfg.Passphrase(l.file); perr == nil {
				sg, err = gossh.ParsePrivateKeyWithPassphrase(l.data, []byte(pass))
			}
		})
		if perr != nil {
			l.err = &identityError{fmt.Sprintf("no passphrase for identity file %s", l.file)}
			return
		}
		if err != nil {
			l.err = &identityError{fmt.Sprintf("identity file %s could not be decrypted (wrong passphrase?)", l.file)}
			return
		}
		if l.pub != nil && string(sg.PublicKey().Marshal()) != string(l.pub.Marshal()) {
			l.err = &identityError{fmt.Sprintf("identity file %s does not match its public key", l.file)}
			return
		}
		l.signer = sg
	})
	return l.signer, l.err
}

func (l *lazySigner) PublicKey() gossh.PublicKey { return l.pub }

func (l *lazySigner) Sign(rand io.Reader, data []byte) (*gossh.Signature, error) {
	sg, err := l.load()
	if err != nil {
		return nil, err
	}
	return sg.Sign(rand, data)
}

func (l *lazySigner) SignWithAlgorithm(rand io.Reader, data []byte, algorithm string) (*gossh.Signature, error) {
	sg, err := l.load()
	if err != nil {
		return nil, err
	}
	if as, ok := sg.(gossh.AlgorithmSigner); ok {
		return as.SignWithAlgorithm(rand, data, algorithm)
	}
	if algorithm != "" && algorithm != l.pub.Type() {
		return nil, fmt.Errorf("ssh: key %s cannot sign with %s", l.file, algorithm)
	}
	return sg.Sign(rand, data)
}

// keyboardInteractive answers echo-off prompts (passwords) with the
// password; echoed prompts get an empty answer.
func (s *authState) keyboardInteractive(name, instruction string, questions []string, echos []bool) ([]string, error) {
	s.record("keyboard-interactive")
	answers := make([]string, len(questions))
	for i := range questions {
		if i < len(echos) && echos[i] {
			continue
		}
		pw, err := s.password()
		if err != nil {
			return nil, errors.New("ssh: password prompt failed")
		}
		answers[i] = pw
	}
	if len(questions) > 0 {
		s.log.WithField("prompts", len(questions)).Debug("ssh: answered keyboard-interactive prompts")
	}
	return answers, nil
}

// authCallback only records what the server allows; the library then picks
// the next configured method itself.
func (s *authState) authCallback(ctx *gossh.ClientAuthContext) (gossh.AuthMethod, error) {
	s.mu.Lock()
	s.allowed = append([]string(nil), ctx.AllowedMethods...)
	s.mu.Unlock()
	return nil, nil
}

func (s *authState) authError(user, host string, err error) *AuthError {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &AuthError{User: user, Host: host, Tried: append([]string(nil), s.tried...),
		Allowed: append([]string(nil), s.allowed...), Notes: append([]string(nil), s.notes...), Err: err}
}
