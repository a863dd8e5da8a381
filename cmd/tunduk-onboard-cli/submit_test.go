package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/enroll/enrolltest"
	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets"
	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets/secretstest"
)

const submitOrg = "Министерство цифрового развития КР"

// submitEnv is one user's machine: a config dir (logs), a store, files.
type submitEnv struct {
	t                     *testing.T
	config, store, dir    string
	authCSR, signCSR, rep string
}

func newSubmitEnv(t *testing.T) *submitEnv {
	e := &submitEnv{t: t, config: t.TempDir(), store: filepath.Join(t.TempDir(), "store"), dir: t.TempDir()}
	e.authCSR = writeCSR(t, filepath.Join(e.dir, "auth.der"), "SS1", false)
	e.signCSR = writeCSR(t, filepath.Join(e.dir, "sign.pem"), submitOrg, true)
	return e
}

// run is one CLI run with this machine's config dir.
func (e *submitEnv) run(stdin string, args ...string) (int, string, string) {
	e.t.Helper()
	e.t.Setenv("XDG_CONFIG_HOME", e.config)
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func (e *submitEnv) base(via string) []string {
	return []string{"submit", "--via", via, "--auth-csr", e.authCSR, "--sign-csr", e.signCSR, "--sign-key", "Rutoken 0a1b2c3d",
		"--member-class", "GOV", "--member-code", "70000001", "--name", submitOrg, "--server-code", "SS1",
		"--server-address", "93.184.216.34", "--store", e.store}
}

// readiness saves a real readiness report of this machine, as a user
// would with "check --format json".
func (e *submitEnv) readiness() string {
	e.t.Helper()
	if e.rep == "" {
		e.rep = filepath.Join(e.dir, "readiness.json")
		if code, _, errOut := e.run("", "check", "--format", "json", "--output", e.rep); code == exitCannot {
			e.t.Fatalf("check: %s", errOut)
		}
	}
	return e.rep
}

// noSecret fails when secret is in any file under the dirs.
func noSecret(t *testing.T, secret string, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, de fs.DirEntry, err error) error {
			if err == nil && !de.IsDir() {
				if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secret)) {
					t.Errorf("the secret is in %s", p)
				}
			}
			return nil
		})
	}
}

func writeCSR(t *testing.T, path, cn string, pemForm bool) string {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn, Country: []string{"KG"}}}, k)
	if err != nil {
		t.Fatal(err)
	}
	data := der
	if pemForm {
		data = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	}
	os.WriteFile(path, data, 0o644)
	return path
}

func decodeSubmit(t *testing.T, s string) submitOut {
	t.Helper()
	var o submitOut
	if err := json.Unmarshal([]byte(s), &o); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return o
}

