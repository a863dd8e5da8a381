package xroadtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// fakeKey is a key on one of the fake's tokens, with its CSRs.
type fakeKey struct {
	token, id, label, usage string
	priv                    *rsa.PrivateKey
	csrs                    []*fakeCSR
}

// fakeCSR is a certificate request kept on a key: X-Road 7.4.2
// TokenManager.java (addCertRequest) keeps one per member and subject.
type fakeCSR struct {
	id, owner, subject string // owner: INSTANCE:CLASS:CODE, "" for authentication
	der                []byte
}

// fakeCert is an imported certificate and its state.
type fakeCert struct {
	der    []byte
	cert   *x509.Certificate
	key    *fakeKey
	owner  string // "" for an authentication certificate
	status string
	active bool
	polls  int    // GET /token-certificates/{hash} since registration
	ocsp   string // the signer's OCSP status when active ("" = unknown)
	// ocspPolls: GET /token-certificates/{hash} while active and
	// registered without an OCSP response (OCSPGoodAfter).
	ocspPolls int
}

// newHWKey is a key made on the Rutoken before the server saw it: no
// usage, no CSR.
func newHWKey(t testing.TB) *fakeKey {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeKey{token: HWTokenID, id: strings.ToUpper(randomHex(20)), label: "tunduk-sign", priv: priv}
}

func (s *Server) keyRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/tokens", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		toks := []any{s.tokenJSON(xroad.SoftwareTokenID)}
		if s.opt.HardwareToken {
			toks = append(toks, s.tokenJSON(HWTokenID))
		}
		writeJSON(w, http.StatusOK, toks) // X-Road 7.4.2 TokensApiController.java (getTokens): OK
	})
	mux.HandleFunc("PUT /api/v1/tokens/{id}/login", s.login)
	mux.HandleFunc("GET /api/v1/certificate-authorities", s.cas)
	mux.HandleFunc("GET /api/v1/certificate-authorities/{ca}/csr-subject-fields", s.subjectFields)
	mux.HandleFunc("POST /api/v1/tokens/{id}/keys-with-csrs", s.addKey)
	mux.HandleFunc("GET /api/v1/keys/{id}", s.withKey(func(w http.ResponseWriter, r *http.Request, k *fakeKey) {
		writeJSON(w, http.StatusOK, s.keyJSON(k)) // KeysApiController.java (getKey): OK
	}))
	mux.HandleFunc("POST /api/v1/keys/{id}/csrs", s.withKey(s.csrForKey))
	mux.HandleFunc("GET /api/v1/keys/{id}/csrs/{csr}", s.withKey(s.downloadCSR))
	s.certRoutes(mux)
}

// ownerID is the owner as an encoded client id (ClientIdConverter:
// INSTANCE:CLASS:CODE), "" before one is saved.
func (s *Server) ownerID() string {
	if s.ownerCode == "" {
		return ""
	}
	return s.ownerInstance + ":" + s.ownerClass + ":" + s.ownerCode
}

// keyJSON is X-Road 7.4.2 KeyConverter.java: usage only when set; CSRs
// by TokenCertificateSigningRequestConverter.java: owner_id only when the
// CSR has a member (authentication CSRs have none).
func (s *Server) keyJSON(k *fakeKey) map[string]any {
	certs := []any{}
	for _, c := range s.certs {
		if c.key == k {
			certs = append(certs, s.certJSON(c))
		}
	}
	csrs := []any{}
	for _, c := range k.csrs {
		j := map[string]any{"id": c.id, "possible_actions": []string{"DELETE"}}
		if c.owner != "" {
			j["owner_id"] = c.owner
		}
		csrs = append(csrs, j)
	}
	out := map[string]any{"id": k.id, "name": k.label, "label": k.label,
		"certificates": certs, "available": true, "saved_to_configuration": true,
		"certificate_signing_requests": csrs}
	if k.usage != "" {
		out["usage"] = k.usage
	}
	return out
}

