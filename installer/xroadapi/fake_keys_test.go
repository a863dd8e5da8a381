package xroadapi_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/installer/xroadapi"
)

// fakeKey is a key the fake made on its software token, with its CSR.
type fakeKey struct {
	id, label, usage, csrID, owner string
	priv                           *rsa.PrivateKey
	csrDER                         []byte
}

// fakeCert is an imported certificate and its state.
type fakeCert struct {
	der    []byte
	cert   *x509.Certificate
	key    *fakeKey
	status string
	active bool
}

func (f *fake) keyRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/tokens", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		writeJSON(w, http.StatusOK, []any{f.tokenJSON()})
	})
	mux.HandleFunc("PUT /api/v1/tokens/{id}/login", f.login)
	mux.HandleFunc("GET /api/v1/certificate-authorities/{ca}/csr-subject-fields", f.subjectFields)
	mux.HandleFunc("POST /api/v1/tokens/{id}/keys-with-csrs", f.addKey)
	mux.HandleFunc("GET /api/v1/keys/{id}/csrs/{csr}", f.downloadCSR)
	mux.HandleFunc("POST /api/v1/token-certificates", f.importCert)
	mux.HandleFunc("GET /api/v1/token-certificates/{hash}", f.withCert(func(w http.ResponseWriter, c *fakeCert) {
		writeJSON(w, http.StatusOK, f.certJSON(c))
	}))
	mux.HandleFunc("PUT /api/v1/token-certificates/{hash}/register", f.register)
	mux.HandleFunc("PUT /api/v1/token-certificates/{hash}/activate", f.withCert(func(w http.ResponseWriter, c *fakeCert) {
		c.active = true
		w.WriteHeader(http.StatusNoContent)
	}))
}

func (f *fake) ownerID() string {
	return instance + ":" + f.conf.OwnerMemberClass + ":" + f.conf.OwnerMemberCode
}

func (f *fake) tokenJSON() map[string]any {
	status := "OK"
	if f.conf.SoftwareTokenPIN == "" {
		status = "NOT_INITIALIZED"
	}
	keys := []any{}
	for _, k := range f.keys {
		certs := []any{}
		for _, c := range f.certs {
			if c.key == k {
				certs = append(certs, f.certJSON(c))
			}
		}
		keys = append(keys, map[string]any{"id": k.id, "name": k.label, "label": k.label, "usage": k.usage,
			"certificates": certs, "available": true, "saved_to_configuration": true,
			"certificate_signing_requests": []any{map[string]any{"id": k.csrID, "owner_id": k.owner, "possible_actions": []string{"DELETE"}}}})
	}
	return map[string]any{"id": xroadapi.SoftwareTokenID, "name": "softToken-0", "type": xroadapi.TokenTypeSoftware,
		"keys": keys, "status": status, "logged_in": f.loggedIn, "available": true,
		"saved_to_configuration": true, "read_only": false}
}

