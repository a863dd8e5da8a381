package xroadapi_test

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/tunduk-onboard/tunduk-onboard/installer/xroadapi"
)

// The fake security server's fixed facts.
const (
	adminUser = "xroad-admin"
	adminPass = "Adm1n-Pa55word-for-tests"
	instance  = "central-server"
	caName    = "Tunduk Test CA"
)

var approvedTSA = xroadapi.TimestampingService{Name: "Tunduk TSA", URL: "http://tsa.tunduk.test"}

// fake is a security server's Admin API with just enough state for the
// onboarding flow. Every request reaches it through the validator; it
// answers the way the 7.4.2 API does, where the spec says how.
type fake struct {
	t  *testing.T
	v  *validating
	mu sync.Mutex

	apiKeys   map[int64]string
	nextKeyID int64
	issued    []string // every key handed out, to look for in logs

	anchorInstance, anchorHash string
	anchorAt                   time.Time
	initRaw                    map[string]any // POST /initialization as received
	conf                       xroadapi.InitialServerConf
	configuredTSA              []xroadapi.TimestampingService
	loggedIn                   bool
	keys                       []*fakeKey
	certs                      map[string]*fakeCert
	registeredAddr             string

	limit       int  // answer the next limit calls 429
	attempts    int  // calls seen, rate-limited ones included
	echoSecrets bool // hostile: echo what was sent into error metadata
	breakAnswer bool // answer GET /system/version against the spec
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, apiKeys: map[int64]string{}, nextKeyID: 60, certs: map[string]*fakeCert{}}
	mux := http.NewServeMux()
	f.routes(mux)
	f.keyRoutes(mux)
	f.v = &validating{c: loadContract(t), next: mux, authOK: f.authOK,
		exempt: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/v1/api-keys") }}
	return f
}

// handler is what the TLS listener serves: the rate limit first, as the
// real server applies it before anything else.
func (f *fake) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.attempts++
		limited := f.limit > 0
		if limited {
			f.limit--
		}
		f.mu.Unlock()
		if limited {
			w.Header().Set("Retry-After", "1")
			apiError(w, http.StatusTooManyRequests, "rate_limit_exceeded")
			return
		}
		f.v.ServeHTTP(w, r)
	})
}

// read runs fn under the fake's lock: tests look at its state while its
// handlers may still run on the server's goroutines.
func (f *fake) read(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func (f *fake) authOK(h string) bool {
	key, ok := strings.CutPrefix(h, "X-Road-ApiKey token=")
	if !ok {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range f.apiKeys {
		if subtle.ConstantTimeCompare([]byte(k), []byte(key)) == 1 {
			return true
		}
	}
	return false
}

func (f *fake) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/api-keys", f.createKey)
	mux.HandleFunc("DELETE /api/v1/api-keys/{id}", f.revokeKey)
	mux.HandleFunc("GET /api/v1/system/version", func(w http.ResponseWriter, r *http.Request) {
		v := map[string]any{"info": "7.4.2-1.ubuntu22.04", "java_version": 17, "min_java_version": 17,
			"max_java_version": 21, "using_supported_java_version": true, "java_vendor": "Ubuntu", "java_runtime_version": "17.0.12+7"}
		f.read(func() {
			if f.breakAnswer {
				delete(v, "info")
			}
		})
		writeJSON(w, http.StatusOK, v)
	})
	mux.HandleFunc("GET /api/v1/initialization/status", f.status)
	mux.HandleFunc("POST /api/v1/system/anchor/previews", f.previewAnchor)
	mux.HandleFunc("POST /api/v1/system/anchor", f.uploadAnchor)
	mux.HandleFunc("GET /api/v1/system/anchor", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.anchorHash == "" {
			apiError(w, http.StatusNotFound, "anchor_not_found")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"hash": f.anchorHash, "created_at": stamp(f.anchorAt)})
	})
	mux.HandleFunc("POST /api/v1/initialization", f.initialize)
	mux.HandleFunc("GET /api/v1/timestamping-services", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []xroadapi.TimestampingService{approvedTSA})
	})
	mux.HandleFunc("GET /api/v1/system/timestamping-services", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		writeJSON(w, http.StatusOK, append([]xroadapi.TimestampingService{}, f.configuredTSA...))
	})
	mux.HandleFunc("POST /api/v1/system/timestamping-services", f.addTSA)
}

// createKey is the key management API: basic auth, from loopback only
// (so the request must have come through the SSH channel), a JSON array
// of roles.
func (f *fake) createKey(w http.ResponseWriter, r *http.Request) {
	if !f.basicOK(w, r) {
		return
	}
	var roles []string
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&roles) != nil || len(roles) == 0 {
		f.v.record(r, "request", errString("POST /api-keys wants a JSON array of roles"))
		apiError(w, http.StatusBadRequest, "invalid_role")
		return
	}
	for _, role := range roles {
		if !strings.HasPrefix(role, "XROAD_") {
			apiError(w, http.StatusBadRequest, "invalid_role")
			return
		}
	}
	f.mu.Lock()
	f.nextKeyID++
	id, key := f.nextKeyID, randomHex(16)
	f.apiKeys[id] = key
	f.issued = append(f.issued, key)
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"roles": roles, "id": id, "key": key})
}

