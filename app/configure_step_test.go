package app

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/sirupsen/logrus"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// The Configure and Register steps' keys are the wizard's own.
func init() { keyPrefixes = append(keyPrefixes, "configure", "register", "connect", "health") }

const cfgPIN = "Soft-Token-PIN-never-shown-42"

// cfgHarness is a wizard whose Server step points at a real sshd on
// loopback, through which the X-Road contract fake is reached.
type cfgHarness struct {
	wz      *wizard
	w       fyne.Window
	fake    *xroadtest.Server
	pump    uiPump
	prefs   mapPrefs
	logFile string
	dir     string
	host    *testhost.Host // the sshd (CutSSH)
}

func newCfgHarness(t *testing.T, opts xroadtest.Options) *cfgHarness {
	t.Helper()
	return newCfgHarnessOn(t, opts, testhost.Options{})
}

// newCfgHarnessOn is newCfgHarness on an sshd started with host.
func newCfgHarnessOn(t *testing.T, opts xroadtest.Options, host testhost.Options) *cfgHarness {
	t.Helper()
	h := testhost.StartSSHD(t, host)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SSH_AUTH_SOCK", "")
	_ = os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	testhost.WriteKnownHostsFile(t, filepath.Join(home, ".ssh", "known_hosts"), h.KnownHostsLine())

	// Everything logged during the test goes to a file the test reads.
	dir := t.TempDir()
	logFile := filepath.Join(dir, "run.log")
	f, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	out, level := log.Out, log.GetLevel()
	log.SetOutput(f)
	log.SetLevel(logrus.DebugLevel)
	t.Cleanup(func() { log.SetOutput(out); log.SetLevel(level); f.Close() })

	fake := xroadtest.StartWith(t, opts)
	prefs := mapPrefs{}
	wz, w := newTestWizard(t, prefs)
	p := *wz.profile
	p.CA.Name = xroadtest.CAName
	wz.profile = &p
	wz.state.Org = validOrg()
	wz.state.Server = Server{Remote: true, Host: h.IP, Port: strconv.Itoa(h.Port), User: h.User, Auth: AuthKey,
		KeyFile: h.ClientKeyPath, PublicIP: "93.184.216.34"}
	pump := make(uiPump)
	do := func(f func()) {
		done := make(chan struct{})
		pump <- func() { defer close(done); f() }
		<-done
	}
	wz.configure.uiDo, wz.register.uiDo = do, do
	wz.configure.api, wz.register.api = fake.AdminAPI(), fake.AdminAPI()
	return &cfgHarness{wz: wz, w: w, fake: fake, pump: pump, prefs: prefs, logFile: logFile, dir: dir, host: h}
}

// show puts step id on screen.
func (h *cfgHarness) show(id string) {
	h.wz.cur = h.wz.stepIndex(id)
	h.wz.showStep()
}

// idle runs UI updates until the step's work has ended.
func (h *cfgHarness) idle(t *testing.T, r *sessionRunner, what string) {
	t.Helper()
	h.pump.waitUntil(t, what, func() bool { return r.busy == "" })
}

