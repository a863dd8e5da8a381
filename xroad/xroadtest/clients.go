package xroadtest

// Security server clients (subsystems), their registration, connection
// type and TLS certificates, and what global configuration knows of other
// members. X-Road 7.4.2 openapi/ClientsApiController.java and
// service/ClientService.java unless a comment says otherwise (paths under
// src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/).

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// GlobalMember is a member global configuration lists, with its
// subsystems: the subjects access rights can be given to.
type GlobalMember struct {
	Class, Code, Name string
	Subsystems        []string
}

// GlobalMembers are the other members of the fake's instance.
var GlobalMembers = []GlobalMember{
	{Class: "GOV", Code: "70000002", Name: "Государственная регистрационная служба", Subsystems: []string{"registry", "archive"}},
	{Class: "COM", Code: "60000003", Name: "Demo Bank LLC", Subsystems: []string{"payments"}},
}

// OwnerName is the owner member's name in global configuration.
const OwnerName = "Tunduk Onboard Test Org"

type fakeClient struct {
	class, code, sub string
	conn             string
	status           string
	polls            int      // GETs since the registration request
	tls              [][]byte // DER of the IS certificates
	sds              []*fakeSD
	groups           []fakeGroup
	acl              []fakeACL
}

type fakeGroup struct{ id, code, desc string }

type fakeACL struct {
	service, subject string
	at               time.Time
}

func (c *fakeClient) id() string { return xroad.ClientID(Instance, c.class, c.code, c.sub) }

func (s *Server) clientRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/clients", s.findClients)
	mux.HandleFunc("POST /api/v1/clients", s.addClient)
	mux.HandleFunc("GET /api/v1/clients/{id}", s.withClient(func(w http.ResponseWriter, r *http.Request, c *fakeClient) {
		s.pollClient(c)
		writeJSON(w, http.StatusOK, s.clientJSON(c)) // getClient: OK
	}))
	mux.HandleFunc("PATCH /api/v1/clients/{id}", s.withClient(s.setConnType))
	mux.HandleFunc("PUT /api/v1/clients/{id}/register", s.withClient(s.registerClient))
	mux.HandleFunc("GET /api/v1/clients/{id}/tls-certificates", s.withClient(func(w http.ResponseWriter, r *http.Request, c *fakeClient) {
		out := []any{}
		for _, der := range c.tls {
			cert, _ := x509.ParseCertificate(der)
			out = append(out, certDetails(cert, der))
		}
		writeJSON(w, http.StatusOK, out) // getClientTlsCertificates: OK
	}))
	mux.HandleFunc("POST /api/v1/clients/{id}/tls-certificates", s.withClient(s.addTLS))
	mux.HandleFunc("GET /api/v1/clients/{id}/local-groups", s.withClient(func(w http.ResponseWriter, r *http.Request, c *fakeClient) {
		out := []any{}
		for _, g := range c.groups {
			out = append(out, map[string]any{"id": g.id, "code": g.code, "description": g.desc, "member_count": 0,
				"updated_at": stamp(time.Now()), "members": []any{}})
		}
		writeJSON(w, http.StatusOK, out) // getClientLocalGroups: OK
	}))
	mux.HandleFunc("GET /api/v1/clients/{id}/service-client-candidates", s.withClient(s.candidates))
	mux.HandleFunc("GET /api/v1/member-names", s.memberName)
	mux.HandleFunc("GET /api/v1/system/certificate/export", s.exportInternalTLS)
}

// withClient runs h under the lock with the local client the path names.
// An unknown one: the services throw ClientNotFoundException
// (ERROR_CLIENT_NOT_FOUND) -> ResourceNotFoundException(e), 404 with the
// code; getClient's own getClientType throws ResourceNotFoundException
// with a message only (no deviation: 404 without a code,
// src/security-server/admin-service/application/src/main/java/org/niis/xroad/restapi/openapi/ResourceNotFoundException.java).
func (s *Server) withClient(h func(http.ResponseWriter, *http.Request, *fakeClient)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		c := s.client(r.PathValue("id"))
		if c == nil {
			if r.Method == http.MethodGet && strings.Count(strings.TrimPrefix(r.URL.Path, "/api/v1/clients/"), "/") == 0 {
				writeJSON(w, http.StatusNotFound, map[string]any{"status": http.StatusNotFound})
				return
			}
			apiError(w, http.StatusNotFound, "client_not_found")
			return
		}
		h(w, r, c)
	}
}

func (s *Server) client(id string) *fakeClient {
	for _, c := range s.clients {
		if c.id() == id {
			return c
		}
	}
	return nil
}

