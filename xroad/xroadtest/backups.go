package xroadtest

// The backups of X-Road 7.4.2 (issue 17), as
// openapi/BackupsApiController.java answers them over the services of
// src/common/common-admin-api/.../common/backup/: BackupService.java,
// repository/BackupRepository.java (the files of /var/lib/xroad/backup
// whose name matches common-application.yml's
// script.generate-backup.valid-filename-pattern "^(?!\.)[\w\.\-]+\.gpg$"),
// SecurityServerConfigurationBackupGenerator.java (the name, the script's
// arguments) over BaseConfigurationBackupGenerator.java, and
// SecurityServerConfigurationRestorationService.java over
// ConfigurationRestorationService.java. Every call needs the
// BACKUP_CONFIGURATION authority, the restore RESTORE_CONFIGURATION:
// XROAD_SYSTEM_ADMINISTRATOR only (permissions.yml).

import (
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// BackupDir is SystemProperties.getConfBackupPath()'s default.
const BackupDir = "/var/lib/xroad/backup/"

// maxUpload is xroad.proxy-ui-api.request-size-limit-binary-upload
// (common-application.yml: 10MB, Spring's DataSize: MiB).
const maxUpload = 10 << 20

var backupName = regexp.MustCompile(`^[\w.\-]+\.gpg$`) // and not starting with "."

func validBackupName(n string) bool { return backupName.MatchString(n) && n[0] != '.' }

// fakeBackup is one file of /var/lib/xroad/backup.
type fakeBackup struct {
	name    string
	created time.Time
	data    []byte    // nil until first read, for those SetBackups made
	snap    *snapshot // what restoring it brings back; nil: not this server's
}

func (s *Server) backupRoutes(mux *http.ServeMux) {
	// getBackups: OK, every file (BackupConverter.java collects them into
	// a Set: no order), created_at its creation time in UTC.
	mux.HandleFunc("GET /api/v1/backups", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		out := []any{}
		for _, i := range rand.Perm(len(s.backups)) {
			out = append(out, backupJSON(s.backups[i]))
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /api/v1/backups", s.addBackup(false))
	mux.HandleFunc("POST /api/v1/backups/ext", s.addBackup(true))
	mux.HandleFunc("POST /api/v1/backups/upload", s.uploadBackup)
	mux.HandleFunc("GET /api/v1/backups/{filename}/download", s.withBackup(s.downloadBackup))
	mux.HandleFunc("PUT /api/v1/backups/{filename}/restore", s.restoreBackup)
	// deleteBackup: BackupService.deleteBackup, NO_CONTENT.
	mux.HandleFunc("DELETE /api/v1/backups/{filename}", s.withBackup(func(w http.ResponseWriter, r *http.Request, b *fakeBackup) {
		s.backups = slices.DeleteFunc(s.backups, func(o *fakeBackup) bool { return o == b })
		w.WriteHeader(http.StatusNoContent)
	}))
}

func backupJSON(b *fakeBackup) map[string]any {
	return map[string]any{"filename": b.name, "created_at": stamp(b.created)}
}

// withBackup finds the backup named in the path under s.mu: BackupService
// (getBackup: the listed files only) throws NotFoundException
// BACKUP_FILE_NOT_FOUND with the name, which the controller turns into
// ResourceNotFoundException: 404 backup_file_not_found [name].
func (s *Server) withBackup(h func(http.ResponseWriter, *http.Request, *fakeBackup)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		name := r.PathValue("filename")
		if b := s.backup(name); b != nil {
			h(w, r, b)
			return
		}
		apiError(w, http.StatusNotFound, "backup_file_not_found", name)
	}
}

func (s *Server) backup(name string) *fakeBackup {
	for _, b := range s.backups {
		if b.name == name {
			return b
		}
	}
	return nil
}

// addBackup is addBackup and addBackupExt: generateBackup, CREATED.
func (s *Server) addBackup(ext bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		// getScriptArgs asks ServerConfService.getSecurityServerId: with no
		// serverconf yet ServerConfDAOImpl.getConf throws CodedException
		// X_MALFORMED_SERVERCONF (ExceptionTranslator.java: "core." + code,
		// its text as metadata, 500); with the owner or the code still
		// unset, a NullPointerException or SecurityServerId's
		// IllegalArgumentException: 500 without a code.
		switch {
		case s.ownerCode == "" && s.serverCode == "":
			apiError(w, http.StatusInternalServerError, "core.MalformedServerConf", "Server conf is not initialized!")
			return
		case s.ownerCode == "" || s.serverCode == "":
			writeJSON(w, http.StatusInternalServerError, map[string]any{"status": http.StatusInternalServerError})
			return
		}
		// generateBackupFileName: "conf_backup_" + the server's local time
		// (TimeUtils.localDateTimeNow) to the second + ".gpg".
		now := s.clock()
		name := "conf_backup_" + now.Format("20060102-150405") + ".gpg"
		if old := s.backup(name); old != nil {
			// A second backup in the same second: _backup_xroad.sh pipes
			// into `gpg --batch --output NAME`, which refuses a file that
			// exists ("signing failed: File exists", exit 2: seen with
			// GnuPG 2.2.40), and the script then removes "the incomplete
			// archive", which is the first backup. ProcessFailedException
			// -> DeviationAwareRuntimeException ERROR_BACKUP_GENERATION_FAILED,
			// 500 without metadata.
			// guess: Ubuntu 22.04's GnuPG 2.2.27 refuses the same way.
			s.backups = slices.DeleteFunc(s.backups, func(o *fakeBackup) bool { return o == old })
			apiError(w, http.StatusInternalServerError, "backup_generation_failed")
			return
		}
		sn := s.snap()
		data, err := s.archive(sn, s.opt.BackupEncryption)
		if err != nil {
			s.t.Errorf("xroadtest: making a backup: %v", err)
			apiError(w, http.StatusInternalServerError, "backup_generation_failed")
			return
		}
		b := &fakeBackup{name: name, created: now, data: data, snap: sn}
		s.archives[sha256.Sum256(data)] = sn
		s.backups = append(s.backups, b)
		out := backupJSON(b)
		if ext {
			// addBackupExt: whether /etc/xroad/services/local.conf exists;
			// the 7.x packages make none.
			out["local_conf_present"] = false
		}
		writeJSON(w, http.StatusCreated, out)
	}
}

// downloadBackup: readBackupFile, then ControllerUtil.java
// (createAttachmentResourceResponse): OK, the bytes as a ByteArrayResource
// with Content-Disposition attachment; Spring's ResourceHttpMessageConverter
// sends its length and, for a name it has no type for, octet-stream.
// guess: a real server sends Content-Length (the resource's contentLength).
func (s *Server) downloadBackup(w http.ResponseWriter, r *http.Request, b *fakeBackup) {
	if b.data == nil {
		data, err := s.archive(b.snap, s.opt.BackupEncryption)
		if err != nil {
			s.t.Errorf("xroadtest: making a backup: %v", err)
			writeJSON(w, http.StatusInternalServerError, map[string]any{"status": http.StatusInternalServerError})
			return
		}
		b.data = data
		s.archives[sha256.Sum256(data)] = b.snap
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+b.name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(b.data)))
	w.WriteHeader(http.StatusOK)
	if s.cutDownload {
		// A connection cut in the middle: half the announced bytes.
		s.cutDownload = false
		w.Write(b.data[:len(b.data)/2])
		return
	}
	w.Write(b.data)
}

