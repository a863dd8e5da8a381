package xroadtest

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"time"

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
		writeJSON(w, http.StatusOK, v) // X-Road 7.4.2 SystemApiController.java (systemVersion): OK
	})
	mux.HandleFunc("GET /api/v1/initialization/status", s.status)
	mux.HandleFunc("POST /api/v1/system/anchor/previews", s.previewAnchor)
	mux.HandleFunc("POST /api/v1/system/anchor", s.uploadAnchor)
	mux.HandleFunc("GET /api/v1/system/anchor", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.anchorHash == "" {
			// X-Road 7.4.2 SystemApiController.getAnchor: AnchorNotFoundException
			// -> InternalServerErrorException(ERROR_ANCHOR_FILE_NOT_FOUND).
			apiError(w, http.StatusInternalServerError, "anchor_file_not_found")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"hash": s.anchorHash, "created_at": stamp(s.anchorAt)}) // getAnchor: OK
	})
	mux.HandleFunc("POST /api/v1/initialization", s.initialize)
	mux.HandleFunc("GET /api/v1/timestamping-services", s.approvedTSAs)
	mux.HandleFunc("GET /api/v1/system/timestamping-services", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		// X-Road 7.4.2 SystemApiController.java (getConfiguredTimestampingServices): OK.
		writeJSON(w, http.StatusOK, append([]xroad.TimestampingService{}, s.configuredTSA...))
	})
	mux.HandleFunc("POST /api/v1/system/timestamping-services", s.addTSA)
	mux.HandleFunc("GET /api/v1/security-servers", s.securityServers)
}

// status is InitializationService.getSecurityServerInitializationStatus:
// each part on its own.
func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// X-Road 7.4.2 TokenService.getSoftwareTokenInitStatus: INITIALIZED
	// once token 0's status is not NOT_INITIALIZED.
	tok := xroad.TokenNotInitialized
	if s.softPIN != "" {
		tok = xroad.TokenInitialized
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"is_anchor_imported": s.anchorHash != "", "is_server_code_initialized": s.serverCode != "",
		"is_server_owner_initialized": s.ownerCode != "", "software_token_init_status": tok,
		// X-Road 7.4.2 InitializationApiController.getInitializationStatus:
		// SystemProperties.shouldEnforceTokenPinPolicy().
		"enforce_token_pin_policy": s.pinPolicy()})
}

// pinPolicy: X-Road 7.4.2 SystemProperties.java has
// DEFAULT_SIGNER_ENFORCE_TOKEN_PIN_POLICY "false", and only the country
// variants' src/packages/src/xroad/default-configuration/override-securityserver-{ee,fi,fo,is}.ini
// (installed by xroad-securityserver-ee and the like) set it true: the
// plain xroad-securityserver the profile installs does not enforce it.
// guess: Tunduk's own build of the packages adds no such override.
func (s *Server) pinPolicy() bool { return s.opt.PINPolicy }

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
		// X-Road 7.4.2 SystemService.createAnchorFromBytes: MalformedAnchorException
		// (ERROR_MALFORMED_ANCHOR); SystemApiController.previewAnchor: BadRequestException.
		apiError(w, http.StatusBadRequest, "malformed_anchor")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// X-Road 7.4.2 SystemService.java (verifyAnchorInstance) compares with
	// the owner's instance; the definition: validate_instance defaults to
	// true.
	if r.URL.Query().Get("validate_instance") != "false" {
		if s.ownerCode == "" {
			// No owner to compare with: ServerConfService.java
			// (getSecurityServerId) reads serverConf.getOwner(), null before
			// the owner is saved, and the failure is no DeviationAware one:
			// ApplicationExceptionHandler.java, 500 with no code.
			writeJSON(w, http.StatusInternalServerError, map[string]any{"status": http.StatusInternalServerError})
			return
		}
		if inst != s.ownerInstance {
			// SystemService.InvalidAnchorInstanceException: the code, no metadata.
			apiError(w, http.StatusBadRequest, xroad.CodeAnchorWrongInstance)
			return
		}
	}
	// X-Road 7.4.2 SystemApiController.previewAnchor answers HttpStatus.OK
	// (the definition says 201: departures.go).
	writeJSON(w, http.StatusOK, map[string]string{"hash": AnchorHash(b), "created_at": stamp(time.Now())})
}