// tokenJSON is X-Road 7.4.2 TokenConverter.java: logged_in is the
// token's active flag, name its friendly name.
func (s *Server) tokenJSON(id string) map[string]any {
	keys := []any{}
	for _, k := range s.keys {
		if k.token == id {
			keys = append(keys, s.keyJSON(k))
		}
	}
	if id == HWTokenID {
		return map[string]any{"id": HWTokenID, "name": HWTokenName, "type": xroad.TokenTypeHardware,
			"keys": keys, "status": s.hwStatus(), "logged_in": s.hwLoggedIn, "available": true,
			"saved_to_configuration": true, "read_only": false, "serial_number": "0a1b2c3d"}
	}
	// X-Road 7.4.2 SoftwareTokenWorker.java: NOT_INITIALIZED until
	// initialised; USER_PIN_INCORRECT after a wrong PIN, OK after a right one.
	status := s.softStatus
	if s.softPIN == "" {
		status = "NOT_INITIALIZED"
	} else if status == "" {
		status = "OK"
	}
	return map[string]any{"id": xroad.SoftwareTokenID, "name": "softToken-0", "type": xroad.TokenTypeSoftware,
		"keys": keys, "status": status, "logged_in": s.loggedIn, "available": true,
		"saved_to_configuration": true, "read_only": false}
}

// hwStatus is X-Road 7.4.2 HardwareTokenUtil.java (getTokenStatus): the
// token's own PIN flags, locked first. After a wrong PIN the token sets
// CKF_USER_PIN_COUNT_LOW (PKCS#11: "an incorrect user login PIN has
// been entered at least once since the last successful authentication").
func (s *Server) hwStatus() string {
	switch {
	case s.hwTries <= 0:
		return "USER_PIN_LOCKED"
	case s.hwTries == 1:
		return "USER_PIN_FINAL_TRY"
	case s.hwTries < s.hwMaxTries():
		return "USER_PIN_COUNT_LOW"
	}
	return "OK"
}

// hwMaxTries is the hardware token's PIN counter when full.
func (s *Server) hwMaxTries() int {
	if s.opt.HWPINTries > 0 {
		return s.opt.HWPINTries
	}
	return 10
}

