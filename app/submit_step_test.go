package app

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets"
	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets/secretstest"
)

var (
	csrKeysOnce sync.Once
	csrKeys     [2]*rsa.PrivateKey
	csrKeysErr  error
)

// testCSR is a real CSR (crypto/x509) for a fresh RSA key; i picks one of
// two keys (X-Road needs different keys for the two certificates).
func testCSR(t *testing.T, i int, cn string) []byte {
	t.Helper()
	csrKeysOnce.Do(func() {
		for j := range csrKeys {
			if csrKeys[j], csrKeysErr = rsa.GenerateKey(rand.Reader, 2048); csrKeysErr != nil {
				return
			}
		}
	})
	if csrKeysErr != nil {
		t.Fatal(csrKeysErr)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{Country: []string{"KG"}, SerialNumber: "70000001", CommonName: cn},
	}, csrKeys[i])
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// setTestCSRs hands both CSRs to the Submit step, as Configure and
// Certificates do.
func setTestCSRs(t *testing.T, wz *wizard) (auth, sign []byte) {
	t.Helper()
	auth, sign = testCSR(t, 0, "SS1"), testCSR(t, 1, "Министерство цифрового развития")
	wz.csrs.setAuth(&madeCSR{DER: auth, Where: keyOnSoftToken})
	wz.csrs.setSign(&madeCSR{DER: sign, Where: keyOnRutoken, Token: "0a1b2c3d"})
	return auth, sign
}

