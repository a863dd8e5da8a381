package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// backupRig is a fake server behind a real sshd and the flags that reach
// it, with backups kept in a folder of the test's.
type backupRig struct {
	f       *xroadtest.Server
	base    []string
	dir     string // --backup-dir
	printed []string
}

func newBackupRig(t *testing.T, o xroadtest.Options) *backupRig {
	f := xroadtest.StartWith(t, o)
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	api := f.AdminAPI()
	r := &backupRig{f: f, dir: t.TempDir()}
	r.base = []string{"--ssh", h.Target().String(), "--identity", h.ClientKeyPath, "--known-hosts", kh,
		"--admin-user", xroadtest.AdminUser, "--admin-password-stdin", "--admin-api", api.Addr, "--admin-api-cert", api.CertPath,
		"--backup-dir", r.dir}
	f.TickBackupClock()
	return r
}

// run runs the CLI with the admin password and more on standard input.
func (r *backupRig) run(t *testing.T, stdin string, args ...string) (int, string) {
	t.Helper()
	code, out, errOut := cli(t, xroadtest.AdminPassword+"\n"+stdin, append(args, r.base...)...)
	r.printed = append(r.printed, out, errOut)
	return code, out + errOut
}

// noSecrets fails when a password or PIN was printed.
func (r *backupRig) noSecrets(t *testing.T) {
	for _, p := range r.printed {
		for _, s := range []string{xroadtest.AdminPassword, serverTestPIN, xroadtest.HWPIN} {
			if strings.Contains(p, s) {
				t.Fatal("a secret appears in the output")
			}
		}
	}
}

