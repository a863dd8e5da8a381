package xroad

import "context"

// The calls below read a server's health (issue 16). X-Road 7.4.2
// DiagnosticsApiController.java answers each with HttpStatus.OK and needs
// the DIAGNOSTICS authority (XROAD_SYSTEM_ADMINISTRATOR and
// XROAD_SECURITYSERVER_OBSERVER have it, Role.java / PermissionMapping).

// GlobalConfDiagnostics is GET /diagnostics/globalconf.
func (c *Client) GlobalConfDiagnostics(ctx context.Context) (GlobalConfDiagnostics, error) {
	return getJSON[GlobalConfDiagnostics](ctx, c, "/diagnostics/globalconf", "")
}

// OCSPDiagnostics is GET /diagnostics/ocsp-responders: per CA, its
// responders.
func (c *Client) OCSPDiagnostics(ctx context.Context) ([]OCSPResponderDiagnostics, error) {
	return getJSON[[]OCSPResponderDiagnostics](ctx, c, "/diagnostics/ocsp-responders", "")
}

// TimestampingDiagnostics is GET /diagnostics/timestamping-services.
func (c *Client) TimestampingDiagnostics(ctx context.Context) ([]TimestampingDiagnostics, error) {
	return getJSON[[]TimestampingDiagnostics](ctx, c, "/diagnostics/timestamping-services", "")
}

// AddOnDiagnostics is GET /diagnostics/addon-status.
func (c *Client) AddOnDiagnostics(ctx context.Context) (AddOnStatus, error) {
	return getJSON[AddOnStatus](ctx, c, "/diagnostics/addon-status", "")
}

// BackupEncryptionDiagnostics is GET /diagnostics/backup-encryption-status.
func (c *Client) BackupEncryptionDiagnostics(ctx context.Context) (BackupEncryptionStatus, error) {
	return getJSON[BackupEncryptionStatus](ctx, c, "/diagnostics/backup-encryption-status", "")
}

// MessageLogEncryptionDiagnostics is GET /diagnostics/message-log-encryption-status.
func (c *Client) MessageLogEncryptionDiagnostics(ctx context.Context) (MessageLogEncryptionStatus, error) {
	return getJSON[MessageLogEncryptionStatus](ctx, c, "/diagnostics/message-log-encryption-status", "")
}