// prepareSubmission puts an application of h's organisation with the two
// CSRs into the store at dir, at stage prepared.
func prepareSubmission(t *testing.T, h *submitHarness, dir string, auth, sign []byte) (*enroll.Store, enroll.Record) {
	t.Helper()
	store, err := enroll.OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, rec, err := store.Create(enroll.Input{Participant: h.wz.submit.participant(), Lang: "en",
		CSRs: []enroll.CSR{{Usage: enroll.UsageAuth, DER: auth, Source: "a"}, {Usage: enroll.UsageSign, DER: sign, Source: "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	return store, rec
}

// submitHarness is a wizard on the Submit step with its own store, prefs
// and a UI pump.
type submitHarness struct {
	wz    *wizard
	prefs mapPrefs
	pump  uiPump
	done  chan struct{}
	dir   string
}

func newSubmitHarness(t *testing.T, storeDir string, prefs mapPrefs) *submitHarness {
	t.Helper()
	if prefs == nil {
		prefs = mapPrefs{}
	}
	wz, _ := newTestWizard(t, prefs)
	h := &submitHarness{wz: wz, prefs: prefs, pump: newUIPump(wz), done: make(chan struct{}, 4), dir: storeDir}
	wz.submit.storeDir = storeDir
	wz.submit.uiDo = wz.token.uiDo
	wz.submit.afterRun = func() { h.done <- struct{}{} }
	wz.submit.openURL = func(*url.URL) error { return nil } // no desktop in tests
	wz.state.Org = validOrg()
	wz.state.Server.PublicIP = "93.184.216.34"
	wz.submit.recordFor = "" // read again from this store
	return h
}

// show moves to the Submit step (every step before it is valid).
func (h *submitHarness) show(t *testing.T) *submitWidgets {
	t.Helper()
	if !h.wz.goTo(h.wz.stepIndex(stepSubmit)) {
		t.Fatalf("Submit not reached: at %s (%q)", h.wz.stepID(), h.wz.message.Text)
	}
	return h.wz.submit.v
}

func (h *submitHarness) chooseVia(t *testing.T, via enroll.Via) {
	t.Helper()
	v := h.wz.submit.v
	for label, w := range v.viaLabels {
		if w == via {
			v.via.SetSelected(label)
			return
		}
	}
	t.Fatalf("%s not offered", via)
}

// send taps Send and runs the UI until the delivery ends.
func (h *submitHarness) send(t *testing.T) {
	t.Helper()
	v := h.wz.submit.v
	if v.send.Disabled() {
		t.Fatalf("Send disabled: %q", v.status.Text)
	}
	test.Tap(v.send)
	h.pump.wait(t, h.done, "the delivery")
}

func (h *submitHarness) outcomeText() string {
	return strings.Join(labelsIn(h.wz.submit.v.outcome), "\n")
}

func (h *submitHarness) record(t *testing.T) enroll.Record {
	t.Helper()
	rec, err := latestRecord(h.dir, h.wz.state.Org)
	if err != nil || rec == nil {
		t.Fatalf("no record: %v", err)
	}
	return *rec
}

func findButtonIn(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	walk(o, func(c fyne.CanvasObject) {
		if b, ok := c.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no button %q", text)
	}
	return found
}

func TestSubmitBlocksWithoutCSRs(t *testing.T) {
	h := newSubmitHarness(t, t.TempDir(), nil)
	wz := h.wz
	v := h.show(t)
	h.chooseVia(t, enroll.ViaFolder)
	v.folder.SetText(t.TempDir())
	if !wz.next.Disabled() || wz.message.Text != T("submit.err.no_auth_csr")+" "+T("nav.more_problems", map[string]any{"Count": 1}) {
		t.Errorf("no CSRs: next disabled %v, message %q", wz.next.Disabled(), wz.message.Text)
	}
	if !v.send.Disabled() || v.status.Text != T("submit.err.no_auth_csr") {
		t.Errorf("no CSRs: send disabled %v, status %q", v.send.Disabled(), v.status.Text)
	}
	texts := labelsIn(v.contents)
	if !contains(texts, T("submit.item.auth_missing")) || !contains(texts, T("submit.item.sign_missing")) {
		t.Errorf("contents %q", texts)
	}
	findButtonIn(t, v.contents, T("submit.go_certificates"))
	// A tap on a disabled Send does nothing: no store is made.
	test.Tap(v.send)
	wz.submit.send()
	if _, err := os.Stat(filepath.Join(h.dir, ".outbox")); err == nil || wz.submit.running {
		t.Error("send ran without CSRs")
	}
	if ents, _ := os.ReadDir(h.dir); len(ents) != 0 {
		t.Errorf("store has %d entries", len(ents))
	}

	// One CSR made: Next waits for the other (or for a sent application),
	// Send sends what is ready, saying the other follows.
	wz.csrs.setAuth(&madeCSR{DER: testCSR(t, 0, "SS1"), Where: keyOnSoftToken})
	wz.submit.refresh()
	if !wz.next.Disabled() || wz.message.Text != T("submit.err.no_sign_csr") {
		t.Errorf("auth only: next disabled %v, message %q", wz.next.Disabled(), wz.message.Text)
	}
	if v.send.Disabled() || v.send.Text != T("submit.send_ready") || !contains(labelsIn(v.contents), T("submit.partial.todo.sign")) {
		t.Errorf("auth only: send disabled %v %q, status %q, contents %q", v.send.Disabled(), v.send.Text, v.status.Text, labelsIn(v.contents))
	}
	wz.csrs.setSign(&madeCSR{DER: testCSR(t, 1, "Org"), Where: keyOnRutoken, Token: "0a1b2c3d"})
	wz.submit.refresh()
	if wz.next.Disabled() || v.send.Disabled() || v.send.Text != T("submit.send") {
		t.Errorf("both CSRs: next disabled %v send disabled %v %q (%q)", wz.next.Disabled(), v.send.Disabled(), v.send.Text, v.status.Text)
	}
	// Without a public address the operator cannot be told where the
	// server is: Send waits, with the reason.
	wz.state.Server.PublicIP = ""
	wz.submit.refresh()
	if !v.send.Disabled() || v.status.Text != T("submit.err.address") {
		t.Errorf("no address: send disabled %v status %q", v.send.Disabled(), v.status.Text)
	}
}

func TestSubmitToFolderWritesVerifiedPackage(t *testing.T) {
	h := newSubmitHarness(t, t.TempDir(), nil)
	auth, sign := setTestCSRs(t, h.wz)
	// A readiness check ran in this session: its report goes along.
	rep := &checks.Report{Schema: checks.Schema, Target: checks.Target{Host: "ss1", Local: true},
		Results: []checks.Result{sample(checks.Fail, "disk"), sample(checks.Pass, "ram")}}
	rep.Summary = counts(rep.Results)
	h.wz.readiness.report = rep
	v := h.show(t)
	if !contains(labelsIn(v.contents), T("submit.item.report", map[string]any{"Pass": 1, "Warn": 0, "Fail": 1})) {
		t.Errorf("contents %q", labelsIn(v.contents))
	}
	h.chooseVia(t, enroll.ViaFolder)
	usb := t.TempDir()
	v.folder.SetText(usb)
	h.send(t)

	out, err := filepath.Glob(filepath.Join(usb, "*"))
	if err != nil || len(out) != 1 {
		t.Fatalf("folder holds %v (%v); outcome %q", out, err, h.outcomeText())
	}
	p, err := enroll.Open(out[0])
	if err != nil {
		t.Fatalf("copy does not verify: %v", err)
	}
	hashes := map[string]bool{}
	for _, f := range p.Manifest.Files {
		hashes[f.SHA256] = true
	}
	for _, der := range [][]byte{auth, sign} {
		sum := sha256.Sum256(der)
		if !hashes[hex.EncodeToString(sum[:])] {
			t.Error("a CSR is missing from the package")
		}
	}
	for _, name := range []string{enroll.ReportJSONName, enroll.ReportHTMLName} {
		data, err := os.ReadFile(filepath.Join(out[0], name))
		if err != nil || !strings.Contains(string(data), "disk") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if p.Manifest.Participant.MemberCode != "70000001" || p.Manifest.Participant.ServerAddress != "93.184.216.34" {
		t.Errorf("participant %+v", p.Manifest.Participant)
	}
	if !strings.Contains(h.outcomeText(), T("submit.folder_written")) || !strings.Contains(h.outcomeText(), out[0]) {
		t.Errorf("outcome %q", h.outcomeText())
	}
	if h.prefs[prefSubmitFolder] != usb || h.prefs[prefSubmitVia] != string(enroll.ViaFolder) {
		t.Errorf("prefs %v", h.prefs)
	}
	// Written is not sent: the user says when it went.
	if rec := h.record(t); rec.Stage != enroll.StagePrepared {
		t.Fatalf("stage %s before the hand-over", rec.Stage)
	}
	test.Tap(findButtonIn(t, v.outcome, T("submit.mark_sent.folder")))
	rec := h.record(t)
	if rec.Stage != enroll.StageSent || rec.Via != enroll.ViaFolder {
		t.Errorf("after hand-over: %s via %s", rec.Stage, rec.Via)
	}
	if !contains(labelsIn(v.timeline), T("submit.stage.sent")+" · "+when(rec.History[len(rec.History)-1].At)+" · "+T("submit.sent_via.folder", map[string]any{"Note": ""})) {
		t.Errorf("timeline %q", labelsIn(v.timeline))
	}
	// Sending again another way reuses the same application.
	h.chooseVia(t, enroll.ViaFolder)
	usb2 := t.TempDir()
	v.folder.SetText(usb2)
	h.send(t)
	if again, _ := filepath.Glob(filepath.Join(usb2, "*")); len(again) != 1 || filepath.Base(again[0]) != filepath.Base(out[0]) {
		t.Errorf("second copy %v, first %s", again, out[0])
	}
	if recs, _ := os.ReadDir(h.dir); countDirs(recs) != 1 {
		t.Errorf("store holds %d applications", countDirs(recs))
	}
}

func countDirs(ents []os.DirEntry) int {
	n := 0
	for _, e := range ents {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			n++
		}
	}
	return n
}

// testTLS is a self-signed certificate for 127.0.0.1 and a client config
// that trusts it.
func testTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, &tls.Config{RootCAs: pool}
}

// mailServer is a real SMTP server (go-smtp) on loopback that keeps what
// it receives.
type mailServer struct {
	mu                 sync.Mutex
	port               int
	user, pass         string
	logins             []string
	from               string
	to                 []string
	data               []byte
	tlsSeen, authTried bool
}

type mailSession struct {
	s    *mailServer
	conn *smtp.Conn
}

func (ms *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (ms *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		ms.s.mu.Lock()
		defer ms.s.mu.Unlock()
		ms.s.authTried = true
		_, isTLS := ms.conn.TLSConnectionState()
		ms.s.tlsSeen = isTLS
		if user != ms.s.user || pass != ms.s.pass {
			return errors.New("bad login")
		}
		ms.s.logins = append(ms.s.logins, user)
		return nil
	}), nil
}
func (ms *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	ms.s.mu.Lock()
	ms.s.from = from
	ms.s.mu.Unlock()
	return nil
}
func (ms *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ms.s.mu.Lock()
	ms.s.to = append(ms.s.to, to)
	ms.s.mu.Unlock()
	return nil
}
func (ms *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	ms.s.mu.Lock()
	ms.s.data = b
	ms.s.mu.Unlock()
	return err
}
func (ms *mailSession) Reset()        {}
func (ms *mailSession) Logout() error { return nil }

// startMail serves SMTP on 127.0.0.1; tlsCfg nil: no STARTTLS offered.
func startMail(t *testing.T, tlsCfg *tls.Config) *mailServer {
	t.Helper()
	ms := &mailServer{user: "it@agency.gov.kg", pass: "Smtp-Secret-4711!"}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &mailSession{s: ms, conn: c}, nil }))
	srv.Domain = "localhost"
	srv.TLSConfig = tlsCfg
	srv.AllowInsecureAuth = tlsCfg == nil // a careless server: would take a password in clear
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms.port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return ms
}

