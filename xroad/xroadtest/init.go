package xroadtest

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"time"
	"unicode"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// routes: version, anchor, initialisation, timestamping services.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/api-keys", s.createKey)
	mux.HandleFunc("DELETE /api/v1/api-keys/{id}", s.revokeKey)
	mux.HandleFunc("GET /api/v1/system/version", func(w http.ResponseWriter, r *http.Request) {
		v := map[string]any{"info": "7.4.2-1.ubuntu22.04", "java_version": 17, "min_java_version": 17,
			"max_java_version": 21, "using_supported_java_version": true, "java_vendor": "Ubuntu", "java_runtime_version": "17.0.12+7"}
		s.mu.Lock()
		if s.breakAnswer {
			delete(v, "info")
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, v)
	})
	mux.HandleFunc("GET /api/v1/initialization/status", s.status)
	mux.HandleFunc("POST /api/v1/system/anchor/previews", s.previewAnchor)
	mux.HandleFunc("POST /api/v1/system/anchor", s.uploadAnchor)
	mux.HandleFunc("GET /api/v1/system/anchor", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.anchorHash == "" {
			apiError(w, http.StatusNotFound, "anchor_not_found")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"hash": s.anchorHash, "created_at": stamp(s.anchorAt)})
	})
	mux.HandleFunc("POST /api/v1/initialization", s.initialize)
	mux.HandleFunc("GET /api/v1/timestamping-services", s.approvedTSAs)
	mux.HandleFunc("GET /api/v1/system/timestamping-services", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		writeJSON(w, http.StatusOK, append([]xroad.TimestampingService{}, s.configuredTSA...))
	})
	mux.HandleFunc("POST /api/v1/system/timestamping-services", s.addTSA)
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := xroad.TokenNotInitialized
	if s.conf.SoftwareTokenPIN != "" {
		tok = xroad.TokenInitialized
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"is_anchor_imported": s.anchorHash != "", "is_server_code_initialized": s.conf.SecurityServerCode != "",
		"is_server_owner_initialized": s.conf.OwnerMemberCode != "", "software_token_init_status": tok,
		"enforce_token_pin_policy": true})
}

// anchorInstance reads the instance out of an anchor the way the server
// must before it accepts one.
func anchorInstance(b []byte) (string, bool) {
	var a struct {
		Instance string `xml:"instanceIdentifier"`
	}
	if xml.Unmarshal(b, &a) != nil || a.Instance == "" {
		return "", false
	}
	return a.Instance, true
}

func (s *Server) previewAnchor(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	inst, ok := anchorInstance(b)
	if !ok {
		apiError(w, http.StatusBadRequest, "malformed_anchor")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Query().Get("validate_instance") != "false" && s.anchorInstance != "" && inst != s.anchorInstance {
		apiError(w, http.StatusBadRequest, xroad.CodeAnchorWrongInstance, inst)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"hash": AnchorHash(b), "created_at": stamp(time.Now())})
}

func (s *Server) uploadAnchor(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	inst, ok := anchorInstance(b)
	if !ok {
		apiError(w, http.StatusBadRequest, "malformed_anchor")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.anchorHash != "" {
		// guess: the spec lists 409 for this operation; the code is ours.
		apiError(w, http.StatusConflict, "anchor_exists")
		return
	}
	s.anchorInstance, s.anchorHash, s.anchorAt = inst, AnchorHash(b), time.Now()
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) initialize(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var raw map[string]any
	var conf xroad.InitialServerConf
	if json.Unmarshal(b, &raw) != nil || json.Unmarshal(b, &conf) != nil {
		apiError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.anchorHash == "" {
		apiError(w, http.StatusConflict, "anchor_not_found")
		return
	}
	if weakPIN(conf.SoftwareTokenPIN) {
		meta := []string{"pin_min_length", "10", "pin_min_char_classes_count", "3"}
		if s.echoSecrets {
			meta = append(meta, conf.SoftwareTokenPIN)
		}
		apiError(w, http.StatusBadRequest, xroad.CodeWeakPin, meta...)
		return
	}
	// guess: a second initialisation warns as 7.4.2's InitializationService
	// does (server code exists, token initialised) and only goes on with
	// ignore_warnings.
	warnings := []map[string]any{}
	if s.conf.SecurityServerCode != "" {
		warnings = append(warnings, map[string]any{"code": "init_servercode_exists"}, map[string]any{"code": "init_software_token_initialized"})
	}
	for _, c := range s.opt.InitWarnings {
		warnings = append(warnings, map[string]any{"code": c, "metadata": []string{conf.OwnerMemberClass + ":" + conf.OwnerMemberCode}})
	}
	if len(warnings) > 0 && !conf.IgnoreWarnings {
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": 400, "error": map[string]any{"code": "warnings_detected"},
			"warnings": warnings})
		return
	}
	s.initRaw, s.conf = raw, conf
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

// approvedTSAs: none before initialisation, nor until global
// configuration has been downloaded (Options.TSAAfterPolls polls later).
// guess: the real server answers an empty list, not an error, meanwhile.
func (s *Server) approvedTSAs(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []xroad.TimestampingService{}
	if s.conf.SecurityServerCode != "" {
		if s.tsaPolls >= s.opt.TSAAfterPolls {
			out = append(out, ApprovedTSA)
		}
		s.tsaPolls++
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) addTSA(w http.ResponseWriter, r *http.Request) {
	var ts xroad.TimestampingService
	if json.NewDecoder(r.Body).Decode(&ts) != nil || ts != ApprovedTSA {
		apiError(w, http.StatusBadRequest, "timestamping_service_not_found")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.configuredTSA {
		if c == ts {
			apiError(w, http.StatusConflict, "timestamping_service_exists")
			return
		}
	}
	s.configuredTSA = append(s.configuredTSA, ts)
	writeJSON(w, http.StatusCreated, ts)
}