// toFolder submits to a new folder (a USB stick), with this machine's
// readiness report, and returns the folder and what submit said.
func (e *submitEnv) toFolder() (string, submitOut) {
	e.t.Helper()
	usb := filepath.Join(e.t.TempDir(), "usb")
	code, out, errOut := e.run("", append(e.base("folder"), "--report", e.readiness(), "--out", usb, "--format", "json")...)
	if code != exitOK {
		e.t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	return usb, decodeSubmit(e.t, out)
}

func TestSubmitFolderEndToEnd(t *testing.T) {
	e := newSubmitEnv(t)
	usb, o := e.toFolder()
	if !o.Delivered || o.Stage != enroll.StageSent || o.Report != "json+html" || o.Folder != filepath.Join(usb, o.ID) {
		t.Fatalf("output %+v", o)
	}
	p, err := enroll.Open(o.Folder)
	if err != nil {
		t.Fatalf("the copy does not verify: %v", err)
	}
	names := strings.Join(p.Names(), ",")
	for _, n := range []string{"auth.csr.der", "auth.csr.pem", "sign.csr.der", "sign.csr.pem", "readiness.json", "readiness.html", "participant.json"} {
		if !strings.Contains(names, n) {
			t.Errorf("%s missing from %s", n, names)
		}
	}
	html, _ := os.ReadFile(filepath.Join(o.Folder, "readiness.html"))
	if !bytes.Contains(html, []byte("<html")) {
		t.Errorf("readiness.html is not HTML: %.100s", html)
	}
	_, csrs, _, _ := p.Info()
	if len(csrs) != 2 || csrs[1].Source != "Rutoken 0a1b2c3d" || !strings.Contains(csrs[0].Source, "программный токен") {
		t.Errorf("key sources %+v", csrs)
	}

	// status and list read the same store, in Russian here.
	code, out, _ := e.run("", "submit", "status", o.ID, "--store", e.store, "--lang", "ru")
	if code != exitOK || !strings.Contains(out, "отправлена") || !strings.Contains(out, "подготовлена") || !strings.Contains(out, submitOrg) {
		t.Errorf("status: %d\n%s", code, out)
	}
	code, out, _ = e.run("", "submit", "list", "--store", e.store, "--format", "json")
	if l := decodeSubmit(t, out); code != exitOK || len(l.Records) != 1 || l.Records[0].ID != o.ID || len(l.Records[0].History) != 2 {
		t.Errorf("list: %d %s", code, out)
	}
	// The user records the certificates' arrival; going back is refused.
	if code, out, _ = e.run("", "submit", "advance", o.ID, "certificates_received", "--note", "by e-mail", "--store", e.store, "--lang", "ky"); code != exitOK || !strings.Contains(out, "сертификаттар алынды") {
		t.Errorf("advance: %d %s", code, out)
	}
	if code, _, errOut := e.run("", "submit", "advance", o.ID, "sent", "--store", e.store, "--lang", "ru"); code != exitCannot || !strings.Contains(errOut, "не может вернуться") {
		t.Errorf("advance backwards: %d %s", code, errOut)
	}
}

func TestSubmitBadInputLeavesNothing(t *testing.T) {
	e := newSubmitEnv(t)
	garbage := filepath.Join(e.dir, "garbage.pem")
	os.WriteFile(garbage, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o644)
	broken, _ := os.ReadFile(e.authCSR)
	broken[len(broken)-3] ^= 0x55
	brokenFile := filepath.Join(e.dir, "broken.der")
	os.WriteFile(brokenFile, broken, 0o644)
	replace := func(args []string, flag, v string) []string {
		out := append([]string(nil), args...)
		for i := range out {
			if out[i] == flag {
				out[i+1] = v
			}
		}
		return out
	}
	out := t.TempDir()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"member code", replace(e.base("folder"), "--member-code", "12345"), "8 цифр"},
		{"member class", replace(e.base("folder"), "--member-class", "ORG"), "GOV, COM"},
		{"server code", replace(e.base("folder"), "--server-code", "сервер 1"), "латинские"},
		{"GOV code of a COM", replace(e.base("folder"), "--member-code", "60000061"), "класса GOV начинаются с 7"},
		{"private address", replace(e.base("folder"), "--server-address", "10.0.0.5"), "10.0.0.5 — не публичный адрес (частный)"},
		{"loopback address", replace(e.base("folder"), "--server-address", "127.0.0.1"), "не публичный адрес (петлевой (loopback))"},
		{"CGNAT address", replace(e.base("folder"), "--server-address", "100.64.2.3"), "(CGNAT)"},
		{"localhost", replace(e.base("folder"), "--server-address", "localhost"), "не публичный адрес"},
		{"not a CSR", replace(e.base("folder"), "--sign-csr", garbage), "CERTIFICATE REQUEST"},
		{"broken signature", replace(e.base("folder"), "--auth-csr", brokenFile), "Подпись CSR (auth)"},
		{"no out", e.base("folder"), "--out"},
		{"no intake url", e.base("https"), "ca.intake_url"},
		{"plain http url", append(e.base("https"), "--url", "http://intake.example/"), "https://"},
		{"via", e.base("fax"), "--via"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append(c.args, "--lang", "ru")
			if c.name != "no out" {
				args = append(args, "--out", out)
			}
			code, stdout, errOut := e.run("", args...)
			if code != exitCannot || !strings.Contains(errOut, c.want) || !strings.HasPrefix(errOut, "ошибка: ") {
				t.Fatalf("exit %d, stdout %q, stderr %q (want %q)", code, stdout, errOut, c.want)
			}
		})
	}
	ents, _ := os.ReadDir(e.store)
	for _, en := range ents {
		if !strings.HasPrefix(en.Name(), ".") {
			t.Errorf("bad input left %s in the store", en.Name())
		}
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("bad input wrote %d entries to --out", len(ents))
	}
}

