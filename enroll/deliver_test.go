package enroll

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/enroll/enrolltest"
	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets"
	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets/secretstest"
)

// fakeKeyring puts a map in the OS keyring's place for the test.
func fakeKeyring(t *testing.T) map[string]string {
	t.Helper()
	m := map[string]string{}
	saved := keyring
	keyring.get = func(a string) (string, error) {
		if s, ok := m[a]; ok {
			return s, nil
		}
		return "", secrets.ErrNotFound
	}
	keyring.set = func(a, s string) error { m[a] = s; return nil }
	keyring.del = func(a string) error { delete(m, a); return nil }
	t.Cleanup(func() { keyring = saved })
	return m
}

func testStore(t *testing.T) *Store {
	t.Helper()
	s, err := OpenStore(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// applications counts the submission folders in the store.
func applications(t *testing.T, s *Store) int {
	t.Helper()
	recs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

// One name for the SMTP password, whichever front end saved it.
func TestSMTPAccountIsOneName(t *testing.T) {
	if got := SMTPAccount(" it@agency.gov.kg ", "smtp.agency.gov.kg "); got != "smtp:it@agency.gov.kg@smtp.agency.gov.kg" {
		t.Errorf("SMTPAccount = %q", got)
	}
	if got := legacySMTPAccount("it@agency.gov.kg", "smtp.agency.gov.kg"); got != "smtp/it@agency.gov.kg@smtp.agency.gov.kg" {
		t.Errorf("legacySMTPAccount = %q", got)
	}
}

// A password the command line saved under its old name is found, moved
// to the one name and the old entry removed; one saved under the one name
// is found as it is; forgetting removes both.
func TestSMTPPasswordFallbackMovesOldName(t *testing.T) {
	m := fakeKeyring(t)
	const user, host, pw = "it@agency.gov.kg", "smtp.agency.gov.kg", "Пароль-Secret-77"
	if _, err := LoadSMTPPassword(user, host); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("nothing saved: %v", err)
	}
	m["smtp/"+user+"@"+host] = pw
	got, err := LoadSMTPPassword(user, host)
	if err != nil || got != pw {
		t.Fatalf("old name: found %v, %v", got == pw, err)
	}
	if m["smtp:"+user+"@"+host] != pw || len(m) != 1 {
		t.Errorf("not moved to the one name: %d entries", len(m))
	}
	if got, err := LoadSMTPPassword(user, host); err != nil || got != pw {
		t.Errorf("again: found %v, %v", got == pw, err)
	}

	// The move fails (a keyring that refuses writes): the password is
	// still found, and the old entry kept for next time.
	delete(m, "smtp:"+user+"@"+host)
	m["smtp/"+user+"@"+host] = pw
	keyring.set = func(string, string) error { return errors.New("keyring locked") }
	if got, err := LoadSMTPPassword(user, host); err != nil || got != pw || m["smtp/"+user+"@"+host] != pw {
		t.Errorf("move refused: found %v, %v, old kept %v", got == pw, err, m["smtp/"+user+"@"+host] == pw)
	}
	keyring.set = func(a, s string) error { m[a] = s; return nil }

	if err := SaveSMTPPassword(user, host, pw); err != nil || m[SMTPAccount(user, host)] != pw {
		t.Fatalf("save: %v", err)
	}
	if err := ForgetSMTPPassword(user, host); err != nil || len(m) != 0 {
		t.Errorf("forget: %v, %d entries left", err, len(m))
	}
	if err := ForgetSMTPPassword(user, host); err != nil {
		t.Errorf("forgetting nothing: %v", err)
	}
}

// The same in the real OS keyring (a Secret Service on the test's bus).
func TestSMTPPasswordInRealKeyring(t *testing.T) {
	secretstest.StartKeyring(t)
	const user, host, pw = "it@agency.gov.kg", "smtp-real.agency.gov.kg", "Real-Keyring-Secret-9"
	t.Cleanup(func() { ForgetSMTPPassword(user, host) })
	if err := secrets.Set("smtp/"+user+"@"+host, pw); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadSMTPPassword(user, host); err != nil || got != pw {
		t.Fatalf("old name: found %v, %v", got == pw, err)
	}
	if got, err := secrets.Get(SMTPAccount(user, host)); err != nil || got != pw {
		t.Errorf("one name holds %v, %v", got == pw, err)
	}
	if _, err := secrets.Get("smtp/" + user + "@" + host); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("old entry left: %v", err)
	}
}

func folderReq(in *Input, prev *Record, dir string, sent bool) Request {
	return Request{Via: ViaFolder, Input: in, Prev: prev, Folder: dir, FolderIsSent: sent}
}

// The one rule: the application the user continues is reused for the
// same participant and CSRs; a changed CSR or participant makes a new
// one; a record is sent again only when passed (asked), and one already
// past "sent" stays where it is.
func TestDeliverReuseRule(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	in := testInput(t)
	first, err := Deliver(ctx, store, folderReq(&in, nil, t.TempDir(), false))
	if err != nil || !first.Built || first.Sent || first.Record.Stage != StagePrepared {
		t.Fatalf("first: built %v sent %v stage %s, %v", first.Built, first.Sent, first.Record.Stage, err)
	}
	rec := first.Record

	// Same participant, same CSRs: the same package (a retry, another way).
	again, err := Deliver(ctx, store, folderReq(&in, &rec, t.TempDir(), false))
	if err != nil || again.Built || again.Package.Manifest.ID != rec.ID || applications(t, store) != 1 {
		t.Fatalf("same content: built %v id %s (want %s), %d applications, %v", again.Built, again.Package.Manifest.ID, rec.ID, applications(t, store), err)
	}
	if p, ok := Reusable(&rec, in); !ok || p.Manifest.ID != rec.ID {
		t.Error("Reusable refuses the same content")
	}
	// The signing CSR alone (the authentication one already sent) still
	// fits the package.
	signOnly := in
	signOnly.CSRs = in.CSRs[1:]
	if _, ok := Reusable(&rec, signOnly); !ok {
		t.Error("a CSR of the package is not reused")
	}

	// A changed CSR makes a new application.
	newCSR := in
	newCSR.CSRs = []CSR{in.CSRs[0], {Usage: UsageSign, DER: makeCSR(t, orgName), Source: "Rutoken 0a1b2c3d"}}
	changed, err := Deliver(ctx, store, folderReq(&newCSR, &rec, t.TempDir(), false))
	if err != nil || !changed.Built || changed.Package.Manifest.ID == rec.ID || applications(t, store) != 2 {
		t.Fatalf("changed CSR: built %v, %d applications, %v", changed.Built, applications(t, store), err)
	}
	// So does a changed participant (a new public address).
	moved := in
	moved.Participant.ServerAddress = "203.0.113.99"
	if _, ok := Reusable(&rec, moved); ok {
		t.Error("a changed participant reuses the package")
	}
	// A package that no longer verifies is not reused.
	if _, ok := Reusable(&Record{ID: rec.ID, Dir: t.TempDir(), Participant: rec.Participant}, in); ok {
		t.Error("a folder without a package is reused")
	}
	if _, ok := Reusable(nil, in); ok {
		t.Error("nothing to reuse, yet reused")
	}

	// Handed over: sent.
	usb := t.TempDir()
	sent, err := Deliver(ctx, store, folderReq(&in, &rec, usb, true))
	if err != nil || !sent.Sent || sent.Record.Stage != StageSent || sent.Record.Via != ViaFolder || sent.Where != filepath.Join(usb, rec.ID) {
		t.Fatalf("hand-over: sent %v stage %s via %s where %s, %v", sent.Sent, sent.Record.Stage, sent.Record.Via, sent.Where, err)
	}
	rec = sent.Record
	// Not passed (not asked): the sent application is left alone; the
	// same content is a new application.
	fresh, err := Deliver(ctx, store, folderReq(&in, nil, t.TempDir(), false))
	if err != nil || !fresh.Built || fresh.Package.Manifest.ID == rec.ID {
		t.Fatalf("without the record: built %v, %v", fresh.Built, err)
	}
	if r, _ := store.Get(rec.ID); len(r.History) != len(rec.History) {
		t.Errorf("the sent application was touched: %d events, was %d", len(r.History), len(rec.History))
	}
	// Passed (asked): sent once more, the repeat in its history.
	resent, err := Deliver(ctx, store, folderReq(&in, &rec, t.TempDir(), true))
	if err != nil || resent.Built || resent.Record.Stage != StageSent || len(resent.Record.History) != len(rec.History)+1 {
		t.Fatalf("asked again: built %v stage %s, %d events, %v", resent.Built, resent.Record.Stage, len(resent.Record.History), err)
	}
	// Past "sent" (the certificates came): delivered again, no step back,
	// no error.
	past, err := store.Advance(rec.ID, StageCertsReceived, "", "")
	if err != nil {
		t.Fatal(err)
	}
	later, err := Deliver(ctx, store, folderReq(&in, &past, t.TempDir(), true))
	if err != nil || !later.Sent || later.Record.Stage != StageCertsReceived || len(later.Record.History) != len(past.History) {
		t.Fatalf("past sent: stage %s, %d events, %v", later.Record.Stage, len(later.Record.History), err)
	}
	// No input: the record's package as it is (the command line's --id).
	byID, err := Deliver(ctx, store, folderReq(nil, &past, t.TempDir(), false))
	if err != nil || byID.Built || byID.Package.Manifest.ID != rec.ID {
		t.Fatalf("by ID: %v", err)
	}
}

// Bad requests are refused before anything is built.
func TestDeliverChecksFirst(t *testing.T) {
	store := testStore(t)
	in := testInput(t)
	for _, c := range []struct {
		req  Request
		want string
	}{
		{Request{Via: ViaFolder, Folder: t.TempDir()}, "enroll.err.no_application"},
		{Request{Via: "fax", Input: &in}, "enroll.err.via_unknown"},
		{Request{Via: ViaFolder, Input: &in, Folder: " "}, "enroll.err.no_folder"},
		{Request{Via: ViaEmail, Input: &in}, "enroll.err.no_recipient"},
		{Request{Via: ViaSMTP, Input: &in, SMTP: SMTP{To: []string{"kuc@infocom.kg"}}}, "enroll.err.smtp_host"},
		{Request{Via: ViaSMTP, Input: &in, SMTP: SMTP{Host: "smtp.example.kg"}}, "enroll.err.no_recipient"},
		{Request{Via: ViaHTTPS, Input: &in, URL: "http://intake.example/"}, "enroll.err.url_not_https"},
	} {
		out, err := Deliver(context.Background(), store, c.req)
		if errKey(err) != c.want || out.Package != nil {
			t.Errorf("%s: %v, want %s", c.req.Via, err, c.want)
		}
	}
	if n := applications(t, store); n != 0 {
		t.Errorf("bad requests left %d applications", n)
	}
}

// breakStatus makes the record's status unreadable and unwritable, as a
// failing disk would: status.json becomes a folder (root can write
// anywhere, so permissions would not do).
func breakStatus(t *testing.T, dir string) {
	t.Helper()
	st := filepath.Join(dir, StatusName)
	if err := os.Remove(st); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(st, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
}

// A stage that cannot be recorded is an error, not dropped: the folder
// was written (Sent), the record could not say so.
func TestDeliverReturnsStageError(t *testing.T) {
	store := testStore(t)
	in := testInput(t)
	req := folderReq(&in, nil, t.TempDir(), true)
	req.Prepared = func(p *Package, built bool) { breakStatus(t, p.Dir) }
	out, err := Deliver(context.Background(), store, req)
	if err == nil || errKey(err) != "enroll.err.read" || !out.Sent || out.Where == "" {
		t.Fatalf("sent %v where %q, err %v", out.Sent, out.Where, err)
	}
	if _, err := store.MarkSent(out.Package.Manifest.ID, ViaFolder, ""); errKey(err) != "enroll.err.read" {
		t.Errorf("MarkSent: %v", err)
	}
}

// HTTPS: what the intake does not take stays queued; a later Flush
// delivers it and records it sent, with its key; a stage that cannot be
// recorded then comes back as an error.
func TestDeliverHTTPSAndFlushRecordStage(t *testing.T) {
	var mu sync.Mutex
	status := http.StatusServiceUnavailable
	var onPost func()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if onPost != nil {
			onPost()
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	store := testStore(t)
	ob, err := store.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	ob.MaxAttempts, ob.BackoffBase = 1, time.Millisecond
	in := testInput(t)
	req := Request{Via: ViaHTTPS, Input: &in, URL: srv.URL + "/intake", Client: srv.Client(), Outbox: ob}
	out, err := Deliver(context.Background(), store, req)
	if err == nil || !out.Queued || out.Sent || out.IdempotencyKey == "" || out.Record.Stage != StagePrepared {
		t.Fatalf("busy intake: queued %v sent %v, %v", out.Queued, out.Sent, err)
	}

	mu.Lock()
	status = http.StatusCreated
	mu.Unlock()
	rec := out.Record
	out2, err := Deliver(context.Background(), store, Request{Via: ViaHTTPS, Input: &in, Prev: &rec, URL: req.URL, Client: req.Client, Outbox: ob})
	if err != nil || !out2.Sent || out2.Queued || out2.IdempotencyKey != out.IdempotencyKey || out2.Record.Stage != StageSent {
		t.Fatalf("accepted: sent %v key kept %v stage %s, %v", out2.Sent, out2.IdempotencyKey == out.IdempotencyKey, out2.Record.Stage, err)
	}
	if h := out2.Record.History; h[len(h)-1].Note != "Idempotency-Key "+out.IdempotencyKey || out2.Record.Via != ViaHTTPS {
		t.Errorf("history %+v", h)
	}

	// Another application waits; the intake takes it while its status
	// breaks: FlushOutbox says so.
	other := testInput(t)
	mu.Lock()
	status = http.StatusServiceUnavailable
	mu.Unlock()
	queued, _ := Deliver(context.Background(), store, Request{Via: ViaHTTPS, Input: &other, URL: req.URL, Client: req.Client, Outbox: ob})
	if !queued.Queued {
		t.Fatal("not queued")
	}
	mu.Lock()
	status = http.StatusCreated
	onPost = func() { breakStatus(t, queued.Package.Dir) }
	mu.Unlock()
	results, err := store.FlushOutbox(context.Background(), ob, srv.Client())
	if len(results) != 1 || !results[0].Delivered || errKey(err) != "enroll.err.read" {
		t.Fatalf("flush: %+v, %v", results, err)
	}
}

// SMTP: sent, recorded with the server's name, the password remembered
// under the one name when asked and in no error.
func TestDeliverSMTPRemembersPassword(t *testing.T) {
	m := fakeKeyring(t)
	const pw = "Deliver-SMTP-Secret-31"
	srv := enrolltest.StartMail(t, enrolltest.MailOptions{User: "org@example.kg", Password: pw})
	store := testStore(t)
	in := testInput(t)
	s := SMTP{Host: srv.Host, Port: srv.Port, Username: "org@example.kg", Password: "wrong-" + pw,
		From: "org@example.kg", To: []string{"kuc@infocom.kg"}, TLS: srv.ClientTLS, Timeout: 10 * time.Second}
	out, err := Deliver(context.Background(), store, Request{Via: ViaSMTP, Input: &in, SMTP: s, RememberPassword: true})
	if errKey(err) != "enroll.err.smtp_auth_failed" || out.Sent || len(m) != 0 || strings.Contains(err.Error(), pw) {
		t.Fatalf("wrong password: %v, %d remembered", err, len(m))
	}
	rec := out.Record
	s.Password = pw
	out, err = Deliver(context.Background(), store, Request{Via: ViaSMTP, Input: &in, Prev: &rec, SMTP: s, RememberPassword: true})
	if err != nil || !out.Sent || !out.Remembered || out.Built || len(srv.Messages()) != 1 {
		t.Fatalf("sent %v remembered %v built %v, %v", out.Sent, out.Remembered, out.Built, err)
	}
	if m[SMTPAccount("org@example.kg", srv.Host)] != pw {
		t.Error("not remembered under SMTPAccount")
	}
	if h := out.Record.History; out.Record.Stage != StageSent || h[len(h)-1].Note != srv.Host {
		t.Errorf("record %s %+v", out.Record.Stage, h)
	}
	// The store holds no trace of the password.
	filepath.WalkDir(store.Dir(), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), pw) {
				t.Errorf("the password is in %s", p)
			}
		}
		return nil
	})
}

// LatestOf finds the newest application of the same organisation and
// server, whatever else changed.
func TestLatestOf(t *testing.T) {
	store := testStore(t)
	in := testInput(t)
	_, a, err := store.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	other := in
	other.Participant.MemberCode = "70000002"
	if _, _, err := store.Create(other); err != nil {
		t.Fatal(err)
	}
	want := in.Participant
	want.Name, want.ServerAddress = "renamed", "198.51.100.1"
	if r, err := store.LatestOf(want); err != nil || r == nil || r.ID != a.ID {
		t.Errorf("LatestOf: %v, %v", r, err)
	}
	want.ServerCode = "SS2"
	if r, err := store.LatestOf(want); err != nil || r != nil {
		t.Errorf("another server: %v, %v", r, err)
	}
}