// login is X-Road 7.4.2 TokensApiController.java (loginToken) over
// TokenService.java (activateToken).
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Password string `json:"password"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	hw := id == HWTokenID && s.opt.HardwareToken
	if !hw && id != xroad.SoftwareTokenID {
		// TokenNotFoundException (ERROR_TOKEN_NOT_FOUND) -> ResourceNotFoundException.
		apiError(w, http.StatusNotFound, "token_not_found")
		return
	}
	if (hw && s.hwLoggedIn) || (!hw && s.loggedIn) {
		// PossibleActionsRuleEngine.java: TOKEN_ACTIVATE only on a token
		// not active; ActionNotPossibleException -> ConflictException.
		apiError(w, http.StatusConflict, "action_not_possible")
		return
	}
	if !hw && s.softPIN == "" {
		// The token is available from the start (TokenManager.java,
		// createToken: setAvailable(true)), so TOKEN_ACTIVATE is possible;
		// SoftwareTokenWorker.java (activateToken) finds no keystore:
		// ExceptionHelper.tokenNotInitialized, a CodedException TokenService
		// rethrows: ExceptionTranslator.java "core." + the signer's fault
		// code, its text as metadata; ApplicationExceptionHandler.java 500.
		apiError(w, http.StatusInternalServerError, "core.Signer.TokenNotInitialized", "Token '0' not initialized")
		return
	}
	if hw && s.hwTries <= 0 {
		// HardwareTokenWorker.java (activateToken): loginFailed("CKR_PIN_LOCKED"),
		// which TokenService.isCausedByIncorrectPin does not take for a
		// wrong PIN: rethrown, "core.Signer.LoginFailed", 500.
		apiError(w, http.StatusInternalServerError, "core.Signer.LoginFailed", "Login failed: CKR_PIN_LOCKED")
		return
	}
	want := s.softPIN
	if hw {
		want = HWPIN
	}
	if body.Password != want {
		if hw {
			s.hwTries--
		} else {
			s.softStatus = "USER_PIN_INCORRECT"
		}
		var meta []string
		if s.echoSecrets {
			meta = append(meta, body.Password)
		}
		// TokenService.PinIncorrectException (ERROR_PIN_INCORRECT
		// "pin_incorrect") -> BadRequestException; a hardware token's
		// "Login failed: CKR_PIN_INCORRECT" is taken for one too.
		apiError(w, http.StatusBadRequest, "pin_incorrect", meta...)
		return
	}
	if hw {
		s.hwLoggedIn, s.hwTries = true, s.hwMaxTries()
	} else {
		s.loggedIn, s.softStatus = true, "OK"
	}
	writeJSON(w, http.StatusOK, s.tokenJSON(id)) // loginToken: the token, OK
}

// cas lists the approved CAs of global configuration: X-Road 7.4.2
// CertificateAuthoritiesApiController.java (getApprovedCertificateAuthorities), OK.
func (s *Server) cas(w http.ResponseWriter, r *http.Request) {
	ca := func(name string) map[string]any {
		dn := "C=KG, CN=" + name
		return map[string]any{"name": name, "subject_distinguished_name": dn, "issuer_distinguished_name": dn,
			"ocsp_response": "OCSP_RESPONSE_GOOD", "not_after": stamp(s.ca.cert.NotAfter), "top_ca": true,
			"path": dn, "authentication_only": false}
	}
	out := []any{ca(CAName)}
	if s.opt.ExtraCA != "" {
		out = append(out, ca(s.opt.ExtraCA))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) knownCA(name string) bool {
	return name == CAName || (s.opt.ExtraCA != "" && name == s.opt.ExtraCA)
}

// dnField is one field of the CA's profile (CsrSubjectFieldDescription).
type dnField struct {
	id, label, def string
	readOnly       bool
}

// profile is a CA profile like Tunduk's: the serial number names the
// instance, server and member class; the CN is the member code.
// guess: Tunduk's real CA profile (a class of its own in Tunduk's
// xroad-proxy) may ask for other fields; the flow takes whatever the
// server lists.
func (s *Server) profile() []dnField {
	return []dnField{
		{"C", "Country Code (C)", "KG", true},
		{"O", "Organization Name (O)", "", false},
		{"serialNumber", "Serial Number", s.ownerInstance + "/" + s.serverCode + "/" + s.ownerClass, true},
		{"CN", "Common Name (CN)", s.ownerCode, true},
	}
}

// subjectFields is X-Road 7.4.2 CertificateAuthoritiesApiController.java
// (getSubjectFieldDescriptions) over CertificateAuthorityService.java
// (getCertificateProfile).
func (s *Server) subjectFields(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.knownCA(r.PathValue("ca")) {
		// CertificateAuthorityNotFoundException (ERROR_CA_NOT_FOUND) -> ResourceNotFoundException.
		apiError(w, http.StatusNotFound, "certificate_authority_not_found")
		return
	}
	if q.Get("key_usage_type") == xroad.UsageSigning && q.Get("is_new_member") != "true" && (s.ownerID() == "" || q.Get("member_id") != s.ownerID()) {
		// ClientNotFoundException(msg): the code, no metadata -> BadRequestException.
		apiError(w, http.StatusBadRequest, "client_not_found")
		return
	}
	if s.profileMissing() {
		// CertificateAuthoritiesApiController.java: CertificateProfileInstantiationException
		// -> InternalServerErrorException(e), its deviation: 500.
		apiError(w, http.StatusInternalServerError, "certificate_profile_instantiation_failure")
		return
	}
	var out []any
	for _, f := range s.profile() {
		out = append(out, map[string]any{"id": f.id, "label": f.label, "default_value": f.def, "read_only": f.readOnly, "required": true, "localized": false})
	}
	writeJSON(w, http.StatusOK, out) // getSubjectFieldDescriptions: OK
}

// processDN is X-Road 7.4.2 DnFieldHelper.java (processDnParameters): a
// required field the user may edit must be given; read-only fields take
// their default; a value for a field the profile lacks is refused; a
// required field left empty fails the profile's validation. The answer
// is the subject in the profile's order, or "" when refused
// (InvalidDnParameterException, ERROR_INVALID_DN_PARAMETER).
func (s *Server) processDN(given map[string]string) (map[string]string, bool) {
	out := map[string]string{}
	left := map[string]bool{}
	for k := range given {
		left[k] = true
	}
	for _, f := range s.profile() {
		v := given[f.id]
		missing := strings.TrimSpace(v) == ""
		if !f.readOnly && missing {
			return nil, false
		}
		if f.readOnly || missing {
			v = f.def
		}
		if strings.TrimSpace(v) == "" {
			return nil, false
		}
		out[f.id] = v
		delete(left, f.id)
	}
	return out, len(left) == 0
}

// csrRefusal is what X-Road 7.4.2 TokenCertificateService.java
// (generateCertRequest) refuses, in its order, as the status of
// KeysApiController.java (generateCsr); 0 when nothing. The caller holds
// the key and its token.
func (s *Server) csrRefusal(k *fakeKey, req xroad.CSRGenerate) (int, string) {
	loggedIn := s.loggedIn
	if k.token == HWTokenID {
		loggedIn = s.hwLoggedIn
	}
	switch {
	case req.KeyUsageType == xroad.UsageSigning && (s.ownerID() == "" || req.MemberID != s.ownerID()):
		// "client ... or subsystem for it, not found": ClientNotFoundException -> 400.
		return http.StatusBadRequest, "client_not_found"
	case k.usage != "" && k.usage != req.KeyUsageType:
		return http.StatusBadRequest, "wrong_key_usage" // WrongKeyUsageException -> 400
	case !loggedIn, req.KeyUsageType == xroad.UsageAuthentication && k.token != xroad.SoftwareTokenID, s.hasCert(k):
		// PossibleActionsRuleEngine.java (getPossibleKeyActions):
		// GENERATE_AUTH_CSR on the software token only, either one on an
		// active token and a key without certificates;
		// ActionNotPossibleException -> ConflictException.
		return http.StatusConflict, "action_not_possible"
	case !s.knownCA(req.CAName):
		// CertificateAuthorityService.getCertificateAuthorityInfo:
		// CertificateAuthorityNotFoundException -> BadRequestException.
		return http.StatusBadRequest, "certificate_authority_not_found"
	case s.profileMissing():
		// getCertificateProfile's CertificateProfileInstantiationException,
		// rethrown as DeviationAwareRuntimeException with its deviation
		// (TokenCertificateService.java): 500; keys-with-csrs rolls the
		// key back (KeyAndCertificateRequestService.java).
		return http.StatusInternalServerError, "certificate_profile_instantiation_failure"
	}
	if _, ok := s.processDN(req.SubjectFieldValues); !ok {
		return http.StatusBadRequest, "invalid_dn_parameter"
	}
	return 0, ""
}

func (s *Server) hasCert(k *fakeKey) bool {
	for _, c := range s.certs {
		if c.key == k {
			return true
		}
	}
	return false
}

// makeCSR signs a CSR with k's key and records it on k: X-Road 7.4.2
// TokenManager.java (addCertRequest) sets the key's usage and keeps the
// id of a CSR of the same member and subject.
func (s *Server) makeCSR(k *fakeKey, req xroad.CSRGenerate) (*fakeCSR, error) {
	v, _ := s.processDN(req.SubjectFieldValues)
	der, subject, err := signCSR(k.priv, v)
	if err != nil {
		return nil, err
	}
	owner := ""
	if req.KeyUsageType == xroad.UsageSigning {
		owner = req.MemberID
	}
	k.usage = req.KeyUsageType
	for _, c := range k.csrs {
		if c.owner == owner && strings.EqualFold(c.subject, subject) {
			c.der = der
			return c, nil
		}
	}
	c := &fakeCSR{id: strings.ToUpper(randomHex(20)), owner: owner, subject: subject, der: der}
	k.csrs = append(k.csrs, c)
	return c, nil
}

// addKey is X-Road 7.4.2 TokensApiController.java (addKeyAndCsr) over
// KeyAndCertificateRequestService.java: the key first (KeyService.addKey:
// token not found 404, GENERATE_KEY only on an active token, else 409
// action_not_possible), then the CSR, the key removed again when the CSR
// is refused.
func (s *Server) addKey(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Label string            `json:"key_label"`
		Req   xroad.CSRGenerate `json:"csr_generate_request"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	defer s.mu.Unlock()
	token := r.PathValue("id")
	if token != xroad.SoftwareTokenID && (token != HWTokenID || !s.opt.HardwareToken) {
		apiError(w, http.StatusNotFound, "token_not_found")
		return
	}
	if (token == xroad.SoftwareTokenID && !s.loggedIn) || (token == HWTokenID && !s.hwLoggedIn) {
		apiError(w, http.StatusConflict, "action_not_possible")
		return
	}
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		s.t.Error(err)
		return
	}
	// guess: the label stays as given (the software token's keyconf, a
	// hardware token's CKA_LABEL); a renewal finds its keys by it.
	k := &fakeKey{token: token, id: strings.ToUpper(randomHex(20)), label: body.Label, priv: priv}
	if status, code := s.csrRefusal(k, body.Req); code != "" {
		apiError(w, status, code) // the key is rolled back: never kept
		return
	}
	c, err := s.makeCSR(k, body.Req)
	if err != nil {
		s.t.Error(err)
		return
	}
	s.keys = append(s.keys, k)
	// HttpStatus.OK (the definition says 201: departures.go).
	writeJSON(w, http.StatusOK, map[string]any{"key": s.keyJSON(k), "csr_id": c.id})
}

