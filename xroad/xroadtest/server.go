// Package xroadtest is the contract fake of an X-Road 7.4.2 security
// server's Admin API, for tests of any package: a TLS server on loopback
// whose every request and answer is checked against the published
// OpenAPI definition (xroad/testdata). A violation fails the test that
// started it. It keeps just enough state for the onboarding flow:
// anchor, initialisation, TSAs, a software token (and optionally a
// hardware one), keys, CSRs, certificates and their registration.
//
// Where the definition is silent the fake makes a guess; each is marked
// "guess:" in a comment, so what a real operator server must confirm can
// be found with grep.
package xroadtest

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// The fake security server's fixed facts.
const (
	AdminUser     = "xroad-admin"
	AdminPassword = "Adm1n-Pa55word-for-tests"
	Instance      = "central-server"
	CAName        = "Tunduk Test CA"
	// ServerName is the name in the fake's TLS certificate, as the
	// proxy-ui-api certificate names the host.
	ServerName = "ss1.example.kg"
	// HWTokenID and HWPIN are the hardware token's (Options.HardwareToken).
	HWTokenID = "1"
	HWPIN     = "Rutoken-user-PIN-1"
)

// ApprovedTSA is the timestamping service global configuration offers.
var ApprovedTSA = xroad.TimestampingService{Name: "Tunduk TSA", URL: "http://tsa.tunduk.test"}

// Options shape one fake server.
type Options struct {
	// HardwareToken adds a second token (type HARDWARE, id HWTokenID,
	// PIN HWPIN) that needs a login before keys are made on it.
	HardwareToken bool
	// HWKey puts a key without a CSR on the hardware token, as one made
	// on the Rutoken before it was plugged into the server.
	HWKey bool
	// TSAAfterPolls: the approved TSAs appear only after initialisation
	// (the first global configuration download) and after this many
	// more GET /timestamping-services.
	TSAAfterPolls int
	// ExtraCA adds a second approved CA by that name.
	ExtraCA string
	// InitWarnings are warning codes POST /initialization answers (400
	// warnings_detected) unless ignore_warnings is set, e.g.
	// "init_unregistered_member" for an owner not yet in global
	// configuration.
	InitWarnings []string
}

// Call is one request the fake saw (path without /api/v1), rate-limited
// and refused ones included.
type Call struct {
	Method, Path string
	Status       int
}

// Admin is the admin user's name and password (the shape of
// configure.Credentials).
type Admin struct{ User, Password string }

// Server is a running fake.
type Server struct {
	t    testing.TB
	v    *validating
	ca   *testCA
	opt  Options
	addr string
	cert string // path of the TLS certificate (PEM)

	mu sync.Mutex

	apiKeys   map[int64]string
	keyRoles  map[int64][]string
	nextKeyID int64
	issued    []string // every key handed out, to look for in logs

	anchorInstance, anchorHash string
	anchorAt                   time.Time
	initRaw                    map[string]any // POST /initialization as received
	conf                       xroad.InitialServerConf
	tsaPolls                   int
	configuredTSA              []xroad.TimestampingService
	loggedIn, hwLoggedIn       bool
	keys                       []*fakeKey
	certs                      map[string]*fakeCert
	registeredAddr             string
	approveAfter               int // -1: the central server never approves
	calls                      []Call

	limit       int  // answer the next limit calls 429
	echoSecrets bool // hostile: echo what was sent into error metadata
	breakAnswer bool // answer GET /system/version against the spec
}

// Start runs a fake with default options.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith runs a fake on 127.0.0.1 over TLS until t ends; at the end any
// contract violation not taken by TakeViolations fails t.
func StartWith(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{t: t, opt: o, apiKeys: map[int64]string{}, keyRoles: map[int64][]string{}, nextKeyID: 60,
		certs: map[string]*fakeCert{}, approveAfter: -1, ca: newTestCA(t)}
	if o.HWKey {
		s.keys = append(s.keys, newHWKey(t))
	}
	mux := http.NewServeMux()
	s.routes(mux)
	s.keyRoutes(mux)
	s.v = &validating{c: loadContract(t), next: mux, authOK: s.authOK,
		exempt: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/v1/api-keys") }}

	cert, certPEM := serverCert(t)
	s.cert = filepath.Join(t.TempDir(), "proxy-ui-api.crt")
	if err := os.WriteFile(s.cert, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		for _, v := range s.v.violations() {
			t.Errorf("xroadtest: %s %s: the %s breaks the 7.4.2 definition: %v", v.Method, v.Path, v.Side, v.Err)
		}
	})
	return s
}

// AdminAPI is where the fake listens and where its certificate lies
// (readable by the current user, so by the test sshd's user too).
func (s *Server) AdminAPI() xroad.AdminAPI {
	return xroad.AdminAPI{Addr: s.addr, CertPath: s.cert, ProxyJar: s.proxyJar()}
}

// Admin is the user the install made.
func (s *Server) Admin() Admin { return Admin{AdminUser, AdminPassword} }

// Anchor is a configuration anchor of instance.
func (s *Server) Anchor(instance string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?><tns:conf xmlns:tns="http://x-road.eu/xsd/xroad.xsd"><generatedAt>2026-11-01T00:00:00Z</generatedAt><instanceIdentifier>` +
		instance + `</instanceIdentifier><source><downloadURL>http://cs.tunduk.test/internalconf</downloadURL></source></tns:conf>`)
}

