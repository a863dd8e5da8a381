package health

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/enroll/enrolltest"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/i18n/i18ntest"
	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets"
)

const alertSMTPPassword = "Sm7p-pa55word!"

func alertFinding(id string, s Status, title, observed string) Finding {
	return Finding{ID: id, Status: s, Title: i18n.Same(title), Observed: i18n.Same(observed),
		Fix: i18n.Same("renew it")}
}

func alertReport(host string, fs ...Finding) Report {
	return Report{Schema: Schema, Host: host, CheckedAt: time.Now(), Findings: fs}
}

// alertLogs sends logrus to a buffer for the test.
func alertLogs(t *testing.T) *bytes.Buffer {
	var b bytes.Buffer
	logrus.SetOutput(&b)
	logrus.SetLevel(logrus.DebugLevel)
	t.Cleanup(func() { logrus.SetOutput(os.Stderr) })
	return &b
}

// TestAlertsOncePerChange: a real HTTPS server answering as the Bot API
// and the real SMTP server of enroll's tests; each problem is told once
// across runs, a change of status once more, its end once.
func TestAlertsOncePerChange(t *testing.T) {
	logs := alertLogs(t)
	bot := startBot(t, "-100123")
	mail := enrolltest.StartMail(t, enrolltest.MailOptions{User: "ops@example.kg", Password: alertSMTPPassword})
	state := filepath.Join(t.TempDir(), "alerts.json")
	a := &Alerter{StatePath: state, Lang: "ru", Senders: []Sender{bot.sender(), &Mail{SMTP: enroll.SMTP{
		Host: mail.Host, Port: mail.Port, Username: "ops@example.kg", Password: alertSMTPPassword,
		From: "ops@example.kg", To: []string{"admin@example.kg"}, TLS: mail.ClientTLS, Timeout: 10 * time.Second}}}}
	run := func(rs ...Report) AlertResult {
		t.Helper()
		res, err := a.Run(context.Background(), rs)
		if err != nil || len(res.Errors) > 0 || res.State != nil {
			t.Fatalf("run: %v %v %v", err, res.Errors, res.State)
		}
		return res
	}
	hostile := "ss1\x1b[31m.example.kg\u202e"
	bad := alertReport(hostile,
		alertFinding("units", OK, "Services", "all six running"),
		alertFinding("cert.ab", Critical, "Signing certificate expires", "in 10 days"),
		alertFinding("globalconf", Warning, "Global configuration age", "2 hours\x07 old"))

	res := run(bad, Report{Schema: Schema, Host: "down.example.kg", Err: "dial tcp: connection refused"})
	if res.Sent["telegram:-100123"] != 3 || res.Sent["smtp:admin@example.kg"] != 3 {
		t.Fatalf("first run sent %v, want 3 alerts per channel", res.Sent)
	}
	texts := bot.Texts()
	if len(texts) != 1 {
		t.Fatalf("%d Telegram messages, want 1", len(texts))
	}
	for _, want := range []string{"КРИТИЧНО на ss1.example.kg: Signing certificate expires", "Обнаружено: in 10 days",
		"Что сделать: renew it", "ПРЕДУПРЕЖДЕНИЕ", "НЕИЗВЕСТНО на down.example.kg: Сервер не удалось проверить"} {
		if !strings.Contains(texts[0], want) {
			t.Errorf("message lacks %q:\n%s", want, texts[0])
		}
	}
	if strings.ContainsAny(texts[0], "\x1b\x07\u202e") || strings.Contains(texts[0], "Services") {
		t.Errorf("host text not cleaned, or an ok finding told:\n%q", texts[0])
	}
	if n := len(mail.Messages()); n != 1 {
		t.Fatalf("%d letters, want 1", n)
	}

	// The same again: nothing new.
	run(bad, Report{Schema: Schema, Host: "down.example.kg", Err: "still refused"})
	if len(bot.Texts()) != 1 || len(mail.Messages()) != 1 {
		t.Fatalf("second run sent again: %d messages, %d letters", len(bot.Texts()), len(mail.Messages()))
	}

	// The warning clears, the critical stays, the host comes back with a
	// warning: one recovery for each, one new problem.
	good := alertReport(hostile,
		alertFinding("units", OK, "Services", "all six running"),
		alertFinding("cert.ab", Critical, "Signing certificate expires", "in 9 days"),
		alertFinding("globalconf", OK, "Global configuration age", "1 minute old"))
	back := alertReport("down.example.kg", alertFinding("token.0", Warning, "Token", "logged out"))
	res = run(good, back)
	texts = bot.Texts()
	if len(texts) != 2 || res.Sent["telegram:-100123"] != 3 {
		t.Fatalf("third run: %d messages, sent %v", len(texts), res.Sent)
	}
	for _, want := range []string{"УСТРАНЕНО на ss1.example.kg: Global configuration age (было: ПРЕДУПРЕЖДЕНИЕ)",
		"УСТРАНЕНО на down.example.kg: Сервер не удалось проверить (было: НЕИЗВЕСТНО)", "ПРЕДУПРЕЖДЕНИЕ на down.example.kg: Token"} {
		if !strings.Contains(texts[1], want) {
			t.Errorf("message lacks %q:\n%s", want, texts[1])
		}
	}
	if strings.Contains(texts[1], "Signing certificate") {
		t.Errorf("a problem told before was told again:\n%s", texts[1])
	}
	// A finding gone from a checked host has ended; a host not in this
	// run keeps its state.
	res = run(alertReport(hostile, alertFinding("units", OK, "Services", "ok")))
	if res.Sent["telegram:-100123"] != 1 || !strings.Contains(bot.Texts()[2], "УСТРАНЕНО на ss1.example.kg: Signing certificate expires (было: КРИТИЧНО)") {
		t.Fatalf("vanished finding: sent %v\n%s", res.Sent, bot.Texts()[2])
	}
	res = run(alertReport(hostile, alertFinding("units", OK, "Services", "ok")))
	if len(res.Sent) != 0 || len(bot.Texts()) != 3 || len(mail.Messages()) != 3 {
		t.Fatalf("a quiet run sent %v (%d messages, %d letters)", res.Sent, len(bot.Texts()), len(mail.Messages()))
	}
	// down.example.kg's token warning is still remembered.
	st, err := LoadAlertState(state)
	if err != nil || len(st.Sent) != 2 {
		t.Fatalf("state %+v, %v", st, err)
	}
	noAlertSecret(t, logs.String(), state)
}

