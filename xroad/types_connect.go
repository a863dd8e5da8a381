package xroad

// Models of the connect calls (clients, service descriptions, services,
// access rights, TLS certificates), OpenAPI definition 2.1.0. Read-only
// fields of the definition are never sent: the request bodies have their
// own types below.

// Connection types of a client's information system (ConnectionType).
const (
	ConnHTTP        = "HTTP"
	ConnHTTPS       = "HTTPS"
	ConnHTTPSNoAuth = "HTTPS_NO_AUTH"
)

// Client statuses (ClientStatus). Registration goes SAVED ->
// REGISTRATION_IN_PROGRESS -> REGISTERED once the central server has
// approved it and global configuration says so.
const (
	ClientSaved                  = "SAVED"
	ClientRegistrationInProgress = "REGISTRATION_IN_PROGRESS"
	ClientRegistered             = "REGISTERED"
	ClientGlobalError            = "GLOBAL_ERROR"
)

// Service description types (ServiceType).
const (
	TypeREST     = "REST"
	TypeOpenAPI3 = "OPENAPI3"
	TypeWSDL     = "WSDL"
)

// Codes of the connect calls (DeviationCodes.java and the exceptions
// that carry them).
const (
	CodeClientExists        = "client_already_exists"
	CodeUnregisteredMember  = "unregistered_member"
	CodeCertExists          = "certificate_already_exists"
	CodeInvalidCert         = "invalid_cert"
	CodeURLExists           = "url_already_exists"
	CodeWSDLExists          = "wsdl_exists"
	CodeServiceCodeExists   = "service_code_already_exists"
	CodeServiceExists       = "service_already_exists"
	CodeMalformedURL        = "malformed_url"
	CodeWSDLDownload        = "wsdl_download_failed"
	CodeInvalidWSDL         = "invalid_wsdl"
	CodeOpenAPIParsing      = "openapi_parsing_error"
	CodeOpenAPIVersion      = "unsupported_openapi_version"
	CodeDuplicateAccess     = "duplicate_accessright"
	CodeAccessNotFound      = "accessright_not_found"
	CodeServiceClientAbsent = "service_client_not_found"
	CodeActionNotPossible   = "action_not_possible"
	CodeGlobalConfOutdated  = "global_conf_outdated"
)

// ClientInfo is a security server client: a member or a subsystem.
type ClientInfo struct {
	ID             string `json:"id,omitempty"`
	InstanceID     string `json:"instance_id,omitempty"`
	MemberName     string `json:"member_name,omitempty"`
	MemberClass    string `json:"member_class"`
	MemberCode     string `json:"member_code"`
	SubsystemCode  string `json:"subsystem_code,omitempty"`
	Owner          bool   `json:"owner,omitempty"`
	ConnectionType string `json:"connection_type,omitempty"`
	Status         string `json:"status,omitempty"`
}

// ClientQuery are the filters of GET /clients; nil booleans are left out
// (the API's defaults: show_members and internal_search true).
type ClientQuery struct {
	Name, Instance, MemberClass, MemberCode, SubsystemCode string
	ShowMembers, InternalSearch, ExcludeLocal              *bool
}

// ServiceDescription is a WSDL, an OpenAPI 3 description or a REST base
// URL with its services.
type ServiceDescription struct {
	ID             string    `json:"id"`
	URL            string    `json:"url"`
	Type           string    `json:"type"`
	Disabled       bool      `json:"disabled"`
	DisabledNotice string    `json:"disabled_notice"`
	RefreshedAt    string    `json:"refreshed_at"`
	Services       []Service `json:"services"`
	ClientID       string    `json:"client_id"`
}

// ServiceDescriptionAdd is the body of POST /clients/{id}/service-descriptions.
type ServiceDescriptionAdd struct {
	URL             string `json:"url"`
	RestServiceCode string `json:"rest_service_code,omitempty"`
	IgnoreWarnings  bool   `json:"ignore_warnings"`
	Type            string `json:"type"`
}

// Service is one service of a description; ID is
// CLIENT_ID:FULL_SERVICE_CODE (ServiceConverter.java).
type Service struct {
	ID              string     `json:"id"`
	FullServiceCode string     `json:"full_service_code,omitempty"`
	ServiceCode     string     `json:"service_code"`
	Timeout         int        `json:"timeout"`
	Title           string     `json:"title,omitempty"`
	SSLAuth         bool       `json:"ssl_auth,omitempty"`
	SubjectsCount   int        `json:"subjects_count,omitempty"`
	URL             string     `json:"url"`
	Endpoints       []Endpoint `json:"endpoints,omitempty"`
}

// Endpoint is a method and path of a REST service ("*" and "**" for all).
type Endpoint struct {
	ID          string `json:"id,omitempty"`
	ServiceCode string `json:"service_code"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	Generated   bool   `json:"generated,omitempty"`
}

// Service client types.
const (
	SubjectSubsystem   = "SUBSYSTEM"
	SubjectLocalGroup  = "LOCALGROUP"
	SubjectGlobalGroup = "GLOBALGROUP"
)

// ServiceClient is a subject with access rights: a subsystem
// (INSTANCE:CLASS:CODE:SUBSYSTEM), a global group or a local group (its
// numeric id), ServiceClientIdentifierConverter.java.
type ServiceClient struct {
	ID             string `json:"id"`
	Name           string `json:"name,omitempty"`
	LocalGroupCode string `json:"local_group_code,omitempty"`
	Type           string `json:"service_client_type,omitempty"`
	RightsGivenAt  string `json:"rights_given_at,omitempty"`
}

// LocalGroup is a client's local group.
type LocalGroup struct {
	ID          string `json:"id,omitempty"`
	Code        string `json:"code"`
	Description string `json:"description"`
	MemberCount int    `json:"member_count,omitempty"`
}

// TLSCertificate is a certificate's details as GET .../tls-certificates
// lists them.
type TLSCertificate = CertificateDetails
