package connect

// The information system's TLS certificate read from its address (issue
// 15 point 2): the certificate its HTTPS server presents, shown to the
// user with its SHA-256 fingerprint, imported only once the user has
// confirmed it. Both front ends call FetchCert; a front end dials through
// the security server (remote.Host.DialTCP) so the certificate is the one
// the server will see.

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// FetchTimeout bounds the connection and the handshake.
const FetchTimeout = 15 * time.Second

// PeerCert is the certificate an information system presented.
type PeerCert struct {
	Addr                string // host:port it was read from
	Subject, Issuer     string // one clean line each
	NotBefore, NotAfter time.Time
	SHA256              string // of the DER, upper-case hex in pairs joined by ':' (as openssl x509 -fingerprint shows it)
	// Trusted: the chain verified against this computer's (or the
	// server's dialer's) system roots for the address's name. Shown, not
	// required: an information system's certificate is often self-signed.
	Trusted bool
	PEM     []byte // the leaf certificate, what is imported
}

// Dialer connects to addr (host:port); nil dials from this computer.
type Dialer func(ctx context.Context, addr string) (net.Conn, error)

// errGot ends a handshake once the certificate is read: nothing is sent
// to the information system beyond the handshake's start.
var errGot = errors.New("certificate read")

// FetchCert reads the certificate the HTTPS server at rawURL
// (https://HOST[:PORT], port 443 by default) presents, within
// FetchTimeout. Errors are *Error: connect.err.peer_url, peer_dial,
// peer_tls.
func FetchCert(ctx context.Context, dial Dialer, rawURL string) (*PeerCert, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.User != nil {
		return nil, &Error{Key: "connect.err.peer_url", Data: map[string]any{"URL": rawURL}}
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	if dial == nil {
		var d net.Dialer
		dial = func(ctx context.Context, addr string) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }
	}
	conn, err := dial(ctx, addr)
	if err != nil {
		return nil, &Error{Key: "connect.err.peer_dial", Data: map[string]any{"URL": addr}, Err: err}
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	var chain []*x509.Certificate
	trusted := false
	// Verification stays on: the question here is not whether to trust
	// the certificate (the user decides that by its fingerprint) but
	// which one the server presents. A chain that verifies is taken in
	// VerifyConnection; one that does not comes back in the
	// verification error with the certificates as received. Either way
	// the handshake is ended there: no data goes over it.
	cfg := &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12,
		VerifyConnection: func(cs tls.ConnectionState) error {
			chain, trusted = cs.PeerCertificates, true
			return errGot
		}}
	err = tls.Client(conn, cfg).HandshakeContext(ctx)
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ve) {
		chain = ve.UnverifiedCertificates
	}
	if len(chain) == 0 {
		return nil, &Error{Key: "connect.err.peer_tls", Data: map[string]any{"URL": addr}, Err: err}
	}
	return peerCert(addr, chain[0], trusted), nil
}

func peerCert(addr string, c *x509.Certificate, trusted bool) *PeerCert {
	sum := sha256.Sum256(c.Raw)
	return &PeerCert{Addr: addr, Subject: i18n.Line(c.Subject.String(), i18n.MaxLine), Issuer: i18n.Line(c.Issuer.String(), i18n.MaxLine),
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), SHA256: Fingerprint(sum[:]), Trusted: trusted,
		PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})}
}

// Fingerprint is sum as upper-case hex pairs joined by ':'.
func Fingerprint(sum []byte) string {
	h := strings.ToUpper(hex.EncodeToString(sum))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// Matches says whether typed is this certificate's SHA-256 fingerprint,
// written any way people copy it: with or without colons or spaces, any
// case, an optional "SHA256:" or "sha256 Fingerprint=" before it.
func (p *PeerCert) Matches(typed string) bool {
	t := strings.ToUpper(typed)
	if i := strings.LastIndexAny(t, "="); i >= 0 {
		t = t[i+1:]
	}
	t = strings.TrimPrefix(strings.TrimSpace(t), "SHA256:")
	t = strings.NewReplacer(":", "", " ", "", "-", "").Replace(t)
	return t != "" && t == strings.ReplaceAll(p.SHA256, ":", "")
}
