package enroll

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// intake is a real HTTPS server playing the operator's intake: it fails
// the first failFirst requests with status failWith, then checks and
// accepts the upload, once per idempotency key (a repeat gets 409).
type intake struct {
	t         *testing.T
	srv       *httptest.Server
	mu        sync.Mutex
	keys      []string // Idempotency-Key of every request, in order
	accepted  map[string]int
	failFirst int
	failWith  int
	header    http.Header // extra headers on failures
	files     map[string]string
	manifest  Manifest
}

func startIntake(t *testing.T, failFirst, failWith int) *intake {
	in := &intake{t: t, failFirst: failFirst, failWith: failWith, accepted: map[string]int{}, header: http.Header{}}
	in.srv = httptest.NewTLSServer(http.HandlerFunc(in.serve))
	t.Cleanup(in.srv.Close)
	return in
}

func (in *intake) serve(w http.ResponseWriter, r *http.Request) {
	in.mu.Lock()
	defer in.mu.Unlock()
	key := r.Header.Get("Idempotency-Key")
	in.keys = append(in.keys, key)
	if r.Method != http.MethodPost || key == "" {
		http.Error(w, "bad request", 400)
		return
	}
	if len(in.keys) <= in.failFirst {
		for k, v := range in.header {
			w.Header()[k] = v
		}
		http.Error(w, "try later", in.failWith)
		return
	}
	if in.accepted[key] > 0 {
		http.Error(w, "already received", http.StatusConflict)
		return
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		http.Error(w, "not multipart", 400)
		return
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	files := map[string]string{}
	var m Manifest
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		data, _ := io.ReadAll(p)
		if i == 0 {
			if p.FormName() != "manifest" || json.Unmarshal(data, &m) != nil {
				http.Error(w, "the manifest must come first", 400)
				return
			}
			continue
		}
		if p.FormName() != "file" {
			http.Error(w, "unexpected part "+p.FormName(), 400)
			return
		}
		files[p.FileName()] = sha256Hex(data)
	}
	in.accepted[key]++
	in.files, in.manifest = files, m
	w.WriteHeader(http.StatusCreated)
}

func (in *intake) client() *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(in.srv.Certificate())
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func (in *intake) snapshot() ([]string, map[string]int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	acc := map[string]int{}
	for k, v := range in.accepted {
		acc[k] = v
	}
	return append([]string(nil), in.keys...), acc
}

func fastOutbox(t *testing.T, dir string) *Outbox {
	o, err := OpenOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	o.BackoffBase = 5 * time.Millisecond
	o.MaxBackoff = 20 * time.Millisecond
	return o
}

