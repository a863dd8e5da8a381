package remote

// An HTTPS service that listens on the host's loopback only (the X-Road
// admin API on 127.0.0.1:4000) is reached the way `ssh -L` would: a
// direct-tcpip channel of the SSH connection; on this computer (Local), a
// plain connection to it. TLS is verified against the one certificate the
// server itself uses, read on the host by the same Host: no certificate
// authority, no skipped verification.

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
)

// PinnedCert is what a pinned TLS connection to the admin API saw.
type PinnedCert struct {
	HTTPStatus int    // of the probe request, when one was made
	CertSHA256 string // hex SHA-256 of the pinned certificate (DER)
	ServerName string // the name TLS verified
}

// PinnedTLS returns a TLS configuration that trusts exactly the PEM
// certificate given, under the name the certificate itself carries (its
// first DNS name, else its first IP address).
func PinnedTLS(certPEM []byte) (*tls.Config, PinnedCert, error) {
	var st PinnedCert
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

// Bounds of TunnelHTTP's client: the admin API answers each call within
// seconds, its headers are a few hundred bytes (bodies are the caller's
// to cap: xroad.Client reads at most 4 MiB).
const (
	tunnelCallTimeout    = 30 * time.Second
	tunnelHandshake      = 15 * time.Second
	tunnelMaxHeaderBytes = 64 << 10
	// A flow's calls come back to back, and each new connection costs a
	// channel open and a TLS 1.2 handshake (the only version X-Road
	// 7.4.2's admin service enables, admin-service application.yml):
	// three round trips a kept connection saves. An idle one is dropped
	// well before the server's own keep-alive bound (Tomcat's connection
	// timeout, 60 s by default; that application.yml sets none), so a
	// request never races the server closing it.
	tunnelIdle     = 10 * time.Second
	tunnelIdleConn = 2
)

// TunnelHTTP is an HTTP client whose every connection goes to addr as h
// sees it (over SSH, a channel of the connection; locally, a direct
// connection), with TLS pinned to certPEM. Every call ends within 30 s,
// the body read included; the response headers are capped at 64 KiB.
func TunnelHTTP(h Host, addr string, certPEM []byte) (*http.Client, PinnedCert, error) {
	cfg, st, err := PinnedTLS(certPEM)
	if err != nil {
		return nil, st, err
	}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return h.DialTCP(ctx, addr)
		},
		TLSClientConfig:        cfg,
		TLSHandshakeTimeout:    tunnelHandshake,
		MaxResponseHeaderBytes: tunnelMaxHeaderBytes,
		IdleConnTimeout:        tunnelIdle,
		MaxIdleConnsPerHost:    tunnelIdleConn,
	}
	return &http.Client{Transport: tr, Timeout: tunnelCallTimeout}, st, nil
}
