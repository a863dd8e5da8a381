package xroadtest

// What happens to a certificate after its first registration (issue 17,
// renewal): taken out of service, unregistered, deleted with or without
// its key; the central server's approval of a later registration; the
// signer's OCSP responses. Each follows X-Road 7.4.2 (paths under
// src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/):
// openapi/TokenCertificatesApiController.java and openapi/KeysApiController.java
// over service/TokenCertificateService.java, service/KeyService.java and
// service/PossibleActionsRuleEngine.java.

import (
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// Management request kinds the fake's central server received.
const (
	RequestAuthCertRegistration = "AUTH_CERT_REGISTRATION"
	RequestAuthCertDeletion     = "AUTH_CERT_DELETION"
)

// ManagementRequest is one request to the central server: the kind and
// the certificate's hash.
type ManagementRequest struct{ Kind, Hash string }

func (s *Server) lifecycleRoutes(mux *http.ServeMux) {
	// changeCertificateActivation(hash, false): DISABLE is possible for a
	// certificate of a key with a usage, saved to configuration and
	// active (PossibleActionsRuleEngine.getPossibleCertificateActions);
	// ActionNotPossibleException -> ConflictException; NO_CONTENT.
	// Nothing checks that another certificate stays in service: the
	// server may be left with none.
	mux.HandleFunc("PUT /api/v1/token-certificates/{hash}/disable", s.withCert(func(w http.ResponseWriter, c *fakeCert) {
		if !c.active || c.key.usage == "" {
			apiError(w, http.StatusConflict, "action_not_possible")
			return
		}
		c.active = false
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("PUT /api/v1/token-certificates/{hash}/unregister", s.withCert(s.unregister))
	mux.HandleFunc("DELETE /api/v1/token-certificates/{hash}", s.withCert(s.deleteCert))
	mux.HandleFunc("DELETE /api/v1/keys/{id}", s.withKey(s.deleteKey))
}

// unregister is unregisterAuthCert (unregisterAuthCertAndMarkForDeletion
// with skipUnregister false): verifyAuthCert first (a signing certificate:
// SignCertificateNotSupportedException -> BadRequestException), then
// UNREGISTER, possible for a certificate of an authentication key in
// REGINPROG or REGISTERED (ActionNotPossibleException -> ConflictException);
// the deletion request goes to the central server and the status becomes
// DELINPROG; NO_CONTENT. Neither the certificate's activity nor the
// server's other certificates are looked at: the only authentication
// certificate in service may be unregistered.
// guess: what the operator does with the deletion request; the status
// stays DELINPROG whatever it does (GlobalConfChecker.java).
func (s *Server) unregister(w http.ResponseWriter, c *fakeCert) {
	switch {
	case !isAuthCert(c.cert):
		apiError(w, http.StatusBadRequest, "sign_cert_not_supported")
	case !s.canUnregister(c):
		apiError(w, http.StatusConflict, "action_not_possible")
	default:
		s.mgmt = append(s.mgmt, ManagementRequest{RequestAuthCertDeletion, CertHash(c.der)})
		c.status = xroad.CertDeletionInProgress
		w.WriteHeader(http.StatusNoContent)
	}
}

// canUnregister is PossibleActionsRuleEngine's canUnregister.
func (s *Server) canUnregister(c *fakeCert) bool {
	return c.key.usage == xroad.UsageAuthentication &&
		(c.status == xroad.CertRegistrationInProgress || c.status == xroad.CertRegistered)
}

// deleteCert is TokenCertificateService.deleteCertificate: DELETE is
// possible unless the certificate can be unregistered (canDeleteCertOrCsr:
// a registered authentication certificate must be unregistered first);
// the fake's certificates are saved to configuration, so the token's
// state does not matter. An active signing certificate may be deleted.
// ActionNotPossibleException -> ConflictException; NO_CONTENT.
func (s *Server) deleteCert(w http.ResponseWriter, c *fakeCert) {
	if s.canUnregister(c) {
		apiError(w, http.StatusConflict, "action_not_possible")
		return
	}
	delete(s.certs, CertHash(c.der))
	w.WriteHeader(http.StatusNoContent)
}

// deleteKey is KeyService.deleteKey: DELETE is possible on an active
// (logged-in) token for a key the token supports
// (getPossibleKeyActions), else ActionNotPossibleException ->
// ConflictException. An authentication key with a certificate in
// REGINPROG or REGISTERED is refused with the warning
// auth_key_with_registered_cert_warning (metadata: the key's id) unless
// ignore_warnings: UnhandledWarningsException -> BadRequestException,
// 400 warnings_detected. With it, those certificates are unregistered
// first (the deletion request sent, DELINPROG); then the signer deletes
// the key's certificates and CSRs and the key. NO_CONTENT.
func (s *Server) deleteKey(w http.ResponseWriter, r *http.Request, k *fakeKey) {
	active := s.loggedIn
	if k.token == HWTokenID {
		active = s.hwLoggedIn
	}
	if !active || (k.usage == xroad.UsageAuthentication && k.token != xroad.SoftwareTokenID) {
		apiError(w, http.StatusConflict, "action_not_possible")
		return
	}
	var registered []*fakeCert
	for _, c := range s.certs {
		if c.key == k && s.canUnregister(c) {
			registered = append(registered, c)
		}
	}
	if len(registered) > 0 && r.URL.Query().Get("ignore_warnings") != "true" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": http.StatusBadRequest,
			"error":    map[string]any{"code": xroad.CodeWarningsDetected},
			"warnings": []any{map[string]any{"code": "auth_key_with_registered_cert_warning", "metadata": []string{k.id}}}})
		return
	}
	for _, c := range registered {
		s.mgmt = append(s.mgmt, ManagementRequest{RequestAuthCertDeletion, CertHash(c.der)})
	}
	for h, c := range s.certs {
		if c.key == k {
			delete(s.certs, h)
		}
	}
	for i, x := range s.keys {
		if x == k {
			s.keys = append(s.keys[:i], s.keys[i+1:]...)
			break
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// ApproveRegistration is the central server approving the registration
// of the certificate hash (any case): global configuration lists it, and
// the admin service's GlobalConfChecker.java (updateCertStatus) sets a
// SAVED, REGINPROG or GLOBALERR certificate REGISTERED. False when the
// certificate is not waiting for it.
// guess: the central server approves a second authentication certificate
// of a server already registered as it did the first.
func (s *Server) ApproveRegistration(hash string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.certs[strings.ToUpper(hash)]
	if c == nil || c.status != xroad.CertRegistrationInProgress {
		return false
	}
	c.status = xroad.CertRegistered
	return true
}

// OCSPGoodAfter makes the CA's OCSP responder answer GOOD for an active
// REGISTERED certificate once it has been polled (GET
// /token-certificates/{hash}) polls times since it became one: the
// signer fetches responses only for active registered certificates
// (src/signer/.../certmanager/OcspClientWorker.java, getCertsForOcsp),
// every ocspFetchInterval. -1 (the default): never, the status stays
// unknown.
// guess: how long the operator's responder takes; a public Tunduk setup
// saw "unknown" for up to about 48 minutes.
func (s *Server) OCSPGoodAfter(polls int) {
	s.mu.Lock()
	s.ocspAfter = polls
	s.mu.Unlock()
}

// fetchOCSP is one poll of c as the signer's OCSP fetch sees it; the
// caller holds the lock.
func (s *Server) fetchOCSP(c *fakeCert) {
	if s.ocspAfter < 0 || c.ocsp != "" || !c.active || c.status != xroad.CertRegistered {
		return
	}
	if c.ocspPolls >= s.ocspAfter {
		c.ocsp = xroad.OCSPGood
	}
	c.ocspPolls++
}

// ManagementRequests are the requests the central server received, in
// order.
func (s *Server) ManagementRequests() []ManagementRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ManagementRequest(nil), s.mgmt...)
}

// CertState is one certificate as the server holds it.
type CertState struct {
	Hash, Usage, Token, KeyID, Status, OCSP string
	Active                                  bool
}

// Certs are the server's certificates now, read in one go under the
// fake's lock: a consistent picture for a test that watches the server
// change (the OCSP status as the API would show it).
func (s *Server) Certs() []CertState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CertState
	for h, c := range s.certs {
		ocsp, _ := s.certJSON(c)["ocsp_status"].(string)
		out = append(out, CertState{Hash: h, Usage: c.key.usage, Token: c.key.token, KeyID: c.key.id,
			Status: c.status, OCSP: ocsp, Active: c.active})
	}
	return out
}

// InService says whether the server can work now: an authentication
// certificate on the software token that is registered, active and has
// a good OCSP response, and a signing certificate of the owner that is
// active with a good OCSP response (X-Road signs and authenticates only
// with those: OcspClientWorker fetches responses for active registered
// certificates, and a message needs a good one).
func (s *Server) InService() (auth, sign bool) {
	for _, c := range s.Certs() {
		if !c.Active || c.Status != xroad.CertRegistered || c.OCSP != xroad.OCSPGood {
			continue
		}
		switch {
		case c.Usage == xroad.UsageAuthentication && c.Token == xroad.SoftwareTokenID:
			auth = true
		case c.Usage == xroad.UsageSigning:
			sign = true
		}
	}
	return auth, sign
}

// Watch calls f after every request the fake answered (f must not call
// the fake's API over HTTP; its Go methods are fine). A test that must
// see every state the server passes through watches it: a poll could
// miss a short one.
func (s *Server) Watch(f func()) {
	s.mu.Lock()
	s.watch = f
	s.mu.Unlock()
}

// EndIn makes the certificates in service end in days, as if the time
// had passed since they were issued: the test CA issues each again for
// the same key and subject with the earlier end, and it takes the old
// one's place (its hash changes, as a new certificate's would). The
// real-window walk renews them from the Health step.
func (s *Server) EndIn(t testing.TB, days int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	notAfter := time.Now().Add(time.Duration(days) * 24 * time.Hour)
	var active []string
	for h, c := range s.certs {
		if c.active {
			active = append(active, h)
		}
	}
	for _, h := range active {
		c := s.certs[h]
		tmpl := *c.cert
		tmpl.NotAfter = notAfter
		tmpl.SerialNumber, _ = rand.Int(rand.Reader, big.NewInt(1<<62))
		der, err := x509.CreateCertificate(rand.Reader, &tmpl, s.ca.cert, c.cert.PublicKey, s.ca.key)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		n := *c
		n.der, n.cert = der, cert
		delete(s.certs, h)
		s.certs[CertHash(der)] = &n
	}
}