// The helper process is a second run of this test binary: it enqueues
// the package, makes one attempt that the intake fails, and exits, as a
// wizard closed mid-retry would.
func TestOutboxHelperProcess(t *testing.T) {
	if os.Getenv("ENROLL_OUTBOX_HELPER") != "1" {
		t.Skip("runs only as the helper process of TestOutboxSurvivesRestart")
	}
	o := fastOutbox(t, os.Getenv("ENROLL_OUTBOX_DIR"))
	o.MaxAttempts = 1
	p, err := Open(os.Getenv("ENROLL_PACKAGE_DIR"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Enqueue(p, os.Getenv("ENROLL_URL")); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	caPEM, _ := os.ReadFile(os.Getenv("ENROLL_CA"))
	pool.AppendCertsFromPEM(caPEM)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := o.Flush(context.Background(), hc)
	if err != nil || len(res) != 1 || res[0].Delivered || res[0].Status != 503 {
		t.Fatalf("helper flush: %+v %v", res, err)
	}
}

// Fails twice, then accepts: the first attempt is made by another
// process that then exits; this process opens the same outbox and
// delivers. One submission arrives, with one idempotency key throughout.
func TestOutboxSurvivesRestart(t *testing.T) {
	in := startIntake(t, 2, http.StatusServiceUnavailable)
	p := buildTest(t)
	outDir := filepath.Join(t.TempDir(), "outbox")
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: in.srv.Certificate().Raw}), 0o644)

	cmd := exec.Command(os.Args[0], "-test.run=^TestOutboxHelperProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "ENROLL_OUTBOX_HELPER=1", "ENROLL_OUTBOX_DIR="+outDir,
		"ENROLL_PACKAGE_DIR="+p.Dir, "ENROLL_URL="+in.srv.URL+"/v1/enrollments", "ENROLL_CA="+caFile)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestOutboxHelperProcess") {
		t.Fatalf("helper process: %v\n%s", err, out)
	}
	keys, acc := in.snapshot()
	if len(keys) != 1 || len(acc) != 0 {
		t.Fatalf("after the helper: requests %v, accepted %v", keys, acc)
	}

	o := fastOutbox(t, outDir)
	pend, err := o.Pending()
	if err != nil || len(pend) != 1 || pend[0].Attempts != 1 || pend[0].IdempotencyKey != keys[0] ||
		pend[0].LastStatus != 503 || !strings.Contains(pend[0].LastError, "503") {
		t.Fatalf("outbox after restart: %+v %v", pend, err)
	}
	res, err := o.Flush(context.Background(), in.client())
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || !res[0].Delivered || res[0].Attempts != 3 || res[0].ID != p.Manifest.ID || res[0].Err != nil {
		t.Fatalf("results %+v", res)
	}
	keys, acc = in.snapshot()
	if len(keys) != 3 || keys[0] != keys[1] || keys[1] != keys[2] {
		t.Errorf("idempotency keys %v", keys)
	}
	if len(acc) != 1 || acc[keys[0]] != 1 {
		t.Errorf("accepted %v", acc)
	}
	// What arrived is what the manifest lists, hash for hash.
	if in.manifest.ID != p.Manifest.ID || len(in.files) != len(p.Manifest.Files) {
		t.Fatalf("received %v for %s", in.files, in.manifest.ID)
	}
	for _, f := range p.Manifest.Files {
		if in.files[f.Name] != f.SHA256 {
			t.Errorf("%s: received %s, manifest %s", f.Name, in.files[f.Name], f.SHA256)
		}
	}
	if pend, _ := o.Pending(); len(pend) != 0 {
		t.Errorf("delivered item still pending: %+v", pend)
	}
	// Nothing left to do: a second flush sends nothing.
	if res, _ := o.Flush(context.Background(), in.client()); len(res) != 0 {
		t.Errorf("second flush %+v", res)
	}
}

