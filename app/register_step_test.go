package app

import (
	"encoding/pem"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestRegisterStepRealServer: after Configure, a certificate for another
// key is refused with nothing imported; the CA's certificate for the
// authentication CSR is imported, registered with the public address,
// waited for (the page is left in between and the wait resumed), and
// activated; each state shows as a row and reaches onStage.
func TestRegisterStepRealServer(t *testing.T) {
	h := newCfgHarness(t, xroadtest.Options{})
	backupsIn(t, h)
	wz, rs := h.wz, h.wz.register
	admin := h.fake.Admin()
	f := &wz.install.form // the login typed on the Install step is reused
	f.AdminUser, f.AdminPassword, f.AdminPassword2 = admin.User, admin.Password, admin.Password
	h.show(stepConfigure)
	h.idle(t, &wz.configure.sessionRunner, "status on entry")
	h.initialise(t)
	auth, _ := wz.csrs.get()
	if auth == nil {
		t.Fatalf("no authentication CSR: %q", labelsIn(wz.configure.v.outcome))
	}
	var stages []string
	rs.onStage = func(s string) { stages = append(stages, s) }
	rs.pollEvery = 20 * time.Millisecond

	// The certificates come days later, in a new run of the wizard: no
	// login in memory, so Register asks for it itself.
	f.AdminPassword, f.AdminPassword2 = "", ""
	wz.configure.form.AdminPassword = ""
	h.show(stepRegister)
	v := rs.v
	if v.adminUser == nil || v.adminPW == nil {
		t.Fatal("Register does not ask for the admin login it needs")
	}
	v.adminUser.SetText(admin.User)
	v.adminPW.SetText(admin.Password)
	if _, _, ok := wz.adminCredentials(); !ok || h.prefs[prefCfgAdminUser] != admin.User {
		t.Fatalf("the login typed on Register is not used (prefs %v)", h.prefs)
	}
	if !v.importBtn.Disabled() || !v.registerBtn.Disabled() || !v.resumeBtn.Disabled() {
		t.Fatal("buttons enabled before any certificate is chosen")
	}
	if !hasText(v.rows, T("register.row.imported_no")) || !hasText(v.rows, T("register.row.active_no")) {
		t.Fatalf("rows %q", labelsIn(v.rows))
	}

	// A certificate of the same CA for a key this server never made.
	stranger := h.fake.IssueFor(t, "stranger")
	v.authPath.SetText(h.writeFile(t, "stranger.der", stranger))
	test.Tap(v.importBtn)
	h.idle(t, &rs.sessionRunner, "import of a stranger")
	if h.fake.Count("POST", "/token-certificates") > 0 || rs.authHash != "" || len(h.fake.Backups()) != 0 {
		t.Fatal("a certificate for another key was imported, or a backup made for a refused import")
	}
	c, err := readCert(rs.authPath)
	if err != nil {
		t.Fatal(err)
	}
	refusal := i18n.T("en", "configure.err.cert_no_csr", map[string]any{"Subject": c.cert.Subject.String(), "Serial": c.cert.SerialNumber.String()})
	if !hasText(v.outcome, refusal) {
		t.Fatalf("refusal %q, want %q", labelsIn(v.outcome), refusal)
	}

	// The right one, as PEM.
	certDER := h.fake.Issue(t, auth.DER)
	v.authPath.SetText(h.writeFile(t, "auth.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER})))
	test.Tap(v.importBtn)
	h.idle(t, &rs.sessionRunner, "import")
	if rs.authHash == "" || !strings.EqualFold(rs.authHash, xroadtest.CertHash(certDER)) {
		t.Fatalf("imported hash %q, outcome %q", rs.authHash, labelsIn(v.outcome))
	}
	if !hasText(v.rows, T("register.row.imported", map[string]any{"Hash": groupFingerprint(rs.authHash)})) || v.registerBtn.Disabled() {
		t.Fatalf("after import: rows %q, Register disabled %v", labelsIn(v.rows), v.registerBtn.Disabled())
	}
	if len(h.fake.Backups()) != 1 || rs.bk.note.state != backupSaved {
		t.Fatalf("no backup before the import: %v, row %q", h.fake.Backups(), labelsIn(rs.bk.box))
	}

	// Register; the central server has not approved when the page is left.
	h.fake.ApproveAfter(4)
	test.Tap(v.registerBtn)
	h.pump.waitUntil(t, "the first poll", func() bool { return !rs.lastPoll.IsZero() })
	if got := h.fake.RegisteredAddress(); got != "93.184.216.34" || len(h.fake.Backups()) != 2 {
		t.Fatalf("registered address %q; backups %v (one before the request)", got, h.fake.Backups())
	}
	if !hasTextPart(v.rows, T("register.row.waiting", map[string]any{"Since": rs.sentAt.Local().Format("2006-01-02 15:04")})) {
		t.Fatalf("no 'waiting since' row: %q", labelsIn(v.rows))
	}
	wz.Back()
	h.idle(t, &rs.sessionRunner, "the wait to stop")
	if rs.approved || rs.active {
		t.Fatal("approved without the central server")
	}
	if h.prefs[prefRegAuthHash] != rs.authHash || h.prefs[prefRegSentAt] == "" {
		t.Fatalf("the registration is not kept for later: %v", h.prefs)
	}
	if live := h.fake.LiveKeys(); len(live) > 0 {
		t.Errorf("the wait's API key lives on: %v", live)
	}

	// Back later, in a new wizard built from the same preferences: Wait
	// for approval resumes, then the certificate is activated.
	again := newRegisterStep(wz)
	if again.authHash != rs.authHash || again.sentAt.IsZero() {
		t.Fatal("a new start lost the registration")
	}
	again.onStage, again.pollEvery = rs.onStage, rs.pollEvery
	again.uiDo, again.api = rs.uiDo, rs.api
	wz.register = again
	wz.steps[wz.stepIndex(stepRegister)].view = again.view
	wz.steps[wz.stepIndex(stepRegister)].leave = again.leave
	rs = again
	h.show(stepRegister)
	v = rs.v
	if v.resumeBtn.Disabled() || !v.registerBtn.Disabled() {
		t.Fatal("Wait for approval not offered after a restart")
	}
	posts := h.fake.Count("PUT", "/token-certificates/")
	test.Tap(v.resumeBtn)
	h.idle(t, &rs.sessionRunner, "approval and activation")
	if n := len(h.fake.Backups()); n != 3 {
		t.Fatalf("%d backups: none before the activation of a resumed wait", n)
	}
	if !rs.approved || !rs.active || !hasText(v.outcome, T("register.ok")) {
		t.Fatalf("approved %v active %v outcome %q", rs.approved, rs.active, labelsIn(v.outcome))
	}
	if n := h.fake.Count("PUT", "/token-certificates/"); n != posts+1 {
		t.Errorf("resume sent %d PUTs, want one (activate; no second registration)", n-posts)
	}
	for _, want := range []string{T("register.row.approved"), T("register.row.active")} {
		if !hasText(v.rows, want) {
			t.Errorf("rows %q lack %q", labelsIn(v.rows), want)
		}
	}
	wantStages := []string{"certificates_received", "certificates_received", "imported", "registered", "active"}
	if strings.Join(stages, ",") != strings.Join(wantStages, ",") {
		t.Errorf("stages %v, want %v", stages, wantStages)
	}
	// Configure again after the certificate is in: nothing to redo or send.
	h.show(stepConfigure)
	cs := wz.configure
	test.Tap(cs.v.initBtn)
	h.idle(t, &cs.sessionRunner, "configure after registration")
	if !hasText(cs.v.outcome, T("configure.ok_cert")) {
		t.Errorf("configure after registration: %q", labelsIn(cs.v.outcome))
	}
	logText, _ := os.ReadFile(h.logFile)
	for _, s := range append([]string{admin.Password}, h.fake.IssuedKeys()...) {
		if strings.Contains(string(logText), s) {
			t.Errorf("the log holds a secret (%d chars)", len(s))
		}
	}
}
