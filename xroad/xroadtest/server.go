// Package xroadtest is the contract fake of an X-Road 7.4.2 security
// server's Admin API, for tests of any package: a TLS server on loopback
// whose every request and answer is checked against the published
// OpenAPI definition (xroad/testdata). A violation fails the test that
// started it. It keeps just enough state for the onboarding flow:
// anchor, initialisation, TSAs, a software token (and optionally a
// hardware one), keys, CSRs, certificates and their registration.
//
// Its behaviour follows X-Road 7.4.2's own code, not only the definition:
// every status, error and warning code and metadata carries a comment
// naming the Java file it follows. Controllers and services are under
// src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/
// (openapi/*ApiController.java, service/*.java, converter/*.java), the
// codes in src/common/common-domain/.../restapi/exceptions/DeviationCodes.java,
// the statuses of unhandled exceptions in src/common/common-admin-api/.../exceptions/
// (ApplicationExceptionHandler.java: 500; ExceptionTranslator.java: a
// signer's CodedException becomes "core." + its fault code). Where the
// code and the definition disagree, the code wins (departures.go).
//
// What the source cannot settle is marked "guess:" in a comment, so what a
// real operator server must confirm can be found with grep.
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
	"slices"
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
	// HWTokenID, HWTokenName and HWPIN are the hardware token's
	// (Options.HardwareToken): a Rutoken in slot 0 of the module
	// devices.ini names "rutoken", serial 0a1b2c3d, label "Rutoken ECP".
	// X-Road 7.4.2 HardwareTokenType.java (getId): the hex of
	// ModuleConf.java's DEFAULT_TOKEN_ID_FORMAT
	// "{moduleType}{slotIndex}{serialNumber}{label}"; TokenManager.java
	// (getDefaultFriendlyName): "module-serial-label-slot".
	HWTokenID   = "7275746f6b656e3030613162326333645275746f6b656e20454350"
	HWTokenName = "rutoken-0a1b2c3d-Rutoken ECP-0"
	HWPIN       = "Rutoken-user-PIN-1"
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
	// TSAAfterPolls: the approved TSAs appear once the anchor is uploaded
	// (the global configuration download) and after this many more
	// GET /timestamping-services.
	TSAAfterPolls int
	// ExtraCA adds a second approved CA by that name.
	ExtraCA string
	// OwnerUnknown: global configuration has no member like the owner
	// given (one the operator has not added yet): POST /initialization
	// warns init_unregistered_member.
	OwnerUnknown bool
	// ServerIDTaken: global configuration has a server of this owner and
	// code already: POST /initialization warns init_server_id_exists.
	ServerIDTaken bool
	// Preset is a half-initialised server.
	Preset Preset
	// HWPINTries is how many wrong PINs the hardware token takes before
	// it locks (the token's own counter, not X-Road's); 0: 10.
	// guess: the count is the token's (Rutoken's factory setting is
	// its vendor's business); X-Road only shows the flags.
	HWPINTries int
	// PINPolicy: the server enforces the token PIN policy, as the
	// country variants of the packages do (see pinPolicy).
	PINPolicy bool
	// BackupEncryption: proxy.backup-encryption-enabled, so backups are
	// encrypted to the server's own key as well as signed (archive.go).
	BackupEncryption bool
}

