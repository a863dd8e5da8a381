package xroadtest

// Service descriptions, services and access rights. X-Road 7.4.2
// openapi/ClientsApiController.java (addClientServiceDescription),
// openapi/ServiceDescriptionsApiController.java, openapi/ServicesApiController.java,
// service/ServiceDescriptionService.java, service/AccessRightService.java,
// converter/ServiceConverter.java (paths under
// src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/).

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

type fakeSD struct {
	id, url, typ string
	disabled     bool
	refreshed    time.Time
	services     []*fakeService
}

type fakeService struct {
	code, version, title, url string
	ssl                       bool
	endpoints                 []fakeEndpoint
}

type fakeEndpoint struct{ id, method, path string }

// fullCode is FormatUtils.getServiceFullName: code, or code.version.
func (v *fakeService) fullCode() string {
	if v.version != "" {
		return v.code + "." + v.version
	}
	return v.code
}

func itoa(n int) string { return strconv.Itoa(n) }

func (s *Server) serviceRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/clients/{id}/service-descriptions", s.withClient(func(w http.ResponseWriter, r *http.Request, c *fakeClient) {
		out := []any{}
		for _, sd := range c.sds {
			out = append(out, s.sdJSON(c, sd))
		}
		writeJSON(w, http.StatusOK, out) // getClientServiceDescriptions: OK
	}))
	mux.HandleFunc("POST /api/v1/clients/{id}/service-descriptions", s.addSD)
	mux.HandleFunc("PUT /api/v1/service-descriptions/{id}/enable", s.withSD(func(w http.ResponseWriter, r *http.Request, c *fakeClient, sd *fakeSD) {
		sd.disabled = false
		w.WriteHeader(http.StatusOK) // enableServiceDescription: HttpStatus.OK (departures.go)
	}))
	mux.HandleFunc("PUT /api/v1/service-descriptions/{id}/refresh", s.refreshSD)
	mux.HandleFunc("GET /api/v1/services/{id}/service-clients", s.withService(s.serviceClients))
	mux.HandleFunc("POST /api/v1/services/{id}/service-clients", s.withService(s.grant))
	mux.HandleFunc("POST /api/v1/services/{id}/service-clients/delete", s.withService(s.revoke))
}

func (s *Server) sdJSON(c *fakeClient, sd *fakeSD) map[string]any {
	notice := ""
	if sd.disabled {
		notice = "Out of order" // ServiceDescriptionService.DEFAULT_DISABLED_NOTICE
	}
	svcs := []any{}
	for _, v := range sd.services {
		svcs = append(svcs, s.serviceJSON(c, v))
	}
	return map[string]any{"id": sd.id, "url": sd.url, "type": sd.typ, "disabled": sd.disabled, "disabled_notice": notice,
		"refreshed_at": stamp(sd.refreshed), "services": svcs, "client_id": c.id()}
}

// serviceJSON: ServiceConverter.convert; ssl_auth false for an http://
// URL, else as set (default true).
func (s *Server) serviceJSON(c *fakeClient, v *fakeService) map[string]any {
	eps := []any{}
	for _, e := range v.endpoints {
		eps = append(eps, map[string]any{"id": e.id, "service_code": v.code, "method": e.method, "path": e.path, "generated": true})
	}
	n := 0
	for _, a := range c.acl {
		if a.service == v.fullCode() {
			n++
		}
	}
	out := map[string]any{"id": c.id() + ":" + v.fullCode(), "full_service_code": v.fullCode(), "service_code": v.code,
		"timeout": 60, "ssl_auth": v.ssl && !strings.HasPrefix(v.url, "http://"), "subjects_count": n, "url": v.url, "endpoints": eps}
	if v.title != "" {
		out["title"] = v.title
	}
	return out
}

// newService makes a service with its endpoints: the base one ("*",
// "**": EndpointType.ANY_METHOD, ANY_PATH) and one per operation.
func (s *Server) newService(code, version, title, u string, ops []openapiOp) *fakeService {
	v := &fakeService{code: code, version: version, title: title, url: u, ssl: true}
	for _, op := range append([]openapiOp{{"*", "**"}}, ops...) {
		s.nextID++
		v.endpoints = append(v.endpoints, fakeEndpoint{itoa(s.nextID), op.method, op.path})
	}
	return v
}

