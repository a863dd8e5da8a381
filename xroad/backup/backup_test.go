package backup_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/backup"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

const softPIN = "Tunduk-soft-token-PIN-2026" // Operate's

// The server Operate makes.
const (
	serverID = xroadtest.Instance + ":COM:60000001:SS1"
	shortID  = xroadtest.Instance + "/COM/60000001/SS1"
)

// open is a session on f through a real sshd.
func open(t *testing.T, f *xroadtest.Server) *configure.Session {
	t.Helper()
	c, _ := testhost.Dial(t, testhost.Options{})
	a := f.Admin()
	s, err := configure.Open(context.Background(), c, f.AdminAPI(), configure.Credentials{User: a.User, Password: a.Password})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func wantKey(t *testing.T, err error, key string) {
	t.Helper()
	var be *backup.Error
	if !errors.As(err, &be) || be.Key != key {
		t.Fatalf("want %s, got %v", key, err)
	}
}

// TestBeforeChange: nothing to back up on a server not initialised; on
// one in service each call makes a backup, downloads it and checks it
// (the hash is the server's file's, sha256sum agrees, the tar is this
// server's), and the newest Keep stay on this computer; a copy changed
// later is told damaged.
func TestBeforeChange(t *testing.T) {
	f := xroadtest.Start(t)
	s := open(t, f)
	ctx := context.Background()
	st := backup.Store{Dir: t.TempDir(), Keep: 2}
	if sv, err := backup.BeforeChange(ctx, s.API(), st); err != nil || !sv.Skipped || f.Count("POST", "/backups") != 0 {
		t.Fatalf("fresh server: %+v, %v", sv, err)
	}
	f.Operate(t, 300)
	f.TickBackupClock()
	var saved []backup.Saved
	for range 3 {
		sv, err := backup.BeforeChange(ctx, s.API(), st)
		if err != nil {
			t.Fatal(err)
		}
		saved = append(saved, sv)
		data := f.BackupData(sv.Backup.Filename)
		sum := sha256.Sum256(data)
		got, _ := os.ReadFile(sv.Path)
		if sv.Skipped || sv.Server != serverID || sv.SHA256 != hex.EncodeToString(sum[:]) || string(got) != string(data) || sv.Size != int64(len(data)) {
			t.Fatalf("saved %+v (%d bytes on the server)", sv, len(data))
		}
		if c := sv.Check; c.Encrypted || c.Server != shortID || c.Label != xroadtest.TarLabel(shortID) || c.Version != "XROAD_7.1" || !c.DBDump || c.Entries < 4 {
			t.Fatalf("check %+v", c)
		}
		// coreutils reads the hash file as its own.
		cmd := exec.Command("sha256sum", "-c", "--strict", filepath.Base(sv.Path)+".sha256")
		cmd.Dir = filepath.Dir(sv.Path)
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), ": OK") {
			t.Fatalf("sha256sum -c: %v %s", err, out)
		}
	}
	if p := saved[2].Pruned; len(p) != 1 || p[0] != saved[0].Backup.Filename {
		t.Fatalf("pruned %v", p)
	}
	ls, err := backup.LocalBackups(st, serverID)
	if err != nil || len(ls) != 2 || ls[0].Name != saved[2].Backup.Filename || ls[1].Name != saved[1].Backup.Filename ||
		ls[0].State != backup.LocalOK || !ls[0].CreatedAt.Equal(saved[2].Backup.Created()) {
		t.Fatalf("local %+v, %v", ls, err)
	}
	// The server keeps all of them (X-Road removes only its automatic ones).
	if n := len(f.Backups()); n != 4 {
		t.Fatalf("%d backups on the server", n)
	}
	os.WriteFile(ls[1].Path, []byte("changed"), 0o600)
	ls, _ = backup.LocalBackups(st, serverID)
	for _, l := range ls {
		if (l.Name == saved[1].Backup.Filename) != (l.State == backup.LocalDamaged) {
			t.Fatalf("after a change: %+v", ls)
		}
	}
	l, err := backup.List(ctx, s.API(), st)
	if err != nil || l.Server != serverID || len(l.OnServer) != 4 || l.OnServer[0] != saved[2].Backup || len(l.Local) != 2 {
		t.Fatalf("list %+v, %v", l, err)
	}
}