func (s *Server) uploadAnchor(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.anchorHash != "" {
		// X-Road 7.4.2 SystemService.uploadInitialAnchor: AnchorAlreadyExistsException
		// (ERROR_ANCHOR_EXISTS "anchor_already_exists"); SystemApiController: ConflictException.
		apiError(w, http.StatusConflict, "anchor_already_exists")
		return
	}
	inst, ok := anchorInstance(b)
	if !ok {
		apiError(w, http.StatusBadRequest, "malformed_anchor") // SystemApiController.uploadInitialAnchor: BadRequestException
		return
	}
	// The initial upload checks no instance (SystemService.uploadAnchor(bytes, false)),
	// and downloads global configuration at once
	// (GlobalConfService.executeDownloadConfigurationFromAnchor).
	s.anchorInstance, s.anchorHash, s.anchorAt = inst, AnchorHash(b), time.Now()
	// X-Road 7.4.2 SystemApiController.uploadInitialAnchor: ControllerUtil.createCreatedResponse (201).
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) initialize(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var raw map[string]any
	var conf xroad.InitialServerConf
	json.Unmarshal(b, &raw) // the validator has checked the body's shape
	json.Unmarshal(b, &conf)
	s.mu.Lock()
	defer s.mu.Unlock()
	// The order of X-Road 7.4.2 InitializationService.initialize; the
	// statuses of InitializationApiController.initSecurityServer.
	if s.anchorHash == "" {
		// AnchorNotFoundException (ERROR_ANCHOR_NOT_FOUND) -> ConflictException.
		apiError(w, http.StatusConflict, "anchor_not_found")
		return
	}
	if s.serverCode != "" && s.ownerCode != "" && s.softPIN != "" {
		// ServerAlreadyFullyInitializedException -> ConflictException.
		apiError(w, http.StatusConflict, "server_already_fully_initialized")
		return
	}
	// verifyInitializationPrerequisites: a part not set must be given, a
	// part set must not be; InvalidInitParamsException -> BadRequestException.
	if meta := s.initParamProblems(conf); len(meta) > 0 {
		apiError(w, http.StatusBadRequest, xroad.CodeInvalidInitParams, meta...)
		return
	}
	if !conf.IgnoreWarnings {
		if ws := s.initWarnings(conf); len(ws) > 0 {
			// UnhandledWarningsException (ERROR_WARNINGS_DETECTED) -> BadRequestException.
			writeJSON(w, http.StatusBadRequest, map[string]any{"status": 400, "error": map[string]any{"code": xroad.CodeWarningsDetected},
				"warnings": ws})
			return
		}
	}
	if s.softPIN == "" && s.pinPolicy() {
		// initializeSoftwareToken -> TokenPinValidator.validateSoftwareTokenPin,
		// after the warnings: InvalidCharactersException, WeakPinException
		// (metadata: pin_min_length, TokenPinPolicy.MIN_PASSWORD_LENGTH,
		// pin_min_char_classes_count, MIN_CHARACTER_CLASS_COUNT) -> BadRequestException.
		if code := pinPolicyProblem(conf.SoftwareTokenPIN); code != "" {
			var meta []string
			if code == xroad.CodeWeakPin {
				meta = []string{"pin_min_length", "10", "pin_min_char_classes_count", "3"}
			}
			if s.echoSecrets {
				meta = append(meta, conf.SoftwareTokenPIN)
			}
			apiError(w, http.StatusBadRequest, code, meta...)
			return
		}
	}
	// createInitialServerConf keeps what is set; the token is initialised
	// only when it is not (and stays logged out: SoftwareTokenWorker.initializeToken
	// stores no PIN).
	if s.serverCode == "" {
		s.serverCode = conf.SecurityServerCode
	}
	if s.ownerCode == "" {
		// The owner's instance is global configuration's
		// (globalConfFacade.getInstanceIdentifier), i.e. the anchor's.
		s.ownerClass, s.ownerCode, s.ownerInstance = conf.OwnerMemberClass, conf.OwnerMemberCode, s.anchorInstance
	}
	if s.softPIN == "" {
		s.softPIN = conf.SoftwareTokenPIN
	}
	s.initRaw = raw
	w.WriteHeader(http.StatusCreated) // initSecurityServer: HttpStatus.CREATED
}

// initParamProblems is X-Road 7.4.2
// InitializationService.verifyInitializationPrerequisites: the metadata,
// in its order (DeviationCodes ERROR_METADATA_*).
func (s *Server) initParamProblems(c xroad.InitialServerConf) []string {
	var meta []string
	check := func(given, set bool, missing, exists string) {
		switch {
		case !given && !set:
			meta = append(meta, missing)
		case given && set:
			meta = append(meta, exists)
		}
	}
	check(c.SecurityServerCode != "", s.serverCode != "", "server_code_not_provided", "server_code_exists")
	check(c.OwnerMemberClass != "", s.ownerCode != "", "member_class_not_provided", "member_class_exists")
	check(c.OwnerMemberCode != "", s.ownerCode != "", "member_code_not_provided", "member_code_exists")
	check(c.SoftwareTokenPIN != "", s.softPIN != "", "pin_code_not_provided", "pin_code_exists")
	return meta
}

