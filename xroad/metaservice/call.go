package metaservice

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// The metaservices this package calls (MetadataRequests.java).
const (
	ListMethods    = "listMethods"
	AllowedMethods = "allowedMethods"
)

// The security server's client-side ports (the proxy's
// client-http-port 8080 and client-https-port 8443, SystemProperties.java).
const (
	DefaultHTTPPort  = "8080"
	DefaultHTTPSPort = "8443"
)

// Target is where the information system reaches the security server.
type Target struct {
	// URL is the client side's base: http://HOST:8080 or https://HOST:8443.
	URL string
	// Via, when set, carries every connection: the URL's host and port
	// are dialled as that host sees them (over SSH, 127.0.0.1 is the
	// server's own loopback, as `ssh -L` would reach it).
	Via remote.Host
	// ServerCertPEM (https) is the security server's internal TLS
	// certificate (/etc/xroad/ssl/internal.crt), the one the client side
	// presents: the connection trusts it and nothing else.
	ServerCertPEM []byte
	// ClientCert (https) is the information system's key and certificate,
	// for a subsystem whose connection type is HTTPS (SSLAUTH).
	ClientCert *tls.Certificate
}

// Request is one metaservice call.
type Request struct {
	Client   ID     // the X-Road-Client: the subsystem calling
	Provider ID     // the service provider asked about
	Method   string // ListMethods (default) or AllowedMethods
	QueryID  string // X-Road-Id; empty: the server makes one
	UserID   string // X-Road-UserId, optional
}

// Bounds: the client side answers a metaservice from its own
// configuration within seconds; its error bodies are a few hundred bytes.
const (
	callTimeout    = 30 * time.Second
	maxHeaderBytes = 64 << 10
	maxBody        = 4 << 20
	maxErrorBody   = 64 << 10
)

// Call sends r to t's client side and returns the services the answer
// lists; a failure is an *Error (see Explain).
func Call(ctx context.Context, t Target, r Request) (Result, error) {
	var res Result
	if r.Method == "" {
		r.Method = ListMethods
	}
	if r.Method != ListMethods && r.Method != AllowedMethods {
		return res, &Error{Key: "call.err.method", Data: map[string]any{"Method": r.Method}}
	}
	for _, id := range []ID{r.Client, r.Provider} {
		if _, err := ParseID(id.String()); err != nil {
			return res, err
		}
	}
	base, hc, err := t.client()
	if err != nil {
		return res, err
	}
	u := base + "/r1/" + r.Provider.path() + "/" + r.Method
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return res, &Error{Key: "call.err.url", Data: map[string]any{"URL": t.URL}, Err: err}
	}
	req.Header.Set("X-Road-Client", r.Client.String())
	req.Header.Set("Accept", "application/json")
	if r.QueryID != "" {
		req.Header.Set("X-Road-Id", r.QueryID)
	}
	if r.UserID != "" {
		req.Header.Set("X-Road-UserId", r.UserID)
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return res, transportError(t, err)
	}
	defer resp.Body.Close()
	res.Elapsed = time.Since(start)
	res.Status = resp.StatusCode
	res.QueryID = resp.Header.Get("X-Road-Id")
	res.RequestID = resp.Header.Get("X-Road-Request-Id")
	return parse(res, resp)
}

// client is the base URL (no trailing slash) and the HTTP client for t.
func (t Target) client() (string, *http.Client, error) {
	bad := func(err error) error {
		return &Error{Key: "call.err.url", Data: map[string]any{"URL": t.URL}, Err: err}
	}
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(t.URL), "/"))
	if err != nil {
		return "", nil, bad(err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", nil, bad(errors.New("not http(s)://HOST[:PORT]"))
	}
	addr := u.Host
	if u.Port() == "" {
		port := DefaultHTTPPort
		if u.Scheme == "https" {
			port = DefaultHTTPSPort
		}
		addr = net.JoinHostPort(u.Hostname(), port)
	}
	tr := &http.Transport{
		MaxResponseHeaderBytes: maxHeaderBytes,
		DisableKeepAlives:      true,
		TLSHandshakeTimeout:    15 * time.Second,
		Proxy:                  nil, // the client side is reached directly, never through a proxy
	}
	d := net.Dialer{Timeout: 15 * time.Second}
	tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
		if t.Via != nil {
			return t.Via.DialTCP(ctx, addr)
		}
		return d.DialContext(ctx, "tcp", addr)
	}
	if u.Scheme == "https" {
		if len(t.ServerCertPEM) == 0 {
			return "", nil, &Error{Key: "call.err.https_cert"}
		}
		cfg, st, err := remote.PinnedTLS(t.ServerCertPEM)
		if err != nil {
			return "", nil, &Error{Key: "call.err.server_cert", Err: err}
		}
		if t.ClientCert != nil {
			cfg.Certificates = []tls.Certificate{*t.ClientCert}
		}
		tr.TLSClientConfig = cfg
		// The name TLS checks is the certificate's own: the URL's host may
		// be an address the certificate does not name (a tunnel, an IP).
		return "https://" + net.JoinHostPort(st.ServerName, portOf(addr)), &http.Client{Transport: tr, Timeout: callTimeout}, nil
	}
	return "http://" + addr, &http.Client{Transport: tr, Timeout: callTimeout}, nil
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
