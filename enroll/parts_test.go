package enroll

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// splitInput is testInput's application as a participant whose server is
// not ready sends it: the signing CSR now, the authentication CSR later.
func splitInput(t *testing.T) (first, whole Input) {
	whole = testInput(t)
	first = whole
	first.CSRs = []CSR{whole.CSRs[1]} // the signing CSR, made on the token
	first.Follows = []Usage{UsageAuth}
	first.ReportJSON, first.ReportHTML = nil, nil // the server is not ready
	return first, whole
}

// letterOf is the subject and the text of the letter in an .eml.
func letterOf(t *testing.T, eml string) (string, string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(readFile(t, eml)))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	body, err := multipart.NewReader(msg.Body, params["boundary"]).NextPart()
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(body)
	return subj + "\n" + msg.Header.Get("X-Tunduk-Onboard-Part"), string(text)
}

// An application in two parts: the signing CSR alone with a letter that
// says the authentication CSR follows, then the authentication CSR as
// part 2 of the same application: one record in the store with two
// parts, one ID in both manifests and letters, each part recorded sent.
func TestApplicationInTwoParts(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	first, whole := splitInput(t)
	out, err := Deliver(ctx, store, Request{Via: ViaEmail, Input: &first, Mail: Mail{To: []string{"kuc@infocom.kg"}}})
	if err != nil || !out.Built || out.Continued {
		t.Fatalf("part 1: built %v continued %v, %v", out.Built, out.Continued, err)
	}
	id := out.Record.ID
	m := out.Package.Manifest
	if m.Part != 1 || !slices.Equal(m.Follows, []Usage{UsageAuth}) || out.Package.Dir != out.Record.Dir {
		t.Fatalf("part 1 manifest: part %d follows %v, dir %s", m.Part, m.Follows, out.Package.Dir)
	}
	if _, err := os.Stat(filepath.Join(out.Package.Dir, CSRFileName(UsageAuth, false))); err == nil {
		t.Fatal("part 1 holds an authentication CSR")
	}
	subj, letter := letterOf(t, out.Where)
	for _, want := range []string{
		i18n.T("ru", "enroll.letter.follows_auth", map[string]any{"ID": id}),
		i18n.T("ky", "enroll.letter.follows_auth", map[string]any{"ID": id}),
		"sign.csr.der",
	} {
		if !strings.Contains(letter, want) {
			t.Errorf("part 1's letter lacks %q:\n%s", want, letter)
		}
	}
	if strings.Contains(letter, "auth.csr.der") || !strings.Contains(subj, id) || !strings.HasSuffix(subj, "\n1") {
		t.Errorf("part 1's letter names an authentication CSR file, or its subject %q lacks the application", subj)
	}
	// The user sent the draft: part 1 is sent, the application awaits the rest.
	rec, err := store.MarkSent(id, ViaEmail, "")
	if err != nil || rec.Stage != StageSent || rec.Parts[0].SentAt.IsZero() || !slices.Equal(rec.Awaited(), []Usage{UsageAuth}) {
		t.Fatalf("part 1 sent: %+v, %v", rec, err)
	}

	// Days later the server is ready: both CSRs go in (the wizard has
	// both), only the authentication CSR is new: part 2 of the same one.
	dest := t.TempDir()
	out2, err := Deliver(ctx, store, folderReq(&whole, &rec, dest, true))
	if err != nil || !out2.Built || !out2.Continued || !out2.Sent {
		t.Fatalf("part 2: built %v continued %v sent %v, %v", out2.Built, out2.Continued, out2.Sent, err)
	}
	m2 := out2.Package.Manifest
	if m2.ID != id || m2.Part != 2 || len(m2.Follows) != 0 || out2.Package.Dir != filepath.Join(rec.Dir, "part2") {
		t.Fatalf("part 2 manifest: id %s part %d follows %v dir %s", m2.ID, m2.Part, m2.Follows, out2.Package.Dir)
	}
	var csrFiles []string
	for _, f := range m2.Files {
		if f.Role == RoleCSRDER {
			csrFiles = append(csrFiles, f.Name)
		}
	}
	if !slices.Equal(csrFiles, []string{"auth.csr.der"}) {
		t.Errorf("part 2 holds %v, want the authentication CSR alone", csrFiles)
	}
	if _, err := os.Stat(filepath.Join(dest, id+"-part2", ManifestName)); err != nil {
		t.Errorf("part 2 not copied beside part 1's name: %v", err)
	}
	if n := applications(t, store); n != 1 {
		t.Fatalf("the store shows %d applications, want one", n)
	}
	got, err := store.Get(id)
	if err != nil || len(got.Parts) != 2 || got.Parts[1].SentAt.IsZero() || got.Parts[1].Via != ViaFolder ||
		len(got.Awaited()) != 0 || got.Stage != StageSent {
		t.Fatalf("record after part 2: %+v, %v", got, err)
	}
	var sent []int
	for _, e := range got.History {
		if e.Stage == StageSent {
			sent = append(sent, e.Part)
		}
	}
	if !slices.Equal(sent, []int{1, 2}) {
		t.Errorf("history sends %v, want parts 1 and 2", sent)
	}

	// Part 2's letter tells it completes the application.
	eml, err := WriteEML(out2.Package, Mail{To: []string{"kuc@infocom.kg"}})
	if err != nil {
		t.Fatal(err)
	}
	subj2, letter2 := letterOf(t, eml)
	if !strings.Contains(letter2, i18n.T("ru", "enroll.letter.continues", map[string]any{"ID": id, "Part": 2})) ||
		!strings.Contains(subj2, id) || !strings.HasSuffix(subj2, "\n2") || strings.Contains(letter2, "sign.csr.der") {
		t.Errorf("part 2's letter (%q):\n%s", subj2, letter2)
	}

	// The same again is a retry of part 2, not a third part.
	out3, err := Deliver(ctx, store, folderReq(&whole, &got, t.TempDir(), true))
	if err != nil || out3.Built || out3.Package.Manifest.Part != 2 {
		t.Errorf("retry: built %v part %d, %v", out3.Built, out3.Package.Manifest.Part, err)
	}
	// So is the first part alone again.
	out4, err := Deliver(ctx, store, folderReq(&first, &got, t.TempDir(), true))
	if err != nil || out4.Built || out4.Package.Manifest.Part != 1 {
		t.Errorf("part 1 again: built %v part %d, %v", out4.Built, out4.Package.Manifest.Part, err)
	}
}