func (h *submitHarness) fillSMTP(t *testing.T, ms *mailServer, clientTLS *tls.Config) {
	t.Helper()
	h.wz.submit.smtpTLS = clientTLS
	v := h.wz.submit.v
	h.chooseVia(t, enroll.ViaSMTP)
	v.smtpHost.SetText("127.0.0.1")
	v.smtpPort.SetText(fmt.Sprint(ms.port))
	v.smtpUser.SetText(ms.user)
	v.smtpPW.SetText(ms.pass)
	v.smtpFrom.SetText(ms.user)
}

// captureLog sends the logger's output (the log file in a real run) to a
// file for the test, at the most verbose level.
func captureLog(t *testing.T) string {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "tunduk-onboard.log"))
	if err != nil {
		t.Fatal(err)
	}
	out, level := log.Out, log.GetLevel()
	log.SetOutput(f)
	log.SetLevel(6) // trace
	t.Cleanup(func() { log.SetOutput(out); log.SetLevel(level); f.Close() })
	return f.Name()
}

func TestSubmitBySMTPWithSTARTTLS(t *testing.T) {
	logFile := captureLog(t)
	serverTLS, clientTLS := testTLS(t)
	ms := startMail(t, serverTLS)
	dir := t.TempDir()
	h := newSubmitHarness(t, dir, nil)
	auth, _ := setTestCSRs(t, h.wz)
	h.show(t)
	h.fillSMTP(t, ms, clientTLS)
	h.send(t)

	ms.mu.Lock()
	from, to, data, logins, tlsSeen := ms.from, ms.to, string(ms.data), ms.logins, ms.tlsSeen
	ms.mu.Unlock()
	if len(logins) != 1 || !tlsSeen {
		t.Errorf("logins %v, inside TLS %v; outcome %q", logins, tlsSeen, h.outcomeText())
	}
	if from != ms.user || len(to) != 1 || to[0] != h.wz.profile.CA.Email {
		t.Errorf("envelope from %q to %v", from, to)
	}
	rec := h.record(t)
	if !strings.Contains(data, rec.ID) || !strings.Contains(data, "Content-Disposition: attachment") {
		t.Errorf("message lacks the package: %.400q", data)
	}
	// The authentication CSR is attached byte for byte (base64 in the mail).
	if !strings.Contains(strings.ReplaceAll(data, "\r\n", ""), b64(auth)[:60]) {
		t.Error("authentication CSR not attached")
	}
	if rec.Stage != enroll.StageSent || rec.Via != enroll.ViaSMTP {
		t.Errorf("record %s via %s", rec.Stage, rec.Via)
	}
	if !strings.Contains(h.outcomeText(), T("submit.sent.smtp", map[string]any{"To": h.wz.profile.CA.Email})) {
		t.Errorf("outcome %q", h.outcomeText())
	}

	// The password is in no preference and nowhere in the log.
	for k, v := range h.prefs {
		if s, ok := v.(string); ok && strings.Contains(s, ms.pass) {
			t.Errorf("password in preference %s", k)
		}
	}
	if h.prefs[prefSMTPHost] != "127.0.0.1" || h.prefs[prefSMTPUser] != ms.user || h.prefs[prefSMTPFrom] != ms.user {
		t.Errorf("SMTP settings not kept: %v", h.prefs)
	}
	logged, _ := os.ReadFile(logFile)
	if strings.Contains(string(logged), ms.pass) {
		t.Error("password in the log")
	}
	if !strings.Contains(string(logged), "submission delivered") {
		t.Errorf("log did not capture the run: %.300s", logged)
	}

	// A restart: a new wizard on the same store and preferences shows the
	// application as sent, and the SMTP form without the password.
	h2 := newSubmitHarness(t, dir, h.prefs)
	v2 := h2.show(t)
	tl := strings.Join(labelsIn(v2.timeline), "\n")
	if !strings.Contains(tl, T("submit.stage.sent")) || !strings.Contains(tl, T("submit.sent_via.smtp", map[string]any{"Note": "127.0.0.1"})) ||
		!strings.Contains(tl, rec.ID) {
		t.Errorf("timeline after restart %q", tl)
	}
	if h2.wz.submit.form.Via != enroll.ViaSMTP || v2.smtpHost.Text != "127.0.0.1" || v2.smtpPW.Text != "" {
		t.Errorf("form after restart: via %s host %q password kept %v", h2.wz.submit.form.Via, v2.smtpHost.Text, v2.smtpPW.Text != "")
	}
}

