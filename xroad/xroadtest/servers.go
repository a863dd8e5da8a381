package xroadtest

import (
	"net/http"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// currentServer is GET /security-servers, X-Road 7.4.2
// src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/openapi/SecurityServersApiController.java
// (getSecurityServers, VIEW_SECURITY_SERVERS: every role the flow's key
// has, permissions.yml): with current_server=true the one server of
// ServerConfService.getSecurityServerId, converted by
// SecurityServerConverter.java (id INSTANCE:CLASS:CODE:SERVER, its parts,
// the address global configuration has for it: none for a server not
// yet registered, so left out; the address of its authentication
// certificate's registration request once the central server approved
// one). Without it, the servers of global configuration: the fake's has
// none.
func (s *Server) securityServers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Query().Get("current_server") != "true" {
		writeJSON(w, http.StatusOK, []any{})
		return
	}
	if s.ownerCode == "" || s.serverCode == "" {
		// getSecurityServerId reads serverConf.getOwner() (null before
		// the owner is saved) and SecurityServerId.Conf.create validates
		// the server code (IllegalArgumentException while unset): neither
		// is DeviationAware, ApplicationExceptionHandler.java, 500, no code.
		writeJSON(w, http.StatusInternalServerError, map[string]any{"status": http.StatusInternalServerError})
		return
	}
	// guess: the address global configuration shows is the one the
	// approved registration request gave (a renewal registers its new
	// certificate at it again).
	addr := ""
	for _, c := range s.certs {
		if c.key.usage == xroad.UsageAuthentication && c.status == xroad.CertRegistered {
			addr = s.registeredAddr
		}
	}
	writeJSON(w, http.StatusOK, []xroad.SecurityServer{{
		ID:         s.ownerInstance + ":" + s.ownerClass + ":" + s.ownerCode + ":" + s.serverCode,
		InstanceID: s.ownerInstance, MemberClass: s.ownerClass, MemberCode: s.ownerCode, ServerCode: s.serverCode,
		Address: addr,
	}}) // getSecurityServers: HttpStatus.OK
}
