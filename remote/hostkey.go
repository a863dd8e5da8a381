package remote

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/sirupsen/logrus"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// Fingerprint returns the OpenSSH SHA-256 fingerprint of key, "SHA256:...".
func Fingerprint(key gossh.PublicKey) string {
	if key == nil {
		return ""
	}
	return gossh.FingerprintSHA256(key)
}

// HostKeyChangedError reports that known_hosts holds a different key for
// the host. It is always refused.
type HostKeyChangedError struct {
	Host           string // as written in known_hosts: "host" or "[host]:port"
	Fingerprint    string // fingerprint of the key the server presented
	KeyType        string
	KnownHostsFile string // file and line holding the old key
	Line           int
}

func (e *HostKeyChangedError) Error() string {
	return fmt.Sprintf("WARNING: the SSH host key of %s has CHANGED (server now presents %s %s). "+
		"Someone could be intercepting the connection (man-in-the-middle attack), or the server's key was replaced. "+
		"The connection was refused. If the change is expected, verify the new fingerprint with the server's administrator, "+
		"then remove the old key at %s line %d (for example: ssh-keygen -R '%s' -f %s) and connect again.",
		e.Host, e.KeyType, e.Fingerprint, e.KnownHostsFile, e.Line, e.Host, e.KnownHostsFile)
}

// HostKeyUnknownError reports a host missing from known_hosts whose key was
// not accepted.
type HostKeyUnknownError struct {
	Host        string
	Fingerprint string
	KeyType     string
}

func (e *HostKeyUnknownError) Error() string {
	return fmt.Sprintf("the SSH host key of %s is not known (%s %s); the connection was refused. "+
		"Verify this fingerprint with the server's administrator or console (ssh-keygen -lf /etc/ssh/ssh_host_%s_key.pub on the server), "+
		"then rerun with --accept-new-host-key.",
		e.Host, e.KeyType, e.Fingerprint, keyFileStem(e.KeyType))
}

// HostKeyRevokedError reports a host key marked @revoked in known_hosts.
type HostKeyRevokedError struct {
	Host, Fingerprint, KnownHostsFile string
	Line                              int
}

func (e *HostKeyRevokedError) Error() string {
	return fmt.Sprintf("the SSH host key of %s (%s) is marked @revoked at %s line %d; the connection was refused",
		e.Host, e.Fingerprint, e.KnownHostsFile, e.Line)
}

func keyFileStem(keyType string) string {
	switch keyType {
	case gossh.KeyAlgoED25519:
		return "ed25519"
	case gossh.KeyAlgoRSA:
		return "rsa"
	case gossh.KeyAlgoECDSA256, gossh.KeyAlgoECDSA384, gossh.KeyAlgoECDSA521:
		return "ecdsa"
	}
	return "*"
}

// DefaultKnownHostsFile returns ~/.ssh/known_hosts.
func DefaultKnownHostsFile() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the home directory for known_hosts: %w", err)
	}
	return filepath.Join(home, ".ssh", "known_hosts"), nil
}

// knownHostsMu serialises appends from this process.
var knownHostsMu sync.Mutex

type hostKeyVerifier struct {
	file   string
	accept func(host, fingerprint, keyType string) bool
	hash   bool
	log    logrus.FieldLogger
	// interact runs f with the connect timeout suspended (user prompts).
	interact func(f func())
}

func (v *hostKeyVerifier) load() (gossh.HostKeyCallback, error) {
	if _, err := os.Stat(v.file); errors.Is(err, fs.ErrNotExist) {
		return knownhosts.New()
	}
	// Read through its cap first: knownhosts.New reads without one.
	if _, err := readcap.ReadFile(v.file, readcap.KnownHosts); err != nil {
		return nil, fmt.Errorf("reading known hosts: %w", err)
	}
	cb, err := knownhosts.New(v.file)
	if err == nil {
		return cb, nil
	}
	if cb, ok := v.loadTolerant(); ok {
		return cb, nil
	}
	return nil, fmt.Errorf("reading known hosts: %w", err)
}