// csrForKey is POST /keys/{id}/csrs, X-Road 7.4.2 KeysApiController.java
// (generateCsr): a CSR for a key already on a token; the answer is the
// CSR itself, HttpStatus.OK (departures.go).
func (s *Server) csrForKey(w http.ResponseWriter, r *http.Request, k *fakeKey) {
	var req xroad.CSRGenerate
	json.NewDecoder(r.Body).Decode(&req)
	if status, code := s.csrRefusal(k, req); code != "" {
		apiError(w, status, code)
		return
	}
	c, err := s.makeCSR(k, req)
	if err != nil {
		s.t.Error(err)
		return
	}
	writeCSR(w, c.der, req.CSRFormat)
}

// downloadCSR is X-Road 7.4.2 KeysApiController.java (downloadCsr) over
// TokenCertificateService.java (regenerateCertRequest): the CSR must be
// the key's (404 csr_not_found), and a CSR is made again, so the same
// rules as making one apply (409 action_not_possible on a logged-out
// token or a key with a certificate).
func (s *Server) downloadCSR(w http.ResponseWriter, r *http.Request, k *fakeKey) {
	for _, c := range k.csrs {
		if c.id != r.PathValue("csr") {
			continue
		}
		loggedIn := s.loggedIn
		if k.token == HWTokenID {
			loggedIn = s.hwLoggedIn
		}
		if !loggedIn || s.hasCert(k) || (k.usage == xroad.UsageAuthentication && k.token != xroad.SoftwareTokenID) {
			apiError(w, http.StatusConflict, "action_not_possible")
			return
		}
		writeCSR(w, c.der, r.URL.Query().Get("csr_format"))
		return
	}
	apiError(w, http.StatusNotFound, "csr_not_found") // CsrNotFoundException -> ResourceNotFoundException
}

// withKey runs h under the fake's lock with the key the path names, or
// answers 404 key_not_found (KeyNotFoundException -> ResourceNotFoundException,
// X-Road 7.4.2 KeysApiController.java).
func (s *Server) withKey(h func(http.ResponseWriter, *http.Request, *fakeKey)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, k := range s.keys {
			if k.id == r.PathValue("id") {
				h(w, r, k)
				return
			}
		}
		apiError(w, http.StatusNotFound, "key_not_found")
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