func TestOutboxPermanentFailureStays(t *testing.T) {
	in := startIntake(t, 1, http.StatusBadRequest)
	p := buildTest(t)
	o := fastOutbox(t, t.TempDir())
	key, err := o.Enqueue(p, in.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.Flush(context.Background(), in.client())
	if err != nil || len(res) != 1 || res[0].Delivered || !res[0].Permanent || errKey(res[0].Err) != "enroll.err.https_refused" ||
		res[0].Attempts != 1 {
		t.Fatalf("results %+v %v", res, err)
	}
	pend, _ := o.Pending()
	if len(pend) != 1 || !pend[0].Permanent || pend[0].LastStatus != 400 || !strings.Contains(pend[0].LastError, "try later") {
		t.Fatalf("pending %+v", pend)
	}
	// A permanent failure is not retried by the next flush.
	res, _ = o.Flush(context.Background(), in.client())
	if keys, _ := in.snapshot(); len(keys) != 1 || len(res) != 1 || !res[0].Permanent {
		t.Fatalf("second flush sent again: %v %+v", keys, res)
	}
	// Enqueuing the same package again keeps the same key.
	if again, _ := o.Enqueue(p, in.srv.URL); again != key {
		t.Errorf("second enqueue key %s, first %s", again, key)
	}
	if err := o.Remove(key); err != nil {
		t.Fatal(err)
	}
	if pend, _ := o.Pending(); len(pend) != 0 {
		t.Errorf("after remove %+v", pend)
	}
}

func TestOutbox409IsDelivered(t *testing.T) {
	in := startIntake(t, 0, 0)
	p := buildTest(t)
	o := fastOutbox(t, t.TempDir())
	key, _ := o.Enqueue(p, in.srv.URL)
	in.accepted[key] = 1 // the intake has it from an earlier run whose answer was lost
	res, err := o.Flush(context.Background(), in.client())
	if err != nil || len(res) != 1 || !res[0].Delivered || !res[0].AlreadyThere {
		t.Fatalf("%+v %v", res, err)
	}
	if pend, _ := o.Pending(); len(pend) != 0 {
		t.Errorf("pending %+v", pend)
	}
}

// Retries are bounded per Flush, a Retry-After longer than MaxWait ends
// the Flush with the time to come back recorded, and ctx cancels a wait.
func TestOutboxRetryLimits(t *testing.T) {
	in := startIntake(t, 1000, http.StatusServiceUnavailable)
	p := buildTest(t)
	o := fastOutbox(t, t.TempDir())
	o.MaxAttempts = 3
	o.Enqueue(p, in.srv.URL)
	res, _ := o.Flush(context.Background(), in.client())
	if keys, _ := in.snapshot(); len(keys) != 3 || len(res) != 1 || res[0].Delivered || errKey(res[0].Err) != "enroll.err.https_status" {
		t.Fatalf("bounded attempts: %d requests, %+v", len(keys), res)
	}

	in.header.Set("Retry-After", "120")
	o.MaxWait = time.Second
	start := time.Now()
	res, _ = o.Flush(context.Background(), in.client())
	if time.Since(start) > 5*time.Second || len(res) != 1 || res[0].Delivered {
		t.Fatalf("retry-after: %+v after %v", res, time.Since(start))
	}
	pend, _ := o.Pending()
	if until := time.Until(pend[0].NextAttempt); until < 100*time.Second || until > 121*time.Second || pend[0].Attempts != 4 {
		t.Fatalf("next attempt in %v, attempts %d", until, pend[0].Attempts)
	}

	in.header.Del("Retry-After")
	o.BackoffBase, o.MaxBackoff, o.MaxAttempts, o.MaxWait = time.Minute, time.Minute, 5, 10*time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start = time.Now()
	res, err := o.Flush(ctx, in.client())
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second || len(res) != 1 || res[0].Delivered {
		t.Fatalf("cancel: %v %+v after %v", err, res, time.Since(start))
	}
	if pend, _ := o.Pending(); len(pend) != 1 || pend[0].Attempts != 5 {
		t.Fatalf("after cancel %+v", pend)
	}
}

func TestOutboxRefusesPlainHTTP(t *testing.T) {
	p := buildTest(t)
	o := fastOutbox(t, t.TempDir())
	for _, u := range []string{"http://intake.example/", "https://user:pw@intake.example/", "intake.example"} {
		if _, err := o.Enqueue(p, u); errKey(err) != "enroll.err.url_not_https" {
			t.Errorf("%s: %v", u, err)
		}
	}
	if pend, _ := o.Pending(); len(pend) != 0 {
		t.Errorf("pending %+v", pend)
	}
}

// A redirect to plain http is not followed: the package never leaves TLS,
// and the item is kept as a permanent failure.
func TestOutboxRefusesRedirectToHTTP(t *testing.T) {
	var plainHits int
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { plainHits++ }))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer tlsSrv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(tlsSrv.Certificate())
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	o := fastOutbox(t, t.TempDir())
	o.Enqueue(buildTest(t), tlsSrv.URL)
	res, err := o.Flush(context.Background(), hc)
	if err != nil || len(res) != 1 || res[0].Delivered || !res[0].Permanent || errKey(res[0].Err) != "enroll.err.https_redirect" {
		t.Fatalf("%+v %v", res, err)
	}
	if plainHits != 0 {
		t.Fatalf("the plain-http server got %d requests", plainHits)
	}
}

