package xroadtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// fakeKey is a key on one of the fake's tokens, with its CSR if any.
type fakeKey struct {
	token, id, label, usage, csrID, owner string
	priv                                  *rsa.PrivateKey
	csrDER                                []byte
}

// fakeCert is an imported certificate and its state.
type fakeCert struct {
	der    []byte
	cert   *x509.Certificate
	key    *fakeKey
	status string
	active bool
	polls  int // GET /token-certificates/{hash} since registration
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
		writeJSON(w, http.StatusOK, toks)
	})
	mux.HandleFunc("PUT /api/v1/tokens/{id}/login", s.login)
	mux.HandleFunc("GET /api/v1/certificate-authorities", s.cas)
	mux.HandleFunc("GET /api/v1/certificate-authorities/{ca}/csr-subject-fields", s.subjectFields)
	mux.HandleFunc("POST /api/v1/tokens/{id}/keys-with-csrs", s.addKey)
	mux.HandleFunc("GET /api/v1/keys/{id}", s.withKey(func(w http.ResponseWriter, r *http.Request, k *fakeKey) {
		writeJSON(w, http.StatusOK, s.keyJSON(k))
	}))
	mux.HandleFunc("POST /api/v1/keys/{id}/csrs", s.withKey(s.csrForKey))
	mux.HandleFunc("GET /api/v1/keys/{id}/csrs/{csr}", s.downloadCSR)
	mux.HandleFunc("POST /api/v1/token-certificates", s.importCert)
	mux.HandleFunc("GET /api/v1/token-certificates/{hash}", s.withCert(func(w http.ResponseWriter, c *fakeCert) {
		if c.status == xroad.CertRegistrationInProgress && s.approveAfter >= 0 {
			if c.polls >= s.approveAfter {
				c.status = xroad.CertRegistered
			}
			c.polls++
		}
		writeJSON(w, http.StatusOK, s.certJSON(c))
	}))
	mux.HandleFunc("PUT /api/v1/token-certificates/{hash}/register", s.register)
	mux.HandleFunc("PUT /api/v1/token-certificates/{hash}/activate", s.withCert(func(w http.ResponseWriter, c *fakeCert) {
		c.active = true
		w.WriteHeader(http.StatusNoContent)
	}))
}

func (s *Server) ownerID() string {
	return Instance + ":" + s.conf.OwnerMemberClass + ":" + s.conf.OwnerMemberCode
}

func (s *Server) keyJSON(k *fakeKey) map[string]any {
	certs := []any{}
	for _, c := range s.certs {
		if c.key == k {
			certs = append(certs, s.certJSON(c))
		}
	}
	csrs := []any{}
	if k.csrID != "" {
		csrs = append(csrs, map[string]any{"id": k.csrID, "owner_id": k.owner, "possible_actions": []string{"DELETE"}})
	}
	out := map[string]any{"id": k.id, "name": k.label, "label": k.label,
		"certificates": certs, "available": true, "saved_to_configuration": true,
		"certificate_signing_requests": csrs}
	if k.usage != "" {
		out["usage"] = k.usage
	}
	return out
}