// addSD: the checks of addClientServiceDescription's three branches.
// The download happens outside the lock, as the server's own thread does.
func (s *Server) addSD(w http.ResponseWriter, r *http.Request) {
	var in xroad.ServiceDescriptionAdd
	json.NewDecoder(r.Body).Decode(&in)
	id := r.PathValue("id")
	s.mu.Lock()
	known := s.client(id) != nil
	s.mu.Unlock()
	if in.Type != xroad.TypeWSDL && in.RestServiceCode == "" {
		apiError(w, http.StatusBadRequest, "missing_parameter") // MissingParameterException("Missing ServiceCode")
		return
	}
	if in.Type != xroad.TypeWSDL && !validURL(in.URL) {
		apiError(w, http.StatusBadRequest, xroad.CodeMalformedURL) // validateUrl: InvalidUrlException
		return
	}
	if in.Type == xroad.TypeWSDL && !known {
		apiError(w, http.StatusNotFound, "client_not_found") // the WSDL branch looks the client up first
		return
	}
	var services []*fakeService
	var doc []byte
	var err error
	if in.Type != xroad.TypeREST {
		doc, err = fetch(in.URL)
	}
	switch {
	case err != nil && in.Type == xroad.TypeWSDL:
		apiError(w, http.StatusBadRequest, xroad.CodeWSDLDownload) // WsdlNotFoundException -> BadRequestException
		return
	case err != nil:
		apiError(w, http.StatusBadRequest, xroad.CodeOpenAPIParsing, "Error reading OpenAPI description: "+err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch in.Type {
	case xroad.TypeWSDL:
		parsed, err := parseWSDL(doc)
		if err != nil {
			// WsdlParseException, an InvalidWsdlException -> BadRequestException.
			apiError(w, http.StatusBadRequest, xroad.CodeInvalidWSDL, err.Error())
			return
		}
		var bad []string
		for _, p := range parsed {
			if !strings.HasPrefix(p.url, "http://") && !strings.HasPrefix(p.url, "https://") {
				bad = append(bad, p.url)
			}
		}
		if len(bad) > 0 {
			apiError(w, http.StatusBadRequest, "invalid_service_url", bad...) // validateServiceUrls
			return
		}
		for _, p := range parsed {
			services = append(services, s.newService(p.name, p.version, p.title, p.url, nil))
		}
	case xroad.TypeOpenAPI3:
		base, ops, err := parseOpenAPI(in.URL, doc)
		var ve versionErr
		switch {
		case errors.As(err, &ve):
			apiError(w, http.StatusBadRequest, xroad.CodeOpenAPIVersion) // UnsupportedOpenApiVersionException
			return
		case err != nil:
			apiError(w, http.StatusBadRequest, xroad.CodeOpenAPIParsing, err.Error()) // ParsingException
			return
		}
		// guess: the parser gives no warnings for a sound document (its
		// own validation messages would be openapi_validation_warnings).
		services = append(services, s.newService(in.RestServiceCode, "", "", base, ops))
	default:
		services = append(services, s.newService(in.RestServiceCode, "", "", in.URL, nil))
	}
	c := s.client(id)
	if c == nil {
		apiError(w, http.StatusNotFound, "client_not_found") // ClientNotFoundException -> ResourceNotFoundException
		return
	}
	if code, meta := s.sdConflict(c, in, services); code != "" {
		apiError(w, http.StatusConflict, code, meta...)
		return
	}
	s.nextID++
	sd := &fakeSD{id: itoa(s.nextID), url: in.URL, typ: in.Type, disabled: true, refreshed: time.Now(), services: services}
	c.sds = append(c.sds, sd)
	writeJSON(w, http.StatusCreated, s.sdJSON(c, sd)) // createCreatedResponse: 201
}

// sdConflict: a URL the client has already (WSDL: checkForExistingWsdl,
// wsdl_exists, no metadata; others: checkDuplicateUrl, url_already_exists
// with the URL), or a service code it has (WSDL: checkForExistingServices,
// service_already_exists; others: checkDuplicateServiceCodes,
// service_code_already_exists; metadata [full code, URL]...). The REST
// branch checks the codes first, the OpenAPI one the URL first.
func (s *Server) sdConflict(c *fakeClient, in xroad.ServiceDescriptionAdd, svcs []*fakeService) (string, []string) {
	urlTaken := false
	for _, sd := range c.sds {
		urlTaken = urlTaken || strings.EqualFold(sd.url, in.URL) && (in.Type == xroad.TypeWSDL || sd.url == in.URL)
	}
	var dup []string
	for _, n := range svcs {
		for _, sd := range c.sds {
			for _, v := range sd.services {
				if strings.EqualFold(v.fullCode(), n.fullCode()) || (in.Type != xroad.TypeWSDL && strings.EqualFold(v.code, n.code)) {
					dup = append(dup, v.fullCode(), sd.url)
				}
			}
		}
	}
	switch {
	case in.Type == xroad.TypeWSDL && urlTaken:
		return xroad.CodeWSDLExists, nil
	case in.Type == xroad.TypeWSDL && len(dup) > 0:
		return xroad.CodeServiceExists, dup
	case in.Type == xroad.TypeREST && len(dup) > 0:
		return xroad.CodeServiceCodeExists, dup
	case urlTaken:
		return xroad.CodeURLExists, []string{in.URL}
	case len(dup) > 0:
		return xroad.CodeServiceCodeExists, dup
	}
	return "", nil
}

// validURL is FormatUtils.isValidUrl: http(s) with a host.
func validURL(u string) bool {
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return false
	}
	pu, err := url.Parse(u)
	return err == nil && pu.Hostname() != ""
}

// withSD finds the description the path names (FormatUtils.parseLongIdOrThrowNotFound);
// enableServiceDescription answers an unknown one ResourceNotFoundException()
// without a deviation: 404 with no code. guess: refresh's
// ResourceNotFoundException(e) would carry service_description_not_found;
// the fake answers both without a code.
func (s *Server) withSD(h func(http.ResponseWriter, *http.Request, *fakeClient, *fakeSD)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range s.clients {
			for _, sd := range c.sds {
				if sd.id == r.PathValue("id") {
					h(w, r, c, sd)
					return
				}
			}
		}
		writeJSON(w, http.StatusNotFound, map[string]any{"status": 404})
	}
}