// What is not the rest of an application is never made a part of it: a
// changed signing CSR or participant is a new application (or refused
// when the rest was asked for), a complete application awaits nothing,
// and the key of part 1 cannot come back as part 2's.
func TestApplicationPartsRefused(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	first, whole := splitInput(t)
	out, err := Deliver(ctx, store, folderReq(&first, nil, t.TempDir(), true))
	if err != nil {
		t.Fatal(err)
	}
	rec := out.Record

	// A new signing CSR: not the rest.
	other := whole
	other.CSRs = []CSR{whole.CSRs[0], {Usage: UsageSign, DER: makeCSR(t, "new"), Source: "Rutoken"}}
	if _, err := Deliver(ctx, store, Request{Via: ViaFolder, Input: &other, Prev: &rec, Continue: true, Folder: t.TempDir()}); errKey(err) != "enroll.err.not_the_rest" {
		t.Errorf("changed signing CSR asked as the rest: %v", err)
	}
	moved := whole
	moved.Participant.ServerAddress = "198.51.100.7"
	if _, ok := Continues(&rec, moved); ok {
		t.Error("another address continues the application")
	}
	if n := applications(t, store); n != 1 {
		t.Fatalf("refusals left %d applications", n)
	}
	// Without asking for the rest, a changed CSR is a new application.
	out2, err := Deliver(ctx, store, folderReq(&other, &rec, t.TempDir(), true))
	if err != nil || out2.Continued || out2.Record.ID == rec.ID || applications(t, store) != 2 {
		t.Errorf("changed CSR: continued %v, same id %v, %v", out2.Continued, out2.Record.ID == rec.ID, err)
	}

	// The authentication CSR with part 1's key.
	same := Input{Participant: whole.Participant, CSRs: []CSR{{Usage: UsageAuth, DER: first.CSRs[0].DER}}}
	if _, _, err := store.AddPart(rec.ID, same); errKey(err) != "enroll.err.csr_same_key" {
		t.Errorf("part 1's key as part 2's: %v", err)
	}
	// Complete: nothing more is awaited.
	if _, err := Deliver(ctx, store, Request{Via: ViaFolder, Input: &whole, Prev: &rec, Continue: true, Folder: t.TempDir(), FolderIsSent: true}); err != nil {
		t.Fatal(err)
	}
	done, _ := store.Get(rec.ID)
	again := whole
	again.CSRs = []CSR{{Usage: UsageAuth, DER: makeCSR(t, "SS1")}}
	if _, err := Deliver(ctx, store, Request{Via: ViaFolder, Input: &again, Prev: &done, Continue: true, Folder: t.TempDir()}); errKey(err) != "enroll.err.nothing_awaited" {
		t.Errorf("a complete application continued: %v", err)
	}
	// A CSR announced as following cannot be attached too.
	bad := whole
	bad.Follows = []Usage{UsageAuth}
	if _, err := Build(t.TempDir(), bad); errKey(err) != "enroll.err.follows_included" {
		t.Errorf("attached and following: %v", err)
	}
}

