package enroll

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/enroll/enrolltest"
)

const smtpPassword = "S3cret-пароль-7781"

// captureLogs sends every logrus entry of the test to a buffer.
func captureLogs(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	l := logrus.StandardLogger()
	out, lvl := l.Out, l.GetLevel()
	l.SetOutput(&buf)
	l.SetLevel(logrus.TraceLevel)
	t.Cleanup(func() { l.SetOutput(out); l.SetLevel(lvl) })
	return &buf
}

// checkMessage parses a received message and checks its headers, the
// letter, and that every attachment's SHA-256 equals the manifest's.
func checkMessage(t *testing.T, p *Package, data []byte, to []string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || !strings.Contains(subj, orgName) || !strings.Contains(subj, "70000001") {
		t.Errorf("subject %q (%v)", subj, err)
	}
	if raw := msg.Header.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?b?") {
		t.Errorf("subject not RFC 2047-encoded: %q", raw)
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("date: %v", err)
	}
	if id := msg.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.Contains(id, "@") {
		t.Errorf("message-id %q", id)
	}
	addrs, err := msg.Header.AddressList("To")
	if err != nil || len(addrs) != len(to) || addrs[0].Address != to[0] {
		t.Errorf("To %v %v", addrs, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("content type %q %v", mt, err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	body, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if ct := body.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("body type %q", ct)
	}
	text, _ := io.ReadAll(body) // quoted-printable, decoded by the reader
	letter := string(text)
	for _, want := range []string{"Уважаемые", "Rutoken 0a1b2c3d", orgName, "203.0.113.10", "SS1", "GOV", "central-server",
		"auth.csr.der", "sign.csr.der"} {
		if !strings.Contains(letter, want) {
			t.Errorf("letter lacks %q:\n%s", want, letter)
		}
	}
	for _, f := range p.Manifest.Files {
		if !strings.Contains(letter, f.SHA256) {
			t.Errorf("letter lacks the SHA-256 of %s", f.Name)
		}
	}
	// Russian first, then the user's Kyrgyz.
	ru, ky := strings.Index(letter, "Уважаемые"), strings.Index(letter, "Урматтуу")
	if ru < 0 || ky < ru {
		t.Errorf("letter languages: ru at %d, ky at %d", ru, ky)
	}
	got := map[string]string{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if part.Header.Get("Content-Transfer-Encoding") != "base64" {
			t.Errorf("%s: not base64", part.FileName())
		}
		raw, _ := io.ReadAll(part)
		dec, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
		if err != nil {
			t.Fatalf("%s: %v", part.FileName(), err)
		}
		got[part.FileName()] = sha256Hex(dec)
	}
	if len(got) != len(p.Manifest.Files)+1 {
		t.Errorf("attachments %v", got)
	}
	for _, f := range p.Manifest.Files {
		if got[f.Name] != f.SHA256 {
			t.Errorf("attachment %s: sha %s, manifest %s", f.Name, got[f.Name], f.SHA256)
		}
	}
	if _, ok := got["manifest.json"]; !ok {
		t.Error("manifest.json not attached")
	}
}

func TestSendSMTPWithSTARTTLSAndAuth(t *testing.T) {
	logs := captureLogs(t)
	srv := enrolltest.StartMail(t, enrolltest.MailOptions{User: "org@example.kg", Password: smtpPassword})
	p := buildTest(t)
	to := []string{"kuc@infocom.kg", "copy@example.kg"}
	err := SendSMTP(context.Background(), p, SMTP{Host: srv.Host, Port: srv.Port, Username: "org@example.kg",
		Password: smtpPassword, From: "org@example.kg", To: to, TLS: srv.ClientTLS, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if m.From != "org@example.kg" || strings.Join(m.To, ",") != strings.Join(to, ",") {
		t.Errorf("envelope from %q to %v", m.From, m.To)
	}
	if !m.TLS || !m.AuthTLS || m.User != "org@example.kg" {
		t.Errorf("tls %v, auth in tls %v, user %q", m.TLS, m.AuthTLS, m.User)
	}
	checkMessage(t, p, m.Data, to)
	if strings.Contains(logs.String(), smtpPassword) || !strings.Contains(logs.String(), p.Manifest.ID) {
		t.Errorf("logs: %s", logs.String())
	}
}

// No STARTTLS offered: an error with its key, and the server saw no
// AUTH, MAIL or DATA at all.
func TestSendSMTPRefusesServerWithoutSTARTTLS(t *testing.T) {
	logs := captureLogs(t)
	srv := enrolltest.StartMail(t, enrolltest.MailOptions{NoTLS: true, User: "org@example.kg", Password: smtpPassword})
	p := buildTest(t)
	err := SendSMTP(context.Background(), p, SMTP{Host: srv.Host, Port: srv.Port, Username: "org@example.kg",
		Password: smtpPassword, From: "org@example.kg", To: []string{"kuc@infocom.kg"}, Timeout: 10 * time.Second})
	if errKey(err) != "enroll.err.smtp_no_starttls" {
		t.Fatalf("err %v", err)
	}
	if c := srv.Commands(); len(c) != 0 || len(srv.Messages()) != 0 {
		t.Fatalf("the server saw %v", c)
	}
	if strings.Contains(err.Error(), smtpPassword) || strings.Contains(logs.String(), smtpPassword) {
		t.Fatal("password leaked")
	}
}

func TestSendSMTPErrors(t *testing.T) {
	logs := captureLogs(t)
	srv := enrolltest.StartMail(t, enrolltest.MailOptions{User: "org@example.kg", Password: smtpPassword, Refuse: []string{"nobody@infocom.kg"}})
	p := buildTest(t)
	base := SMTP{Host: srv.Host, Port: srv.Port, Username: "org@example.kg", Password: smtpPassword,
		From: "org@example.kg", To: []string{"kuc@infocom.kg"}, TLS: srv.ClientTLS, Timeout: 10 * time.Second}
	var errs []error

	wrong := base
	wrong.Password = "wrong-" + smtpPassword
	err := SendSMTP(context.Background(), p, wrong)
	if errKey(err) != "enroll.err.smtp_auth_failed" {
		t.Errorf("wrong password: %v", err)
	}
	errs = append(errs, err)

	refused := base
	refused.To = []string{"nobody@infocom.kg"}
	err = SendSMTP(context.Background(), p, refused)
	if errKey(err) != "enroll.err.smtp_recipient_refused" || err.(*Error).Data["Address"] != "nobody@infocom.kg" {
		t.Errorf("refused recipient: %v", err)
	}
	errs = append(errs, err)

	// The server's certificate is not trusted by the system roots.
	untrusted := base
	untrusted.TLS = nil
	err = SendSMTP(context.Background(), p, untrusted)
	if errKey(err) != "enroll.err.smtp_tls" {
		t.Errorf("untrusted certificate: %v", err)
	}
	errs = append(errs, err)

	closed := base
	closed.Port = 1 // nothing listens there
	err = SendSMTP(context.Background(), p, closed)
	if errKey(err) != "enroll.err.smtp_connect" {
		t.Errorf("closed port: %v", err)
	}
	errs = append(errs, err)

	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages accepted", n)
	}
	for _, e := range errs {
		if e != nil && strings.Contains(e.Error(), smtpPassword) {
			t.Errorf("password in error %q", e)
		}
	}
	if strings.Contains(logs.String(), smtpPassword) {
		t.Error("password in the log")
	}
}

func TestWriteEML(t *testing.T) {
	p := buildTest(t)
	path, err := WriteEML(p, Mail{From: "org@example.kg", To: []string{"kuc@infocom.kg"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(path, "/submission.eml") {
		t.Fatalf("path %s", path)
	}
	data := readFile(t, path)
	if !bytes.Contains(data, []byte("X-Unsent: 1\r\n")) {
		t.Error("no X-Unsent header")
	}
	checkMessage(t, p, data, []string{"kuc@infocom.kg"})
	// The package still verifies: the .eml is not part of it.
	if _, err := Open(p.Dir); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteEML(p, Mail{To: []string{"not an address"}}); errKey(err) != "enroll.err.address" {
		t.Errorf("bad address: %v", err)
	}
}

// The letter is in Russian, then in the user's language when that is
// English or Kyrgyz; a Russian user gets Russian only.
func TestLetterLanguages(t *testing.T) {
	for lang, want := range map[string][]string{"ru": {"Уважаемые"}, "en": {"Уважаемые", "Dear colleagues"}, "ky": {"Уважаемые", "Урматтуу"}} {
		in := testInput(t)
		in.Lang = lang
		p, err := Build(t.TempDir(), in)
		if err != nil {
			t.Fatal(err)
		}
		m, _, _ := readVerified(p)
		body, err := letter(p, m, "x")
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: no %q", lang, w)
			}
		}
		// Each language lists every file with its hash.
		for _, f := range m.Files {
			if n := strings.Count(body, f.SHA256); n != len(want) {
				t.Errorf("%s: %s listed %d times for %d languages", lang, f.Name, n, len(want))
			}
		}
		if lang == "ru" && (strings.Contains(body, "Dear") || strings.Contains(body, "Урматтуу")) {
			t.Errorf("ru letter has another language")
		}
	}
}

func TestSMTPPrintsNoPassword(t *testing.T) {
	s := SMTP{Host: "smtp.example.kg", Port: 587, Username: "u", Password: smtpPassword}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(f, s); strings.Contains(out, smtpPassword) || !strings.Contains(out, "smtp.example.kg") {
			t.Errorf("%s: %s", f, out)
		}
	}
	if out := fmt.Sprintf("%+v", &s); strings.Contains(out, smtpPassword) {
		t.Errorf("pointer: %s", out)
	}
}

// The letter names the readiness report only when the package holds it.
func TestLetterMentionsReportOnlyWhenAttached(t *testing.T) {
	for _, withReport := range []bool{true, false} {
		in := testInput(t)
		if !withReport {
			in.ReportJSON, in.ReportHTML = nil, nil
		}
		p, err := Build(t.TempDir(), in)
		if err != nil {
			t.Fatal(err)
		}
		m, _, _ := readVerified(p)
		body, err := letter(p, m, "x")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(body, "отчёт о проверке готовности"); got != withReport {
			t.Errorf("report attached %v, letter mentions it %v", withReport, got)
		}
	}
}

// Port 465 style ("SMTPS"): TLS from the first byte, the certificate
// verified, AUTH inside it; a client expecting STARTTLS there would hang,
// and a server certificate the client does not trust stops everything
// before a command is sent.
func TestSendSMTPImplicitTLS(t *testing.T) {
	srv := enrolltest.StartMail(t, enrolltest.MailOptions{Implicit: true, User: "org@example.kg", Password: smtpPassword})
	p := buildTest(t)
	s := SMTP{Host: srv.Host, Port: srv.Port, ImplicitTLS: true, Username: "org@example.kg", Password: smtpPassword,
		From: "org@example.kg", To: []string{"kuc@infocom.kg"}, TLS: srv.ClientTLS, Timeout: 10 * time.Second}
	if err := SendSMTP(context.Background(), p, s); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || !msgs[0].TLS || !msgs[0].AuthTLS {
		t.Fatalf("messages %+v", msgs)
	}
	checkMessage(t, p, msgs[0].Data, s.To)

	s.TLS = nil // system roots: the test's self-signed certificate is not trusted
	if err := SendSMTP(context.Background(), p, s); errKey(err) != "enroll.err.smtp_tls" || strings.Contains(err.Error(), smtpPassword) {
		t.Fatalf("untrusted implicit TLS: %v", err)
	}
	if len(srv.Messages()) != 1 {
		t.Error("a message went through an untrusted TLS connection")
	}
}