// refreshSD: refreshServiceDescription. WSDL and OpenAPI 3 are read
// again; services that come or go are warnings unless ignored; REST is
// returned as it is.
func (s *Server) refreshSD(w http.ResponseWriter, r *http.Request) {
	var in struct {
		IgnoreWarnings bool `json:"ignore_warnings"`
	}
	json.NewDecoder(r.Body).Decode(&in)
	s.withSD(func(w http.ResponseWriter, r *http.Request, c *fakeClient, sd *fakeSD) {
		if sd.typ == xroad.TypeREST {
			writeJSON(w, http.StatusOK, s.sdJSON(c, sd))
			return
		}
		// guess: the download under the lock is harmless here (the
		// description's server is never this fake).
		doc, err := fetch(sd.url)
		if err != nil {
			code := xroad.CodeWSDLDownload
			if sd.typ == xroad.TypeOpenAPI3 {
				code = xroad.CodeOpenAPIParsing
			}
			apiError(w, http.StatusBadRequest, code)
			return
		}
		var fresh []*fakeService
		if sd.typ == xroad.TypeWSDL {
			parsed, err := parseWSDL(doc)
			if err != nil {
				apiError(w, http.StatusBadRequest, xroad.CodeInvalidWSDL, err.Error())
				return
			}
			for _, p := range parsed {
				fresh = append(fresh, s.newService(p.name, p.version, p.title, p.url, nil))
			}
			added, gone := diffCodes(sd.services, fresh)
			if !in.IgnoreWarnings && (len(added) > 0 || len(gone) > 0) {
				var ws []any
				if len(added) > 0 {
					ws = append(ws, map[string]any{"code": "adding_services", "metadata": added})
				}
				if len(gone) > 0 {
					ws = append(ws, map[string]any{"code": "deleting_services", "metadata": gone})
				}
				writeJSON(w, http.StatusBadRequest, map[string]any{"status": 400, "error": map[string]any{"code": xroad.CodeWarningsDetected}, "warnings": ws})
				return
			}
		} else {
			base, ops, err := parseOpenAPI(sd.url, doc)
			if err != nil {
				apiError(w, http.StatusBadRequest, xroad.CodeOpenAPIParsing, err.Error())
				return
			}
			fresh = []*fakeService{s.newService(sd.services[0].code, "", "", base, ops)}
		}
		sd.services, sd.refreshed = fresh, time.Now()
		writeJSON(w, http.StatusOK, s.sdJSON(c, sd)) // refreshServiceDescription: OK
	})(w, r)
}

func diffCodes(old, fresh []*fakeService) (added, gone []string) {
	codes := func(vs []*fakeService) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.fullCode())
		}
		return out
	}
	o, f := codes(old), codes(fresh)
	for _, c := range f {
		if !slices.Contains(o, c) {
			added = append(added, c)
		}
	}
	for _, c := range o {
		if !slices.Contains(f, c) {
			gone = append(gone, c)
		}
	}
	return added, gone
}