func (s *Server) tokenJSON(id string) map[string]any {
	keys := []any{}
	for _, k := range s.keys {
		if k.token == id {
			keys = append(keys, s.keyJSON(k))
		}
	}
	if id == HWTokenID {
		// guess: a PKCS#11 token the server sees is "OK", logged out, with
		// the module's serial number.
		return map[string]any{"id": HWTokenID, "name": "Rutoken ECP", "type": xroad.TokenTypeHardware,
			"keys": keys, "status": "OK", "logged_in": s.hwLoggedIn, "available": true,
			"saved_to_configuration": true, "read_only": false, "serial_number": "0a1b2c3d"}
	}
	status := "OK"
	if s.conf.SoftwareTokenPIN == "" {
		status = "NOT_INITIALIZED"
	}
	return map[string]any{"id": xroad.SoftwareTokenID, "name": "softToken-0", "type": xroad.TokenTypeSoftware,
		"keys": keys, "status": status, "logged_in": s.loggedIn, "available": true,
		"saved_to_configuration": true, "read_only": false}
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Password string `json:"password"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	want, in := s.conf.SoftwareTokenPIN, &s.loggedIn
	switch {
	case id == HWTokenID && s.opt.HardwareToken:
		want, in = HWPIN, &s.hwLoggedIn
	case id != xroad.SoftwareTokenID:
		apiError(w, http.StatusNotFound, "token_not_found")
		return
	case s.conf.SoftwareTokenPIN == "":
		apiError(w, http.StatusConflict, "token_not_initialized")
		return
	}
	if body.Password != want {
		meta := []string{}
		if s.echoSecrets {
			meta = append(meta, body.Password)
		}
		apiError(w, http.StatusBadRequest, "token_pin_incorrect", meta...)
		return
	}
	*in = true
	writeJSON(w, http.StatusOK, s.tokenJSON(id))
}

// cas lists the approved CAs of global configuration.
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

// subjectFields is a CA profile like Tunduk's: the serial number names the
// instance, server and member class; the CN is the member code.
// guess: Tunduk's real CA profile may ask for other fields; the flow
// takes whatever the server lists.
func (s *Server) subjectFields(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ca := r.PathValue("ca")
	if ca != CAName && (s.opt.ExtraCA == "" || ca != s.opt.ExtraCA) {
		apiError(w, http.StatusNotFound, "certificate_authority_not_found")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.Get("key_usage_type") == xroad.UsageSigning && q.Get("member_id") != s.ownerID() {
		apiError(w, http.StatusBadRequest, "client_not_found", q.Get("member_id"))
		return
	}
	field := func(id, label, def string, ro bool) map[string]any {
		return map[string]any{"id": id, "label": label, "default_value": def, "read_only": ro, "required": true, "localized": false}
	}
	writeJSON(w, http.StatusOK, []any{
		field("C", "Country Code (C)", "KG", true),
		field("O", "Organization Name (O)", "", false),
		field("serialNumber", "Serial Number", Instance+"/"+s.conf.SecurityServerCode+"/"+s.conf.OwnerMemberClass, true),
		field("CN", "Common Name (CN)", s.conf.OwnerMemberCode, true),
	})
}

// checkCSRRequest says what is wrong with a CSR request, "" when nothing.
func (s *Server) checkCSRRequest(token string, req xroad.CSRGenerate) (int, string) {
	switch {
	case token == xroad.SoftwareTokenID && !s.loggedIn, token == HWTokenID && !s.hwLoggedIn:
		return http.StatusConflict, "token_not_logged_in"
	case req.CAName != CAName && (s.opt.ExtraCA == "" || req.CAName != s.opt.ExtraCA):
		return http.StatusBadRequest, "invalid_csr_request"
	case req.KeyUsageType == xroad.UsageSigning && req.MemberID != s.ownerID():
		return http.StatusBadRequest, "invalid_csr_request"
	case req.KeyUsageType == xroad.UsageAuthentication && token != xroad.SoftwareTokenID:
		// X-Road keeps authentication keys on the software token only.
		return http.StatusBadRequest, "auth_key_not_supported"
	}
	for _, v := range req.SubjectFieldValues {
		if v == "" {
			return http.StatusBadRequest, "invalid_dn_parameter"
		}
	}
	return 0, ""
}

// makeCSR signs a CSR with k's key and records it on k.
func (s *Server) makeCSR(k *fakeKey, req xroad.CSRGenerate) error {
	v := req.SubjectFieldValues
	subject := pkix.Name{CommonName: v["CN"], SerialNumber: v["serialNumber"]}
	if v["C"] != "" {
		subject.Country = []string{v["C"]}
	}
	if v["O"] != "" {
		subject.Organization = []string{v["O"]}
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: subject, SignatureAlgorithm: x509.SHA256WithRSA}, k.priv)
	if err != nil {
		return err
	}
	owner := req.MemberID
	if owner == "" {
		owner = s.ownerID()
	}
	k.usage, k.csrID, k.owner, k.csrDER = req.KeyUsageType, randomHex(10), owner, csr
	return nil
}

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
	if status, code := s.checkCSRRequest(token, body.Req); code != "" {
		apiError(w, status, code)
		return
	}
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		s.t.Error(err)
		return
	}
	k := &fakeKey{token: token, id: strings.ToUpper(randomHex(20)), label: body.Label, priv: priv}
	if err := s.makeCSR(k, body.Req); err != nil {
		s.t.Error(err)
		return
	}
	s.keys = append(s.keys, k)
	writeJSON(w, http.StatusCreated, map[string]any{"key": s.keyJSON(k), "csr_id": k.csrID})
}

// csrForKey is POST /keys/{id}/csrs: a CSR for a key already on a token;
// the answer is the CSR itself.
// guess: a key keeps one CSR in this fake (a real server may hold several).
func (s *Server) csrForKey(w http.ResponseWriter, r *http.Request, k *fakeKey) {
	var req xroad.CSRGenerate
	json.NewDecoder(r.Body).Decode(&req)
	if status, code := s.checkCSRRequest(k.token, req); code != "" {
		// guess: this operation lists no 409, so a token not logged in
		// is answered 400 here.
		apiError(w, min(status, http.StatusBadRequest), code)
		return
	}
	if k.usage != "" && k.usage != req.KeyUsageType {
		apiError(w, http.StatusBadRequest, "wrong_key_usage")
		return
	}
	if err := s.makeCSR(k, req); err != nil {
		s.t.Error(err)
		return
	}
	b := k.csrDER
	if req.CSRFormat != xroad.FormatDER {
		b = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: b})
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusCreated)
	w.Write(b)
}

func (s *Server) downloadCSR(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.id == r.PathValue("id") && k.csrID != "" && k.csrID == r.PathValue("csr") {
			b := k.csrDER
			if r.URL.Query().Get("csr_format") != xroad.FormatDER {
				b = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: b})
			}
			w.Header().Set("Content-Type", "application/octet-stream")
			w.WriteHeader(http.StatusCreated)
			w.Write(b)
			return
		}
	}
	apiError(w, http.StatusNotFound, "csr_not_found")
}

func (s *Server) importCert(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	if p, _ := pem.Decode(b); p != nil {
		b = p.Bytes
	}
	cert, err := x509.ParseCertificate(b)
	if err != nil {
		apiError(w, http.StatusBadRequest, "invalid_certificate")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var key *fakeKey
	for _, k := range s.keys {
		if pub, ok := cert.PublicKey.(*rsa.PublicKey); ok && pub.Equal(&k.priv.PublicKey) {
			key = k
		}
	}
	if key == nil {
		apiError(w, http.StatusNotFound, "key_not_found")
		return
	}
	h := CertHash(b)
	if s.certs[h] != nil {
		apiError(w, http.StatusConflict, "certificate_already_exists")
		return
	}
	// guess: the CSR stays on the key after the import (a real server may
	// delete it; the flow copes with both).
	// A signing certificate is usable at once; an authentication
	// certificate waits for registration at the central server.
	c := &fakeCert{der: b, cert: cert, key: key, status: xroad.CertSaved}
	if key.usage == xroad.UsageSigning {
		c.status, c.active = xroad.CertRegistered, true
	}
	s.certs[h] = c
	writeJSON(w, http.StatusCreated, s.certJSON(c))
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Address string `json:"address"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.certs[r.PathValue("hash")]
	switch {
	case c == nil:
		apiError(w, http.StatusNotFound, "certificate_not_found")
	case c.key.usage != xroad.UsageAuthentication || c.status != xroad.CertSaved:
		apiError(w, http.StatusBadRequest, "action_not_possible") // the spec has no 409 here
	default:
		c.status, s.registeredAddr, c.polls = xroad.CertRegistrationInProgress, body.Address, 0
		w.WriteHeader(http.StatusOK)
	}
}

