package xroad

// The models below carry only the fields the onboarding flow reads or
// sends; names and JSON tags are those of the OpenAPI definition 2.1.0.

// APIKey is a created key's id and roles; the key itself stays inside the
// Client.
type APIKey struct {
	ID    int64    `json:"id"`
	Roles []string `json:"roles"`
}

// Roles the onboarding flow needs: initialise, tokens and keys, and
// registration.
const (
	RoleSystemAdministrator  = "XROAD_SYSTEM_ADMINISTRATOR"
	RoleSecurityOfficer      = "XROAD_SECURITY_OFFICER"
	RoleRegistrationOfficer  = "XROAD_REGISTRATION_OFFICER"
	RoleServiceAdministrator = "XROAD_SERVICE_ADMINISTRATOR"
	RoleObserver             = "XROAD_SECURITYSERVER_OBSERVER"
)

// VersionInfo is GET /system/version.
type VersionInfo struct {
	Info        string `json:"info"`
	JavaVersion int    `json:"java_version"`
}

// TokenInitStatus values.
const (
	TokenInitialized    = "INITIALIZED"
	TokenNotInitialized = "NOT_INITIALIZED"
	TokenInitUnknown    = "UNKNOWN"
)

// InitializationStatus is GET /initialization/status.
type InitializationStatus struct {
	AnchorImported          bool   `json:"is_anchor_imported"`
	ServerCodeInitialized   bool   `json:"is_server_code_initialized"`
	ServerOwnerInitialized  bool   `json:"is_server_owner_initialized"`
	SoftwareTokenInitStatus string `json:"software_token_init_status"`
	EnforceTokenPinPolicy   bool   `json:"enforce_token_pin_policy"`
}

// Done says whether nothing is left to initialise.
func (s InitializationStatus) Done() bool {
	return s.AnchorImported && s.ServerCodeInitialized && s.ServerOwnerInitialized && s.SoftwareTokenInitStatus == TokenInitialized
}

// Anchor is a configuration anchor's hash and creation time.
type Anchor struct {
	Hash      string `json:"hash"`
	CreatedAt string `json:"created_at"`
}

// InitialServerConf is the body of POST /initialization.
type InitialServerConf struct {
	OwnerMemberClass   string `json:"owner_member_class,omitempty"`
	OwnerMemberCode    string `json:"owner_member_code,omitempty"`
	SecurityServerCode string `json:"security_server_code,omitempty"`
	SoftwareTokenPIN   string `json:"software_token_pin,omitempty"`
	IgnoreWarnings     bool   `json:"ignore_warnings"`
}

// TimestampingService is an approved or configured TSA.
type TimestampingService struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Token types and the software token's id on every security server.
const (
	TokenTypeSoftware = "SOFTWARE"
	TokenTypeHardware = "HARDWARE"
	SoftwareTokenID   = "0"
)

// Token statuses the flow reads (X-Road 7.4.2 TokenStatusMapping.java;
// a hardware token's from its PKCS#11 flags, HardwareTokenUtil.java).
const (
	TokenStatusOK           = "OK"
	TokenStatusPINFinalTry  = "USER_PIN_FINAL_TRY"
	TokenStatusPINLocked    = "USER_PIN_LOCKED"
	TokenStatusPINIncorrect = "USER_PIN_INCORRECT"
)

// Token is one security token with its keys.
type Token struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Type         string `json:"type"`
	Keys         []Key  `json:"keys"`
	Status       string `json:"status"`
	LoggedIn     bool   `json:"logged_in"`
	Available    bool   `json:"available"`
	ReadOnly     bool   `json:"read_only"`
	SerialNumber string `json:"serial_number,omitempty"`
}

// Key usage types.
const (
	UsageAuthentication = "AUTHENTICATION"
	UsageSigning        = "SIGNING"
)

// Key is one key on a token.
type Key struct {
	ID           string             `json:"id"`
	Name         string             `json:"name"`
	Label        string             `json:"label"`
	Usage        string             `json:"usage,omitempty"`
	Certificates []TokenCertificate `json:"certificates"`
	CSRs         []CSR              `json:"certificate_signing_requests"`
}