func (f *fake) login(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Password string `json:"password"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.PathValue("id") != xroadapi.SoftwareTokenID:
		apiError(w, http.StatusNotFound, "token_not_found")
	case f.conf.SoftwareTokenPIN == "":
		apiError(w, http.StatusConflict, "token_not_initialized")
	case body.Password != f.conf.SoftwareTokenPIN:
		meta := []string{}
		if f.echoSecrets {
			meta = append(meta, body.Password)
		}
		apiError(w, http.StatusBadRequest, "token_pin_incorrect", meta...)
	default:
		f.loggedIn = true
		writeJSON(w, http.StatusOK, f.tokenJSON())
	}
}

// subjectFields is a CA profile like Tunduk's: the serial number names the
// instance, server and member class; the CN is the member code.
func (f *fake) subjectFields(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.PathValue("ca") != caName {
		apiError(w, http.StatusNotFound, "certificate_authority_not_found")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if q.Get("key_usage_type") == xroadapi.UsageSigning && q.Get("member_id") != f.ownerID() {
		apiError(w, http.StatusBadRequest, "client_not_found", q.Get("member_id"))
		return
	}
	field := func(id, label, def string, ro bool) map[string]any {
		return map[string]any{"id": id, "label": label, "default_value": def, "read_only": ro, "required": true, "localized": false}
	}
	writeJSON(w, http.StatusOK, []any{
		field("C", "Country Code (C)", "KG", true),
		field("O", "Organization Name (O)", "", false),
		field("serialNumber", "Serial Number", instance+"/"+f.conf.SecurityServerCode+"/"+f.conf.OwnerMemberClass, true),
		field("CN", "Common Name (CN)", f.conf.OwnerMemberCode, true),
	})
}

func (f *fake) addKey(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Label string               `json:"key_label"`
		Req   xroadapi.CSRGenerate `json:"csr_generate_request"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.loggedIn {
		apiError(w, http.StatusConflict, "token_not_logged_in")
		return
	}
	if body.Req.CAName != caName || (body.Req.KeyUsageType == xroadapi.UsageSigning && body.Req.MemberID != f.ownerID()) {
		apiError(w, http.StatusBadRequest, "invalid_csr_request")
		return
	}
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.t.Error(err)
		return
	}
	v := body.Req.SubjectFieldValues
	subject := pkix.Name{CommonName: v["CN"], SerialNumber: v["serialNumber"]}
	if v["C"] != "" {
		subject.Country = []string{v["C"]}
	}
	if v["O"] != "" {
		subject.Organization = []string{v["O"]}
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: subject, SignatureAlgorithm: x509.SHA256WithRSA}, priv)
	if err != nil {
		f.t.Error(err)
		return
	}
	owner := body.Req.MemberID
	if owner == "" {
		owner = f.ownerID()
	}
	k := &fakeKey{id: strings.ToUpper(randomHex(20)), label: body.Label, usage: body.Req.KeyUsageType,
		csrID: randomHex(10), owner: owner, priv: priv, csrDER: csr}
	f.keys = append(f.keys, k)
	kj := f.tokenJSON()["keys"].([]any)
	writeJSON(w, http.StatusCreated, map[string]any{"key": kj[len(kj)-1], "csr_id": k.csrID})
}

func (f *fake) downloadCSR(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range f.keys {
		if k.id == r.PathValue("id") && k.csrID == r.PathValue("csr") {
			b := k.csrDER
			if r.URL.Query().Get("csr_format") != xroadapi.FormatDER {
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

func (f *fake) importCert(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	if p, _ := pem.Decode(b); p != nil {
		b = p.Bytes
	}
	cert, err := x509.ParseCertificate(b)
	if err != nil {
		apiError(w, http.StatusBadRequest, "invalid_certificate")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var key *fakeKey
	for _, k := range f.keys {
		if pub, ok := cert.PublicKey.(*rsa.PublicKey); ok && pub.Equal(&k.priv.PublicKey) {
			key = k
		}
	}
	if key == nil {
		apiError(w, http.StatusNotFound, "key_not_found")
		return
	}
	h := certHash(b)
	if f.certs[h] != nil {
		apiError(w, http.StatusConflict, "certificate_already_exists")
		return
	}
	// A signing certificate is usable at once; an authentication
	// certificate waits for registration at the central server.
	c := &fakeCert{der: b, cert: cert, key: key, status: xroadapi.CertSaved}
	if key.usage == xroadapi.UsageSigning {
		c.status, c.active = xroadapi.CertRegistered, true
	}
	f.certs[h] = c
	writeJSON(w, http.StatusCreated, f.certJSON(c))
}

func (f *fake) register(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Address string `json:"address"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.certs[r.PathValue("hash")]
	switch {
	case c == nil:
		apiError(w, http.StatusNotFound, "certificate_not_found")
	case c.key.usage != xroadapi.UsageAuthentication || c.status != xroadapi.CertSaved:
		apiError(w, http.StatusBadRequest, "action_not_possible") // the spec has no 409 here
	default:
		c.status, f.registeredAddr = xroadapi.CertRegistrationInProgress, body.Address
		w.WriteHeader(http.StatusOK)
	}
}

func certHash(der []byte) string {
	sum := sha256.Sum256(der)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

func (f *fake) certJSON(c *fakeCert) map[string]any {
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
			"rsa_public_key_exponent": pub.E, "hash": certHash(c.der), "key_usages": usages,
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
func (f *fake) withCert(h func(http.ResponseWriter, *fakeCert)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		c := f.certs[r.PathValue("hash")]
		if c == nil {
			apiError(w, http.StatusNotFound, "certificate_not_found")
			return
		}
		h(w, c)
	}
}