// TestCheckRefuses: what is not a backup of this server is refused, and
// nothing of it stays in the server's folder; an encrypted one is walked
// as packets only.
func TestCheckRefuses(t *testing.T) {
	f := xroadtest.StartWith(t, xroadtest.Options{BackupEncryption: true})
	f.Operate(t, 300)
	s := open(t, f)
	ctx := context.Background()
	st := backup.Store{Dir: t.TempDir(), Keep: 5}
	sv, err := backup.BeforeChange(ctx, s.API(), st)
	if err != nil || !sv.Check.Encrypted || sv.Check.Label != "" {
		t.Fatalf("encrypted: %+v, %v", sv, err)
	}
	good := f.BackupData(sv.Backup.Filename)
	plain := xroadtest.StartWith(t, xroadtest.Options{})
	plain.Operate(t, 300)
	signed := open(t, plain)
	b, err := signed.API().CreateBackup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Another server's backup: its label names it.
	_, err = backup.Download(ctx, signed.API(), st, xroadtest.Instance+":COM:60000001:SS9", b)
	wantKey(t, err, "backup.err.other_server")
	signedData := plain.BackupData(b.Filename)
	for name, data := range map[string][]byte{
		"cut.gpg":     signedData[:len(signedData)*3/5],
		"cut-enc.gpg": good[:len(good)-40],
		"tar.gpg":     []byte(strings.Repeat("etc/xroad/\x00", 100)),
		"noise.gpg":   []byte{0xa3, 0x01, 0x12, 0x34, 0x56},
		"empty.gpg":   {},
		"tail.gpg":    append(slices.Clone(signedData), 0xc2, 0x01, 0x00),
	} {
		if _, err := s.API().UploadBackup(ctx, name, data, true); err != nil {
			t.Fatal(err)
		}
		bk, err := backup.Find(ctx, s.API(), name)
		if err != nil {
			t.Fatal(err)
		}
		_, err = backup.Download(ctx, s.API(), st, serverID, bk)
		wantKey(t, err, "backup.err.content")
	}
	// A download cut short: Go's HTTP client holds the body to its
	// Content-Length, so it is an error, and nothing is kept.
	f.CutNextDownload()
	if _, err := backup.Download(ctx, s.API(), st, serverID, sv.Backup); err == nil {
		t.Fatal("a download cut in half was taken")
	}
	_, err = backup.Download(ctx, s.API(), st, serverID, xroad.Backup{Filename: "../escape.gpg"})
	wantKey(t, err, "backup.err.name")
	ents, _ := os.ReadDir(st.ServerFolder(serverID))
	if len(ents) != 2 { // the encrypted backup and its hash
		t.Fatalf("left in the folder: %v", ents)
	}
	_, err = backup.Download(ctx, s.API(), st, serverID, xroad.Backup{Filename: "conf_backup_none.gpg"})
	wantKey(t, err, "backup.err.not_found")
}

