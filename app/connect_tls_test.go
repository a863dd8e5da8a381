package app

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	stdlog "log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/testcert"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice/metaservicetest"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// connectSub adds the subsystem crm on the shown Connect step (HTTPS,
// the default).
func connectSub(t *testing.T, cs *connectStep) {
	t.Helper()
	cs.v.subCode.SetText("crm")
	cs.v.subName.SetText("Citizen register")
	test.Tap(cs.v.subAdd)
	if len(cs.subs) != 1 || cs.subs[0].Connection != xroad.ConnHTTPS {
		t.Fatalf("subsystem %+v", cs.subs)
	}
}

// isServer is an information system's HTTPS server on loopback presenting
// a self-signed certificate whose organisation holds terminal escapes and
// a line break, as a hostile or careless host may.
func isServer(t *testing.T) (*httptest.Server, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7),
		Subject:   pkix.Name{CommonName: "is.example.kg", Organization: []string{"Registry\x1b[2J\nMinistry"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
		DNSNames: []string{"is.example.kg"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	s.Config.ErrorLog = stdlog.New(io.Discard, "", 0) // the reader ends each handshake once it has the certificate
	s.StartTLS()
	t.Cleanup(s.Close)
	return s, leaf
}

// TestConnectFetchISCert: the information system's certificate read from
// its address through the SSH connection: a wrong address explained; the
// certificate shown with its subject (escaped), issuer, validity and
// fingerprint; refused, nothing is added; confirmed, it joins the
// subsystem's certificates and the plan trusts it on the server.
func TestConnectFetchISCert(t *testing.T) {
	h, cs, _ := connectHarness(t)
	cs.certDir = filepath.Join(t.TempDir(), "is-certs")
	h.show(stepConnect)
	connectSub(t, cs)
	v := cs.v
	if v.tlsFrom.Hidden || v.tlsFetch.Disabled() {
		t.Fatal("no way to read the certificate from the address at HTTPS")
	}
	is, leaf := isServer(t)
	top := func() fyne.CanvasObject { return h.wz.win.Canvas().Overlays().Top() }

	v.tlsURL.SetText("ftp://is.example.kg")
	test.Tap(v.tlsFetch)
	h.idle(t, &cs.sessionRunner, "a wrong address")
	if want := i18n.T(CurrentLanguage(), "connect.err.peer_url", map[string]any{"URL": "ftp://is.example.kg"}); !hasText(v.outcome, want) {
		t.Fatalf("a wrong address: %q", labelsIn(v.outcome))
	}
	if top() != nil {
		t.Fatal("a dialog for an address that was not read")
	}

	// host:port, as a person types it: read through the sshd.
	v.tlsURL.SetText(strings.TrimPrefix(is.URL, "https://"))
	test.Tap(v.tlsFetch)
	h.idle(t, &cs.sessionRunner, "the certificate read")
	d := top()
	sum := sha256.Sum256(leaf.Raw)
	fp := groupFingerprint(connect.Fingerprint(sum[:]))
	if d == nil || !hasText(d, fp) || !hasTextPart(d, "CN=is.example.kg") || !hasTextPart(d, leaf.NotAfter.UTC().Format("2006-01-02")) {
		t.Fatalf("the dialog does not show the certificate (%s): %q", fp, labelsIn(d))
	}
	for _, l := range labelsIn(d) {
		if strings.ContainsAny(l, "\x1b") || strings.Contains(l, "[2J") {
			t.Fatalf("bytes from the host not escaped: %q", l)
		}
	}
	test.Tap(findButtonIn(t, d, T("connect.tls_fetch.refuse")))
	if len(cs.subs[0].TLSFiles) != 0 || top() != nil {
		t.Fatalf("refused, yet added: %+v", cs.subs[0].TLSFiles)
	}
	if entries, _ := os.ReadDir(cs.certDir); len(entries) != 0 {
		t.Fatalf("refused, yet kept: %v", entries)
	}

	// A certificate an earlier run kept for a subsystem since removed,
	// and a file of the user's own in the folder.
	os.MkdirAll(cs.certDir, 0o700)
	orphan, own := filepath.Join(cs.certDir, "old-0123456789abcdef.pem"), filepath.Join(cs.certDir, "README.txt")
	for _, f := range []string{orphan, own} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	test.Tap(v.tlsFetch)
	h.idle(t, &cs.sessionRunner, "the certificate read again")
	test.Tap(findButtonIn(t, top(), T("connect.tls_fetch.trust")))
	files := cs.subs[0].TLSFiles
	if len(files) != 1 || !hasText(v.outcome, T("connect.tls_fetch.added", map[string]any{"Subsystem": "crm"})) {
		t.Fatalf("confirmed: %+v, %q", files, labelsIn(v.outcome))
	}
	if c, err := readCert(files[0]); err != nil || !c.cert.Equal(leaf) {
		t.Fatalf("the kept file is not the certificate presented: %v", err)
	}
	if rec := h.wz.rec.snapshot(); len(rec.Connect.Subsystems[0].TLSFiles) != 1 {
		t.Fatalf("not in the record: %+v", rec.Connect.Subsystems[0])
	}
	test.Tap(v.preview)
	h.idle(t, &cs.sessionRunner, "the plan")
	trusts := 0
	for _, it := range cs.plan.Items {
		if it.Kind == connect.KindTLS && it.State == connect.StateTodo {
			trusts++
		}
	}
	if trusts != 1 {
		t.Fatalf("the plan does not trust the certificate: %+v", cs.plan.Items)
	}

	// Saved, the record names the kept certificate: it stays; the
	// orphan is gone; the user's own file stays.
	if _, err := os.Stat(files[0]); err != nil {
		t.Fatalf("the named certificate was removed: %v", err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("the certificate no subsystem names is still there: %v", err)
	}
	// A certificate chosen from elsewhere, then both taken off the list
	// with Remove: the kept one goes, the user's file elsewhere stays.
	mine := h.writePEM(t, "mine.pem", "CERTIFICATE", leaf.Raw)
	if err := cs.addTLSFile(mine); err != nil {
		t.Fatal(err)
	}
	cs.refresh()
	for range 2 {
		test.Tap(findButtonIn(t, v.tlsFiles, T("connect.svc_remove")))
	}
	if len(cs.subs[0].TLSFiles) != 0 {
		t.Fatalf("not removed: %v", cs.subs[0].TLSFiles)
	}
	if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
		t.Errorf("the kept certificate no longer named is still there: %v", err)
	}
	for _, f := range []string{mine, own} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s, not the wizard's to remove, was removed: %v", f, err)
		}
	}
}