func b64(b []byte) string {
	const enc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var sb strings.Builder
	for i := 0; i+2 < len(b); i += 3 {
		n := uint(b[i])<<16 | uint(b[i+1])<<8 | uint(b[i+2])
		sb.WriteByte(enc[n>>18&63])
		sb.WriteByte(enc[n>>12&63])
		sb.WriteByte(enc[n>>6&63])
		sb.WriteByte(enc[n&63])
	}
	return sb.String()
}

func TestSubmitRefusesSMTPWithoutSTARTTLS(t *testing.T) {
	logFile := captureLog(t)
	ms := startMail(t, nil)
	h := newSubmitHarness(t, t.TempDir(), nil)
	setTestCSRs(t, h.wz)
	h.show(t)
	h.fillSMTP(t, ms, nil)
	h.send(t)

	server := fmt.Sprintf("127.0.0.1:%d", ms.port)
	want := i18n.T("en", "enroll.err.smtp_no_starttls", map[string]any{"Server": server})
	if want == "enroll.err.smtp_no_starttls" {
		t.Fatal("refusal not translated")
	}
	out := h.outcomeText()
	if !strings.Contains(out, want) || !strings.Contains(out, T("submit.failed.todo.smtp")) {
		t.Errorf("outcome %q, want %q", out, want)
	}
	ms.mu.Lock()
	if ms.authTried || ms.from != "" || len(ms.to) != 0 || ms.data != nil {
		t.Errorf("something was sent: auth %v from %q to %v data %d bytes", ms.authTried, ms.from, ms.to, len(ms.data))
	}
	ms.mu.Unlock()
	// The application is kept, not sent; nothing secret anywhere.
	if rec := h.record(t); rec.Stage != enroll.StagePrepared {
		t.Errorf("stage %s", rec.Stage)
	}
	logged, _ := os.ReadFile(logFile)
	if strings.Contains(string(logged), ms.pass) || strings.Contains(out, ms.pass) {
		t.Error("password in the log or on screen")
	}
	// In Russian too.
	if err := SetLanguage("ru"); err != nil {
		t.Fatal(err)
	}
	h.wz.submit.refresh()
	if ru := i18n.T("ru", "enroll.err.smtp_no_starttls", map[string]any{"Server": server}); ru == want || !strings.Contains(h.outcomeText(), ru) {
		t.Errorf("Russian outcome %q", h.outcomeText())
	}
}