const cliSMTPPassword = "Cli-SMTP-пароль-4471"

func TestSubmitSMTPEndToEnd(t *testing.T) {
	e := newSubmitEnv(t)
	srv := enrolltest.StartMail(t, enrolltest.MailOptions{User: "it@mincifra.kg", Password: cliSMTPPassword})
	ca := filepath.Join(e.dir, "mail-ca.pem")
	os.WriteFile(ca, srv.CertPEM, 0o644)
	smtpArgs := []string{"--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(srv.Port), "--from", "it@mincifra.kg",
		"--smtp-password-stdin", "--tls-ca", ca}

	// A wrong password first: exit 1, a translated error, nothing sent.
	code, out, errOut := e.run("wrong-"+cliSMTPPassword+"\n", append(append(e.base("smtp"), smtpArgs...), "--lang", "ky")...)
	if code != exitFailed || !strings.Contains(errOut, "it@mincifra.kg колдонуучусунун кирүүсүн четке какты") || !strings.Contains(out, "--id") {
		t.Fatalf("wrong password: exit %d\n%s\n%s", code, out, errOut)
	}
	allOut := out + errOut

	code, out, errOut = e.run(cliSMTPPassword+"\n", append(append(e.base("smtp"), smtpArgs...), "--report", e.readiness(), "--format", "json")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	allOut += out + errOut
	o := decodeSubmit(t, out)
	msgs := srv.Messages()
	if len(msgs) != 1 || strings.Join(msgs[0].To, ",") != "kuc@infocom.kg" || msgs[0].From != "it@mincifra.kg" || !msgs[0].TLS {
		t.Fatalf("received %+v", msgs)
	}
	if !o.Delivered || o.Stage != enroll.StageSent {
		t.Errorf("output %+v", o)
	}
	// Every file of the stored package is attached with its exact bytes.
	p, err := enroll.Open(o.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Manifest.Files {
		if !strings.Contains(string(msgs[0].Data), `filename=`+f.Name) && !strings.Contains(string(msgs[0].Data), `filename="`+f.Name+`"`) {
			t.Errorf("%s not attached", f.Name)
		}
	}
	// The password is nowhere: not in any output, the store or the logs.
	if strings.Contains(allOut, cliSMTPPassword) {
		t.Error("the password is in the output")
	}
	noSecret(t, cliSMTPPassword, e.store, e.config)
	if logs, _ := filepath.Glob(filepath.Join(e.config, "tunduk-onboard", "logs", "*")); len(logs) == 0 {
		t.Log("no log files were written (the check for the password in them saw nothing)")
	}

	// The resend of the first (failed) submission by --id works too.
	code, out, _ = e.run("", "submit", "list", "--store", e.store, "--format", "json")
	l := decodeSubmit(t, out)
	if len(l.Records) != 2 || l.Records[1].Stage != enroll.StagePrepared {
		t.Fatalf("list %s", out)
	}
	code, out, errOut = e.run(cliSMTPPassword+"\n", append([]string{"submit", "--via", "smtp", "--id", l.Records[1].ID, "--store", e.store}, smtpArgs...)...)
	if code != exitOK || len(srv.Messages()) != 2 {
		t.Fatalf("resend: %d %s %s", code, out, errOut)
	}
}

func TestSubmitSMTPWithoutSTARTTLS(t *testing.T) {
	e := newSubmitEnv(t)
	srv := enrolltest.StartMail(t, enrolltest.MailOptions{NoTLS: true, User: "it@mincifra.kg", Password: cliSMTPPassword})
	code, out, errOut := e.run(cliSMTPPassword+"\n", append(e.base("smtp"), "--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(srv.Port),
		"--from", "it@mincifra.kg", "--smtp-password-stdin", "--lang", "en")...)
	if code != exitFailed || !strings.Contains(errOut, "does not offer STARTTLS") || strings.Contains(out+errOut, cliSMTPPassword) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if c := srv.Commands(); len(c) != 0 {
		t.Fatalf("the server saw %v", c)
	}
}

// The HTTPS intake through the CLI: a refusal stays in the outbox and
// shows in status; an accepting intake gets it, and flush has nothing left.
func TestSubmitHTTPS(t *testing.T) {
	e := newSubmitEnv(t)
	var mu sync.Mutex
	status := http.StatusBadRequest
	var keys []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		if status != http.StatusCreated {
			http.Error(w, "missing field", status)
			return
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil || len(r.MultipartForm.File["file"]) < 3 || len(r.MultipartForm.File["manifest"]) != 1 {
			http.Error(w, "bad form", 400)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	ca := filepath.Join(e.dir, "intake-ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)

	code, out, errOut := e.run("", append(e.base("https"), "--url", srv.URL+"/intake", "--tls-ca", ca, "--format", "json")...)
	o := decodeSubmit(t, out)
	if code != exitFailed || o.Delivered || o.Error == nil || o.Error.Key != "enroll.err.https_refused" || !strings.Contains(o.Error.Message, "missing field") {
		t.Fatalf("refused: exit %d %s %s", code, out, errOut)
	}
	code, out, _ = e.run("", "submit", "status", "--store", e.store, "--lang", "en")
	if code != exitOK || !strings.Contains(out, "refused for good") || !strings.Contains(out, o.IdempotencyKey) {
		t.Errorf("status: %s", out)
	}

	mu.Lock()
	status = http.StatusCreated
	mu.Unlock()
	code, out, errOut = e.run("", append(e.base("https"), "--url", srv.URL+"/intake", "--tls-ca", ca, "--format", "json")...)
	o2 := decodeSubmit(t, out)
	if code != exitOK || !o2.Delivered || o2.Stage != enroll.StageSent || o2.IdempotencyKey == o.IdempotencyKey {
		t.Fatalf("accepted: exit %d %s %s", code, out, errOut)
	}
	// The refused item is still there (flush reports it, exit 1); the
	// delivered one is gone.
	code, out, _ = e.run("", "submit", "flush", "--store", e.store, "--tls-ca", ca, "--format", "json")
	f := decodeSubmit(t, out)
	if code != exitFailed || len(f.Results) != 1 || !f.Results[0].Permanent || f.Results[0].ID != o.ID {
		t.Errorf("flush: %d %s", code, out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(keys) != 2 {
		t.Errorf("requests %v", keys)
	}
}

// --remember-password keeps the SMTP password in the OS keyring (and
// nowhere else); the next send takes it from there without asking.
func TestSubmitSMTPRememberPassword(t *testing.T) {
	secretstest.StartKeyring(t)
	e := newSubmitEnv(t)
	srv := enrolltest.StartMail(t, enrolltest.MailOptions{User: "it@mincifra.kg", Password: cliSMTPPassword})
	ca := filepath.Join(e.dir, "mail-ca.pem")
	os.WriteFile(ca, srv.CertPEM, 0o644)
	account := enroll.SMTPAccount("it@mincifra.kg", srv.Host)
	t.Cleanup(func() { secrets.Delete(account) })
	prompt := promptTTY
	promptTTY = func(string) (string, error) { t.Error("the password was asked on the terminal"); return "", errNoTTY }
	t.Cleanup(func() { promptTTY = prompt })
	args := append(e.base("smtp"), "--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(srv.Port), "--from", "it@mincifra.kg", "--tls-ca", ca, "--lang", "en")

	code, out, errOut := e.run(cliSMTPPassword+"\n", append(args, "--smtp-password-stdin", "--remember-password")...)
	if code != exitOK || !strings.Contains(out, "saved in the OS keyring") {
		t.Fatalf("first send: %d %s %s", code, out, errOut)
	}
	if got, err := secrets.Get(account); err != nil || got != cliSMTPPassword {
		t.Fatalf("keyring holds %d bytes, %v", len(got), err)
	}
	code, out2, errOut2 := e.run("", args...)
	if code != exitOK || !strings.Contains(out2, "Using the SMTP password saved") || len(srv.Messages()) != 2 {
		t.Fatalf("second send: %d %s %s", code, out2, errOut2)
	}
	if strings.Contains(out+errOut+out2+errOut2, cliSMTPPassword) {
		t.Error("the password is in the output")
	}
	noSecret(t, cliSMTPPassword, e.store, e.config)
}

// --via email writes the letter as an .eml (a copy in --out) addressed to
// the profile's CA; a report of another schema is packed as JSON only,
// and the output says so.
func TestSubmitEmailAndJSONOnlyReport(t *testing.T) {
	e := newSubmitEnv(t)
	other := filepath.Join(e.dir, "other.json")
	os.WriteFile(other, []byte(`{"schema":"someone-else/v9","hosts":[]}`), 0o644)
	out := t.TempDir()
	code, stdout, errOut := e.run("", append(e.base("email"), "--report", other, "--out", out, "--from", "it@mincifra.kg", "--lang", "en")...)
	if code != exitOK || !strings.Contains(stdout, "packed as JSON only") || !strings.Contains(stdout, "kuc@infocom.kg") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errOut)
	}
	emls, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	if len(emls) != 1 {
		t.Fatalf("eml files in --out: %v", emls)
	}
	data, _ := os.ReadFile(emls[0])
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("To") != "<kuc@infocom.kg>" || msg.Header.Get("From") != "<it@mincifra.kg>" || msg.Header.Get("X-Unsent") != "1" {
		t.Errorf("headers %v", msg.Header)
	}
	if !bytes.Contains(data, []byte(`filename=readiness.json`)) || bytes.Contains(data, []byte(`filename=readiness.html`)) {
		t.Error("the report attachments are not JSON only")
	}
	// Not sent yet: the record stays prepared until the user says so.
	_, listOut, _ := e.run("", "submit", "list", "--store", e.store, "--format", "json")
	if l := decodeSubmit(t, listOut); len(l.Records) != 1 || l.Records[0].Stage != enroll.StagePrepared {
		t.Errorf("list %s", listOut)
	}
}

// A password the wizard remembered (enroll's one name, the wizard's all
// along) is the command line's too; one the command line saved under its
// old name is found once more and moved to the one name.
func TestSubmitSMTPPasswordTheWizardRemembered(t *testing.T) {
	secretstest.StartKeyring(t)
	e := newSubmitEnv(t)
	srv := enrolltest.StartMail(t, enrolltest.MailOptions{User: "it@mincifra.kg", Password: cliSMTPPassword})
	ca := filepath.Join(e.dir, "mail-ca.pem")
	os.WriteFile(ca, srv.CertPEM, 0o644)
	account := "smtp:it@mincifra.kg@" + srv.Host // as the wizard saves it
	t.Cleanup(func() { enroll.ForgetSMTPPassword("it@mincifra.kg", srv.Host) })
	prompt := promptTTY
	promptTTY = func(string) (string, error) { t.Error("the password was asked on the terminal"); return "", errNoTTY }
	t.Cleanup(func() { promptTTY = prompt })
	args := append(e.base("smtp"), "--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(srv.Port), "--from", "it@mincifra.kg", "--tls-ca", ca, "--lang", "en")

	if err := secrets.Set(account, cliSMTPPassword); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := e.run("", args...)
	if code != exitOK || !strings.Contains(out, "Using the SMTP password saved") || len(srv.Messages()) != 1 {
		t.Fatalf("the wizard's password: %d %s %s", code, out, errOut)
	}

	// The command line's old name: found, moved, the old entry gone.
	if err := secrets.Delete(account); err != nil {
		t.Fatal(err)
	}
	old := "smtp/it@mincifra.kg@" + srv.Host
	if err := secrets.Set(old, cliSMTPPassword); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = e.run("", args...)
	if code != exitOK || !strings.Contains(out, "Using the SMTP password saved") || len(srv.Messages()) != 2 {
		t.Fatalf("the old name: %d %s %s", code, out, errOut)
	}
	if got, err := secrets.Get(account); err != nil || got != cliSMTPPassword {
		t.Errorf("not moved to %s: %v", account, err)
	}
	if _, err := secrets.Get(old); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("the old entry is left: %v", err)
	}
	if strings.Contains(out+errOut, cliSMTPPassword) {
		t.Error("the password is in the output")
	}
}

// breakStatusFiles turns every submission's status.json in the store into
// a folder: the record can be neither read nor written (root writes
// anywhere, so permissions would not do).
func breakStatusFiles(t *testing.T, store string) {
	ents, _ := os.ReadDir(store)
	for _, en := range ents {
		if !en.IsDir() || strings.HasPrefix(en.Name(), ".") {
			continue
		}
		st := filepath.Join(store, en.Name(), enroll.StatusName)
		if os.Remove(st) == nil {
			os.MkdirAll(filepath.Join(st, "x"), 0o700)
		}
	}
}

// A stage the store cannot record is an error of the command, not
// dropped: "submit" and "submit flush" say so and exit 1, though the
// package went.
func TestSubmitStageErrorSurfaces(t *testing.T) {
	e := newSubmitEnv(t)
	var mu sync.Mutex
	status, target := http.StatusCreated, e.store
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if status == http.StatusCreated {
			breakStatusFiles(t, target) // while the package is on its way
		} else {
			w.Header().Set("Retry-After", "3600") // kept, no retry now
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	ca := filepath.Join(e.dir, "intake-ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)
	args := append(e.base("https"), "--url", srv.URL+"/intake", "--tls-ca", ca)

	code, out, errOut := e.run("", append(args, "--format", "json")...)
	o := decodeSubmit(t, out)
	if code != exitFailed || !o.Delivered || o.Error == nil || o.Error.Key != "enroll.err.read" || !strings.Contains(errOut, "Could not read") {
		t.Fatalf("submit: exit %d %s %s", code, out, errOut)
	}

	// The same through "submit flush": queued first, delivered by flush.
	e2 := newSubmitEnv(t)
	mu.Lock()
	status, target = http.StatusServiceUnavailable, e2.store
	mu.Unlock()
	args2 := append(e2.base("https"), "--url", srv.URL+"/intake", "--tls-ca", ca)
	if code, out, errOut := e2.run("", args2...); code != exitFailed || !strings.Contains(out, "outbox") {
		t.Fatalf("queued: exit %d %s %s", code, out, errOut)
	}
	mu.Lock()
	status = http.StatusCreated
	mu.Unlock()
	code, out, errOut = e2.run("", "submit", "flush", "--store", e2.store, "--tls-ca", ca, "--lang", "ru")
	if code != exitFailed || !strings.Contains(errOut, "Не удалось прочитать") {
		t.Fatalf("flush: exit %d %s %s", code, out, errOut)
	}
}
