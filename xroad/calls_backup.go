package xroad

// The backup calls (issue 17). X-Road 7.4.2 BackupsApiController.java
// needs BACKUP_CONFIGURATION for each and RESTORE_CONFIGURATION for the
// restore: XROAD_SYSTEM_ADMINISTRATOR has both (permissions.yml). A
// backup and a restore run scripts on the server (pg_dump, tar, gpg; the
// restore stops and starts X-Road's services) and are answered only
// when done, so they get bounds of their own, well past the tunnel's
// 30 seconds.

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Bounds of the long calls. guess: a backup of a server in service (its
// serverconf dump) takes seconds to a minute, a restore a few minutes;
// these leave ample room.
const (
	BackupTimeout   = 10 * time.Minute
	RestoreTimeout  = 20 * time.Minute
	DownloadTimeout = 20 * time.Minute
)

// MaxUpload is the most the API takes in one upload: X-Road 7.4.2
// common-application.yml request-size-limit-binary-upload, 10MB
// (larger: 413).
const MaxUpload = 10 << 20

// Backups is GET /backups (getBackups: OK), in no order (a Set).
func (c *Client) Backups(ctx context.Context) ([]Backup, error) {
	return getJSON[[]Backup](ctx, c, "/backups", "")
}

// CreateBackup is POST /backups: the server runs its backup script and
// answers the new file (201), named conf_backup_YYYYMMDD-HHMMSS.gpg in
// its local time (SecurityServerConfigurationBackupGenerator.java).
func (c *Client) CreateBackup(ctx context.Context) (Backup, error) {
	var b Backup
	return b, c.long(ctx, http.MethodPost, "/backups", BackupTimeout, &b)
}

// CreateBackupExt is POST /backups/ext: CreateBackup, and whether the
// server has the deprecated local.conf no backup holds.
func (c *Client) CreateBackupExt(ctx context.Context) (BackupExt, error) {
	var b BackupExt
	return b, c.long(ctx, http.MethodPost, "/backups/ext", BackupTimeout, &b)
}

// RestoreBackup is PUT /backups/{filename}/restore: the server's
// configuration replaced by the file's, its services restarted, every
// token logged out.
func (c *Client) RestoreBackup(ctx context.Context, name string) (TokensLoggedOut, error) {
	var out TokensLoggedOut
	return out, c.long(ctx, http.MethodPut, "/backups/"+url.PathEscape(name)+"/restore", RestoreTimeout, &out)
}

// DeleteBackup is DELETE /backups/{filename} (204).
func (c *Client) DeleteBackup(ctx context.Context, name string) error {
	_, _, err := c.do(ctx, call{method: http.MethodDelete, path: "/backups/" + url.PathEscape(name)})
	return err
}

// long is a call with a bound of its own and a JSON answer.
func (c *Client) long(ctx context.Context, method, path string, d time.Duration, out any) error {
	b, _, err := c.do(ctx, call{method: method, path: path, accept: "application/json", timeout: d})
	if err != nil {
		return err
	}
	return decode(b, out)
}

// Download is what DownloadBackup received.
type Download struct {
	Bytes  int64 // written to w
	Length int64 // the Content-Length the server announced; -1: none
}

// DownloadBackup is GET /backups/{filename}/download, streamed into w:
// at most max bytes, else an error wrapping ErrTooLarge (w may hold part
// of it: write into a temporary file).
func (c *Client) DownloadBackup(ctx context.Context, name string, w io.Writer, max int64) (Download, error) {
	k := &sink{w: w, max: max, length: -1}
	_, _, err := c.do(ctx, call{method: http.MethodGet, path: "/backups/" + url.PathEscape(name) + "/download",
		accept: "application/octet-stream", timeout: DownloadTimeout, sink: k})
	return Download{Bytes: k.n, Length: k.length}, err
}

// UploadBackup is POST /backups/upload: data as the file name (a name the
// server lists already is a warning, code warnings_detected with
// warning_file_already_exists, unless ignoreWarnings).
func (c *Client) UploadBackup(ctx context.Context, name string, data []byte, ignoreWarnings bool) (Backup, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", name)
	if err == nil {
		_, err = part.Write(data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return Backup{}, err
	}
	q := url.Values{"ignore_warnings": {strconv.FormatBool(ignoreWarnings)}}.Encode()
	b, _, err := c.do(ctx, call{method: http.MethodPost, path: "/backups/upload", query: q, body: body.Bytes(),
		contentType: mw.FormDataContentType(), accept: "application/json", timeout: DownloadTimeout})
	var out Backup
	if err != nil {
		return out, err
	}
	return out, decode(b, &out)
}