func (s *Server) certJSON(c *fakeCert) map[string]any {
	pub := c.cert.PublicKey.(*rsa.PublicKey)
	usages := []string{}
	if c.cert.KeyUsage&x509.KeyUsageDigitalSignature != 0 {
		usages = append(usages, "DIGITAL_SIGNATURE")
	}
	if c.cert.KeyUsage&x509.KeyUsageContentCommitment != 0 {
		usages = append(usages, "NON_REPUDIATION")
	}
	return map[string]any{
		"ocsp_status": "DISABLED", "owner_id": c.key.owner, "active": c.active, "saved_to_configuration": true,
		"status": c.status, "possible_actions": []string{},
		"certificate_details": map[string]any{
			"issuer_distinguished_name": c.cert.Issuer.String(), "issuer_common_name": c.cert.Issuer.CommonName,
			"subject_distinguished_name": c.cert.Subject.String(), "subject_common_name": c.cert.Subject.CommonName,
			"not_before": stamp(c.cert.NotBefore), "not_after": stamp(c.cert.NotAfter),
			"serial": c.cert.SerialNumber.String(), "version": c.cert.Version,
			"signature_algorithm": c.cert.SignatureAlgorithm.String(), "signature": hex.EncodeToString(c.cert.Signature),
			"public_key_algorithm": "RSA", "rsa_public_key_modulus": hex.EncodeToString(pub.N.Bytes()),
			"rsa_public_key_exponent": pub.E, "hash": CertHash(c.der), "key_usages": usages,
			"subject_alternative_names": "none",
		},
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// withCert runs h under the fake's lock with the certificate the path
// names, or answers 404.
func (s *Server) withCert(h func(http.ResponseWriter, *fakeCert)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		c := s.certs[r.PathValue("hash")]
		if c == nil {
			apiError(w, http.StatusNotFound, "certificate_not_found")
			return
		}
		h(w, c)
	}
}

// withKey runs h under the fake's lock with the key the path names, or
// answers 404.
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