// Over HTTPS each part is its own item (its own key) and is recorded
// sent as itself; the intake is told which part it gets.
func TestApplicationPartsOverHTTPS(t *testing.T) {
	var mu sync.Mutex
	var parts []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		parts = append(parts, r.Header.Get("X-Tunduk-Onboard-Package")+"#"+r.Header.Get("X-Tunduk-Onboard-Part"))
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	store := testStore(t)
	ob, err := store.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	ob.MaxAttempts, ob.BackoffBase = 1, time.Millisecond
	first, whole := splitInput(t)
	req := func(in *Input, prev *Record) Request {
		return Request{Via: ViaHTTPS, Input: in, Prev: prev, URL: srv.URL + "/intake", Client: srv.Client(), Outbox: ob}
	}
	out, err := Deliver(context.Background(), store, req(&first, nil))
	if err != nil || !out.Sent {
		t.Fatalf("part 1: %v", err)
	}
	rec := out.Record
	out2, err := Deliver(context.Background(), store, req(&whole, &rec))
	if err != nil || !out2.Sent || !out2.Continued || out2.IdempotencyKey == out.IdempotencyKey {
		t.Fatalf("part 2: sent %v continued %v same key %v, %v", out2.Sent, out2.Continued, out2.IdempotencyKey == out.IdempotencyKey, err)
	}
	id := rec.ID
	if !slices.Equal(parts, []string{id + "#1", id + "#2"}) {
		t.Errorf("the intake got %v", parts)
	}
	got, _ := store.Get(id)
	if len(got.Parts) != 2 || got.Parts[0].SentAt.IsZero() || got.Parts[1].SentAt.IsZero() {
		t.Errorf("parts %+v", got.Parts)
	}
}

// "advance ID sent" of an application in parts marks its part not sent
// yet, even after the first part's certificate came.
func TestAdvanceSentMarksThePart(t *testing.T) {
	store := testStore(t)
	first, whole := splitInput(t)
	out, err := Deliver(context.Background(), store, folderReq(&first, nil, t.TempDir(), true))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := store.Advance(out.Record.ID, StageCertsReceived, "", "the signing certificate")
	if err != nil {
		t.Fatal(err)
	}
	out2, err := Deliver(context.Background(), store, folderReq(&whole, &rec, t.TempDir(), false))
	if err != nil || out2.Sent || out2.Package.Manifest.Part != 2 {
		t.Fatalf("part 2 prepared: %v", err)
	}
	got, err := store.Advance(rec.ID, StageSent, ViaFolder, "")
	if err != nil || got.Stage != StageCertsReceived || got.Parts[1].SentAt.IsZero() {
		t.Errorf("advance sent: stage %s, part 2 sent %v, %v", got.Stage, !got.Parts[1].SentAt.IsZero(), err)
	}
	if _, err := store.MarkPartSent(rec.ID, 7, ViaFolder, ""); errKey(err) != "enroll.err.part_not_found" {
		t.Errorf("part 7: %v", err)
	}
}
