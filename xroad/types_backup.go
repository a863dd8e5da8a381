package xroad

import "time"

// Backup is one backup file on the server (/var/lib/xroad/backup).
type Backup struct {
	Filename  string `json:"filename"`
	CreatedAt string `json:"created_at"`
}

// Created is CreatedAt as a time; the zero time when the server sent
// none it could read (the converter leaves out a time the file system
// did not give, BackupRepository.java getCreatedAt).
func (b Backup) Created() time.Time {
	t, err := time.Parse(time.RFC3339Nano, b.CreatedAt)
	if err != nil {
		return time.Time{}
	}
	return t
}

// BackupExt is POST /backups/ext's answer: the backup, and whether the
// deprecated /etc/xroad/services/local.conf exists, which no backup
// holds (backup_xroad_proxy_configuration.sh warns of it).
type BackupExt struct {
	Backup
	LocalConfPresent bool `json:"local_conf_present"`
}

// TokensLoggedOut is PUT /backups/{filename}/restore's answer: whether
// the server had hardware tokens, which the restore logged out
// (BackupsApiController.java). The software token is logged out too
// (xroad/backup/restore.go says why), which this does not say.
type TokensLoggedOut struct {
	HSMTokensLoggedOut bool `json:"hsm_tokens_logged_out"`
}

// Error codes of the backup calls (X-Road 7.4.2 DeviationCodes.java,
// CommonDeviationMessage.java).
const (
	CodeBackupNotFound         = "backup_file_not_found"
	CodeBackupGenerationFailed = "backup_generation_failed"
	CodeRestoreFailed          = "restore_process_failed"
	CodeInvalidFilename        = "invalid_filename"
	CodeFileExists             = "warning_file_already_exists"
)
