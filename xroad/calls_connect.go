package xroad

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ClientID encodes a client as the API's ids do
// (ClientIdConverter.java): INSTANCE:CLASS:CODE[:SUBSYSTEM].
func ClientID(instance, class, code, subsystem string) string {
	id := instance + ":" + class + ":" + code
	if subsystem != "" {
		id += ":" + subsystem
	}
	return id
}

func clientPath(id string) string { return "/clients/" + url.PathEscape(id) }

// FindClients is GET /clients with q's filters.
func (c *Client) FindClients(ctx context.Context, q ClientQuery) ([]ClientInfo, error) {
	v := url.Values{}
	for k, s := range map[string]string{"name": q.Name, "instance": q.Instance, "member_class": q.MemberClass,
		"member_code": q.MemberCode, "subsystem_code": q.SubsystemCode} {
		if s != "" {
			v.Set(k, s)
		}
	}
	for k, b := range map[string]*bool{"show_members": q.ShowMembers, "internal_search": q.InternalSearch, "exclude_local": q.ExcludeLocal} {
		if b != nil {
			v.Set(k, strconv.FormatBool(*b))
		}
	}
	return getJSON[[]ClientInfo](ctx, c, "/clients", v.Encode())
}

// GetClient is GET /clients/{id}.
func (c *Client) GetClient(ctx context.Context, id string) (ClientInfo, error) {
	return getJSON[ClientInfo](ctx, c, clientPath(id), "")
}

// AddClient is POST /clients: a subsystem (or member) of this server,
// with the connection type of its information system.
func (c *Client) AddClient(ctx context.Context, class, code, subsystem, connType string, ignoreWarnings bool) (ClientInfo, error) {
	type add struct {
		MemberClass    string `json:"member_class"`
		MemberCode     string `json:"member_code"`
		SubsystemCode  string `json:"subsystem_code,omitempty"`
		ConnectionType string `json:"connection_type,omitempty"`
	}
	body := struct {
		Client         add  `json:"client"`
		IgnoreWarnings bool `json:"ignore_warnings"`
	}{add{class, code, subsystem, connType}, ignoreWarnings}
	var out ClientInfo
	return out, sendJSON(ctx, c, http.MethodPost, "/clients", body, &out)
}

// RegisterClient is PUT /clients/{id}/register: the registration request
// to the central server (the operator approves it).
func (c *Client) RegisterClient(ctx context.Context, id string) error {
	return sendJSON(ctx, c, http.MethodPut, clientPath(id)+"/register", nil, nil)
}

// SetConnectionType is PATCH /clients/{id}.
func (c *Client) SetConnectionType(ctx context.Context, id, connType string) (ClientInfo, error) {
	body := struct {
		ConnectionType string `json:"connection_type"`
	}{connType}
	var out ClientInfo
	return out, sendJSON(ctx, c, http.MethodPatch, clientPath(id), body, &out)
}

// ClientTLSCertificates is GET /clients/{id}/tls-certificates: the
// information system's certificates the server trusts for this client.
func (c *Client) ClientTLSCertificates(ctx context.Context, id string) ([]TLSCertificate, error) {
	return getJSON[[]TLSCertificate](ctx, c, clientPath(id)+"/tls-certificates", "")
}

// AddClientTLSCertificate is POST /clients/{id}/tls-certificates with a
// certificate in DER or PEM.
func (c *Client) AddClientTLSCertificate(ctx context.Context, id string, cert []byte) (TLSCertificate, error) {
	var out TLSCertificate
	return out, sendBinary(ctx, c, clientPath(id)+"/tls-certificates", "", cert, &out)
}

// ExportInternalTLS is GET /system/certificate/export: the server's
// internal TLS certificate (the one the information system sees) as
// certs.tar.gz holding ./cert.pem and ./cert.cer
// (InternalTlsCertificateService.java).
func (c *Client) ExportInternalTLS(ctx context.Context) ([]byte, error) {
	b, _, err := c.do(ctx, call{method: http.MethodGet, path: "/system/certificate/export", accept: "application/gzip"})
	return b, err
}

// ServiceDescriptions is GET /clients/{id}/service-descriptions.
func (c *Client) ServiceDescriptions(ctx context.Context, clientID string) ([]ServiceDescription, error) {
	return getJSON[[]ServiceDescription](ctx, c, clientPath(clientID)+"/service-descriptions", "")
}