// loadTolerant skips lines the library cannot parse (for example key
// types it does not know), as OpenSSH does, keeping line numbers: it reads
// a copy with those lines commented out and reports the original file in
// errors.
func (v *hostKeyVerifier) loadTolerant() (gossh.HostKeyCallback, bool) {
	data, err := readcap.ReadFile(v.file, readcap.KnownHosts)
	if err != nil {
		return nil, false
	}
	lines := strings.Split(string(data), "\n")
	tmp, err := os.CreateTemp("", "known_hosts-")
	if err != nil {
		return nil, false
	}
	defer os.Remove(tmp.Name())
	tmp.Close()
	prefix := "knownhosts: " + tmp.Name() + ":"
	for tries := 0; tries <= len(lines); tries++ {
		if err := os.WriteFile(tmp.Name(), []byte(strings.Join(lines, "\n")), 0o600); err != nil {
			return nil, false
		}
		cb, err := knownhosts.New(tmp.Name())
		if err == nil {
			return v.renamed(cb, tmp.Name()), true
		}
		rest, ok := strings.CutPrefix(err.Error(), prefix)
		if !ok {
			return nil, false
		}
		numStr, _, _ := strings.Cut(rest, ":")
		n, convErr := strconv.Atoi(numStr)
		if convErr != nil || n < 1 || n > len(lines) || strings.HasPrefix(lines[n-1], "#") {
			return nil, false
		}
		v.log.WithFields(logrus.Fields{"file": v.file, "line": n}).Debug("ssh: skipping known_hosts line that cannot be parsed")
		lines[n-1] = "#" + lines[n-1]
	}
	return nil, false
}

// renamed makes errors of a callback loaded from tmp name v.file instead.
func (v *hostKeyVerifier) renamed(cb gossh.HostKeyCallback, tmp string) gossh.HostKeyCallback {
	return func(hostname string, remote net.Addr, key gossh.PublicKey) error {
		err := cb(hostname, remote, key)
		var ke *knownhosts.KeyError
		var re *knownhosts.RevokedError
		switch {
		case errors.As(err, &ke):
			for i := range ke.Want {
				if ke.Want[i].Filename == tmp {
					ke.Want[i].Filename = v.file
				}
			}
		case errors.As(err, &re):
			if re.Revoked.Filename == tmp {
				re.Revoked.Filename = v.file
			}
		}
		return err
	}
}

var (
	probeOnce sync.Once
	probeKey  gossh.PublicKey
)

func probe() gossh.PublicKey {
	probeOnce.Do(func() {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}
		probeKey, _ = gossh.NewPublicKey(pub)
	})
	return probeKey
}

// knownKeys returns the keys known_hosts holds for addr (HOST:PORT).
func (v *hostKeyVerifier) knownKeys(addr string) ([]knownhosts.KnownKey, error) {
	cb, err := v.load()
	if err != nil {
		return nil, err
	}
	err = cb(addr, dummyRemote(addr), probe())
	var ke *knownhosts.KeyError
	if errors.As(err, &ke) {
		return ke.Want, nil
	}
	return nil, nil
}

func dummyRemote(addr string) net.Addr {
	_, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	return &net.TCPAddr{IP: net.IPv4zero, Port: port}
}