// Preset is what a run cut short (or a hand in the admin UI) left on the
// server. X-Road 7.4.2 InitializationService.java keeps each part on its
// own: it initialises the software token before it saves the owner and
// the server code, and fills in only what is missing, so any mix is real.
type Preset struct {
	Anchor                bool   // the anchor of Instance uploaded
	ServerCode            string // set when not empty
	OwnerClass, OwnerCode string // set when OwnerCode is not empty
	SoftTokenPIN          string // the software token initialised with it
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
	initRaw                    map[string]any // the accepted POST /initialization as received
	// The server's configuration as InitializationService leaves it: each
	// part on its own ("" = not set).
	serverCode, ownerClass, ownerCode, ownerInstance string
	softPIN                                          string
	softStatus                                       string // the software token's status after a login attempt
	hwTries                                          int    // wrong PINs the hardware token still takes
	tsaPolls                                         int
	configuredTSA                                    []xroad.TimestampingService
	loggedIn, hwLoggedIn                             bool
	keys                                             []*fakeKey
	certs                                            map[string]*fakeCert
	registeredAddr                                   string
	approveAfter                                     int // -1: the central server never approves
	ocspAfter                                        int // -1: the OCSP responder never answers (lifecycle.go)
	mgmt                                             []ManagementRequest
	watch                                            func()
	noClass                                          bool // proxy-1.0.jar lacks KyrgyzProfileClass (SetProxyJar)
	calls                                            []Call

	clients             []*fakeClient // local clients besides the owner member
	approveClientsAfter int           // -1: the operator never approves a subsystem
	failRegister        int
	nextID              int
	internalTLS         []byte
	failNext            []Call // answer the next call matching each 500, once

	limit       int  // answer the next limit calls 429
	echoSecrets bool // hostile: echo what was sent into error metadata
	breakAnswer bool // answer GET /system/version against the spec

	diag diag // diagnostics (diagnostics.go)

	// Backups (backups.go): the files, what each archive made here
	// restores (by its SHA-256), the gpg home with the server's key, and
	// the clock backups are named by (nil: the real one).
	backups     []*fakeBackup
	archives    map[[32]byte]*snapshot
	gpg         string
	now         func() time.Time
	cutDownload bool
}

// Start runs a fake with default options.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith runs a fake on 127.0.0.1 over TLS until t ends; at the end any
// contract violation not taken by TakeViolations fails t.
func StartWith(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{t: t, opt: o, apiKeys: map[int64]string{}, keyRoles: map[int64][]string{}, nextKeyID: 60,
		certs: map[string]*fakeCert{}, archives: map[[32]byte]*snapshot{}, approveAfter: -1, ocspAfter: -1, approveClientsAfter: -1, ca: newTestCA(t)}
	if o.HWKey {
		s.keys = append(s.keys, newHWKey(t))
	}
	s.hwTries = s.hwMaxTries()
	if p := o.Preset; p.Anchor {
		a := s.Anchor(Instance)
		s.anchorInstance, s.anchorHash, s.anchorAt = Instance, AnchorHash(a), time.Now()
	}
	s.serverCode, s.softPIN = o.Preset.ServerCode, o.Preset.SoftTokenPIN
	if o.Preset.OwnerCode != "" {
		s.ownerClass, s.ownerCode, s.ownerInstance = o.Preset.OwnerClass, o.Preset.OwnerCode, Instance
	}
	mux := http.NewServeMux()
	s.routes(mux)
	s.keyRoutes(mux)
	s.clientRoutes(mux)
	s.serviceRoutes(mux)
	s.diagRoutes(mux)
	s.backupRoutes(mux)
	s.v = &validating{c: loadContract(t), next: mux, authOK: s.authOK, gone: s.keyGone,
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
		if s.takeFailure(r) {
			// A call cut short on the server's side: ApplicationExceptionHandler.java
			// answers an unexpected failure 500 without a code.
			writeJSON(rec, http.StatusInternalServerError, map[string]any{"status": http.StatusInternalServerError})
		} else if limited {
			// X-Road 7.4.2 src/common/common-api-throttling/.../IpThrottlingFilter.java:
			// 429, body {"status":429}, Connection: close, no Retry-After.
			w.Header().Set("Connection", "close")
			writeJSON(rec, http.StatusTooManyRequests, map[string]any{"status": http.StatusTooManyRequests})
		} else {
			s.v.ServeHTTP(rec, r)
		}
		s.mu.Lock()
		s.calls = append(s.calls, Call{r.Method, strings.TrimPrefix(r.URL.Path, "/api/v1"), rec.status})
		watch := s.watch
		s.mu.Unlock()
		if watch != nil {
			watch()
		}
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

// FailNext answers the next call of method to path (without /api/v1)
// 500, once: a run cut in the middle.
func (s *Server) FailNext(method, path string) {
	s.mu.Lock()
	s.failNext = append(s.failNext, Call{Method: method, Path: path})
	s.mu.Unlock()
}

func (s *Server) takeFailure(r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, "/api/v1")
	for i, f := range s.failNext {
		if f.Method == r.Method && f.Path == p {
			s.failNext = append(s.failNext[:i], s.failNext[i+1:]...)
			return true
		}
	}
	return false
}

// Changes is how many calls so far could change the server: every one
// but a GET, API keys' made and revoked aside (each session's own).
func (s *Server) Changes() int {
	n := 0
	for _, c := range s.Calls() {
		if c.Method != http.MethodGet && !strings.HasPrefix(c.Path, "/api-keys") {
			n++
		}
	}
	return n
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
		if k := s.keys[i]; k.usage == usage && len(k.csrs) > 0 {
			return k.csrs[len(k.csrs)-1].der
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

// LogOut logs both tokens out, as a restart of X-Road's signer does.
func (s *Server) LogOut() {
	s.mu.Lock()
	s.loggedIn, s.hwLoggedIn = false, false
	s.mu.Unlock()
}

// RateLimit answers the next n calls 429, as X-Road's rate limit does.
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

// keyGone says whether h carries a key the fake issued that is no longer
// live.
func (s *Server) keyGone(h string) bool {
	key, ok := strings.CutPrefix(h, "X-Road-ApiKey token=")
	if !ok || s.authOK(h) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.issued, key)
}

// createKey is the key management API: basic auth, from loopback only
// (so the request must have come through the SSH channel), a JSON array
// of roles. X-Road 7.4.2 src/common/common-admin-api/.../controller/ApiKeysController.java
// (createKey: HttpStatus.OK; an unknown role: ValidationFailureException
// API_KEY_INVALID_ROLE, CommonDeviationMessage.java "invalid_role", 400).
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
		// X-Road 7.4.2 ApiKeyService.java (removeForId): ApiKeyNotFoundException,
		// CommonDeviationMessage.java "api_key_not_found", a NotFoundException (404).
		apiError(w, http.StatusNotFound, "api_key_not_found")
		return
	}
	w.WriteHeader(http.StatusOK) // ApiKeysController.java (revoke): HttpStatus.OK
}