// TestRestore: refused unless the backup's name is typed exactly, and
// before anything changes when a logged-in token's PIN is missing; then
// the backup of yesterday (older than the session's API key, which the
// restore takes away) restored and both tokens, logged out by it, logged
// in again; a wrong PIN after it is told as after the restore.
func TestRestore(t *testing.T) {
	f := xroadtest.StartWith(t, xroadtest.Options{HardwareToken: true})
	f.Operate(t, 300)
	f.MoveSigningKeyToHW()
	s := open(t, f)
	ctx := context.Background()
	old := f.Backups()[0] // Operate's, of a day ago
	pins := backup.PINs{xroad.SoftwareTokenID: softPIN, xroadtest.HWTokenID: xroadtest.HWPIN}
	for _, typed := range []string{"", "yes", strings.ToUpper(old), old + " "} {
		_, err := backup.Restore(ctx, s, old, typed, pins, nil)
		wantKey(t, err, "backup.err.confirm")
	}
	_, err := backup.Restore(ctx, s, old, old, backup.PINs{xroad.SoftwareTokenID: softPIN}, nil)
	wantKey(t, err, "backup.err.pin_needed")
	_, err = backup.Restore(ctx, s, "conf_backup_none.gpg", "conf_backup_none.gpg", pins, nil)
	wantKey(t, err, "backup.err.not_found")
	if n := f.Count("PUT", "/backups/"); n != 0 {
		t.Fatalf("%d restores sent before the refusals", n)
	}
	var steps []string
	r, err := backup.Restore(ctx, s, old, old, pins, func(p configure.Progress) { steps = append(steps, p.ID+":"+p.State) })
	if err != nil || !r.HSMLoggedOut || len(r.LoggedIn) != 2 || !f.LoggedIn(xroad.SoftwareTokenID) || !f.LoggedIn(xroadtest.HWTokenID) {
		t.Fatalf("restore %+v, %v; steps %v", r, err, steps)
	}
	if want := []string{"login:running", "login:done", "hw_login:running", "hw_login:done"}; !slices.Equal(steps, want) {
		t.Fatalf("steps %v", steps)
	}
	// The logins came after the restore, with a key made after it.
	calls := f.Calls()
	at := slices.IndexFunc(calls, func(c xroadtest.Call) bool { return c.Method == "PUT" && strings.HasSuffix(c.Path, "/restore") })
	login := slices.IndexFunc(calls, func(c xroadtest.Call) bool { return c.Method == "PUT" && strings.HasSuffix(c.Path, "/login") })
	key := slices.IndexFunc(calls[at+1:], func(c xroadtest.Call) bool { return c.Method == "POST" && c.Path == "/api-keys" })
	if at < 0 || login < at || key < 0 || at+1+key > login || calls[at].Status != 200 {
		t.Fatalf("calls %v", calls)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("closing with the new key: %v", err)
	}

	s = open(t, f)
	_, err = backup.Restore(ctx, s, old, old, backup.PINs{xroad.SoftwareTokenID: "Wrong-PIN-of-15-chars", xroadtest.HWTokenID: xroadtest.HWPIN}, nil)
	lead, key2, _ := backup.Explain("en", err)
	if lead != "backup.lead.after_restore" || key2 != "configure.err.pin_wrong" || f.LoggedIn(xroad.SoftwareTokenID) {
		t.Fatalf("wrong PIN after the restore: %q %q %v", lead, key2, err)
	}
}

// TestSameSecond: a backup asked for in the second of the one before
// fails on the server (and takes that one with it); BeforeChange asks
// once more a second later, and the first stays on this computer.
func TestSameSecond(t *testing.T) {
	f := xroadtest.Start(t)
	f.Operate(t, 300)
	s := open(t, f)
	at := time.Now().Truncate(time.Second)
	asked := 0
	f.SetBackupClock(func() time.Time {
		asked++
		if asked > 2 {
			return at.Add(time.Second)
		}
		return at
	})
	st := backup.Store{Dir: t.TempDir(), Keep: 5}
	first, err := backup.BeforeChange(context.Background(), s.API(), st)
	if err != nil {
		t.Fatal(err)
	}
	second, err := backup.BeforeChange(context.Background(), s.API(), st)
	if err != nil || second.Backup.Filename == first.Backup.Filename || asked != 3 {
		t.Fatalf("second backup %+v, %v (%d asked)", second, err, asked)
	}
	if slices.Contains(f.Backups(), first.Backup.Filename) {
		t.Fatal("the server kept the first (its script removes it)")
	}
	if _, err := os.Stat(first.Path); err != nil {
		t.Fatalf("the first is gone from this computer: %v", err)
	}
}