// AddServiceDescription is POST /clients/{id}/service-descriptions. The
// server itself fetches a WSDL or OpenAPI 3 URL (http or https only,
// OpenApiParser.java): it takes no file.
func (c *Client) AddServiceDescription(ctx context.Context, clientID string, add ServiceDescriptionAdd) (ServiceDescription, error) {
	var out ServiceDescription
	return out, sendJSON(ctx, c, http.MethodPost, clientPath(clientID)+"/service-descriptions", add, &out)
}

func sdPath(id string) string { return "/service-descriptions/" + url.PathEscape(id) }

// EnableServiceDescription is PUT /service-descriptions/{id}/enable (a new
// description starts disabled: ServiceDescriptionService.java).
func (c *Client) EnableServiceDescription(ctx context.Context, id string) error {
	return sendJSON(ctx, c, http.MethodPut, sdPath(id)+"/enable", nil, nil)
}

// RefreshServiceDescription is PUT /service-descriptions/{id}/refresh: the
// server reads the WSDL or OpenAPI description again.
func (c *Client) RefreshServiceDescription(ctx context.Context, id string, ignoreWarnings bool) (ServiceDescription, error) {
	body := struct {
		IgnoreWarnings bool `json:"ignore_warnings"`
	}{ignoreWarnings}
	var out ServiceDescription
	return out, sendJSON(ctx, c, http.MethodPut, sdPath(id)+"/refresh", body, &out)
}

func servicePath(id string) string { return "/services/" + url.PathEscape(id) }

// ServiceClients is GET /services/{id}/service-clients: who may call it.
func (c *Client) ServiceClients(ctx context.Context, serviceID string) ([]ServiceClient, error) {
	return getJSON[[]ServiceClient](ctx, c, servicePath(serviceID)+"/service-clients", "")
}

type serviceClientIDs struct {
	Items []struct {
		ID string `json:"id"`
	} `json:"items"`
}

func idsBody(ids []string) serviceClientIDs {
	var b serviceClientIDs
	for _, id := range ids {
		b.Items = append(b.Items, struct {
			ID string `json:"id"`
		}{id})
	}
	return b
}

// AddServiceClients is POST /services/{id}/service-clients: grants the
// service to subjects (subsystem ids, or local groups' numeric ids).
func (c *Client) AddServiceClients(ctx context.Context, serviceID string, subjects []string) ([]ServiceClient, error) {
	var out []ServiceClient
	return out, sendJSON(ctx, c, http.MethodPost, servicePath(serviceID)+"/service-clients", idsBody(subjects), &out)
}

// DeleteServiceClients is POST /services/{id}/service-clients/delete.
func (c *Client) DeleteServiceClients(ctx context.Context, serviceID string, subjects []string) error {
	return sendJSON(ctx, c, http.MethodPost, servicePath(serviceID)+"/service-clients/delete", idsBody(subjects), nil)
}

// LocalGroups is GET /clients/{id}/local-groups.
func (c *Client) LocalGroups(ctx context.Context, clientID string) ([]LocalGroup, error) {
	return getJSON[[]LocalGroup](ctx, c, clientPath(clientID)+"/local-groups", "")
}

// ServiceClientCandidates is GET /clients/{id}/service-client-candidates:
// the subjects global configuration and the client's local groups offer,
// searched by name or code (member_name_group_description), the picker
// of the admin UI's "add subjects" (AccessRightService.java,
// findAccessRightHolderCandidates).
func (c *Client) ServiceClientCandidates(ctx context.Context, clientID, search string) ([]ServiceClient, error) {
	q := ""
	if s := strings.TrimSpace(search); s != "" {
		q = url.Values{"member_name_group_description": {s}}.Encode()
	}
	return getJSON[[]ServiceClient](ctx, c, clientPath(clientID)+"/service-client-candidates", q)
}

// MemberName is GET /member-names: a member's name in global
// configuration.
func (c *Client) MemberName(ctx context.Context, class, code string) (string, error) {
	q := url.Values{"member_class": {class}, "member_code": {code}}.Encode()
	v, err := getJSON[struct {
		Name string `json:"member_name"`
	}](ctx, c, "/member-names", q)
	return v.Name, err
}