// noAlertSecret fails if the bot token or the SMTP password is in text or in
// the files named.
func noAlertSecret(t *testing.T, text string, files ...string) {
	t.Helper()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text += string(b)
	}
	for _, s := range []string{testToken, strings.SplitN(testToken, ":", 2)[1], alertSMTPPassword} {
		if strings.Contains(text, s) {
			t.Fatalf("a secret is shown:\n%s", text)
		}
	}
}

// A channel that fails keeps what it missed for the next run; the
// other channel is not held back.
func TestAlertsRetriedAfterFailure(t *testing.T) {
	logs := alertLogs(t)
	bot := startBot(t, "42")
	bot.Echo()
	wrong := bot.sender()
	wrong.Token = "7012345678:AAF-wrongBotTokenValue_0123456789abcd"
	good := startBot(t, "43")
	state := filepath.Join(t.TempDir(), "alerts.json")
	a := &Alerter{StatePath: state, Lang: "en", Senders: []Sender{wrong, good.sender()}}
	rs := []Report{alertReport("h1", alertFinding("cert.x", Warning, "Certificate", "29 days"))}
	res, err := a.Run(context.Background(), rs)
	if err != nil || len(res.Errors) != 1 || res.Sent["telegram:43"] != 1 {
		t.Fatalf("run: %v %v %v", err, res.Errors, res.Sent)
	}
	var ae *AlertError
	if !errors.As(res.Errors[0], &ae) || ae.Key != "health.alert.err.telegram_refused" || ae.Data["Code"] != 401 {
		t.Fatalf("error %#v", res.Errors[0])
	}
	msg := i18n.T("en", ae.Key, ae.Data)
	if strings.Contains(msg, "wrongBotToken") || strings.Contains(res.Errors[0].Error(), "wrongBotToken") {
		t.Fatalf("the token echoed by the server is shown: %s / %v", msg, res.Errors[0])
	}
	// Mended: the missed alert goes out, the other chat hears nothing more.
	a.Senders[0] = bot.sender()
	res, err = a.Run(context.Background(), rs)
	if err != nil || len(res.Errors) != 0 || res.Sent["telegram:42"] != 1 || res.Sent["telegram:43"] != 0 {
		t.Fatalf("second run: %v %v %v", err, res.Errors, res.Sent)
	}
	// Nothing listens: Go's error would name the URL, and with it the token.
	closed := &Telegram{Token: testToken, ChatID: "1", BaseURL: "https://" + freeLoopback(t), Client: bot.Client()}
	err = closed.Send(context.Background(), "", "x")
	if !errors.As(err, &ae) || ae.Key != "health.alert.err.telegram_connect" {
		t.Fatalf("error %v", err)
	}
	noAlertSecret(t, err.Error()+fmt.Sprintf("%v %+v %#v", closed, closed, ae.Data)+logs.String(), state)
}