// CutNextDownload sends only half of the next backup downloaded, under
// its whole Content-Length: a connection cut in the middle.
func (s *Server) CutNextDownload() {
	s.mu.Lock()
	s.cutDownload = true
	s.mu.Unlock()
}

// uploadBackup: the multipart part "file" under its own name.
func (s *Server) uploadBackup(w http.ResponseWriter, r *http.Request) {
	// Spring's multipart limit: MaxUploadSizeExceededException,
	// ApplicationExceptionHandler.java PAYLOAD_TOO_LARGE, no code.
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+64<<10)
	f, hdr, err := r.FormFile("file")
	var data []byte
	if err == nil {
		data, err = io.ReadAll(f)
	}
	if err != nil || len(data) > maxUpload {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"status": http.StatusRequestEntityTooLarge})
		return
	}
	name := hdr.Filename
	ignore, _ := strconv.ParseBool(r.URL.Query().Get("ignore_warnings"))
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.backup(name)
	switch {
	case old != nil && !ignore:
		// BackupService.uploadBackup: UnhandledWarningsException
		// (ERROR_WARNINGS_DETECTED with WARNING_FILE_ALREADY_EXISTS and
		// the name) -> BadRequestException.
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": http.StatusBadRequest,
			"error":    map[string]any{"code": "warnings_detected"},
			"warnings": []any{map[string]any{"code": "warning_file_already_exists", "metadata": []string{name}}}})
		return
	case !validBackupName(name):
		// BackupRepository.writeBackupFile: ValidationFailureException
		// INVALID_FILENAME with the name, 400. The content is not looked
		// at (the security server's controller calls no FileVerifier).
		apiError(w, http.StatusBadRequest, "invalid_filename", name)
		return
	}
	b := &fakeBackup{name: name, created: time.Now(), data: data, snap: s.archives[sha256.Sum256(data)]}
	if old != nil {
		s.backups = slices.DeleteFunc(s.backups, func(o *fakeBackup) bool { return o == old })
	}
	s.backups = append(s.backups, b)
	writeJSON(w, http.StatusCreated, backupJSON(b))
}

