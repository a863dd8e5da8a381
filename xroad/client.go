// Package xroad is a typed client of the X-Road Security Server Admin
// API (release 7.4.2, API 2.1.0), used through the installer's SSH tunnel
// (remote.TunnelHTTP). Only the calls and fields the onboarding flow
// needs are modelled; JSON names follow the published OpenAPI definition.
//
// Secrets (the API key, the admin password, token PINs) are held only in
// memory, sent only in headers or bodies, and never put into an error or a
// log line: every error the API returns is scrubbed of the secrets of the
// call that caused it.
package xroad

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// maxBody bounds what we read from the host: the host is not trusted, and
// no answer of the calls we make comes near it.
const maxBody = 4 << 20

// ErrNoAPIKey is a call made before an API key was created or set, or
// after it was revoked.
var ErrNoAPIKey = errors.New("xroad: no API key (call CreateAPIKey or SetAPIKey first)")

// Client calls one security server's Admin API.
type Client struct {
	hc   *http.Client
	base string

	// Log receives one line per call (method, path, status, time). Nil:
	// no logging.
	Log logrus.FieldLogger
	// MaxRetries bounds how often a call rate-limited with 429 is retried
	// (the API allows 20 requests a second from one address).
	MaxRetries int
	// MaxWait caps one Retry-After wait so a hostile or confused server
	// cannot park the flow.
	MaxWait time.Duration

	mu    sync.Mutex
	key   string // the API key; never logged, never in an error
	keyID int64  // its id, when this client created it
}

// New returns a client for base, e.g. "https://ss1.example.kg/api/v1",
// over hc (from remote.TunnelHTTP).
func New(hc *http.Client, base string) *Client {
	return &Client{hc: hc, base: strings.TrimRight(base, "/"), MaxRetries: 3, MaxWait: 10 * time.Second}
}

// CloseIdle closes the kept connections (the tunnel keeps them for the
// next call): a flow that is done calls it, so no channel of the SSH
// connection stays open for up to the tunnel's idle bound.
func (c *Client) CloseIdle() { c.hc.CloseIdleConnections() }

// SetAPIKey makes the client use key, e.g. one the operator created.
func (c *Client) SetAPIKey(key string) {
	c.mu.Lock()
	c.key, c.keyID = key, 0
	c.mu.Unlock()
}

func (c *Client) apiKey() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.key
}

// call is one request: the body is kept as bytes so a rate-limited call
// can be sent again unchanged.
type call struct {
	method, path string
	query        string
	body         []byte
	contentType  string
	accept       string
	basicUser    string
	basicPass    string
	secrets      []string // to scrub from anything the server echoes back
	// timeout, when set, replaces the tunnel's per-call bound for a call
	// the server takes long over (a backup, a restore).
	timeout time.Duration
	// sink, when set, takes a 2xx answer's body as it arrives.
	sink *sink
}

// sink receives a body too large to hold in memory: at most max bytes,
// else ErrTooLarge.
type sink struct {
	w      io.Writer
	max    int64
	n      int64 // bytes written
	length int64 // the Content-Length the server announced, -1: none
}

// ErrTooLarge is an answer larger than the caller's limit.
var ErrTooLarge = errors.New("xroad: answer larger than the limit")

// jsonCall encodes v as the body of a JSON call.
func jsonCall(method, path string, v any) (call, error) {
	cl := call{method: method, path: path, accept: "application/json"}
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return cl, err
		}
		cl.body, cl.contentType = b, "application/json"
	}
	return cl, nil
}

// do runs cl, retrying on 429, and returns the 2xx response body.
func (c *Client) do(ctx context.Context, cl call) ([]byte, int, error) {
	key := c.apiKey()
	if cl.basicUser == "" && key == "" {
		return nil, 0, ErrNoAPIKey
	}
	secrets := append([]string{key, cl.basicPass}, cl.secrets...)
	for attempt := 0; ; attempt++ {
		start := time.Now()
		body, status, hdr, err := c.once(ctx, cl, key)
		c.logCall(cl, status, time.Since(start), attempt)
		if err != nil {
			return nil, status, fmt.Errorf("%s %s: %w", cl.method, cl.path, scrubErr(err, secrets))
		}
		if status >= 200 && status < 300 {
			return body, status, nil
		}
		apiErr := parseError(cl.method, cl.path, status, hdr, body, secrets)
		if status != http.StatusTooManyRequests || attempt >= c.MaxRetries {
			return nil, status, apiErr
		}
		wait := min(apiErr.RetryAfter, c.MaxWait)
		if wait <= 0 {
			// X-Road's limit (IpThrottlingFilter) is per second and per
			// minute, and it sends no Retry-After.
			wait = min(time.Second, c.MaxWait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, status, ctx.Err()
		case <-t.C:
		}
	}
}

func (c *Client) once(ctx context.Context, cl call, key string) ([]byte, int, http.Header, error) {
	u := c.base + cl.path
	if cl.query != "" {
		u += "?" + cl.query
	}
	var rd io.Reader
	if cl.body != nil {
		rd = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u, rd)
	if err != nil {
		return nil, 0, nil, err
	}
	if cl.contentType != "" {
		req.Header.Set("Content-Type", cl.contentType)
	}
	if cl.accept != "" {
		req.Header.Set("Accept", cl.accept)
	}
	if cl.basicUser != "" {
		req.SetBasicAuth(cl.basicUser, cl.basicPass)
	} else {
		req.Header.Set("Authorization", "X-Road-ApiKey token="+key)
	}
	hc := c.hc
	if cl.timeout > 0 {
		long := *c.hc // same transport, another bound
		long.Timeout = cl.timeout
		hc = &long
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, 0, nil, err
	}
	defer resp.Body.Close()
	if k := cl.sink; k != nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil, resp.StatusCode, resp.Header, k.take(resp)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, resp.StatusCode, resp.Header, err
	}
	if len(body) > maxBody {
		return nil, resp.StatusCode, resp.Header, fmt.Errorf("answer larger than %d bytes", maxBody)
	}
	return body, resp.StatusCode, resp.Header, nil
}

// take copies resp's body into the sink, refusing more than its limit
// (announced or sent).
func (k *sink) take(resp *http.Response) error {
	k.length = resp.ContentLength
	if k.length > k.max {
		return fmt.Errorf("%w: %d bytes announced, %d allowed", ErrTooLarge, k.length, k.max)
	}
	n, err := io.Copy(k.w, io.LimitReader(resp.Body, k.max+1))
	k.n = n
	if err != nil {
		return err
	}
	if n > k.max {
		return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, k.max)
	}
	return nil
}

// logCall logs what was called, never a header or a body: those carry the
// key, the password and PINs.
func (c *Client) logCall(cl call, status int, d time.Duration, attempt int) {
	if c.Log == nil {
		return
	}
	c.Log.WithFields(logrus.Fields{
		"method": cl.method, "path": cl.path, "status": status,
		"ms": d.Milliseconds(), "attempt": attempt,
	}).Debug("admin API call")
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// scrubErr hides secrets in a transport error's text (a URL never holds
// one, but the error text is not ours to trust).
func scrubErr(err error, secrets []string) error {
	s := scrub(err.Error(), secrets)
	if s == err.Error() {
		return err
	}
	return errors.New(s)
}

func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

func decode(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("xroad: unexpected answer: %w", err)
	}
	return nil
}