// ApproveAfter makes the central server approve a registration once the
// certificate has been polled (GET /token-certificates/{hash}) polls times
// after it was registered.
func (s *Server) ApproveAfter(polls int) {
	s.mu.Lock()
	s.approveAfter = polls
	s.mu.Unlock()
}

// Handler is the fake's HTTP handler (rate limit, validator, routes), for
// tests that serve it themselves.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		limited := s.limit > 0
		if limited {
			s.limit--
		}
		s.mu.Unlock()
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		if limited {
			w.Header().Set("Retry-After", "1")
			apiError(rec, http.StatusTooManyRequests, "rate_limit_exceeded")
		} else {
			s.v.ServeHTTP(rec, r)
		}
		s.mu.Lock()
		s.calls = append(s.calls, Call{r.Method, strings.TrimPrefix(r.URL.Path, "/api/v1"), rec.status})
		s.mu.Unlock()
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Calls is every request seen so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Count is how many calls matched method and a path starting with prefix.
func (s *Server) Count(method, prefix string) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Method == method && strings.HasPrefix(c.Path, prefix) {
			n++
		}
	}
	return n
}

// TakeViolations returns the contract violations so far and forgets them,
// for tests that break the contract on purpose.
func (s *Server) TakeViolations() []Violation { return s.v.take() }

// IssuedKeys is every API key handed out, revoked ones too.
func (s *Server) IssuedKeys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// LiveKeys maps the ids of API keys not revoked to their roles.
func (s *Server) LiveKeys() map[int64][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int64][]string{}
	for id := range s.apiKeys {
		out[id] = s.keyRoles[id]
	}
	return out
}

// InitRequest is the body of the accepted POST /initialization.
func (s *Server) InitRequest() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.initRaw
}

// RegisteredAddress is the address of the last registration request.
func (s *Server) RegisteredAddress() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.registeredAddr
}

// KeyCount is how many keys the tokens hold.
func (s *Server) KeyCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keys)
}

// CSR is the DER of the newest CSR of a key of usage (xroad.Usage*),
// or nil: what a CA would receive, for Issue.
func (s *Server) CSR(usage string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.keys) - 1; i >= 0; i-- {
		if k := s.keys[i]; k.usage == usage && len(k.csrDER) > 0 {
			return k.csrDER
		}
	}
	return nil
}

// AnchorImported says whether an anchor was uploaded.
func (s *Server) AnchorImported() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.anchorHash != ""
}

// RateLimit answers the next n calls 429 with Retry-After: 1.
func (s *Server) RateLimit(n int) {
	s.mu.Lock()
	s.limit = n
	s.mu.Unlock()
}

// EchoSecrets makes the fake hostile: PINs sent are echoed back in error
// metadata.
func (s *Server) EchoSecrets(on bool) {
	s.mu.Lock()
	s.echoSecrets = on
	s.mu.Unlock()
}

// BreakVersionAnswer makes GET /system/version answer against the spec.
func (s *Server) BreakVersionAnswer(on bool) {
	s.mu.Lock()
	s.breakAnswer = on
	s.mu.Unlock()
}

func (s *Server) authOK(h string) bool {
	key, ok := strings.CutPrefix(h, "X-Road-ApiKey token=")
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.apiKeys {
		if subtle.ConstantTimeCompare([]byte(k), []byte(key)) == 1 {
			return true
		}
	}
	return false
}

// createKey is the key management API: basic auth, from loopback only
// (so the request must have come through the SSH channel), a JSON array
// of roles.
func (s *Server) createKey(w http.ResponseWriter, r *http.Request) {
	if !s.basicOK(w, r) {
		return
	}
	var roles []string
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&roles) != nil || len(roles) == 0 {
		s.v.record(r, "request", errString("POST /api-keys wants a JSON array of roles"))
		apiError(w, http.StatusBadRequest, "invalid_role")
		return
	}
	for _, role := range roles {
		if !strings.HasPrefix(role, "XROAD_") {
			apiError(w, http.StatusBadRequest, "invalid_role")
			return
		}
	}
	s.mu.Lock()
	s.nextKeyID++
	id, key := s.nextKeyID, randomHex(16)
	s.apiKeys[id], s.keyRoles[id] = key, roles
	s.issued = append(s.issued, key)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"roles": roles, "id": id, "key": key})
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) {
	if !s.basicOK(w, r) {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	_, ok := s.apiKeys[id]
	delete(s.apiKeys, id)
	s.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) basicOK(w http.ResponseWriter, r *http.Request) bool {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		w.WriteHeader(http.StatusForbidden)
		return false
	}
	u, p, ok := r.BasicAuth()
	if !ok || u != AdminUser || p != AdminPassword {
		w.WriteHeader(http.StatusUnauthorized)
		return false
	}
	return true
}

// AnchorHash is the hash the API shows for an anchor: SHA-256, upper hex.
func AnchorHash(b []byte) string {
	sum := sha256.Sum256(b)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// CertHash is the id of a certificate (DER) in the API.
func CertHash(der []byte) string { return AnchorHash(der) }

// stamp is the API's date-time: UTC with milliseconds, 24 characters.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, code string, meta ...string) {
	e := map[string]any{"code": code}
	if len(meta) > 0 {
		e["metadata"] = meta
	}
	writeJSON(w, status, map[string]any{"status": status, "error": e})
}

type errString string

func (e errString) Error() string { return string(e) }