// keepProfile is the embedded profile with backups.keep n, as a file.
func keepProfile(t *testing.T, n int) string {
	data, err := assets.FS.ReadFile("profiles/tunduk.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(data, &m)
	m["backups"] = map[string]any{"keep": n}
	b, _ := json.Marshal(m)
	p := filepath.Join(t.TempDir(), "profile.json")
	os.WriteFile(p, b, 0o644)
	return p
}

type savedDoc struct {
	Backup struct {
		Backup xroad.Backup `json:"backup"`
		Path   string       `json:"path"`
		SHA256 string       `json:"sha256"`
		Pruned []string     `json:"pruned"`
	} `json:"backup"`
	Exit  int               `json:"exit_code"`
	Error map[string]string `json:"error"`
}

// TestBackupCLI: backup create downloads and checks a backup (its hash
// that of the server's file), the newest backups.keep stay on this
// computer, list shows both sides, download fetches an older one; restore
// is refused without the name typed again and without the PINs of the
// tokens logged in, and when confirmed it takes a backup first, restores,
// and logs both tokens in again.
func TestBackupCLI(t *testing.T) {
	r := newBackupRig(t, xroadtest.Options{HardwareToken: true})
	r.f.Operate(t, 300)
	r.f.MoveSigningKeyToHW()
	old := r.f.Backups()[0]
	prof := keepProfile(t, 2)
	var made []string
	for i, lang := range []string{"en", "ru", "ky"} {
		code, out := r.run(t, "", "backup", "create", "--profile", prof, "--format", "json", "--lang", lang)
		var doc savedDoc
		if err := json.Unmarshal([]byte(out), &doc); err != nil || code != exitOK {
			t.Fatalf("create: exit %d %v\n%s", code, err, out)
		}
		got, _ := os.ReadFile(doc.Backup.Path)
		sum := sha256.Sum256(r.f.BackupData(doc.Backup.Backup.Filename))
		if hex.EncodeToString(sum[:]) != doc.Backup.SHA256 || string(got) != string(r.f.BackupData(doc.Backup.Backup.Filename)) {
			t.Fatalf("create: the local copy is not the server's file\n%s", out)
		}
		made = append(made, doc.Backup.Backup.Filename)
		if i == 2 && !slices.Equal(doc.Backup.Pruned, made[:1]) {
			t.Fatalf("third create pruned %v", doc.Backup.Pruned)
		}
	}
	code, out := r.run(t, "", "backup", "list", "--format", "json")
	var l struct {
		OnServer []xroad.Backup     `json:"on_server"`
		Local    []map[string]any   `json:"local"`
		Server   string             `json:"server"`
		Error    map[string]string  `json:"error"`
		Extra    map[string]float64 `json:"-"`
	}
	if err := json.Unmarshal([]byte(out), &l); err != nil || code != exitOK || len(l.OnServer) != 4 || len(l.Local) != 2 ||
		l.Local[0]["filename"] != made[2] || l.Local[0]["state"] != "ok" || l.OnServer[0].Filename != made[2] {
		t.Fatalf("list: exit %d %v\n%s", code, err, out)
	}
	code, out = r.run(t, "", "backup", "list", "--lang", "ru")
	if code != exitOK || !strings.Contains(out, made[1]+"  ") || !strings.Contains(out, i18n.T("ru", "cli.backup.state.ok", nil)) ||
		!strings.Contains(out, old+"  ") || !strings.Contains(out, i18n.T("ru", "cli.backup.not_here", nil)) {
		t.Fatalf("list text: exit %d\n%s", code, out)
	}
	code, out = r.run(t, "", "backup", "download", "--name", old)
	if code != exitOK || !strings.Contains(out, "Backup "+old+" saved to ") || !strings.Contains(out, "Checked: complete, the configuration of central-server/COM/60000001/SS1") {
		t.Fatalf("download: exit %d\n%s", code, out)
	}

	// Restore: refused without the name typed again (no terminal to ask
	// it on), with another name, and without the hardware token's PIN.
	restores := func() int { return r.f.Count("PUT", "/backups/") }
	pins := serverTestPIN + "\n" + xroadtest.HWPIN + "\n"
	code, out = r.run(t, pins, "backup", "restore", "--name", old, "--pin-stdin", "--hw-pin-stdin", "--lang", "ky")
	if code != exitCannot || !strings.Contains(out, i18n.T("ky", "backup.err.confirm", map[string]any{"Name": old})) || restores() != 0 {
		t.Fatalf("restore without --confirm: exit %d\n%s", code, out)
	}
	calls := len(r.f.Calls())
	code, out = r.run(t, pins, "backup", "restore", "--name", old, "--confirm", made[0], "--pin-stdin", "--hw-pin-stdin")
	if code != exitCannot || !strings.Contains(out, "--confirm") || len(r.f.Calls()) != calls {
		t.Fatalf("restore with another name: exit %d, %d calls\n%s", code, len(r.f.Calls())-calls, out)
	}
	code, out = r.run(t, serverTestPIN+"\n", "backup", "restore", "--name", old, "--confirm", old, "--pin-stdin", "--lang", "ru")
	if code != exitCannot || !strings.Contains(out, "--hw-pin-stdin") || restores() != 0 {
		t.Fatalf("restore without the hardware token's PIN: exit %d\n%s", code, out)
	}
	if !r.f.LoggedIn(xroad.SoftwareTokenID) || !r.f.LoggedIn(xroadtest.HWTokenID) {
		t.Fatal("a refused restore logged a token out")
	}
	before := len(r.f.Calls())
	code, out = r.run(t, pins, "backup", "restore", "--name", old, "--confirm", old, "--pin-stdin", "--hw-pin-stdin", "--format", "json")
	var rd struct {
		Restore struct {
			LoggedIn []string `json:"logged_in"`
			HSM      bool     `json:"hsm_tokens_logged_out"`
		} `json:"restore"`
		Backup struct {
			Backup xroad.Backup `json:"backup"`
		} `json:"backup"`
	}
	if err := json.Unmarshal([]byte(out), &rd); err != nil || code != exitOK || len(rd.Restore.LoggedIn) != 2 || !rd.Restore.HSM ||
		!r.f.LoggedIn(xroad.SoftwareTokenID) || !r.f.LoggedIn(xroadtest.HWTokenID) {
		t.Fatalf("restore: exit %d %v\n%s", code, err, out)
	}
	// In order: the backup of the configuration as it was, the restore,
	// the logins.
	seq := r.f.Calls()[before:]
	first := func(method, suffix string) int {
		return slices.IndexFunc(seq, func(c xroadtest.Call) bool { return c.Method == method && strings.HasSuffix(c.Path, suffix) })
	}
	if b, rs, in := first("POST", "/backups"), first("PUT", "/restore"), first("PUT", "/login"); b < 0 || rs < b || in < rs {
		t.Fatalf("calls of the restore: %v", seq)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "central-server_COM_60000001_SS1", rd.Backup.Backup.Filename)); err != nil {
		t.Fatalf("the backup before the restore is not on this computer: %v", err)
	}
	r.noSecrets(t)
}