// initWarnings is X-Road 7.4.2 InitializationService.checkForWarnings:
// one warning per part already set (DeviationCodes WARNING_SERVERCODE_EXISTS,
// WARNING_SERVER_OWNER_EXISTS, WARNING_SOFTWARE_TOKEN_INITIALIZED), an
// owner global configuration does not name (WARNING_INIT_UNREGISTERED_MEMBER,
// metadata ClientId.toShortString "INSTANCE/CLASS/CODE"), a server id
// global configuration has already (WARNING_INIT_SERVER_ID_EXISTS,
// metadata SecurityServerId.toShortString "INSTANCE/CLASS/CODE/SERVER").
func (s *Server) initWarnings(c xroad.InitialServerConf) []map[string]any {
	var ws []map[string]any
	add := func(code string, meta ...string) {
		w := map[string]any{"code": code}
		if len(meta) > 0 {
			w["metadata"] = meta
		}
		ws = append(ws, w)
	}
	if s.serverCode != "" {
		add("init_servercode_exists")
	}
	if s.ownerCode != "" {
		add("init_server_owner_exists")
	}
	if s.softPIN != "" {
		add("init_software_token_initialized")
	}
	class, code := c.OwnerMemberClass, c.OwnerMemberCode
	if s.ownerCode != "" {
		class, code = s.ownerClass, s.ownerCode
	}
	owner := s.anchorInstance + "/" + class + "/" + code
	if s.ownerCode == "" && s.opt.OwnerUnknown {
		add("init_unregistered_member", owner)
	}
	if s.serverCode == "" && s.opt.ServerIDTaken {
		add("init_server_id_exists", owner+"/"+c.SecurityServerCode)
	}
	return ws
}

// pinPolicyProblem is X-Road 7.4.2 TokenPinPolicy (src/common/common-util/.../util/TokenPinPolicy.java):
// 10 characters of 3 classes, only ASCII 32-126.
func pinPolicyProblem(pin string) string {
	classes := map[string]bool{}
	n := 0
	for _, c := range pin {
		n++
		switch {
		case c < 32 || c > 126:
			return "invalid_characters_pin" // InvalidCharactersException
		case c >= '0' && c <= '9':
			classes["digit"] = true
		case c >= 'A' && c <= 'Z':
			classes["upper"] = true
		case c >= 'a' && c <= 'z':
			classes["lower"] = true
		default:
			classes["special"] = true
		}
	}
	if n < 10 || len(classes) < 3 {
		return xroad.CodeWeakPin
	}
	return ""
}

// approvedTSAs: X-Road 7.4.2 TimestampingServicesApiController reads
// GlobalConfService.getApprovedTspsForThisInstance, i.e. global
// configuration, which the anchor upload downloads.
// guess: the admin service sees the downloaded configuration only after
// it reloads it (Options.TSAAfterPolls polls), answering an empty list
// meanwhile; before any anchor, a 500 (no global configuration at all).
func (s *Server) approvedTSAs(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.anchorHash == "" {
		apiError(w, http.StatusInternalServerError, "core.InternalError")
		return
	}
	out := []xroad.TimestampingService{}
	if s.tsaVisible() {
		out = append(out, ApprovedTSA)
	}
	s.tsaPolls++
	writeJSON(w, http.StatusOK, out) // getApprovedTimestampingServices: OK
}

// tsaVisible: the approved TSA is in the configuration the admin service
// has loaded.
func (s *Server) tsaVisible() bool { return s.anchorHash != "" && s.tsaPolls >= s.opt.TSAAfterPolls }

// addTSA: X-Road 7.4.2 SystemService.addConfiguredTimestampingService
// and SystemApiController.addConfiguredTimestampingService.
func (s *Server) addTSA(w http.ResponseWriter, r *http.Request) {
	var ts xroad.TimestampingService
	json.NewDecoder(r.Body).Decode(&ts)
	s.mu.Lock()
	defer s.mu.Unlock()
	if ts != ApprovedTSA || !s.tsaVisible() {
		// Not an approved one: TimestampingServiceNotFoundException -> BadRequestException.
		apiError(w, http.StatusBadRequest, "timestamping_service_not_found")
		return
	}
	for _, c := range s.configuredTSA {
		if c == ts {
			// DuplicateConfiguredTimestampingServiceException
			// (ERROR_DUPLICATE_CONFIGURED_TIMESTAMPING_SERVICE) -> ConflictException.
			apiError(w, http.StatusConflict, "timestamping_service_already_configured")
			return
		}
	}
	s.configuredTSA = append(s.configuredTSA, ts)
	// The body it was sent, HttpStatus.CREATED.
	writeJSON(w, http.StatusCreated, ts)
}
