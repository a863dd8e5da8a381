package xroad_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestContractBackups drives every backup call through a real SSH
// channel against the fake (each answer checked against the 7.4.2
// definition): a backup refused before initialisation, made, listed,
// downloaded within and past a limit, uploaded (a name taken, a bad name,
// too large), restored (missing, not this server's, this server's: the
// tokens logged out and a key made after the backup gone), deleted, and
// two in one second.
func TestContractBackups(t *testing.T) {
	f := xroadtest.Start(t)
	c, _ := client(t, f)
	ctx := context.Background()
	if _, err := c.CreateAPIKey(ctx, adminUser, adminPass, []string{xroad.RoleSystemAdministrator}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateBackup(ctx)
	if e := apiErr(t, err, http.StatusInternalServerError, "core.MalformedServerConf"); len(e.Metadata) != 1 {
		t.Fatalf("before initialisation: %v", err)
	}

	f.Operate(t, 300)
	b, err := c.CreateBackup(ctx)
	if err != nil || !regexp.MustCompile(`^conf_backup_\d{8}-\d{6}\.gpg$`).MatchString(b.Filename) || time.Since(b.Created()) > time.Minute {
		t.Fatalf("backup %+v, %v", b, err)
	}
	list, err := c.Backups(ctx)
	if err != nil || len(list) != 2 || !slices.ContainsFunc(list, func(x xroad.Backup) bool { return x == b }) {
		t.Fatalf("list %+v, %v", list, err)
	}
	var buf bytes.Buffer
	d, err := c.DownloadBackup(ctx, b.Filename, &buf, 1<<20)
	if err != nil || d.Bytes != int64(buf.Len()) || d.Length != d.Bytes || !bytes.Equal(buf.Bytes(), f.BackupData(b.Filename)) {
		t.Fatalf("download %+v (%d bytes), %v", d, buf.Len(), err)
	}
	if _, err := c.DownloadBackup(ctx, b.Filename, &bytes.Buffer{}, d.Bytes-1); !errors.Is(err, xroad.ErrTooLarge) {
		t.Fatalf("download past the limit: %v", err)
	}
	_, err = c.DownloadBackup(ctx, "conf_backup_none.gpg", &bytes.Buffer{}, 1<<20)
	if e := apiErr(t, err, http.StatusNotFound, xroad.CodeBackupNotFound); len(e.Metadata) != 1 || e.Metadata[0] != "conf_backup_none.gpg" {
		t.Fatalf("missing download: %v", err)
	}

	// Uploads: the name taken is a warning, then overwritten; a name
	// not ending .gpg refused; more than 10 MiB refused.
	_, err = c.UploadBackup(ctx, b.Filename, buf.Bytes(), false)
	if e := apiErr(t, err, http.StatusBadRequest, xroad.CodeWarningsDetected); !e.HasCode(xroad.CodeFileExists) {
		t.Fatalf("upload over a backup: %v", err)
	}
	if _, err := c.UploadBackup(ctx, b.Filename, buf.Bytes(), true); err != nil {
		t.Fatal(err)
	}
	apiErr(t, mustErr(c.UploadBackup(ctx, "backup.tar", buf.Bytes(), false)), http.StatusBadRequest, xroad.CodeInvalidFilename)
	apiErr(t, mustErr(c.UploadBackup(ctx, "big.gpg", make([]byte, xroad.MaxUpload+1), false)), http.StatusRequestEntityTooLarge, "")
	if _, err := c.UploadBackup(ctx, "other-server.gpg", []byte("not this server's"), false); err != nil {
		t.Fatal(err)
	}

	// Restores.
	_, err = c.RestoreBackup(ctx, "conf_backup_none.gpg")
	if e := apiErr(t, err, http.StatusNotFound, xroad.CodeBackupNotFound); e.Metadata[0] != xroadtest.BackupDir+"conf_backup_none.gpg" {
		t.Fatalf("missing restore: %v", err)
	}
	apiErr(t, mustErr(c.RestoreBackup(ctx, "other-server.gpg")), http.StatusInternalServerError, xroad.CodeRestoreFailed)
	if !f.LoggedIn(xroad.SoftwareTokenID) {
		t.Fatal("a refused restore logged the token out")
	}
	later := xroad.New(tunnel(t, f))
	if _, err := later.CreateAPIKey(ctx, adminUser, adminPass, []string{xroad.RoleSystemAdministrator}); err != nil {
		t.Fatal(err)
	}
	out, err := c.RestoreBackup(ctx, b.Filename)
	if err != nil || out.HSMTokensLoggedOut || f.LoggedIn(xroad.SoftwareTokenID) {
		t.Fatalf("restore %+v, %v; token logged in: %v", out, err, f.LoggedIn(xroad.SoftwareTokenID))
	}
	// The key made after the backup is gone with the database.
	apiErr(t, mustErr(later.Backups(ctx)), http.StatusUnauthorized, "")
	if _, err := c.Backups(ctx); err != nil {
		t.Fatalf("the key made before the backup: %v", err)
	}

	if err := c.DeleteBackup(ctx, b.Filename); err != nil {
		t.Fatal(err)
	}
	apiErr(t, c.DeleteBackup(ctx, b.Filename), http.StatusNotFound, xroad.CodeBackupNotFound)

	// Two in one second: the second fails and takes the first with it.
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.Local)
	f.SetBackupClock(func() time.Time { return at })
	first, err := c.CreateBackup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	apiErr(t, mustErr(c.CreateBackup(ctx)), http.StatusInternalServerError, xroad.CodeBackupGenerationFailed)
	if slices.Contains(f.Backups(), first.Filename) {
		t.Fatal("the first backup of the second survived")
	}
	ext, err := c.CreateBackupExt(ctx)
	if err != nil || ext.Filename != first.Filename || ext.LocalConfPresent {
		t.Fatalf("ext %+v, %v", ext, err)
	}
	if !strings.HasPrefix(first.Filename, "conf_backup_20261201-100000") {
		t.Fatal(first.Filename)
	}
}

func mustErr[T any](_ T, err error) error { return err }