// changed is the index of the first call that changes the server (not a
// read, not the session's API key, not the backup), -1 when none.
func changed(calls []xroadtest.Call) int {
	return slices.IndexFunc(calls, func(c xroadtest.Call) bool {
		return c.Method != "GET" && !strings.HasPrefix(c.Path, "/api-keys") && !strings.HasPrefix(c.Path, "/backups")
	})
}

// tookBackup is the index of the first POST /backups, -1 when none.
func tookBackup(calls []xroadtest.Call) int {
	return slices.IndexFunc(calls, func(c xroadtest.Call) bool { return c.Method == "POST" && c.Path == "/backups" })
}

// TestBackupBeforeChange: server csr and connect take a backup, downloaded
// here, before their first change; --no-backup, a dry run and a re-run
// with nothing to change take none; on
// a server not initialised there is nothing to back up, and init says so.
func TestBackupBeforeChange(t *testing.T) {
	r := newBackupRig(t, xroadtest.Options{Preset: xroadtest.Preset{Anchor: true, ServerCode: "SS1",
		OwnerClass: "GOV", OwnerCode: "70000001", SoftTokenPIN: serverTestPIN}})
	ids := []string{"--member-class", "GOV", "--member-code", "70000001", "--server-code", "SS1", "--name", "Test Agency",
		"--proxy-jar", r.f.AdminAPI().ProxyJar}
	out := t.TempDir()
	code, text := r.run(t, serverTestPIN+"\n", append([]string{"server", "csr", "--out", out, "--pin-stdin"}, ids...)...)
	calls := r.f.Calls()
	if b, c := tookBackup(calls), changed(calls); code != exitOK || b < 0 || c < b || !strings.Contains(text, "Backup conf_backup_") {
		t.Fatalf("server csr: exit %d, backup at %d, first change at %d\n%s\n%v", code, b, c, text, calls)
	}
	local, _ := filepath.Glob(filepath.Join(r.dir, "central-server_GOV_70000001_SS1", "conf_backup_*.gpg"))
	if len(local) != 1 {
		t.Fatalf("backups on this computer: %v", local)
	}
	n := r.f.Count("POST", "/backups")
	code, text = r.run(t, "", append([]string{"server", "csr", "--out", out, "--no-backup", "--lang", "ky"}, ids...)...)
	if code != exitOK || r.f.Count("POST", "/backups") != n || !strings.Contains(text, i18n.T("ky", "cli.backup.off", nil)) {
		t.Fatalf("server csr --no-backup: exit %d\n%s", code, text)
	}
	// Run again with nothing to change: no backup (none pruned away).
	if code, text = r.run(t, "", append([]string{"server", "csr", "--out", out}, ids...)...); code != exitOK || r.f.Count("POST", "/backups") != n {
		t.Fatalf("server csr again: exit %d, %d backups (was %d)\n%s", code, r.f.Count("POST", "/backups"), n, text)
	}

	// connect: a dry run takes none; the run takes one before its first change.
	plan := filepath.Join(t.TempDir(), "plan.json")
	os.WriteFile(plan, []byte(`{"subsystems": [{"code": "crm", "name": "CRM", "connection_type": "HTTP",
	  "services": [{"type": "REST", "url": "https://is.example.kg/rest", "code": "people"}]}]}`), 0o644)
	conn := []string{"connect", "--plan", plan, "--member-class", "GOV", "--member-code", "70000001"}
	if code, text = r.run(t, "", append(conn, "--dry-run")...); code != exitOK || r.f.Count("POST", "/backups") != n {
		t.Fatalf("connect --dry-run: exit %d\n%s", code, text)
	}
	start := len(r.f.Calls())
	code, text = r.run(t, "", append(conn, "--lang", "ru")...)
	seq := r.f.Calls()[start:]
	if b, c := tookBackup(seq), changed(seq); code != exitOK || b < 0 || c < b {
		t.Fatalf("connect: exit %d, backup at %d, first change at %d\n%s\n%v", code, b, c, text, seq)
	}
	// Nothing left to do: no backup either.
	n = r.f.Count("POST", "/backups")
	if code, text = r.run(t, "", conn...); code != exitOK || r.f.Count("POST", "/backups") != n {
		t.Fatalf("connect again: exit %d\n%s", code, text)
	}

	// A backup that fails stops the change: nothing is changed.
	os.WriteFile(plan, []byte(`{"subsystems": [{"code": "crm", "name": "CRM", "connection_type": "HTTP",
	  "services": [{"type": "REST", "url": "https://is.example.kg/rest", "code": "people"},
	    {"type": "REST", "url": "https://is.example.kg/rest2", "code": "people2"}]}]}`), 0o644)
	r.f.FailNext("POST", "/backups")
	start = len(r.f.Calls())
	code, text = r.run(t, "", conn...)
	if code != exitFailed || changed(r.f.Calls()[start:]) >= 0 || !strings.Contains(text, i18n.T("en", "backup.lead.before_change", nil)) ||
		!strings.Contains(text, "--no-backup") {
		t.Fatalf("connect with the backup failing: exit %d\n%s\n%v", code, text, r.f.Calls()[start:])
	}

	// A server not initialised: nothing to back up, and said so.
	fresh := newBackupRig(t, xroadtest.Options{})
	anchor := filepath.Join(t.TempDir(), "anchor.xml")
	os.WriteFile(anchor, fresh.f.Anchor(xroadtest.Instance), 0o644)
	code, text = fresh.run(t, serverTestPIN+"\n", append([]string{"server", "init", "--anchor", anchor, "--pin-stdin"}, ids...)...)
	if code != exitOK || fresh.f.Count("POST", "/backups") != 0 || !strings.Contains(text, i18n.T("en", "cli.backup.nothing_yet", nil)) {
		t.Fatalf("server init on a fresh server: exit %d\n%s", code, text)
	}
	r.noSecrets(t)
}

