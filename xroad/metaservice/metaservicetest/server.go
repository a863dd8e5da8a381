// Package metaservicetest is a stand-in for a security server's client
// side (ports 8080 and 8443): a real HTTP(S) server on loopback that
// answers REST metaservices and fails as X-Road 7.4.2's proxy does. Each
// behaviour names the Java file it follows; what the source leaves open
// is marked guess:.
package metaservicetest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/internal/testcert"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice"
)

// IS connection types of a subsystem (IsAuthentication.java).
const (
	NoSSL     = "NOSSL"
	SSLNoAuth = "SSLNOAUTH"
	SSLAuth   = "SSLAUTH"
)

// Client is a subsystem as this server's configuration holds it.
type Client struct {
	Registered bool   // status REGISTERED (ClientType.STATUS_REGISTERED)
	IsAuth     string // NoSSL (default), SSLNoAuth, SSLAuth
	IsCerts    []*x509.Certificate
}

// State is what the server is; tests change it between calls (Set).
type State struct {
	GlobalConfExpired bool // GlobalConf.isValid() false
	NoAuthCert        bool // KeyConf.getAuthKey() has no chain
	NoSignCert        bool // the signer finds no suitable signing certificate
	OCSPStatus        string
	Clients           map[metaservice.ID]Client
	// Known are providers in the global configuration; a registered
	// local client is always known.
	Known    map[metaservice.ID]bool
	Services map[metaservice.ID][]metaservice.Service
	// Access: provider -> client -> service codes allowed.
	Access map[metaservice.ID]map[metaservice.ID][]string
}

// Server is the running stand-in.
type Server struct {
	HTTP, HTTPS *httptest.Server
	CertPEM     []byte // the internal TLS certificate (internal.crt)
	Calls       int

	mu sync.Mutex
	st State
}

// Start runs the stand-in on loopback, both ports, until the test ends.
func Start(t testing.TB, st State) *Server {
	t.Helper()
	s := &Server{st: st}
	s.HTTP = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.HTTP.Close)
	cert, certPEM := testcert.KeyPair(t, "localhost")
	s.CertPEM = certPEM
	s.HTTPS = httptest.NewUnstartedServer(http.HandlerFunc(s.handle))
	// ClientProxy.java: cf.setWantClientAuth(true): a client certificate
	// is asked for, not required; IsAuthentication decides.
	s.HTTPS.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequestClientCert, MinVersion: tls.VersionTLS12}
	// A refused handshake is a case under test, not noise for the log.
	s.HTTPS.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.HTTPS.StartTLS()
	t.Cleanup(s.HTTPS.Close)
	return s
}

// Set changes the state under the lock.
func (s *Server) Set(f func(*State)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.st)
}

// fault is a CodedException as ClientRestMessageHandler.sendErrorResponse
// writes it: "Server." codes 500, others 400; X-Road-Error the code;
// JSON type, message, detail (a UUID in the real server).
func fault(w http.ResponseWriter, code, msg string) {
	status := http.StatusBadRequest
	if strings.HasPrefix(code, "Server.") {
		status = http.StatusInternalServerError
	}
	w.Header().Set("X-Road-Error", code)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"type": code, "message": msg, "detail": "3c4d0f08-440f-417f-b935-bc801e103d51"})
}