// 429 with retry_after is honoured once within the bound; a second 429
// fails after that one wait, and a wait past the bound fails at once.
func TestTelegramRetryAfter(t *testing.T) {
	bot := startBot(t, "7")
	s := bot.sender()
	s.MaxRetryAfter = 3 * time.Second
	bot.Busy(1)
	start := time.Now()
	if err := s.Send(context.Background(), "", "hello"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second || d > 3*time.Second || len(bot.Texts()) != 1 {
		t.Fatalf("took %v, %d sent; want one retry after 1 s", d, len(bot.Texts()))
	}
	for _, busy := range [][]int{{1, 1}, {60}} {
		bot.Busy(busy...)
		start = time.Now()
		err := s.Send(context.Background(), "", "hello")
		var ae *AlertError
		if !errors.As(err, &ae) || ae.Key != "health.alert.err.telegram_busy" {
			t.Fatalf("busy %v: %v", busy, err)
		}
		if d := time.Since(start); d > 2500*time.Millisecond {
			t.Fatalf("busy %v: waited %v", busy, d)
		}
	}
	if len(bot.Texts()) != 1 {
		t.Fatalf("%d sent", len(bot.Texts()))
	}
}

// Many long alerts: each message within Telegram's 4096 characters (the
// server refuses more), at most maxParts, the rest counted in a note and
// taken as told.
func TestAlertsSplitAndCut(t *testing.T) {
	bot := startBot(t, "9")
	state := filepath.Join(t.TempDir(), "alerts.json")
	a := &Alerter{StatePath: state, Lang: "ky", Senders: []Sender{bot.sender()}}
	var fs []Finding
	for i := 0; i < 60; i++ {
		fs = append(fs, alertFinding(fmt.Sprintf("cert.%02d", i), Critical, "Сертификат "+strings.Repeat("ж", 280),
			strings.Repeat("𝒳ы", 400))) // astral letters count twice in UTF-16
	}
	res, err := a.Run(context.Background(), []Report{alertReport("h", fs...)})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("%v %v", err, res.Errors)
	}
	texts := bot.Texts()
	if len(texts) != maxParts || res.Sent["telegram:9"] != 60 {
		t.Fatalf("%d messages, %v sent", len(texts), res.Sent)
	}
	if !strings.Contains(texts[maxParts-1], "Билдирүү өтө узун болбошу үчүн кирбей калды") {
		t.Errorf("no note of what was left out:\n%s", texts[maxParts-1])
	}
	if !strings.Contains(texts[0], "…") {
		t.Error("an over-long line was not cut")
	}
	res, _ = a.Run(context.Background(), []Report{alertReport("h", fs...)})
	if len(bot.Texts()) != maxParts {
		t.Fatalf("the cut alerts were sent again: %v", res.Sent)
	}
}