// TestBackupBeforeSingleVerbs: the connect flow's single verbs (client
// add, connection, tls import; service add, grant, revoke) take one
// backup just before their first change, shown in text and JSON; one
// with nothing to change takes none; a grant to two subjects takes one;
// a failed backup stops the verb with nothing changed and says why in
// the user's language; --no-backup says it goes without.
func TestBackupBeforeSingleVerbs(t *testing.T) {
	r := newBackupRig(t, xroadtest.Options{Preset: xroadtest.Preset{Anchor: true, ServerCode: "SS1",
		OwnerClass: "GOV", OwnerCode: "70000001", SoftTokenPIN: serverTestPIN}})
	owner := []string{"--member-class", "GOV", "--member-code", "70000001"}
	// step runs a verb and says where its backup and its first change
	// fell among its calls (-1: none).
	step := func(args ...string) (code int, text string, backup, change, backups int) {
		t.Helper()
		start, n := len(r.f.Calls()), r.f.Count("POST", "/backups")
		code, text = r.run(t, "", append(args, owner...)...)
		seq := r.f.Calls()[start:]
		return code, text, tookBackup(seq), changed(seq), r.f.Count("POST", "/backups") - n
	}
	before := func(what string, code int, text string, b, c, n int) {
		t.Helper()
		if code != exitOK || n != 1 || b < 0 || c < b || !strings.Contains(text, "Backup conf_backup_") {
			t.Fatalf("%s: exit %d, %d backups, backup at %d, first change at %d\n%s", what, code, n, b, c, text)
		}
	}
	none := func(what string, code int, text string, c, n int, want string) {
		t.Helper()
		if code != exitOK || n != 0 || c >= 0 || !strings.Contains(text, want) {
			t.Fatalf("%s: exit %d, %d backups, a change at %d\n%s", what, code, n, c, text)
		}
	}

	code, text, b, c, n := step("client", "add", "--code", "crm", "--connection", "HTTP")
	before("client add", code, text, b, c, n)
	code, text, _, c, n = step("client", "add", "--code", "crm", "--connection", "HTTP")
	none("client add again", code, text, c, n, "crm")
	code, text, b, c, n = step("client", "connection", "--code", "crm", "--type", "HTTPS")
	before("client connection", code, text, b, c, n)
	code, text, _, c, n = step("client", "connection", "--code", "crm", "--type", "HTTPS")
	none("client connection again", code, text, c, n, "HTTPS")
	cert := filepath.Join(t.TempDir(), "is.der")
	os.WriteFile(cert, xroadtest.ISCert(t), 0o644)
	code, text, b, c, n = step("client", "tls", "import", "--code", "crm", "--cert", cert)
	before("tls import", code, text, b, c, n)
	code, text, _, c, n = step("client", "tls", "import", "--code", "crm", "--cert", cert)
	none("tls import again", code, text, c, n, "already")

	add := []string{"service", "add", "--code", "crm", "--type", "REST", "--url", "https://is.example.kg/rest", "--service-code", "people"}
	code, text, b, c, n = step(add...)
	before("service add", code, text, b, c, n)
	code, text, _, c, n = step(add...)
	none("service add again", code, text, c, n, "people")

	// A grant to two subjects: one backup, before the first; in JSON too.
	grant := []string{"--code", "crm", "--service", "people", "--subject", "GOV:70000002:registry", "--subject", "COM:60000003:payments"}
	code, text, b, c, n = step(append([]string{"service", "grant", "--format", "json"}, grant...)...)
	var doc savedDoc
	if err := json.Unmarshal([]byte(text[:strings.LastIndex(text, "}")+1]), &doc); err != nil || doc.Backup.Path == "" || doc.Backup.SHA256 == "" {
		t.Fatalf("grant: the JSON tells no backup (%v)\n%s", err, text)
	}
	if code != exitOK || n != 1 || b < 0 || c < b || r.f.Count("POST", "/services/") < 2 {
		t.Fatalf("grant: exit %d, %d backups, backup at %d, first change at %d\n%s", code, n, b, c, text)
	}
	// Granted already: nothing sent, no backup.
	code, text, _, c, n = step(append([]string{"service", "grant"}, grant...)...)
	none("grant again", code, text, c, n, "already")

	// The backup fails: the revoke stops, nothing changed, told in Kyrgyz.
	r.f.FailNext("POST", "/backups")
	code, text, _, c, _ = step(append([]string{"service", "revoke", "--lang", "ky"}, grant[:6]...)...)
	if code != exitFailed || c >= 0 || !strings.Contains(text, i18n.T("ky", "backup.lead.before_change", nil)) || !strings.Contains(text, "--no-backup") {
		t.Fatalf("revoke with the backup failing: exit %d, a change at %d\n%s", code, c, text)
	}
	// --no-backup: revoked without one, and said so.
	code, text, _, c, n = step(append([]string{"service", "revoke", "--no-backup"}, grant[:6]...)...)
	if code != exitOK || n != 0 || c < 0 || !strings.Contains(text, i18n.T("en", "cli.backup.off", nil)) {
		t.Fatalf("revoke --no-backup: exit %d, %d backups, a change at %d\n%s", code, n, c, text)
	}
	// Revoked already: no backup.
	code, text, _, c, n = step(append([]string{"service", "revoke"}, grant[:6]...)...)
	none("revoke again", code, text, c, n, "people")
	r.noSecrets(t)
}
