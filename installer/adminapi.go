package installer

// The security server's admin API listens on the host's 127.0.0.1:4000
// only (the firewall keeps 4000 closed unless an admin network is given),
// so the client reaches it the way `ssh -L` would: a direct-tcpip channel
// of the installer's own SSH connection. TLS is verified against the one
// certificate the server itself uses, read over the same authenticated
// SSH connection: no certificate authority, no skipped verification.

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/installer/ssh"
)

// AdminAPI is where the admin API listens on the host and where its TLS
// certificate lies there.
type AdminAPI struct {
	Addr     string
	CertPath string
}

// DefaultAdminAPI is the security server's: 127.0.0.1:4000 with the
// certificate the packages make from the proxy-ui-api debconf subjects.
var DefaultAdminAPI = AdminAPI{Addr: "127.0.0.1:4000", CertPath: "/etc/xroad/ssl/proxy-ui-api.crt"}

// adminAPIProbe answers 401 without an API key on a working server.
const adminAPIProbe = "/api/v1/system/version"

// AdminAPIStatus is what VerifyAdminAPI saw.
type AdminAPIStatus struct {
	HTTPStatus int    // of GET /api/v1/system/version without credentials
	CertSHA256 string // hex SHA-256 of the pinned certificate (DER)
	ServerName string // the name TLS verified
}

// PinnedTLS returns a TLS configuration that trusts exactly the PEM
// certificate given, under the name the certificate itself carries (its
// first DNS name, else its first IP address).
func PinnedTLS(certPEM []byte) (*tls.Config, AdminAPIStatus, error) {
	var st AdminAPIStatus
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, st, errors.New("the admin API certificate is not a PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, st, fmt.Errorf("the admin API certificate: %w", err)
	}
	switch {
	case len(cert.DNSNames) > 0:
		st.ServerName = cert.DNSNames[0]
	case len(cert.IPAddresses) > 0:
		st.ServerName = cert.IPAddresses[0].String()
	default:
		return nil, st, errors.New("the admin API certificate names no host (no subject alternative name)")
	}
	sum := sha256.Sum256(cert.Raw)
	st.CertSHA256 = hex.EncodeToString(sum[:])
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{RootCAs: pool, ServerName: st.ServerName, MinVersion: tls.VersionTLS12}, st, nil
}

// TunnelHTTP is an HTTP client whose every connection is a channel of c to
// addr on the host, with TLS pinned to certPEM.
func TunnelHTTP(c *ssh.Client, addr string, certPEM []byte) (*http.Client, AdminAPIStatus, error) {
	cfg, st, err := PinnedTLS(certPEM)
	if err != nil {
		return nil, st, err
	}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return c.Raw().DialContext(ctx, "tcp", addr)
		},
		TLSClientConfig:     cfg,
		TLSHandshakeTimeout: 15 * time.Second,
		DisableKeepAlives:   true,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, st, nil
}

// AdminAPIError is a failed admin API check (not a failed connection).
type AdminAPIError struct{ Err error }

func (e *AdminAPIError) Error() string { return e.Err.Error() }
func (e *AdminAPIError) Unwrap() error { return e.Err }

// Verify reads the admin API's certificate on the host and asks
// the API, through the SSH connection, for its version without
// credentials: 401 (or 200) means it is up and speaks TLS with that very
// certificate.
func (a AdminAPI) Verify(ctx context.Context, h HostAccess) (AdminAPIStatus, error) {
	st, err := a.verify(ctx, h)
	var ce *connError
	if err != nil && !errors.As(err, &ce) {
		err = &AdminAPIError{err}
	}
	return st, err
}

func (a AdminAPI) verify(ctx context.Context, h HostAccess) (AdminAPIStatus, error) {
	certPEM, err := h.RootOutput(ctx, "cat "+q(a.CertPath))
	if err != nil {
		var ce *connError
		if errors.As(err, &ce) {
			return AdminAPIStatus{}, err
		}
		return AdminAPIStatus{}, fmt.Errorf("reading %s on the host: %w", a.CertPath, err)
	}
	hc, st, err := TunnelHTTP(h.Client(), a.Addr, []byte(certPEM))
	if err != nil {
		return st, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+st.ServerName+adminAPIProbe, nil)
	if err != nil {
		return st, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return st, fmt.Errorf("the admin API on %s does not answer through the SSH tunnel: %w", a.Addr, err)
	}
	resp.Body.Close()
	st.HTTPStatus = resp.StatusCode
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("the admin API answered %s to %s", resp.Status, adminAPIProbe)
	}
	return st, nil
}