// restoreBackup: the controller asks TokenService.hasHardwareTokens
// first (any token but "0"), then restoreFromBackup runs
// restore_xroad_proxy_configuration.sh -> _restore_xroad.sh, and
// answers OK with hsm_tokens_logged_out = that answer.
func (s *Server) restoreBackup(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := r.PathValue("filename")
	b := s.backup(name)
	switch {
	case b == nil:
		// ConfigurationRestorationService: the file is not there:
		// NotFoundException BACKUP_FILE_NOT_FOUND with the full path, 404.
		apiError(w, http.StatusNotFound, "backup_file_not_found", BackupDir+name)
		return
	case s.ownerCode == "" || s.serverCode == "":
		// buildArguments reads CurrentSecurityServerId, which has none yet.
		// guess: the request-scoped bean's failure is a 500 without a code.
		writeJSON(w, http.StatusInternalServerError, map[string]any{"status": http.StatusInternalServerError})
		return
	case b.data != nil && s.archives[sha256.Sum256(b.data)] == nil:
		// _restore_xroad.sh (decrypt_tarball_if_encrypted) wants gpg's
		// GOODSIG by a key of /etc/xroad/gpghome, then the tar label of
		// this server (check_tarball_label): a file this server did not
		// make fails, ProcessFailedException -> ServiceException
		// BACKUP_RESTORATION_FAILED "restore_process_failed", 500 without
		// metadata.
		apiError(w, http.StatusInternalServerError, "restore_process_failed")
		return
	}
	hw := s.opt.HardwareToken
	s.put(b.snap)
	// clear_shared_memory removes the PINs X-Road keeps in shared memory
	// (PasswordStore.java over MemoryPasswordStoreProvider.java), then
	// stop_services and restart_services stop and start every unit of
	// /etc/xroad/backup.d, xroad-signer among them: every token, the
	// software one too, is logged out. The admin API (xroad-proxy-ui-api,
	// not in backup.d) keeps running and clears its API key cache
	// (ConfigurationRestorationService: clearApiKeyCaches).
	s.loggedIn, s.hwLoggedIn, s.softStatus = false, false, ""
	writeJSON(w, http.StatusOK, map[string]any{"hsm_tokens_logged_out": hw})
}

// SetBackupClock sets the clock backups are named by (the server's local
// time); nil: the real one.
func (s *Server) SetBackupClock(now func() time.Time) {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// TickBackupClock names each backup a second after the one before, from
// now: as a real clock would between runs, so that no two fall in one
// second.
func (s *Server) TickBackupClock() {
	at := time.Now().Truncate(time.Second)
	s.SetBackupClock(func() time.Time {
		at = at.Add(time.Second) // s.mu is held: clock() is called under it
		return at
	})
}

func (s *Server) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// Backups are the names of the backup files on the server.
func (s *Server) Backups() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, b := range s.backups {
		out = append(out, b.name)
	}
	return out
}

// BackupData is the content of a backup file on the server, nil when
// there is none of that name or it was never read.
func (s *Server) BackupData(name string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.backup(name); b != nil {
		return b.data
	}
	return nil
}

// LoggedIn says whether the software token (xroad.SoftwareTokenID) or
// the hardware one (HWTokenID) is logged in.
func (s *Server) LoggedIn(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == HWTokenID {
		return s.hwLoggedIn
	}
	return s.loggedIn
}