// CSR is a certificate signing request kept on a key.
type CSR struct {
	ID      string `json:"id"`
	OwnerID string `json:"owner_id"`
}

// CSR formats.
const (
	FormatPEM = "PEM"
	FormatDER = "DER"
)

// CSRGenerate asks for a CSR of a key.
type CSRGenerate struct {
	KeyUsageType       string            `json:"key_usage_type"`
	CAName             string            `json:"ca_name"`
	CSRFormat          string            `json:"csr_format"`
	MemberID           string            `json:"member_id,omitempty"` // sign keys: INSTANCE:CLASS:CODE
	SubjectFieldValues map[string]string `json:"subject_field_values"`
}

// KeyWithCSR is the answer to POST /tokens/{id}/keys-with-csrs.
type KeyWithCSR struct {
	Key   Key    `json:"key"`
	CSRID string `json:"csr_id"`
}

// CSRSubjectField describes one subject DN field the CA's profile wants.
type CSRSubjectField struct {
	ID           string `json:"id"`
	Label        string `json:"label,omitempty"`
	LabelKey     string `json:"label_key,omitempty"`
	DefaultValue string `json:"default_value,omitempty"`
	ReadOnly     bool   `json:"read_only"`
	Required     bool   `json:"required"`
	Localized    bool   `json:"localized"`
}

// Certificate registration states.
const (
	CertSaved                  = "SAVED"
	CertRegistrationInProgress = "REGISTRATION_IN_PROGRESS"
	CertRegistered             = "REGISTERED"
	// CertDeletionInProgress: the deletion request went to the central
	// server (X-Road 7.4.2 TokenCertificateService.unregisterAuthCert);
	// the status stays so until the certificate is deleted
	// (GlobalConfChecker.java changes only REGISTERED to GLOBAL_ERROR).
	CertDeletionInProgress = "DELETION_IN_PROGRESS"
	// CertGlobalError: registered here, absent from global configuration.
	CertGlobalError = "GLOBAL_ERROR"
)

// TokenCertificate is a certificate on a token with its state.
type TokenCertificate struct {
	OCSPStatus string             `json:"ocsp_status"`
	OwnerID    string             `json:"owner_id"`
	Active     bool               `json:"active"`
	Saved      bool               `json:"saved_to_configuration"`
	Details    CertificateDetails `json:"certificate_details"`
	Status     string             `json:"status"`
}

// CertificateDetails is the part of a certificate the flow shows.
type CertificateDetails struct {
	IssuerCommonName  string `json:"issuer_common_name"`
	SubjectDN         string `json:"subject_distinguished_name"`
	SubjectCommonName string `json:"subject_common_name"`
	NotBefore         string `json:"not_before"`
	NotAfter          string `json:"not_after"`
	Serial            string `json:"serial"`
	Hash              string `json:"hash"` // SHA-256, the id of the certificate in the API
}

// CertificateAuthority is an approved CA of global configuration.
type CertificateAuthority struct {
	Name               string `json:"name"`
	SubjectDN          string `json:"subject_distinguished_name"`
	IssuerDN           string `json:"issuer_distinguished_name"`
	OCSPResponse       string `json:"ocsp_response"`
	NotAfter           string `json:"not_after"`
	TopCA              bool   `json:"top_ca"`
	AuthenticationOnly bool   `json:"authentication_only"`
}

// SecurityServer is a security server's identifier (GET /security-servers):
// X-Road 7.4.2 SecurityServerConverter.java sets id
// (INSTANCE:CLASS:CODE:SERVER), its parts and, from global configuration,
// the address.
type SecurityServer struct {
	ID          string `json:"id"`
	InstanceID  string `json:"instance_id"`
	MemberClass string `json:"member_class"`
	MemberCode  string `json:"member_code"`
	ServerCode  string `json:"server_code"`
	Address     string `json:"server_address,omitempty"`
}
