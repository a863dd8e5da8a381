package xroadtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

func (s *Server) certRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/token-certificates", s.importCert)
	mux.HandleFunc("GET /api/v1/token-certificates/{hash}", s.withCert(func(w http.ResponseWriter, c *fakeCert) {
		if c.status == xroad.CertRegistrationInProgress && s.approveAfter >= 0 {
			if c.polls >= s.approveAfter {
				c.status = xroad.CertRegistered
			}
			c.polls++
		}
		s.fetchOCSP(c)
		writeJSON(w, http.StatusOK, s.certJSON(c)) // TokenCertificatesApiController.java (getCertificate): OK
	}))
	mux.HandleFunc("PUT /api/v1/token-certificates/{hash}/register", s.register)
	s.lifecycleRoutes(mux)
	mux.HandleFunc("PUT /api/v1/token-certificates/{hash}/activate", s.withCert(func(w http.ResponseWriter, c *fakeCert) {
		// X-Road 7.4.2 PossibleActionsRuleEngine.java (getPossibleCertificateActions):
		// ACTIVATE for a saved certificate of a key with a usage, not active;
		// TokenCertificatesApiController.java (activateCertificate):
		// ActionNotPossibleException -> ConflictException, else NO_CONTENT.
		if c.active || c.key.usage == "" {
			apiError(w, http.StatusConflict, "action_not_possible")
			return
		}
		c.active = true
		w.WriteHeader(http.StatusNoContent)
	}))
}

// X-Road 7.4.2 CertUtils.java: an authentication certificate has the
// clientAuth extended usage or digitalSignature, keyEncipherment or
// dataEncipherment; a signing certificate nonRepudiation.
func isAuthCert(c *x509.Certificate) bool {
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth {
			return true
		}
	}
	return c.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment|x509.KeyUsageDataEncipherment) != 0
}

// IsAuthCert says whether der is a certificate X-Road takes for
// authentication (the test CA's Issue gives it for an authentication CSR).
func IsAuthCert(der []byte) bool {
	c, err := x509.ParseCertificate(der)
	return err == nil && isAuthCert(c) && !isSignCert(c)
}

func isSignCert(c *x509.Certificate) bool { return c.KeyUsage&x509.KeyUsageContentCommitment != 0 }