func (f *fake) revokeKey(w http.ResponseWriter, r *http.Request) {
	if !f.basicOK(w, r) {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f.mu.Lock()
	_, ok := f.apiKeys[id]
	delete(f.apiKeys, id)
	f.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (f *fake) basicOK(w http.ResponseWriter, r *http.Request) bool {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		w.WriteHeader(http.StatusForbidden)
		return false
	}
	u, p, ok := r.BasicAuth()
	if !ok || u != adminUser || p != adminPass {
		w.WriteHeader(http.StatusUnauthorized)
		return false
	}
	return true
}

func (f *fake) status(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tok := xroadapi.TokenNotInitialized
	if f.conf.SoftwareTokenPIN != "" {
		tok = xroadapi.TokenInitialized
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"is_anchor_imported": f.anchorHash != "", "is_server_code_initialized": f.conf.SecurityServerCode != "",
		"is_server_owner_initialized": f.conf.OwnerMemberCode != "", "software_token_init_status": tok,
		"enforce_token_pin_policy": true})
}

// anchorXML reads the instance out of an anchor the way the server must
// before it accepts one.
func anchorInstance(b []byte) (string, bool) {
	var a struct {
		Instance string `xml:"instanceIdentifier"`
	}
	if xml.Unmarshal(b, &a) != nil || a.Instance == "" {
		return "", false
	}
	return a.Instance, true
}

func anchorHash(b []byte) string {
	sum := sha256.Sum256(b)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

func (f *fake) previewAnchor(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	inst, ok := anchorInstance(b)
	if !ok {
		apiError(w, http.StatusBadRequest, "malformed_anchor")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Query().Get("validate_instance") != "false" && f.anchorInstance != "" && inst != f.anchorInstance {
		apiError(w, http.StatusBadRequest, xroadapi.CodeAnchorWrongInstance, inst)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"hash": anchorHash(b), "created_at": stamp(time.Now())})
}

func (f *fake) uploadAnchor(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	inst, ok := anchorInstance(b)
	if !ok {
		apiError(w, http.StatusBadRequest, "malformed_anchor")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.anchorHash != "" {
		apiError(w, http.StatusConflict, "anchor_exists")
		return
	}
	f.anchorInstance, f.anchorHash, f.anchorAt = inst, anchorHash(b), time.Now()
	w.WriteHeader(http.StatusCreated)
}

func (f *fake) initialize(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var raw map[string]any
	var conf xroadapi.InitialServerConf
	if json.Unmarshal(b, &raw) != nil || json.Unmarshal(b, &conf) != nil {
		apiError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.anchorHash == "" {
		apiError(w, http.StatusConflict, "anchor_not_found")
		return
	}
	if weakPIN(conf.SoftwareTokenPIN) {
		meta := []string{"pin_min_length", "10", "pin_min_char_classes_count", "3"}
		if f.echoSecrets {
			meta = append(meta, conf.SoftwareTokenPIN)
		}
		apiError(w, http.StatusBadRequest, xroadapi.CodeWeakPin, meta...)
		return
	}
	if f.conf.SecurityServerCode != "" && !conf.IgnoreWarnings {
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": 400, "error": map[string]any{"code": "warnings_detected"},
			"warnings": []map[string]any{{"code": "init_servercode_exists"}, {"code": "init_software_token_initialized"}}})
		return
	}
	f.initRaw, f.conf = raw, conf
	w.WriteHeader(http.StatusCreated)
}

// weakPIN is the API's default token PIN policy: 10 characters of at
// least 3 classes.
func weakPIN(pin string) bool {
	var lo, up, dig, other int
	for _, c := range pin {
		switch {
		case unicode.IsLower(c):
			lo = 1
		case unicode.IsUpper(c):
			up = 1
		case unicode.IsDigit(c):
			dig = 1
		default:
			other = 1
		}
	}
	return len(pin) < 10 || lo+up+dig+other < 3
}

func (f *fake) addTSA(w http.ResponseWriter, r *http.Request) {
	var ts xroadapi.TimestampingService
	if json.NewDecoder(r.Body).Decode(&ts) != nil || ts != approvedTSA {
		apiError(w, http.StatusBadRequest, "timestamping_service_not_found")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.configuredTSA {
		if c == ts {
			apiError(w, http.StatusConflict, "timestamping_service_exists")
			return
		}
	}
	f.configuredTSA = append(f.configuredTSA, ts)
	writeJSON(w, http.StatusCreated, ts)
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