// writePEM writes one PEM block into the harness's folder.
func (h *cfgHarness) writePEM(t *testing.T, name, typ string, der []byte) string {
	t.Helper()
	return h.writeFile(t, name, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// TestConnectFirstCallHTTPS: a subsystem with HTTPS and client
// authentication is called on the client side's HTTPS port (the
// stand-in, which asks for a client certificate and checks it against
// the subsystem's), pinned to the internal TLS certificate read through
// the admin API: without the key and certificate, or with a key that is
// not the certificate's, the call is not made and the user is told why;
// with the pair it goes through; the key's path is kept, never the key;
// a certificate the server does not know for the subsystem is explained;
// HTTPS without client authentication needs no files.
func TestConnectFirstCallHTTPS(t *testing.T) {
	h, cs, ms := connectHarness(t)
	t.Setenv(envClientSideHTTPS, ms.HTTPS.URL)
	h.fake.SetInternalTLS(ms.CertPEM)
	pair, _ := testcert.KeyPair(t, "is.example.kg")
	stranger, _ := testcert.KeyPair(t, "stranger.example.kg")
	keyDER := func(c tls.Certificate) []byte {
		b, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	certFile := h.writePEM(t, "is.crt", "CERTIFICATE", pair.Certificate[0])
	keyFile := h.writePEM(t, "is.key", "PRIVATE KEY", keyDER(pair))
	wrongKey := h.writePEM(t, "wrong.key", "PRIVATE KEY", keyDER(stranger))
	strangerCert := h.writePEM(t, "stranger.crt", "CERTIFICATE", stranger.Certificate[0])
	mid := metaservice.ID{Instance: xroadtest.Instance, MemberClass: "GOV", MemberCode: "70000001", Subsystem: "crm"}
	ms.Set(func(st *metaservicetest.State) {
		st.Clients = map[metaservice.ID]metaservicetest.Client{mid: {Registered: true, IsAuth: metaservicetest.SSLAuth, IsCerts: []*x509.Certificate{pair.Leaf}}}
		st.Services = map[metaservice.ID][]metaservice.Service{mid: {{Code: "people", Type: "REST"}}}
	})
	h.show(stepConnect)
	connectSub(t, cs)
	v := cs.v
	if v.callFiles.Hidden || !hasTextPart(v.callAbout, ms.HTTPS.URL) {
		t.Fatalf("HTTPS with client authentication: no key and certificate to choose, or the call's address not said: %q", v.callAbout.Text)
	}

	calls := ms.Calls
	test.Tap(v.callBtn)
	if cs.busy != "" || !hasText(v.callBox, T("connect.call.pair_needed")) {
		t.Fatalf("called without the key and certificate: %q", labelsIn(v.callBox))
	}
	v.callCert.SetText(certFile)
	v.callKey.SetText(wrongKey)
	test.Tap(v.callBtn)
	want := T("connect.call.pair_bad", map[string]any{"Key": "wrong.key", "Cert": "is.crt"})
	if cs.busy != "" || !hasText(v.callBox, want) || ms.Calls != calls {
		t.Fatalf("a wrong key: want %q, got %q (calls %d)", want, labelsIn(v.callBox), ms.Calls-calls)
	}

	v.callKey.SetText(keyFile)
	test.Tap(v.callBtn)
	h.idle(t, &cs.sessionRunner, "the call over HTTPS")
	if cs.call == nil || !cs.call.OK || cs.call.URL != ms.HTTPS.URL || ms.Calls != calls+1 || !hasText(v.callBox, T("connect.call.ok")) {
		t.Fatalf("the call with the pair: %+v %v: %q / %q", cs.call, cs.callErr, labelsIn(v.callBox), labelsIn(v.outcome))
	}
	rec := h.wz.rec.snapshot()
	if s := rec.Connect.Subsystems[0]; s.CallCertFile != certFile || s.CallKeyFile != keyFile {
		t.Fatalf("the files' paths not kept: %+v", s)
	}
	keyPEM, _ := os.ReadFile(keyFile)
	keyBody := strings.Split(string(keyPEM), "\n")[1]
	recJSON, _ := json.Marshal(rec)
	logged, _ := os.ReadFile(h.logFile)
	if strings.Contains(string(recJSON), keyBody) || strings.Contains(string(logged), keyBody) {
		t.Fatal("the key reached the record or the log")
	}

	// A pair the server does not hold for the subsystem: the server's
	// refusal, in the user's words.
	v.callCert.SetText(strangerCert)
	v.callKey.SetText(wrongKey)
	test.Tap(v.callBtn)
	h.idle(t, &cs.sessionRunner, "a stranger's certificate")
	if key, _ := metaservice.Explain(cs.callErr); key != "call.err.is_cert" || !hasText(v.callBox, callText(cs.callErr, ms.HTTPS.URL)) {
		t.Fatalf("a certificate not the subsystem's: %v, %q", cs.callErr, labelsIn(v.callBox))
	}

	// HTTPS without client authentication: no files, the HTTPS port.
	ms.Set(func(st *metaservicetest.State) {
		c := st.Clients[mid]
		c.IsAuth = metaservicetest.SSLNoAuth
		st.Clients[mid] = c
	})
	v.conn.SetSelected(T("connect.conn_https_no_auth"))
	if !v.callFiles.Hidden {
		t.Fatal("key and certificate asked for without client authentication")
	}
	test.Tap(v.callBtn)
	h.idle(t, &cs.sessionRunner, "the call without client authentication")
	if cs.call == nil || !cs.call.OK || cs.call.URL != ms.HTTPS.URL {
		t.Fatalf("HTTPS without client authentication: %+v %v", cs.call, cs.callErr)
	}
}

// TestConnectNoticeMarkSent: a notice written as a letter is recorded
// written, not sent, and the Summary says so; "I have sent the notice"
// records it sent in the record and the submissions store, and the
// Summary says it went. A notice written to a folder and marked handed
// over elsewhere (the store says so: "submit advance", the outbox) is
// recorded sent when the step is shown again.
func TestConnectNoticeMarkSent(t *testing.T) {
	h, cs, _ := connectHarness(t)
	wz := h.wz
	wz.submit.openURL = func(*url.URL) error { return nil } // no desktop in tests
	wz.profile.Operator.Contact.Email = "connect@operator.example.kg"
	h.show(stepConnect)
	connectSub(t, cs)
	now := time.Now().UTC()
	cs.setStatus(&cs.subs[0], xroad.ClientRegistered, now)
	cs.save()
	wz.submit.form.Via = enroll.ViaEmail
	cs.refresh()
	v := cs.v
	if !v.marked.Hidden || v.notice.Disabled() {
		t.Fatalf("before the notice: mark shown %v, notice disabled %v (%q)", !v.marked.Hidden, v.notice.Disabled(), cs.noticeProblem())
	}
	test.Tap(v.notice)
	h.pump.waitUntil(t, "the letter", func() bool { return cs.busy == "" })
	c := wz.rec.snapshot().Connect
	if c.NoticeID == "" || !c.NoticeSent.IsZero() || c.NoticeWritten.IsZero() || c.NoticeVia != string(enroll.ViaEmail) {
		t.Fatalf("a letter written is recorded %+v", c)
	}
	if v.marked.Hidden || v.marked.Text != T("connect.notice.mark_sent.email") {
		t.Fatalf("no way to say the letter went: %q", labelsIn(v.outcome))
	}
	h.show(stepSummary)
	page := wz.page.Objects[0]
	written := T("summary.connect_notice_written.email", map[string]any{"Date": when(c.NoticeWritten)})
	if !hasText(page, written) || hasTextPart(page, T("summary.connect_notice", map[string]any{"Date": ""})) {
		t.Fatalf("the Summary does not say the letter is not sent yet: %q", labelsIn(page))
	}

	h.show(stepConnect)
	v = cs.v
	test.Tap(v.marked)
	c = wz.rec.snapshot().Connect
	dir, _ := wz.submit.dir()
	store, _ := enroll.OpenStore(dir)
	r, err := store.Get(c.NoticeID)
	if c.NoticeSent.IsZero() || err != nil || r.Stage != enroll.StageSent || !v.marked.Hidden || !hasText(v.outcome, T("connect.notice.marked")) {
		t.Fatalf("marked sent: record %+v, store %+v %v, outcome %q", c, r.Stage, err, labelsIn(v.outcome))
	}
	h.show(stepSummary)
	page = wz.page.Objects[0]
	if !hasText(page, T("summary.connect_notice", map[string]any{"Date": when(c.NoticeSent)})) || hasText(page, written) {
		t.Fatalf("the Summary does not say the notice went: %q", labelsIn(page))
	}

	// A folder, handed over and recorded elsewhere.
	h.show(stepConnect)
	wz.submit.form.Via, wz.submit.form.Folder = enroll.ViaFolder, t.TempDir()
	test.Tap(cs.v.notice)
	h.pump.waitUntil(t, "the folder", func() bool { return cs.busy == "" })
	c = wz.rec.snapshot().Connect
	if !c.NoticePending() || cs.v.marked.Text != T("connect.notice.mark_sent.folder") {
		t.Fatalf("a folder written is recorded %+v", c)
	}
	if _, err := store.MarkSent(c.NoticeID, enroll.ViaFolder, ""); err != nil {
		t.Fatal(err)
	}
	h.show(stepConnect)
	if c = wz.rec.snapshot().Connect; c.NoticePending() || c.NoticeSent.IsZero() || !cs.v.marked.Hidden {
		t.Fatalf("the store says it went, the record %+v", c)
	}
}