// A damaged state file is reported, kept aside, and the run goes on.
func TestAlertStateDamaged(t *testing.T) {
	bot := startBot(t, "5")
	dir := t.TempDir()
	state := filepath.Join(dir, "alerts.json")
	os.WriteFile(state, []byte(`{"schema":"tunduk-onboard.alert-state/v1","sent":[{`), 0o600)
	a := &Alerter{StatePath: state, Lang: "en", Senders: []Sender{bot.sender()}}
	res, err := a.Run(context.Background(), []Report{alertReport("h", alertFinding("x", Warning, "X", "y"))})
	var se *StateError
	if err != nil || !errors.As(res.State, &se) || se.Kept == "" || res.Sent["telegram:5"] != 1 {
		t.Fatalf("run: %v, state %v, sent %v", err, res.State, res.Sent)
	}
	if b, _ := os.ReadFile(se.Kept); !strings.HasSuffix(string(b), `[{`) {
		t.Errorf("damaged file not kept as it was: %q", b)
	}
	if st, err := LoadAlertState(state); err != nil || len(st.Sent) != 1 {
		t.Fatalf("state after: %+v %v", st, err)
	}
	if fi, _ := os.Stat(state); fi.Mode().Perm() != 0o600 {
		t.Errorf("state mode %v", fi.Mode())
	}
	// Another schema is damage too, not a state to trust.
	os.WriteFile(state, []byte(`{"schema":"other/v9","sent":[]}`), 0o600)
	if _, err := LoadAlertState(state); !errors.As(err, &se) {
		t.Fatalf("another schema taken: %v", err)
	}
}

func TestTelegramTokenFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "bot.token")
	os.WriteFile(p, []byte(testToken+"\n"), 0o640)
	var ae *AlertError
	_, err := TelegramToken(p)
	if !errors.As(err, &ae) || ae.Key != "health.alert.err.token_mode" || ae.Data["Mode"] != "0640" {
		t.Fatalf("a group-readable token file taken: %v", err)
	}
	os.Chmod(p, 0o600)
	if tok, err := TelegramToken(p); err != nil || tok != testToken {
		t.Fatalf("token %q, %v", tok, err)
	}
	os.WriteFile(p, []byte("not a token but maybe a password\n"), 0o600)
	_, err = TelegramToken(p)
	if !errors.As(err, &ae) || ae.Key != "health.alert.err.token_shape" || strings.Contains(err.Error(), "password") {
		t.Fatalf("shape: %v", err)
	}
	if _, err := TelegramToken(filepath.Join(dir, "none")); !errors.As(err, &ae) || ae.Key != "health.alert.err.token_read" {
		t.Fatalf("missing file: %v", err)
	}
	// The keyring, as tests may stand it in.
	store := map[string]string{}
	keyringGet = func(acc string) (string, error) {
		if v, ok := store[acc]; ok {
			return v, nil
		}
		return "", fmt.Errorf("wrapped: %w", secrets.ErrNotFound)
	}
	t.Cleanup(func() { keyringGet = secrets.Get })
	if _, err := TelegramToken(""); !errors.As(err, &ae) || ae.Key != "health.alert.err.token_missing" {
		t.Fatalf("empty keyring: %v", err)
	}
	store[TelegramAccount] = testToken
	if tok, err := TelegramToken(""); err != nil || tok != testToken {
		t.Fatalf("keyring token %q, %v", tok, err)
	}
}

// Every health.alert key the code uses is in the three catalogues with
// English's fields.
func TestAlertKeysTranslated(t *testing.T) {
	keys := i18ntest.SourceKeys(t, regexp.MustCompile(`"(health\.alert\.[a-z_.]*[a-z_])"`))
	for _, s := range []Status{OK, Warning, Critical, Unknown} {
		keys["health.alert.status."+string(s)] = true
	}
	i18ntest.CheckKeys(t, keys, 20, map[string]any{"Status": "S", "Was": "W", "Host": "h", "Title": "T",
		"Observed": "o", "Fix": "f", "Count": 3, "Server": "s", "Code": 400, "Description": "d", "Seconds": 5,
		"Account": "a", "Path": "/p", "Reason": "r", "Mode": "0644", "UID": 1000})
}

// A state file that cannot be read (here: a folder) stops the run and
// is left where it is: no alert is sent twice for want of a state.
func TestAlertStateUnreadable(t *testing.T) {
	bot := startBot(t, "6")
	state := filepath.Join(t.TempDir(), "alerts.json")
	os.Mkdir(state, 0o700)
	a := &Alerter{StatePath: state, Lang: "en", Senders: []Sender{bot.sender()}}
	res, err := a.Run(context.Background(), []Report{alertReport("h", alertFinding("x", Warning, "X", "y"))})
	if err == nil || res.State != nil || len(bot.Texts()) != 0 {
		t.Fatalf("run: %v, state %v, %d sent", err, res.State, len(bot.Texts()))
	}
	if fi, err := os.Stat(state); err != nil || !fi.IsDir() {
		t.Fatalf("the unreadable state was moved: %v", err)
	}
}
