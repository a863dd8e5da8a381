package xroad

// Diagnostic status classes (DiagnosticStatusClass in the definition;
// X-Road 7.4.2 DiagnosticStatusClassMapping.java: success OK, the
// *_UNINITIALIZED codes WAITING, anything else FAIL).
const (
	DiagOK      = "OK"
	DiagWaiting = "WAITING"
	DiagFail    = "FAIL"
)

// GlobalConfDiagnostics is the confclient's last download.
type GlobalConfDiagnostics struct {
	StatusClass  string `json:"status_class"`
	StatusCode   string `json:"status_code"`
	PrevUpdateAt string `json:"prev_update_at"`
	NextUpdateAt string `json:"next_update_at"`
}

// OCSPResponderDiagnostics is one CA's OCSP responders.
type OCSPResponderDiagnostics struct {
	DistinguishedName string          `json:"distinguished_name"`
	Responders        []OCSPResponder `json:"ocsp_responders"`
}

// OCSPResponder is one responder's last answer.
type OCSPResponder struct {
	URL          string `json:"url"`
	StatusClass  string `json:"status_class"`
	StatusCode   string `json:"status_code"`
	PrevUpdateAt string `json:"prev_update_at,omitempty"`
	NextUpdateAt string `json:"next_update_at"`
}

// TimestampingDiagnostics is one time-stamping service's last answer.
type TimestampingDiagnostics struct {
	URL          string `json:"url"`
	StatusClass  string `json:"status_class"`
	StatusCode   string `json:"status_code"`
	PrevUpdateAt string `json:"prev_update_at"`
}

// AddOnStatus is GET /diagnostics/addon-status.
type AddOnStatus struct {
	MessageLogEnabled bool `json:"messagelog_enabled"`
}

// BackupEncryptionStatus is GET /diagnostics/backup-encryption-status.
type BackupEncryptionStatus struct {
	Enabled bool     `json:"backup_encryption_status"`
	Keys    []string `json:"backup_encryption_keys,omitempty"`
}

// MessageLogEncryptionStatus is GET /diagnostics/message-log-encryption-status.
type MessageLogEncryptionStatus struct {
	Archive      bool   `json:"message_log_archive_encryption_status"`
	Database     bool   `json:"message_log_database_encryption_status"`
	GroupingRule string `json:"message_log_grouping_rule"`
}

// Certificate OCSP states (CertificateOcspStatus).
const (
	OCSPGood      = "OCSP_RESPONSE_GOOD"
	OCSPUnknown   = "OCSP_RESPONSE_UNKNOWN"
	OCSPRevoked   = "OCSP_RESPONSE_REVOKED"
	OCSPSuspended = "OCSP_RESPONSE_SUSPENDED"
	OCSPExpired   = "EXPIRED"
	OCSPDisabled  = "DISABLED"
)