// importCert is X-Road 7.4.2 TokenCertificatesApiController.java
// (importCertificate) over TokenCertificateService.java (importCertificate)
// and the signer's ImportCertReqHandler.java.
func (s *Server) importCert(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	if p, _ := pem.Decode(b); p != nil {
		b = p.Bytes
	}
	cert, err := x509.ParseCertificate(b)
	if err != nil {
		// InvalidCertificateException (ERROR_INVALID_CERT) -> BadRequestException.
		apiError(w, http.StatusBadRequest, "invalid_cert")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := CertHash(b)
	var key *fakeKey
	for _, k := range s.keys {
		if pub, ok := cert.PublicKey.(*rsa.PublicKey); (ok && pub.Equal(&k.priv.PublicKey)) || (s.certs[h] != nil && s.certs[h].key == k) {
			key = k
		}
	}
	auth, sign := isAuthCert(cert), isSignCert(cert)
	owner := ""
	if !auth {
		// TokenCertificateService.importCertificate: the member comes from
		// the certificate (the CA profile's getSubjectName) and must be a
		// client here: ClientNotFoundException (metadata: the encoded id) -> 400.
		// guess: the fake reads the member from the key's CSR, not from the
		// certificate through Tunduk's profile.
		owner = s.ownerID()
		if key != nil {
			for _, c := range key.csrs {
				if c.owner != "" {
					owner = c.owner
				}
			}
		}
		if owner == "" || owner != s.ownerID() {
			apiError(w, http.StatusBadRequest, "client_not_found", owner)
			return
		}
	}
	// ImportCertReqHandler.java: X_KEY_NOT_FOUND, X_CERT_EXISTS,
	// X_WRONG_CERT_USAGE, which TokenCertificateService.translateCodedExceptions
	// turns into KeyNotFoundException (400), CertificateAlreadyExistsException
	// (409), WrongCertificateUsageException (ERROR_CERTIFICATE_WRONG_USAGE, 400).
	usage := xroad.UsageAuthentication
	if sign {
		usage = xroad.UsageSigning
	}
	switch {
	case key == nil:
		apiError(w, http.StatusBadRequest, "key_not_found")
		return
	case s.certs[h] != nil:
		apiError(w, http.StatusConflict, "certificate_already_exists")
		return
	case (sign && auth) || (!sign && !auth) || (key.usage != "" && key.usage != usage):
		apiError(w, http.StatusBadRequest, "cert_wrong_usage")
		return
	}
	// TokenManager.addCert(key, member, active = !authentication, saved,
	// status SAVED for authentication, REGISTERED for signing), the key's
	// usage set, then the key's CSR of that member deleted
	// (ImportCertReqHandler.deleteCertRequest; an authentication key's
	// first CSR: TokenManager.getCertRequestInfo).
	c := &fakeCert{der: b, cert: cert, key: key, owner: owner, status: xroad.CertSaved}
	if usage == xroad.UsageSigning {
		c.status, c.active = xroad.CertRegistered, true
	}
	key.usage = usage
	for i, csr := range key.csrs {
		if usage == xroad.UsageAuthentication || csr.owner == owner {
			key.csrs = append(key.csrs[:i], key.csrs[i+1:]...)
			break
		}
	}
	s.certs[h] = c
	// ControllerUtil.createCreatedResponse: 201.
	writeJSON(w, http.StatusCreated, s.certJSON(c))
}

// register is X-Road 7.4.2 TokenCertificatesApiController.java
// (registerCertificate) over TokenCertificateService.java (registerAuthCert).
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Address string `json:"address"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.certs[strings.ToUpper(r.PathValue("hash"))]
	switch {
	case c == nil:
		// CertificateNotFoundException -> ResourceNotFoundException.
		apiError(w, http.StatusNotFound, "certificate_not_found")
	case !isAuthCert(c.cert):
		// verifyAuthCert: SignCertificateNotSupportedException
		// (ERROR_SIGN_CERT_NOT_SUPPORTED) -> BadRequestException.
		apiError(w, http.StatusBadRequest, "sign_cert_not_supported")
	case c.key.usage != xroad.UsageAuthentication || c.status != xroad.CertSaved:
		// PossibleActionsRuleEngine.java: REGISTER for a SAVED
		// authentication certificate only; ActionNotPossibleException -> ConflictException.
		apiError(w, http.StatusConflict, "action_not_possible")
	default:
		// The management request is sent, the status set REGINPROG;
		// HttpStatus.NO_CONTENT (the definition says 200: departures.go).
		c.status, s.registeredAddr, c.polls = xroad.CertRegistrationInProgress, body.Address, 0
		s.mgmt = append(s.mgmt, ManagementRequest{RequestAuthCertRegistration, CertHash(c.der)})
		w.WriteHeader(http.StatusNoContent)
	}
}

// certJSON is X-Road 7.4.2 TokenCertificateConverter.java: owner_id only
// when the certificate has a member; ocsp_status (getOcspStatus) DISABLED
// while inactive, EXPIRED past not_after, none (null, left out:
// common-application.yml default-property-inclusion NON_NULL) for a
// certificate not REGISTERED, else the signer's OCSP response, unknown
// until there is one.
// guess: no OCSP response fetched yet (OCSP_RESPONSE_UNKNOWN) unless a
// test sets one (SetCertOCSP, OCSPGoodAfter); a real server shows GOOD
// once its OCSP responder answered.
func (s *Server) certJSON(c *fakeCert) map[string]any {
	ocsp := "DISABLED"
	switch {
	case !c.active:
	case time.Now().After(c.cert.NotAfter):
		ocsp = xroad.OCSPExpired
	case c.status != xroad.CertRegistered:
		ocsp = ""
	default:
		ocsp = xroad.OCSPUnknown
		if c.ocsp != "" {
			ocsp = c.ocsp
		}
	}
	out := map[string]any{
		"active": c.active, "saved_to_configuration": true,
		"status": c.status, "possible_actions": []string{},
		"certificate_details": certDetails(c.cert, c.der),
	}
	if ocsp != "" {
		out["ocsp_status"] = ocsp
	}
	if c.owner != "" {
		out["owner_id"] = c.owner
	}
	return out
}

// certDetails is X-Road 7.4.2 converter/CertificateDetailsConverter.java:
// the RSA fields only for an RSA key (departures.go).
func certDetails(cert *x509.Certificate, der []byte) map[string]any {
	usages := []string{}
	if cert.KeyUsage&x509.KeyUsageDigitalSignature != 0 {
		usages = append(usages, "DIGITAL_SIGNATURE")
	}
	if cert.KeyUsage&x509.KeyUsageContentCommitment != 0 {
		usages = append(usages, "NON_REPUDIATION")
	}
	if cert.KeyUsage&x509.KeyUsageKeyEncipherment != 0 {
		usages = append(usages, "KEY_ENCIPHERMENT")
	}
	d := map[string]any{
		"issuer_distinguished_name": cert.Issuer.String(), "issuer_common_name": cert.Issuer.CommonName,
		"subject_distinguished_name": cert.Subject.String(), "subject_common_name": cert.Subject.CommonName,
		"not_before": stamp(cert.NotBefore), "not_after": stamp(cert.NotAfter),
		"serial": cert.SerialNumber.String(), "version": cert.Version,
		"signature_algorithm": cert.SignatureAlgorithm.String(), "signature": hex.EncodeToString(cert.Signature),
		"public_key_algorithm": cert.PublicKeyAlgorithm.String(), "hash": CertHash(der), "key_usages": usages,
		"subject_alternative_names": "none",
	}
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); ok {
		d["rsa_public_key_modulus"], d["rsa_public_key_exponent"] = hex.EncodeToString(pub.N.Bytes()), pub.E
	}
	return d
}

// withCert runs h under the fake's lock with the certificate the path
// names (in either case: X-Road 7.4.2 SignerProxy.java, getCertForHash,
// lower-cases it), or answers 404 certificate_not_found
// (CertificateNotFoundException -> ResourceNotFoundException,
// X-Road 7.4.2 TokenCertificatesApiController.java).
func (s *Server) withCert(h func(http.ResponseWriter, *fakeCert)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		c := s.certs[strings.ToUpper(r.PathValue("hash"))]
		if c == nil {
			apiError(w, http.StatusNotFound, "certificate_not_found")
			return
		}
		h(w, c)
	}
}

// signCSR makes a CSR of priv for the subject values, in the order X-Road's
// DnFieldHelper.createSubjectName writes them; it returns the DER and the
// subject as that string.
func signCSR(priv *rsa.PrivateKey, v map[string]string) ([]byte, string, error) {
	oids := map[string]asn1.ObjectIdentifier{"C": {2, 5, 4, 6}, "O": {2, 5, 4, 10}, "serialNumber": {2, 5, 4, 5}, "CN": {2, 5, 4, 3}}
	var name pkix.RDNSequence
	var parts []string
	for _, id := range []string{"C", "O", "serialNumber", "CN"} {
		if v[id] == "" {
			continue
		}
		name = append(name, pkix.RelativeDistinguishedNameSET{{Type: oids[id], Value: v[id]}})
		parts = append(parts, id+"="+v[id])
	}
	raw, err := asn1.Marshal(name)
	if err != nil {
		return nil, "", err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{RawSubject: raw, SignatureAlgorithm: x509.SHA256WithRSA}, priv)
	return der, strings.Join(parts, ", "), err
}

// writeCSR answers a CSR as X-Road 7.4.2 ControllerUtil.createAttachmentResourceResponse
// does: octet-stream, HttpStatus.OK (departures.go), PEM unless DER was
// asked for.
func writeCSR(w http.ResponseWriter, der []byte, format string) {
	b := der
	if format != xroad.FormatDER {
		b = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}