// ownerClient is the owner member as a local client once the server is
// initialised: InitializationService.java saves it with the server code.
// guess: REGISTERED (the operator added the member and the flow registered
// the server before connecting anything).
func (s *Server) ownerClient() *fakeClient {
	if s.ownerCode == "" {
		return nil
	}
	return &fakeClient{class: s.ownerClass, code: s.ownerCode, conn: xroad.ConnHTTPS, status: xroad.ClientRegistered}
}

func (s *Server) clientJSON(c *fakeClient) map[string]any {
	// ClientConverter.java: the member's name from global configuration,
	// owner when the member is the server's owner.
	out := map[string]any{"id": c.id(), "instance_id": Instance, "member_class": c.class, "member_code": c.code,
		"owner":                     c.class == s.ownerClass && c.code == s.ownerCode && c.sub == "",
		"has_valid_local_sign_cert": false}
	// A client only global configuration knows has neither (ClientConverter
	// maps a null IsAuthentication and status to nothing).
	if c.conn != "" {
		out["connection_type"] = c.conn
	}
	if c.status != "" {
		out["status"] = c.status
	}
	if n := s.memberNameOf(c.class, c.code); n != "" {
		out["member_name"] = n
	}
	if c.sub != "" {
		out["subsystem_code"] = c.sub
	}
	return out
}

// memberNameOf is GlobalConfFacade.getMemberName: "" for a member global
// configuration does not list.
func (s *Server) memberNameOf(class, code string) string {
	if class == s.ownerClass && code == s.ownerCode && !s.opt.OwnerUnknown {
		return OwnerName
	}
	for _, m := range GlobalMembers {
		if m.Class == class && m.Code == code {
			return m.Name
		}
	}
	return ""
}

// validClass is ClientService.isValidMemberClass: the instance's classes.
func validClass(class string) bool { return class == "GOV" || class == "COM" }

// findClients: ClientService.findClients, local ones (and, without
// internal_search, global configuration's too), filtered as
// ClientService.findLocalClients does: each given field matched
// case-insensitively as a substring (name: the member name).
func (s *Server) findClients(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*fakeClient
	if o := s.ownerClient(); o != nil {
		all = append(all, o)
	}
	all = append(all, s.clients...)
	if q.Get("internal_search") == "false" {
		for _, m := range GlobalMembers {
			for _, sub := range append([]string{""}, m.Subsystems...) {
				if s.clientByParts(m.Class, m.Code, sub) == nil {
					all = append(all, &fakeClient{class: m.Class, code: m.Code, sub: sub})
				}
			}
		}
	}
	out := []any{}
	for _, c := range all {
		if q.Get("show_members") == "false" && c.sub == "" {
			continue
		}
		if !has(s.memberNameOf(c.class, c.code), q.Get("name")) || !has(c.class, q.Get("member_class")) ||
			!has(c.code, q.Get("member_code")) || !has(c.sub, q.Get("subsystem_code")) || !has(Instance, q.Get("instance")) {
			continue
		}
		s.pollClient(c)
		out = append(out, s.clientJSON(c))
	}
	writeJSON(w, http.StatusOK, out) // findClients: OK
}

func has(v, want string) bool {
	return want == "" || strings.Contains(strings.ToLower(v), strings.ToLower(want))
}

func (s *Server) clientByParts(class, code, sub string) *fakeClient {
	for _, c := range s.clients {
		if c.class == class && c.code == code && c.sub == sub {
			return c
		}
	}
	return nil
}

func (s *Server) addClient(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Client struct {
			MemberClass    string `json:"member_class"`
			MemberCode     string `json:"member_code"`
			SubsystemCode  string `json:"subsystem_code"`
			ConnectionType string `json:"connection_type"`
		} `json:"client"`
		IgnoreWarnings bool `json:"ignore_warnings"`
	}
	json.NewDecoder(r.Body).Decode(&body) // the validator has checked the shape
	in := body.Client
	s.mu.Lock()
	defer s.mu.Unlock()
	// guess: the generated ClientAdd model defaults connection_type to
	// HTTPS (the definition's default) when it is left out.
	conn := in.ConnectionType
	if conn == "" {
		conn = xroad.ConnHTTPS
	}
	if !validClass(in.MemberClass) {
		// InvalidMemberClassException (ERROR_INVALID_MEMBER_CLASS) -> BadRequestException.
		apiError(w, http.StatusBadRequest, "invalid_member_class")
		return
	}
	if s.clientByParts(in.MemberClass, in.MemberCode, in.SubsystemCode) != nil ||
		(in.SubsystemCode == "" && in.MemberClass == s.ownerClass && in.MemberCode == s.ownerCode) {
		// ClientAlreadyExistsException -> ConflictException.
		apiError(w, http.StatusConflict, xroad.CodeClientExists)
		return
	}
	if s.memberNameOf(in.MemberClass, in.MemberCode) == "" && !body.IgnoreWarnings {
		// UnhandledWarningsException(WARNING_UNREGISTERED_MEMBER, memberId.toShortString())
		// -> BadRequestException: ERROR_WARNINGS_DETECTED with the warning.
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": 400, "error": map[string]any{"code": xroad.CodeWarningsDetected},
			"warnings": []any{map[string]any{"code": xroad.CodeUnregisteredMember, "metadata": []string{Instance + "/" + in.MemberClass + "/" + in.MemberCode}}}})
		return
	}
	// isSecurityServerClientForThisInstance: a client global configuration
	// lists for this server already is REGISTERED at once; a new one SAVED.
	c := &fakeClient{class: in.MemberClass, code: in.MemberCode, sub: in.SubsystemCode, conn: conn, status: xroad.ClientSaved}
	s.clients = append(s.clients, c)
	writeJSON(w, http.StatusCreated, s.clientJSON(c)) // createCreatedResponse: 201
}