// withService finds the service an encoded id names
// (ServiceConverter.parseClientId, parseFullServiceCode: the client is
// all before the last colon); ClientNotFoundException or
// ServiceNotFoundException -> ResourceNotFoundException.
func (s *Server) withService(h func(http.ResponseWriter, *http.Request, *fakeClient, *fakeService)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		i := strings.LastIndex(id, ":")
		s.mu.Lock()
		defer s.mu.Unlock()
		c := s.client(id[:max(i, 0)])
		if i < 0 || c == nil {
			apiError(w, http.StatusNotFound, "client_not_found")
			return
		}
		for _, sd := range c.sds {
			for _, v := range sd.services {
				if v.fullCode() == id[i+1:] {
					h(w, r, c, v)
					return
				}
			}
		}
		apiError(w, http.StatusNotFound, "service_not_found")
	}
}

func (s *Server) serviceClients(w http.ResponseWriter, r *http.Request, c *fakeClient, v *fakeService) {
	out := []any{}
	for _, a := range c.acl {
		if a.service == v.fullCode() {
			out = append(out, s.subjectJSON(c, a))
		}
	}
	writeJSON(w, http.StatusOK, out) // getServiceServiceClients: OK
}

// subjectJSON: ServiceClientConverter.java.
func (s *Server) subjectJSON(c *fakeClient, a fakeACL) map[string]any {
	out := map[string]any{"id": a.subject, "rights_given_at": stamp(a.at)}
	for _, g := range c.groups {
		if g.id == a.subject {
			out["service_client_type"], out["local_group_code"], out["name"] = xroad.SubjectLocalGroup, g.code, g.desc
			return out
		}
	}
	out["service_client_type"] = xroad.SubjectSubsystem
	parts := strings.Split(a.subject, ":")
	if len(parts) == 4 {
		if n := s.memberNameOf(parts[1], parts[2]); n != "" {
			out["name"] = n
		}
	}
	return out
}

func readIDs(r *http.Request) []string {
	var in struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	json.NewDecoder(r.Body).Decode(&in)
	var out []string
	for _, it := range in.Items {
		out = append(out, it.ID)
	}
	return out
}

// subjectKnown: ServiceClientHelper.processServiceClientXRoadIds, a
// subsystem global configuration lists (or a registered one of this
// server), or a local group of the client.
func (s *Server) subjectKnown(c *fakeClient, id string) bool {
	for _, g := range c.groups {
		if g.id == id {
			return true
		}
	}
	for _, m := range GlobalMembers {
		for _, sub := range m.Subsystems {
			if xroad.ClientID(Instance, m.Class, m.Code, sub) == id {
				return true
			}
		}
	}
	lc := s.client(id)
	return lc != nil && lc.sub != "" && lc.status == xroad.ClientRegistered
}

// grant: AccessRightService.addSoapServiceAccessRights; a subject not
// found is ServiceClientNotFoundException -> BadRequestException, one
// that has the right already DuplicateAccessRightException -> ConflictException.
func (s *Server) grant(w http.ResponseWriter, r *http.Request, c *fakeClient, v *fakeService) {
	ids := readIDs(r)
	for _, id := range ids {
		if !s.subjectKnown(c, id) {
			apiError(w, http.StatusBadRequest, xroad.CodeServiceClientAbsent)
			return
		}
		for _, a := range c.acl {
			if a.service == v.fullCode() && a.subject == id {
				apiError(w, http.StatusConflict, xroad.CodeDuplicateAccess)
				return
			}
		}
	}
	out := []any{}
	now := time.Now()
	for _, id := range ids {
		a := fakeACL{v.fullCode(), id, now}
		c.acl = append(c.acl, a)
		out = append(out, s.subjectJSON(c, a))
	}
	writeJSON(w, http.StatusOK, out) // addServiceServiceClients: HttpStatus.OK (departures.go)
}

// revoke: deleteSoapServiceAccessRights; a subject without the right is
// AccessRightNotFoundException -> BadRequestException.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request, c *fakeClient, v *fakeService) {
	ids := readIDs(r)
	for _, id := range ids {
		if !slices.ContainsFunc(c.acl, func(a fakeACL) bool { return a.service == v.fullCode() && a.subject == id }) {
			apiError(w, http.StatusBadRequest, xroad.CodeAccessNotFound)
			return
		}
	}
	c.acl = slices.DeleteFunc(c.acl, func(a fakeACL) bool { return a.service == v.fullCode() && slices.Contains(ids, a.subject) })
	w.WriteHeader(http.StatusNoContent) // deleteServiceServiceClients: NO_CONTENT
}