// hostKeyAlgorithms returns the host-key algorithms to offer for addr so
// that the server presents a key type known_hosts holds; an
// OpenSSH-like preference for a host not in known_hosts.
func (v *hostKeyVerifier) hostKeyAlgorithms(addr string) ([]string, error) {
	keys, err := v.knownKeys(addr)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		// Unknown host: OpenSSH's preference (the library default would
		// pick RSA before Ed25519). Host certificates are not offered:
		// trust on first use needs a plain key.
		return []string{gossh.KeyAlgoED25519, gossh.KeyAlgoECDSA256, gossh.KeyAlgoECDSA384, gossh.KeyAlgoECDSA521,
			gossh.KeyAlgoRSASHA512, gossh.KeyAlgoRSASHA256}, nil
	}
	have := map[string]bool{}
	for _, k := range keys {
		have[k.Key.Type()] = true
	}
	// Strongest first; RSA keys are offered with SHA-2 signatures before
	// the legacy SHA-1 "ssh-rsa".
	order := []struct {
		keyType string
		algos   []string
	}{
		{gossh.KeyAlgoED25519, []string{gossh.KeyAlgoED25519}},
		{gossh.KeyAlgoECDSA256, []string{gossh.KeyAlgoECDSA256}},
		{gossh.KeyAlgoECDSA384, []string{gossh.KeyAlgoECDSA384}},
		{gossh.KeyAlgoECDSA521, []string{gossh.KeyAlgoECDSA521}},
		{gossh.KeyAlgoSKED25519, []string{gossh.KeyAlgoSKED25519}},
		{gossh.KeyAlgoSKECDSA256, []string{gossh.KeyAlgoSKECDSA256}},
		{gossh.KeyAlgoRSA, []string{gossh.KeyAlgoRSASHA512, gossh.KeyAlgoRSASHA256, gossh.KeyAlgoRSA}},
	}
	var algos []string
	for _, o := range order {
		if have[o.keyType] {
			algos = append(algos, o.algos...)
			delete(have, o.keyType)
		}
	}
	for t := range have { // anything else known_hosts holds (e.g. ssh-dss)
		algos = append(algos, t)
	}
	return algos, nil
}

// check is the ssh.HostKeyCallback.
func (v *hostKeyVerifier) check(hostname string, remote net.Addr, key gossh.PublicKey) error {
	host := knownhosts.Normalize(hostname)
	fp := Fingerprint(key)
	cb, err := v.load()
	if err != nil {
		return err
	}
	err = cb(hostname, remote, key)
	if err == nil {
		v.log.WithFields(logrus.Fields{"host": host, "fingerprint": fp}).Debug("ssh: host key matches known_hosts")
		return nil
	}
	var revoked *knownhosts.RevokedError
	if errors.As(err, &revoked) {
		return &HostKeyRevokedError{Host: host, Fingerprint: fp, KnownHostsFile: revoked.Revoked.Filename, Line: revoked.Revoked.Line}
	}
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) {
		return fmt.Errorf("verifying host key of %s: %w", host, err)
	}
	if len(ke.Want) > 0 {
		e := &HostKeyChangedError{Host: host, Fingerprint: fp, KeyType: key.Type(),
			KnownHostsFile: ke.Want[0].Filename, Line: ke.Want[0].Line}
		v.log.WithFields(logrus.Fields{"host": host, "fingerprint": fp}).Warn("ssh: host key changed, refusing")
		return e
	}
	accepted := false
	if v.accept != nil {
		v.interact(func() { accepted = v.accept(host, fp, key.Type()) })
	}
	if !accepted {
		return &HostKeyUnknownError{Host: host, Fingerprint: fp, KeyType: key.Type()}
	}
	if err := v.add(host, key); err != nil {
		return fmt.Errorf("host key of %s accepted but not saved: %w", host, err)
	}
	v.log.WithFields(logrus.Fields{"host": host, "fingerprint": fp, "file": v.file}).Info("ssh: new host key accepted and saved")
	return nil
}

// add appends one line for host (normalised) to the known_hosts file.
func (v *hostKeyVerifier) add(host string, key gossh.PublicKey) error {
	return AppendKnownHost(v.file, host, key, v.hash)
}

// KnownHostsLine returns a known_hosts line for address (HOST, HOST:PORT or
// [HOST]:PORT), hashed like "ssh-keygen -H" when hash is true.
func KnownHostsLine(address string, key gossh.PublicKey, hash bool) string {
	h := knownhosts.Normalize(address)
	if hash {
		h = knownhosts.HashHostname(h)
	}
	return h + " " + key.Type() + " " + base64.StdEncoding.EncodeToString(key.Marshal())
}

// AppendKnownHost appends a line for address to file, creating the file
// (0600) and its directory (0700) when missing.
func AppendKnownHost(file, address string, key gossh.PublicKey, hash bool) error {
	knownHostsMu.Lock()
	defer knownHostsMu.Unlock()
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	line := []byte(KnownHostsLine(address, key, hash) + "\n")
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			line = append([]byte{'\n'}, line...)
		}
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