// subsystemString is ClientId.toString(): "SUBSYSTEM:INST/CLASS/MEMBER/SUB"
// (XRoadId.toString(':') with toShortString('/')).
func subsystemString(id metaservice.ID) string { return "SUBSYSTEM:" + id.String() }

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Calls++
	// ClientRestMessageHandler.createRequestProcessor: only /r1/ is REST.
	// guess: anything else falls to the SOAP handler; a plain 404 here.
	if !strings.HasPrefix(r.URL.Path, "/r1/") || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	// verifyCanProcess: the global configuration, then the auth key.
	if s.st.GlobalConfExpired {
		fault(w, "Server.ClientProxy.OutdatedGlobalConf", "Global configuration is expired")
		return
	}
	if s.st.NoAuthCert {
		fault(w, "Server.ClientProxy.SslAuthenticationFailed", "Security server has no valid authentication certificate")
		return
	}
	// RestRequest.decodeIdentifiers: /r1/INST/CLASS/MEMBER/SUB/SERVICE.
	parts := strings.Split(r.URL.Path, "/")
	if len(parts) != 7 {
		// guess: IllegalArgumentException translated with the client
		// proxy's prefix (AbstractClientProxyHandler: X_INTERNAL_ERROR).
		fault(w, "Server.ClientProxy.InternalError", "Invalid request URI")
		return
	}
	provider := metaservice.ID{Instance: parts[2], MemberClass: parts[3], MemberCode: parts[4], Subsystem: parts[5]}
	method := parts[6]
	client, err := metaservice.ParseID(r.Header.Get("X-Road-Client"))
	if r.Header.Get("X-Road-Client") == "" || err != nil {
		// AbstractClientMessageProcessor.verifyClientStatus.
		fault(w, "Server.ClientProxy.InvalidClientIdentifier", "The client identifier is missing")
		return
	}
	c, ok := s.st.Clients[client]
	if !ok || !c.Registered {
		fault(w, "Server.ClientProxy.UnknownMember", fmt.Sprintf("Client '%s' not found", subsystemString(client)))
		return
	}
	if msg := isAuth(client, c, r); msg != "" {
		fault(w, "Server.ClientProxy.SslAuthenticationFailed", msg)
		return
	}
	// AbstractClientMessageProcessor.getServiceAddresses.
	if p, ok := s.st.Clients[provider]; !(ok && p.Registered) && !s.st.Known[provider] {
		fault(w, "Server.ClientProxy.UnknownMember", fmt.Sprintf("Could not find addresses for service provider \"SERVICE:%s/%s\"", provider, method))
		return
	}
	if s.st.NoSignCert {
		// GetMemberSigningInfoReqHandler; guess: the signer's
		// X_INTERNAL_ERROR reaches the client proxy as InternalError.
		fault(w, "Server.ClientProxy.InternalError", fmt.Sprintf("Member 'MEMBER:%s/%s/%s' has no suitable certificates", client.Instance, client.MemberClass, client.MemberCode))
		return
	}
	// The provider's server proxy (this same server): the client's TLS
	// certificate checked with its OCSP response
	// (ServerRestMessageProcessor.verifySslClientCert, OcspVerifier.verifyStatus).
	if s.st.OCSPStatus != "" {
		fault(w, "Server.ServerProxy.SslAuthenticationFailed", "OCSP response indicates certificate status is "+s.st.OCSPStatus)
		return
	}
	// ServerRestMessageProcessor.verifyClientStatus: the provider here.
	if p, ok := s.st.Clients[provider]; !ok || !p.Registered {
		fault(w, "Server.ServerProxy.UnknownMember", fmt.Sprintf("Client '%s' not found", subsystemString(provider)))
		return
	}
	// RestMetadataServiceHandlerImpl: canHandle GET listMethods,
	// allowedMethods (getOpenAPI is not served here).
	var list []metaservice.Service
	switch method {
	case metaservice.ListMethods:
		list = s.st.Services[provider]
	case metaservice.AllowedMethods:
		// ServerConfImpl.getAllowedRestServices: services with an ACL.
		for _, sv := range s.st.Services[provider] {
			for _, code := range s.st.Access[provider][client] {
				if code == sv.Code {
					list = append(list, sv)
				}
			}
		}
	default:
		// ServerRestMessageProcessor.verifyAccess.
		fault(w, "Server.ServerProxy.UnknownService", fmt.Sprintf("Unknown service: SERVICE:%s/%s", provider, method))
		return
	}
	if list == nil {
		list = []metaservice.Service{}
	}
	qid := r.Header.Get("X-Road-Id")
	if qid == "" {
		// ClientRestMessageProcessor.processRequest: instance-UUID.
		qid = provider.Instance + "-6f1c1f0e-2d6b-4b0e-9d51-4c3e1d4f9a10"
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Road-Id", qid)
	h.Set("X-Road-Client", client.String())
	h.Set("X-Road-Service", provider.String()+"/"+method)
	h.Set("X-Road-Request-Id", "f92591a3-6bf0-49b1-987b-0dd78c034cc3")
	json.NewEncoder(w).Encode(map[string]any{"service": list})
}

// isAuth is IsAuthentication.verifyClientAuthentication.
func isAuth(id metaservice.ID, c Client, r *http.Request) string {
	plaintext := r.TLS == nil
	var cert *x509.Certificate
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		cert = r.TLS.PeerCertificates[0]
	}
	switch c.IsAuth {
	case SSLNoAuth:
		if plaintext {
			return fmt.Sprintf("Client (%s) specifies HTTPS NO AUTH but client made plaintext connection", subsystemString(id))
		}
	case SSLAuth:
		if cert == nil {
			return fmt.Sprintf("Client (%s) specifies HTTPS but did not supply TLS certificate", subsystemString(id))
		}
		if len(c.IsCerts) == 0 {
			return fmt.Sprintf("Client (%s) has no IS certificates", subsystemString(id))
		}
		for _, ic := range c.IsCerts {
			if ic.Equal(cert) {
				return ""
			}
		}
		return fmt.Sprintf("Client (%s) TLS certificate does not match any IS certificates", subsystemString(id))
	}
	return ""
}