func TestSubmitByHTTPSThroughOutbox(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	fails := 2
	arrived := 0
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		io.Copy(io.Discard, r.Body)
		if fails > 0 {
			fails--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		arrived++
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	dir := t.TempDir()
	prefs := mapPrefs{}
	newHarness := func() *submitHarness {
		h := newSubmitHarness(t, dir, prefs)
		setIntakeURL(t, h.wz, srv.URL+"/intake")
		h.wz.submit.httpClient = srv.Client()
		h.wz.submit.tuneOutbox = func(o *enroll.Outbox) { o.MaxAttempts, o.BackoffBase = 1, time.Millisecond }
		return h
	}
	h := newHarness()
	setTestCSRs(t, h.wz)
	v := h.show(t)
	h.chooseVia(t, enroll.ViaHTTPS)
	h.send(t)
	if !strings.Contains(h.outcomeText(), T("submit.queued")) || h.wz.submit.pending != 1 || v.retry.Disabled() {
		t.Fatalf("after a failed attempt: outcome %q pending %d", h.outcomeText(), h.wz.submit.pending)
	}
	if rec := h.record(t); rec.Stage != enroll.StagePrepared {
		t.Errorf("stage %s", rec.Stage)
	}

	// A restart retries what waits (and fails once more), then Retry
	// delivers it.
	h2 := newHarness()
	// Retry is pressed once the start-up retry is over: pressed while it
	// still held the outbox, Retry was told another program sends it.
	retried := false
	h2.wz.submit.startRetried = func() { retried = true }
	h2.wz.submit.retryAtStart()
	h2.pump.waitUntil(t, "the start-up retry", func() bool { return retried })
	mu.Lock()
	if len(keys) != 2 {
		t.Errorf("the start-up retry sent %d requests in all, want 2", len(keys))
	}
	mu.Unlock()
	v2 := h2.show(t)
	h2.pump.waitUntil(t, "the outbox count", func() bool { h2.wz.submit.loadRecord(); return h2.wz.submit.pending == 1 })
	h2.wz.submit.refresh()
	test.Tap(v2.retry)
	h2.pump.wait(t, h2.done, "Retry")
	mu.Lock()
	defer mu.Unlock()
	if arrived != 1 || len(keys) != 3 || keys[0] == "" || keys[1] != keys[0] || keys[2] != keys[0] {
		t.Errorf("arrived %d, keys %v", arrived, keys)
	}
	rec := h2.record(t)
	if rec.Stage != enroll.StageSent || rec.Via != enroll.ViaHTTPS || h2.wz.submit.pending != 0 {
		t.Errorf("record %s via %s, pending %d", rec.Stage, rec.Via, h2.wz.submit.pending)
	}
	if !strings.Contains(h2.outcomeText(), T("submit.sent.https")) {
		t.Errorf("outcome %q", h2.outcomeText())
	}
}

// After a restart the CSRs of the last run are gone, but an application
// already sent lets the user go on (to the certificates); Send stays off.
func TestSubmitSentEarlierLetsNextThrough(t *testing.T) {
	dir := t.TempDir()
	h := newSubmitHarness(t, dir, nil)
	auth, sign := setTestCSRs(t, h.wz)
	store, rec := prepareSubmission(t, h, dir, auth, sign)
	h2 := newSubmitHarness(t, dir, nil) // no CSRs in this run
	v := h2.show(t)
	if !h2.wz.next.Disabled() {
		t.Error("prepared but not sent: Next enabled without CSRs")
	}
	if _, err := store.Advance(rec.ID, enroll.StageSent, enroll.ViaFolder, ""); err != nil {
		t.Fatal(err)
	}
	h3 := newSubmitHarness(t, dir, nil)
	v = h3.show(t)
	if h3.wz.next.Disabled() || h3.wz.message.Text != "" {
		t.Errorf("sent earlier: next disabled %v (%q)", h3.wz.next.Disabled(), h3.wz.message.Text)
	}
	if !v.send.Disabled() || v.status.Text != T("submit.err.no_auth_csr") {
		t.Errorf("Send without CSRs: disabled %v status %q", v.send.Disabled(), v.status.Text)
	}
	// Another organisation has sent nothing: blocked again.
	h3.wz.state.Org.MemberCode = "70000002"
	h3.wz.refreshNav()
	if !h3.wz.next.Disabled() {
		t.Error("another organisation: Next enabled without CSRs")
	}
}

func TestSubmitHTTPSOfferedOnlyWithIntake(t *testing.T) {
	h := newSubmitHarness(t, t.TempDir(), mapPrefs{prefSubmitVia: string(enroll.ViaHTTPS)})
	v := h.show(t)
	for _, via := range v.viaLabels {
		if via == enroll.ViaHTTPS {
			t.Error("HTTPS offered without an intake URL")
		}
	}
	if h.wz.submit.form.Via != enroll.ViaEmail {
		t.Errorf("saved via https without intake: %s", h.wz.submit.form.Via)
	}
}

func TestSubmitEmailOpensLetter(t *testing.T) {
	h := newSubmitHarness(t, t.TempDir(), nil)
	var opened []string
	h.wz.submit.openURL = func(u *url.URL) error { opened = append(opened, u.String()); return nil }
	setTestCSRs(t, h.wz)
	v := h.show(t)
	h.chooseVia(t, enroll.ViaEmail)
	h.send(t)
	rec := h.record(t)
	eml := filepath.Join(rec.Dir, "submission.eml")
	if len(opened) != 1 || !strings.HasPrefix(opened[0], "file://") || !strings.HasSuffix(opened[0], "/submission.eml") {
		t.Fatalf("opened %v; outcome %q", opened, h.outcomeText())
	}
	data, err := os.ReadFile(eml)
	if err != nil || !strings.Contains(string(data), h.wz.profile.CA.Email) {
		t.Fatalf("letter %v", err)
	}
	test.Tap(findButtonIn(t, v.outcome, T("submit.show_folder")))
	if len(opened) != 2 || !strings.HasSuffix(opened[1], rec.ID) {
		t.Errorf("show folder opened %v", opened)
	}
	if rec.Stage != enroll.StagePrepared {
		t.Errorf("stage %s before the user sent it", rec.Stage)
	}
	test.Tap(findButtonIn(t, v.outcome, T("submit.mark_sent.email")))
	if rec := h.record(t); rec.Stage != enroll.StageSent || rec.Via != enroll.ViaEmail {
		t.Errorf("after I have sent it: %s via %s", rec.Stage, rec.Via)
	}
}

func TestSummaryAfterSentSubmission(t *testing.T) {
	dir := t.TempDir()
	h := newSubmitHarness(t, dir, nil)
	auth, sign := setTestCSRs(t, h.wz)
	// Nothing sent yet.
	if !h.wz.goTo(h.wz.stepIndex(stepSummary)) {
		t.Fatalf("Summary not reached: %s", h.wz.stepID())
	}
	texts := labelsIn(h.wz.page)
	for _, want := range []string{T("summary.submission_none"), T("summary.wait_nothing"), T("summary.next_send"), T("summary.readiness_none"),
		T("summary.auth_csr", map[string]any{"Date": when(h.wz.rec.snapshot().LatestCSR("auth").MadeAt), "Source": i18n.T("en", "csr.where.soft_token", nil)})} {
		if !contains(texts, want) {
			t.Errorf("before sending, summary lacks %q: %q", want, texts)
		}
	}

	store, err := enroll.OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	in := enroll.Input{Participant: h.wz.submit.participant(), Lang: "en",
		CSRs: []enroll.CSR{{Usage: enroll.UsageAuth, DER: auth, Source: "a"}, {Usage: enroll.UsageSign, DER: sign, Source: "b"}}}
	_, rec, err := store.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	if rec, err = store.Advance(rec.ID, enroll.StageSent, enroll.ViaSMTP, "smtp.agency.gov.kg"); err != nil {
		t.Fatal(err)
	}
	// Another organisation's newer application is not ours.
	other := in
	other.Participant.MemberCode = "70000002"
	if _, _, err := store.Create(other); err != nil {
		t.Fatal(err)
	}
	sent := rec.History[len(rec.History)-1].At
	h.wz.Back()
	h.wz.Next()
	texts = labelsIn(h.wz.page)
	how := T("submit.sent_via.smtp", map[string]any{"Note": "smtp.agency.gov.kg"})
	for _, want := range []string{
		T("summary.submission_sent", map[string]any{"ID": rec.ID, "Date": when(sent), "How": how}),
		T("summary.wait_certs", map[string]any{"CA": h.wz.caTitle()}),
		T("summary.wait_approval"),
		T("summary.next_import"),
		T("summary.next_catalogue"),
	} {
		if !contains(texts, want) {
			t.Errorf("summary lacks %q: %q", want, texts)
		}
	}
	for _, not := range []string{T("summary.submission_none"), T("summary.next_send"), T("summary.wait_nothing")} {
		if contains(texts, not) {
			t.Errorf("summary of a sent application says %q", not)
		}
	}
	if !h.wz.next.Disabled() {
		t.Error("Next enabled on the Summary")
	}

	// Register records later stages through advanceLatest; a stage
	// already passed is not repeated.
	h.wz.submit.onStage("certificates_received")
	if err := h.wz.submit.advanceLatest(enroll.StagePrepared, ""); err != nil {
		t.Fatal(err)
	}
	if r := h.record(t); r.ID != rec.ID || r.Stage != enroll.StageCertsReceived || len(r.History) != 3 {
		t.Fatalf("after advanceLatest: %s %s %d events", r.ID, r.Stage, len(r.History))
	}
	h.wz.Back()
	h.wz.Next()
	texts = labelsIn(h.wz.page)
	if !contains(texts, T("submit.stage.certificates_received")+" · "+when(h.record(t).History[2].At)) ||
		contains(texts, T("summary.wait_certs", map[string]any{"CA": h.wz.profile.CA.Name})) || !contains(texts, T("summary.wait_approval")) {
		t.Errorf("summary after the certificates came: %q", texts)
	}
}

// Every submit.* and summary.* key the code uses is in all three
// catalogues (the shared key scan does not look at these prefixes), and
// the Russian and Kyrgyz texts are not English left over.
func TestSubmitTranslations(t *testing.T) {
	re := regexp.MustCompile(`"((?:submit|summary|step)\.[a-z_.]+)"`)
	used := map[string]bool{}
	for _, f := range []string{"step_submit.go", "submit_run.go", "submit_status.go", "step_summary.go"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
	if len(used) < 100 {
		t.Fatalf("only %d keys found", len(used))
	}
	en := loadCatalog(t, "en")
	for _, code := range Languages {
		cat := loadCatalog(t, code)
		for k := range used {
			if cat[k] == "" {
				t.Errorf("%s.json lacks %q", code, k)
			} else if code != "en" && cat[k] == en[k] && strings.ContainsAny(en[k], "aeiou ") && !strings.Contains(k, "placeholder") {
				t.Errorf("%s.json %q is the English text", code, k)
			}
		}
	}
}

func setIntakeURL(t *testing.T, wz *wizard, u string) {
	t.Helper()
	wz.profile.CA.IntakeURL = u
}

// The SMTP password is remembered in the OS keyring only when asked, read
// back after a restart, forgotten when the box is unticked, and never in
// the preferences or the log.
func TestSubmitSMTPPasswordInKeyringOnly(t *testing.T) {
	secretstest.StartKeyring(t)
	logFile := captureLog(t)
	serverTLS, clientTLS := testTLS(t)
	ms := startMail(t, serverTLS)
	dir := t.TempDir()
	h := newSubmitHarness(t, dir, nil)
	setTestCSRs(t, h.wz)
	v := h.show(t)
	h.fillSMTP(t, ms, clientTLS)
	v.remember.SetChecked(true)
	h.send(t)
	if rec := h.record(t); rec.Stage != enroll.StageSent {
		t.Fatalf("not sent: %q", h.outcomeText())
	}
	account := keyringAccount(h.wz.submit.form)
	if got, err := secrets.Get(account); err != nil || got != ms.pass {
		t.Fatalf("keyring holds %v (%v)", got == ms.pass, err)
	}
	for k, val := range h.prefs {
		if s, ok := val.(string); ok && strings.Contains(s, ms.pass) {
			t.Errorf("password in preference %s", k)
		}
	}
	if h.prefs[prefSMTPRemember] != true {
		t.Errorf("remember not kept: %v", h.prefs)
	}

	// After a restart the form has the password again, from the keyring.
	h2 := newSubmitHarness(t, dir, h.prefs)
	h2.wz.submit.smtpTLS = clientTLS
	setTestCSRs(t, h2.wz)
	v2 := h2.show(t)
	h2.pump.waitUntil(t, "the password from the keyring", func() bool { return v2.smtpPW.Text == ms.pass })
	if v2.send.Disabled() {
		t.Errorf("Send disabled with the remembered password: %q", v2.status.Text)
	}
	v2.remember.SetChecked(false)
	h2.pump.waitUntil(t, "the password removed from the keyring", func() bool {
		_, err := secrets.Get(account)
		return errors.Is(err, secrets.ErrNotFound)
	})
	logged, _ := os.ReadFile(logFile)
	if strings.Contains(string(logged), ms.pass) {
		t.Error("password in the log")
	}
}

// Cancel stops a delivery that hangs (a mail server that never answers):
// the card says so and the application stays, not sent.
func TestSubmitCancel(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c) // accepted, never greeted
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	h := newSubmitHarness(t, t.TempDir(), nil)
	setTestCSRs(t, h.wz)
	v := h.show(t)
	h.fillSMTP(t, &mailServer{port: l.Addr().(*net.TCPAddr).Port, user: "u@agency.gov.kg", pass: "pw-1"}, nil)
	test.Tap(v.send)
	h.pump.waitUntil(t, "the connection", func() bool { mu.Lock(); defer mu.Unlock(); return len(held) == 1 })
	if !h.wz.submit.running || v.cancel.Disabled() || !v.send.Disabled() || !v.smtpHost.Disabled() {
		t.Fatalf("while sending: running %v cancel disabled %v", h.wz.submit.running, v.cancel.Disabled())
	}
	test.Tap(v.cancel)
	h.pump.wait(t, h.done, "the cancelled delivery")
	if !strings.Contains(h.outcomeText(), T("submit.cancelled")) || h.wz.submit.running || v.send.Disabled() {
		t.Errorf("after Cancel: outcome %q running %v", h.outcomeText(), h.wz.submit.running)
	}
	if rec := h.record(t); rec.Stage != enroll.StagePrepared {
		t.Errorf("stage %s", rec.Stage)
	}
}

// A password the command line remembered is the wizard's too: under the
// one name both use now, and under the command line's old name, which
// the wizard finds and moves to the one name.
func TestSubmitFindsPasswordTheCLIRemembered(t *testing.T) {
	secretstest.StartKeyring(t)
	const user, pw = "it@agency.gov.kg", "Cli-Remembered-Secret-5"
	for host, saved := range map[string]string{
		"smtp-one.agency.gov.kg": enroll.SMTPAccount(user, "smtp-one.agency.gov.kg"),
		"smtp-old.agency.gov.kg": "smtp/" + user + "@smtp-old.agency.gov.kg",
	} {
		t.Cleanup(func() { enroll.ForgetSMTPPassword(user, host) })
		if err := secrets.Set(saved, pw); err != nil {
			t.Fatal(err)
		}
		h := newSubmitHarness(t, t.TempDir(), mapPrefs{prefSubmitVia: string(enroll.ViaSMTP), prefSMTPHost: host,
			prefSMTPUser: user, prefSMTPFrom: user, prefSMTPRemember: true})
		setTestCSRs(t, h.wz)
		v := h.show(t)
		h.pump.waitUntil(t, "the password saved as "+saved, func() bool { return v.smtpPW.Text == pw })
		if got, err := secrets.Get(keyringAccount(h.wz.submit.form)); err != nil || got != pw {
			t.Errorf("%s: the one name holds %v, %v", saved, got == pw, err)
		}
		if saved != keyringAccount(h.wz.submit.form) {
			if _, err := secrets.Get(saved); !errors.Is(err, secrets.ErrNotFound) {
				t.Errorf("%s: the old entry is left (%v)", saved, err)
			}
		}
	}
}

// A delivery that went, but whose stage the store could not record, says
// so: not a failure (sending again would make a second submission), and
// the store's error is shown.
func TestSubmitSentButNotRecorded(t *testing.T) {
	dir := t.TempDir()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		// The store breaks while the package is on its way (root writes
		// anywhere: a status.json that is a folder can be neither read
		// nor replaced).
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if st := filepath.Join(dir, e.Name(), enroll.StatusName); e.IsDir() && !strings.HasPrefix(e.Name(), ".") && os.Remove(st) == nil {
				os.MkdirAll(filepath.Join(st, "x"), 0o700)
			}
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	h := newSubmitHarness(t, dir, nil)
	setIntakeURL(t, h.wz, srv.URL+"/intake")
	h.wz.submit.httpClient = srv.Client()
	setTestCSRs(t, h.wz)
	h.show(t)
	h.chooseVia(t, enroll.ViaHTTPS)
	h.send(t)
	out := h.outcomeText()
	storeErr := i18n.T(CurrentLanguage(), "enroll.err.read", map[string]any{"Dir": dir})
	if !strings.Contains(out, T("submit.sent_unrecorded")) || strings.Contains(out, T("submit.failed")) || !strings.Contains(out, storeErr) {
		t.Errorf("outcome %q, want %q and %q", out, T("submit.sent_unrecorded"), storeErr)
	}
}