// setConnType is updateClient: ClientService.updateConnectionType.
func (s *Server) setConnType(w http.ResponseWriter, r *http.Request, c *fakeClient) {
	var body struct {
		ConnectionType string `json:"connection_type"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	if body.ConnectionType == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": 400}) // BadRequestException() without a deviation
		return
	}
	c.conn = body.ConnectionType
	writeJSON(w, http.StatusOK, s.clientJSON(c)) // updateClient: OK
}

// registerClient: ClientService.registerClient's checks in its order.
func (s *Server) registerClient(w http.ResponseWriter, r *http.Request, c *fakeClient) {
	switch {
	case !validClass(c.class):
		apiError(w, http.StatusBadRequest, "invalid_member_class")
	case c.sub == "" && c.class == s.ownerClass && c.code == s.ownerCode:
		// CannotRegisterOwnerException (ERROR_CANNOT_REGISTER_OWNER) -> BadRequestException.
		apiError(w, http.StatusBadRequest, "cannot_register_owner")
	case c.status != xroad.ClientSaved:
		// ActionNotPossibleException("Only clients with status 'saved' can be registered") -> ConflictException.
		apiError(w, http.StatusConflict, xroad.CodeActionNotPossible)
	case s.failRegister > 0:
		s.failRegister--
		// ManagementRequestSendingFailedException -> DeviationAwareRuntimeException, 500
		// (ApplicationExceptionHandler.java), code
		// ERROR_MANAGEMENT_REQUEST_SENDING_FAILED with the core's message.
		apiError(w, http.StatusInternalServerError, "management_request_sending_failed", "Connection refused")
	default:
		// guess: the management request needs the server's authentication
		// certificate registered; the fake does not check it.
		c.status, c.polls = xroad.ClientRegistrationInProgress, 0
		w.WriteHeader(http.StatusNoContent) // registerClient: NO_CONTENT
	}
}

// pollClient moves a registration on as the central server and
// scheduling/GlobalConfChecker.java do: once global configuration lists
// the client for this server, REGISTRATION_IN_PROGRESS becomes REGISTERED.
func (s *Server) pollClient(c *fakeClient) {
	if c.status != xroad.ClientRegistrationInProgress {
		return
	}
	c.polls++
	if s.approveClientsAfter >= 0 && c.polls > s.approveClientsAfter {
		c.status = xroad.ClientRegistered
	}
}

// ApproveClientsAfter makes the operator approve a subsystem's
// registration once it was read (GET /clients, /clients/{id}) polls
// times after the request; -1 (the start) never.
func (s *Server) ApproveClientsAfter(polls int) {
	s.mu.Lock()
	s.approveClientsAfter = polls
	s.mu.Unlock()
}

// ApproveClient approves one subsystem's registration now (id as the API
// encodes it).
func (s *Server) ApproveClient(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.client(id)
	if c == nil || c.status != xroad.ClientRegistrationInProgress {
		return false
	}
	c.status = xroad.ClientRegistered
	return true
}

// FailNextRegister makes the next n client registrations fail as a
// management request the central server did not take.
func (s *Server) FailNextRegister(n int) {
	s.mu.Lock()
	s.failRegister = n
	s.mu.Unlock()
}

// AddLocalGroup gives client id a local group, as the admin UI would.
func (s *Server) AddLocalGroup(clientID, code, desc string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.client(clientID)
	if c == nil {
		s.t.Fatalf("xroadtest: no client %s", clientID)
	}
	s.nextID++
	id := itoa(s.nextID)
	c.groups = append(c.groups, fakeGroup{id, code, desc})
	return id
}

// addTLS: ClientService.addTlsCertificate.
func (s *Server) addTLS(w http.ResponseWriter, r *http.Request, c *fakeClient) {
	b, _ := io.ReadAll(r.Body)
	// CryptoUtils.readCertificate reads DER or PEM.
	if blk, _ := pem.Decode(b); blk != nil {
		b = blk.Bytes
	}
	cert, err := x509.ParseCertificate(b)
	if err != nil {
		// CertificateException -> BadRequestException(ERROR_INVALID_CERT).
		apiError(w, http.StatusBadRequest, xroad.CodeInvalidCert)
		return
	}
	for _, d := range c.tls {
		if bytes.Equal(d, cert.Raw) {
			apiError(w, http.StatusConflict, xroad.CodeCertExists) // CertificateAlreadyExistsException -> ConflictException
			return
		}
	}
	c.tls = append(c.tls, cert.Raw)
	writeJSON(w, http.StatusCreated, certDetails(cert, cert.Raw)) // createCreatedResponse: 201
}

// candidates: AccessRightService.findAccessRightHolderCandidates, the
// subsystems of global configuration and the client's local groups whose
// name, code or description holds the search (case-insensitive).
func (s *Server) candidates(w http.ResponseWriter, r *http.Request, c *fakeClient) {
	search := r.URL.Query().Get("member_name_group_description")
	out := []any{}
	type cand struct{ id, name string }
	var subs []cand
	for _, m := range GlobalMembers {
		for _, sub := range m.Subsystems {
			subs = append(subs, cand{xroad.ClientID(Instance, m.Class, m.Code, sub), m.Name})
		}
	}
	for _, lc := range s.clients {
		if lc.sub != "" && lc.status == xroad.ClientRegistered {
			subs = append(subs, cand{lc.id(), s.memberNameOf(lc.class, lc.code)})
		}
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].id < subs[j].id })
	for _, sc := range subs {
		if has(sc.name, search) || has(sc.id, search) {
			e := map[string]any{"id": sc.id, "service_client_type": xroad.SubjectSubsystem}
			if sc.name != "" {
				e["name"] = sc.name
			}
			out = append(out, e)
		}
	}
	for _, g := range c.groups {
		if has(g.code, search) || has(g.desc, search) {
			out = append(out, map[string]any{"id": g.id, "local_group_code": g.code, "name": g.desc, "service_client_type": xroad.SubjectLocalGroup})
		}
	}
	writeJSON(w, http.StatusOK, out) // findServiceClientCandidates: OK
}

// memberName: MemberNamesApiController.java, 404 for a member global
// configuration does not list: ResourceNotFoundException("member name not
// found"), a message only, so no code.
func (s *Server) memberName(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.memberNameOf(q.Get("member_class"), q.Get("member_code"))
	if n == "" {
		writeJSON(w, http.StatusNotFound, map[string]any{"status": http.StatusNotFound})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"member_name": n})
}

// exportInternalTLS: InternalTlsCertificateService.exportInternalTlsCertificate,
// a gzipped tar of ./cert.pem and ./cert.cer; SystemApiController answers
// it with ControllerUtil.createAttachmentResourceResponse (200).
func (s *Server) exportInternalTLS(w http.ResponseWriter, r *http.Request) {
	der := s.InternalTLS()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range []struct {
		name string
		data []byte
	}{{"./cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, {"./cert.cer", der}} {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data))})
		tw.Write(f.data)
	}
	tw.Close()
	gz.Close()
	w.Header().Set("Content-Type", "application/gzip")
	w.Header().Set("Content-Disposition", `attachment; filename="certs.tar.gz"`)
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// InternalTLS is the DER of the server's internal TLS certificate, the
// one the information system meets on port 8443.
func (s *Server) InternalTLS() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.internalTLS == nil {
		_, p := serverCert(s.t)
		blk, _ := pem.Decode(p)
		s.internalTLS = blk.Bytes
	}
	return s.internalTLS
}

// SetInternalTLS makes certPEM the internal TLS certificate the export
// gives: a test's stand-in for the client side (metaservicetest) presents
// its own, which a call over HTTPS pins.
func (s *Server) SetInternalTLS(certPEM []byte) {
	blk, _ := pem.Decode(certPEM)
	if blk == nil {
		s.t.Fatal("SetInternalTLS: no PEM certificate")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.internalTLS = blk.Bytes
}

// ClientStatus is a local client's status, "" when there is none.
func (s *Server) ClientStatus(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.client(id); c != nil {
		return c.status
	}
	return ""
}