func TestExplain(t *testing.T) {
	if k, d := Explain(&Error{Key: "enroll.err.smtp_tls", Data: map[string]any{"Server": "s"}}); k != "enroll.err.smtp_tls" || d["Server"] != "s" {
		t.Errorf("%s %v", k, d)
	}
	if k, d := Explain(errors.New("boom")); k != "enroll.err.other" || d["Error"] != "boom" {
		t.Errorf("%s %v", k, d)
	}
}

// A 302 is not followed (Go would turn the POST into a GET whose 200
// would look like a delivery); a 307 to another https path is, with the
// body and the same key.
func TestOutboxRedirects(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("Idempotency-Key"))
		mu.Unlock()
		switch r.URL.Path {
		case "/found":
			http.Redirect(w, r, "/status-page", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "/new-intake", http.StatusTemporaryRedirect)
		case "/new-intake":
			if err := r.ParseMultipartForm(1 << 20); err != nil || len(r.MultipartForm.File["file"]) == 0 {
				http.Error(w, "no body", 400)
				return
			}
			w.WriteHeader(http.StatusAccepted)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	o := fastOutbox(t, t.TempDir())
	o.Enqueue(buildTest(t), srv.URL+"/found")
	res, _ := o.Flush(context.Background(), hc)
	if len(res) != 1 || res[0].Delivered || !res[0].Permanent || res[0].Status != http.StatusFound {
		t.Fatalf("302: %+v", res)
	}

	o2 := fastOutbox(t, t.TempDir())
	key, _ := o2.Enqueue(buildTest(t), srv.URL+"/moved")
	res, _ = o2.Flush(context.Background(), hc)
	if len(res) != 1 || !res[0].Delivered {
		t.Fatalf("307: %+v", res)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 || !strings.HasPrefix(seen[0], "POST /found ") || seen[1] != "POST /moved "+key || seen[2] != "POST /new-intake "+key {
		t.Fatalf("requests %v", seen)
	}
}

// One Flush of an outbox at a time: while another holds it (the wizard's
// start-up retry, say, with the CLI run beside it), a Flush sends nothing
// and says why; once it is free, the item goes.
func TestOutboxOneFlushAtATime(t *testing.T) {
	in := startIntake(t, 0, 0)
	p := buildTest(t)
	dir := t.TempDir()
	first, second := fastOutbox(t, dir), fastOutbox(t, dir)
	if _, err := first.Enqueue(p, in.srv.URL); err != nil {
		t.Fatal(err)
	}
	unlock, err := first.lockFlush()
	if err != nil {
		t.Fatal(err)
	}
	res, err := second.Flush(context.Background(), in.client())
	if errKey(err) != "enroll.err.outbox_busy" || len(res) != 0 {
		t.Fatalf("flush beside a running one: %+v, %v", res, err)
	}
	if keys, _ := in.snapshot(); len(keys) != 0 {
		t.Fatalf("sent while another flush held the outbox: %v", keys)
	}
	unlock()
	res, err = second.Flush(context.Background(), in.client())
	if err != nil || len(res) != 1 || !res[0].Delivered {
		t.Fatalf("flush after the other ended: %+v, %v", res, err)
	}
}

// A store moved as a whole (another disk, a restored backup) keeps its
// outbox working: items name their package relative to the store.
func TestOutboxSurvivesAMovedStore(t *testing.T) {
	in := startIntake(t, 0, 0)
	root := t.TempDir()
	store, err := OpenStore(filepath.Join(root, "before"))
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := store.Create(testInput(t))
	if err != nil {
		t.Fatal(err)
	}
	ob, err := store.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ob.Enqueue(p, in.srv.URL); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(root, "before"), filepath.Join(root, "after")); err != nil {
		t.Fatal(err)
	}
	moved, err := OpenStore(filepath.Join(root, "after"))
	if err != nil {
		t.Fatal(err)
	}
	mob, err := moved.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	res, err := mob.Flush(context.Background(), in.client())
	if err != nil || len(res) != 1 || !res[0].Delivered {
		t.Fatalf("flush after the move: %+v, %v", res, err)
	}
}