// basicOK: X-Road 7.4.2 ManageApiKeysWebSecurityConfig.java (httpBasic)
// with PamAuthenticationProvider.java, which first checks the caller's
// address against AuthenticationIpWhitelist (localhost): both refusals
// are AuthenticationExceptions, answered 401.
func (s *Server) basicOK(w http.ResponseWriter, r *http.Request) bool {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		w.WriteHeader(http.StatusUnauthorized)
		return false
	}
	u, p, ok := r.BasicAuth()
	if !ok || u != AdminUser || p != AdminPassword {
		w.WriteHeader(http.StatusUnauthorized)
		return false
	}
	return true
}

// AnchorHash is the hash the API shows for an anchor: SHA-224, upper-case
// hex. X-Road 7.4.2 SystemService.java (calculateAnchorHexHash):
// CryptoUtils.hexDigest(DEFAULT_ANCHOR_HASH_ALGORITHM_ID, anchor).toUpperCase(),
// and CryptoUtils.java: DEFAULT_ANCHOR_HASH_ALGORITHM_ID = SHA224_ID.
func AnchorHash(b []byte) string {
	sum := sha256.Sum224(b)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// CertHash is the id of a certificate (DER) in the API: SHA-256, upper
// hex. X-Road 7.4.2 CertificateDetailsConverter.java: calculateCertHexHash(...).toUpperCase();
// CryptoUtils.java: DEFAULT_CERT_HASH_ALGORITHM_ID = SHA256_ID.
func CertHash(der []byte) string {
	sum := sha256.Sum256(der)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

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