func (h *cfgHarness) writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(h.dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// initialise fills the Configure form and runs Initialise to its end.
func (h *cfgHarness) initialise(t *testing.T) {
	t.Helper()
	cs := h.wz.configure
	v := cs.v
	v.anchorPath.SetText(h.writeFile(t, "anchor.xml", h.fake.Anchor(xroadtest.Instance)))
	v.pin.SetText(cfgPIN)
	v.pin2.SetText(cfgPIN)
	if v.initBtn.Disabled() {
		t.Fatalf("Initialise disabled: %q", v.problem.Text)
	}
	test.Tap(v.initBtn)
	h.idle(t, &cs.sessionRunner, "initialise")
}

// rowsTexts are the texts of the labels in box.
func rowStates(cs *configureStep) map[string]int {
	out := map[string]int{}
	for _, r := range cs.rows {
		out[r.id] = r.state
	}
	return out
}

// TestConfigureStepRealServer drives the Configure step against the
// contract fake through a real SSH tunnel: status, a wrong-instance anchor
// refused before anything is sent, the PIN policy, a full Initialise, a
// second run that skips everything, language switches keeping the form,
// and no secret in the log or preferences.
func TestConfigureStepRealServer(t *testing.T) {
	h := newCfgHarness(t, xroadtest.Options{})
	wz, cs := h.wz, h.wz.configure
	h.show(stepConfigure)
	v := cs.v
	if v == nil || !v.initBtn.Disabled() {
		t.Fatal("the page is not built or Initialise is enabled on an empty form")
	}
	if v.problem.Text != T("configure.form.admin_password") {
		t.Fatalf("empty form: %q", v.problem.Text)
	}
	admin := h.fake.Admin()
	v.adminUser.SetText(admin.User)
	test.Type(v.adminPW, admin.Password)
	test.Tap(v.refreshBtn)
	h.idle(t, &cs.sessionRunner, "status")
	if cs.status == nil || !hasText(v.statusRows, T("configure.st.anchor_no")) || !hasText(v.statusRows, T("configure.st.token_no")) {
		t.Fatalf("status of a fresh server: %q (notice %q)", labelsIn(v.statusRows), labelsIn(v.notice))
	}

	// An anchor of another instance: refused locally, in red, with what
	// to do; nothing reaches the server.
	v.anchorPath.SetText(h.writeFile(t, "other.xml", h.fake.Anchor("other-instance")))
	want := T("configure.anchor_wrong_instance", map[string]any{"Got": "other-instance", "Want": xroadtest.Instance})
	if v.anchorErr.Hidden || v.anchorErr.Text != want || v.anchorErr.Importance != widget.DangerImportance {
		t.Fatalf("wrong instance: %q (hidden %v)", v.anchorErr.Text, v.anchorErr.Hidden)
	}
	if !v.initBtn.Disabled() || !v.previewBtn.Disabled() || v.problem.Text != want {
		t.Fatalf("wrong anchor: Initialise disabled %v, preview disabled %v, problem %q", v.initBtn.Disabled(), v.previewBtn.Disabled(), v.problem.Text)
	}
	test.Tap(v.initBtn)
	test.Tap(v.previewBtn)
	if cs.busy != "" || h.fake.AnchorImported() || h.fake.Count("POST", "/system/anchor") > 0 || h.fake.Count("POST", "/initialization") > 0 {
		t.Fatal("a refused anchor went to the server")
	}

	// The right anchor: the file's facts, then the server's.
	good := h.writeFile(t, "anchor.xml", h.fake.Anchor(xroadtest.Instance))
	v.anchorPath.SetText(good)
	if !v.anchorErr.Hidden || !strings.Contains(v.anchorLocal.Text, xroadtest.Instance) || !strings.Contains(v.anchorLocal.Text, anchorHashText(cs.anchorInfo.Hash)) {
		t.Fatalf("local preview %q, error %q", v.anchorLocal.Text, v.anchorErr.Text)
	}
	test.Tap(v.previewBtn)
	h.idle(t, &cs.sessionRunner, "preview")
	if cs.serverAnchor == nil || v.anchorServer.Hidden || !strings.Contains(v.anchorServer.Text, xroadtest.Instance) {
		t.Fatalf("server preview %q, notice %q", v.anchorServer.Text, labelsIn(v.notice))
	}
	if h.fake.AnchorImported() {
		t.Fatal("the preview saved the anchor")
	}

	// The PIN policy, live.
	test.Type(v.pin, "short")
	test.Type(v.pin2, "short")
	if !v.initBtn.Disabled() || v.problem.Text != T("configure.form.pin_short", map[string]any{"Min": 15}) {
		t.Fatalf("short PIN: %q", v.problem.Text)
	}
	v.pin.SetText(cfgPIN)
	v.pin2.SetText(cfgPIN + "x")
	if !v.initBtn.Disabled() || v.problem.Text != T("configure.form.pin_differ") {
		t.Fatalf("differing PINs: %q", v.problem.Text)
	}

	// A language switch keeps the form.
	wz.switchLanguage("ru")
	v = cs.v
	if v.anchorPath.Text != good || v.pin.Text != cfgPIN || v.problem.Text != T("configure.form.pin_differ") || !strings.Contains(v.problem.Text, "PIN") {
		t.Fatalf("after switching to Russian: anchor %q, problem %q", v.anchorPath.Text, v.problem.Text)
	}
	wz.switchLanguage("en")
	v = cs.v

	h.initialise(t)
	// The fresh token is logged in by its initialisation: login may be found done.
	for id, st := range rowStates(cs) {
		if st != rowDone && !(id == "login" && st == rowAlreadyDone) {
			t.Errorf("first run: row %s state %d", id, st)
		}
	}
	if len(cs.rows) != 5 {
		t.Errorf("rows %+v, want anchor..auth_csr", cs.rows)
	}
	if !hasText(v.outcome, T("configure.ok")) {
		t.Fatalf("outcome %q", labelsIn(v.outcome))
	}
	auth, sign := wz.csrs.get()
	if auth == nil || auth.Where != keyOnSoftToken || sign != nil {
		t.Fatalf("hand-over: auth %v sign %v", auth, sign)
	}
	req, err := x509.ParseCertificateRequest(auth.DER)
	if err != nil {
		t.Fatal(err)
	}
	if !hasText(v.csrs, subjectText(req.Subject.String())) || !hasText(v.csrs, groupFingerprint(cs.auth.PublicKeySHA256)) {
		t.Fatalf("CSR preview %q", labelsIn(v.csrs))
	}
	if !hasText(v.statusRows, T("configure.st.anchor")) || !hasText(v.statusRows, T("configure.st.login")) || !hasText(v.statusRows, T("configure.st.tsa")) {
		t.Fatalf("status after the run: %q", labelsIn(v.statusRows))
	}
	if !v.pin2.Hidden {
		t.Error("the PIN is asked twice for a token that has one")
	}

	// Again, with no PIN: the token is logged in, so none is needed, and
	// the one typed is forgotten.
	if v.pin.Text != "" || v.pin2.Text != "" || cs.form.PIN != "" {
		t.Error("the PIN is kept after the token was logged in")
	}
	if v.initBtn.Disabled() || v.pinItem.HintText != T("configure.pin_hint_logged_in") {
		t.Fatalf("logged-in token: Initialise disabled %v (%q), hint %q", v.initBtn.Disabled(), v.problem.Text, v.pinItem.HintText)
	}
	test.Tap(v.initBtn)
	h.idle(t, &cs.sessionRunner, "second run")
	for id, st := range rowStates(cs) {
		if st != rowAlreadyDone {
			t.Errorf("second run: row %s state %d", id, st)
		}
	}
	if !hasText(v.rows, i18n.T("en", "configure.step.init", nil)+"  · "+T("configure.row_skipped")) {
		t.Errorf("rows %q", labelsIn(v.rows))
	}
	if a, _ := wz.csrs.get(); a == nil || string(a.DER) != string(auth.DER) {
		t.Error("the second run lost or changed the authentication CSR")
	}

	// The wizard opened again: a status read hands the server's CSR to
	// the Submit step, without a new run.
	wz.csrs.setAuth(nil)
	test.Tap(v.refreshBtn)
	h.idle(t, &cs.sessionRunner, "status after a restart")
	if a, _ := wz.csrs.get(); a == nil || string(a.DER) != string(auth.DER) || a.Where != keyOnSoftToken {
		t.Errorf("the server's CSR was not handed over: %+v", a)
	}

	// No API key left alive, no secret written anywhere.
	if live := h.fake.LiveKeys(); len(live) > 0 {
		t.Errorf("API keys not revoked: %v", live)
	}
	logText, _ := os.ReadFile(h.logFile)
	if !strings.Contains(string(logText), "server work done") {
		t.Fatal("the log file got nothing: the check below would prove nothing")
	}
	secrets := append([]string{cfgPIN, admin.Password}, h.fake.IssuedKeys()...)
	for _, s := range secrets {
		if strings.Contains(string(logText), s) {
			t.Errorf("the log holds a secret (%d chars)", len(s))
		}
		for k, val := range h.prefs {
			if str, ok := val.(string); ok && strings.Contains(str, s) {
				t.Errorf("preference %s holds a secret", k)
			}
		}
	}
	if h.prefs[prefCfgAnchor] != good || h.prefs[prefCfgAdminUser] != admin.User {
		t.Errorf("form not kept: %v", h.prefs)
	}
}

// Leaving the page cancels the run; its API key is revoked and Resume
// picks up where it stopped.
func TestConfigureStepCancelAndResume(t *testing.T) {
	h := newCfgHarness(t, xroadtest.Options{TSAAfterPolls: 1000})
	wz, cs := h.wz, h.wz.configure
	wz.install.form.AdminUser, wz.install.form.AdminPassword, wz.install.form.AdminPassword2 = h.fake.Admin().User, h.fake.Admin().Password, h.fake.Admin().Password
	h.show(stepConfigure)
	h.idle(t, &cs.sessionRunner, "status on entry")
	if cs.status == nil || !cs.v.adminBox.Hidden || cs.v.adminNote.Hidden {
		t.Fatalf("the Install step's login was not used: status %v", cs.status)
	}
	v := cs.v
	v.anchorPath.SetText(h.writeFile(t, "anchor.xml", h.fake.Anchor(xroadtest.Instance)))
	v.pin.SetText(cfgPIN)
	v.pin2.SetText(cfgPIN)
	test.Tap(v.initBtn)
	h.pump.waitUntil(t, "the TSA wait", func() bool { return rowStates(cs)["tsa"] == rowRunning })
	wz.Back()
	h.idle(t, &cs.sessionRunner, "cancel")
	if !cs.resumable {
		t.Fatal("a cancelled run is not resumable")
	}
	if live := h.fake.LiveKeys(); len(live) > 0 {
		t.Errorf("the cancelled run's API key lives on: %v", live)
	}
	h.show(stepConfigure)
	if cs.v.pin.Text != cfgPIN || cs.v.pin2.Text != cfgPIN || cs.v.anchorPath.Text == "" {
		t.Error("the form did not survive Back and Next")
	}
	if cs.v.initBtn.Text != T("configure.resume") || !hasText(cs.v.outcome, T("configure.cancelled")) {
		t.Fatalf("after a cancel: button %q, outcome %q", cs.v.initBtn.Text, labelsIn(cs.v.outcome))
	}
	st := rowStates(cs)
	if st["anchor"] != rowDone || st["init"] != rowDone || st["tsa"] != rowFailed {
		t.Errorf("rows after a cancel: %v", st)
	}
}

// With the signing key on a hardware token at the server, both CSRs are
// made there and both are handed to the Submit step.
func TestConfigureStepSignOnServer(t *testing.T) {
	h := newCfgHarness(t, xroadtest.Options{HardwareToken: true})
	wz, cs := h.wz, h.wz.configure
	h.show(stepConfigure)
	v := cs.v
	if !v.hwBox.Hidden {
		t.Fatal("the hardware token fields are shown for a key on the token at this computer")
	}
	h.pickPlacement(t, profile.PlacementServerHWToken)
	h.show(stepConfigure)
	v = cs.v
	v.adminUser.SetText(h.fake.Admin().User)
	v.adminPW.SetText(h.fake.Admin().Password)
	if v.hwBox.Hidden {
		t.Fatal("the hardware token fields are hidden")
	}
	v.anchorPath.SetText(h.writeFile(t, "anchor.xml", h.fake.Anchor(xroadtest.Instance)))
	v.pin.SetText(cfgPIN)
	v.pin2.SetText(cfgPIN)
	if v.problem.Text != T("configure.form.hw_token") {
		t.Fatalf("no token id: %q", v.problem.Text)
	}
	v.hwToken.SetText(xroadtest.HWTokenID)
	if v.problem.Text != T("configure.form.hw_pin") {
		t.Fatalf("no token PIN: %q", v.problem.Text)
	}
	v.hwPIN.SetText(xroadtest.HWPIN)
	test.Tap(v.initBtn)
	h.idle(t, &cs.sessionRunner, "initialise")
	if st := rowStates(cs); st["sign_csr"] != rowDone || st["auth_csr"] != rowDone {
		t.Fatalf("rows %v, outcome %q", st, labelsIn(v.outcome))
	}
	auth, sign := wz.csrs.get()
	if auth == nil || sign == nil || string(auth.DER) == string(sign.DER) || sign.Where != keyOnServerToken || sign.Token != xroadtest.HWTokenID {
		t.Fatalf("hand-over: auth %v, sign %v", auth != nil, sign)
	}
	if !hasText(v.csrs, T("configure.sign_csr")) {
		t.Errorf("the signing CSR is not shown: %q", labelsIn(v.csrs))
	}
	if h.prefs[prefCfgHWToken] != xroadtest.HWTokenID || h.prefs[prefSignPlacement] != profile.PlacementServerHWToken {
		t.Errorf("options not kept: %v", h.prefs)
	}
	// The server's hardware token is offered by ID, and being logged in
	// now it needs no PIN.
	if opts := cs.hardwareTokenIDs(); len(opts) != 1 || opts[0] != xroadtest.HWTokenID {
		t.Errorf("hardware tokens offered: %v", opts)
	}
	if v.hwPIN.Text != "" || cs.form.HWPIN != "" {
		t.Error("the hardware token PIN is kept after the run")
	}
	if v.initBtn.Disabled() {
		t.Errorf("logged-in hardware token still wants its PIN: %q", v.problem.Text)
	}

	// Both certificates come back and are imported together.
	rs := wz.register
	h.show(stepRegister)
	rs.v.authPath.SetText(h.writeFile(t, "auth.der", h.fake.Issue(t, auth.DER)))
	rs.v.signPath.SetText(h.writeFile(t, "sign.der", h.fake.Issue(t, sign.DER)))
	test.Tap(rs.v.importBtn)
	h.idle(t, &rs.sessionRunner, "import of both")
	if len(rs.imported) != 2 || rs.authHash == "" || isAuthUsage(rs.imported[1].Usage) {
		t.Fatalf("imported %+v, outcome %q", rs.imported, labelsIn(rs.v.outcome))
	}
	logText, _ := os.ReadFile(h.logFile)
	for _, s := range []string{cfgPIN, xroadtest.HWPIN, h.fake.Admin().Password} {
		if strings.Contains(string(logText), s) {
			t.Errorf("the log holds a secret (%d chars)", len(s))
		}
		for k, val := range h.prefs {
			if str, ok := val.(string); ok && strings.Contains(str, s) {
				t.Errorf("preference %s holds a secret", k)
			}
		}
	}
}
