package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/enroll/enrolltest"
	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/health/healthtest"
	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets"
	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets/secretstest"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

const statusSMTPPassword = "St4tus-SMTP-pa55!"

// alertEnv is a server in service behind a real sshd, the Bot API
// stand-in, a real SMTP server on loopback, one --tls-ca file trusting
// both, and a config folder kept across runs (the default alert state
// and history live there, and the logs).
type alertEnv struct {
	*statusEnv
	h      *testhost.Host
	kh     string
	bot    *healthtest.Bot
	mail   *enrolltest.MailServer
	ca     string
	config string
}

func newAlertEnv(t *testing.T) *alertEnv {
	e := &alertEnv{statusEnv: newStatusEnv(t)}
	e.h = e.host(t)
	e.kh = testhost.WriteKnownHosts(t, e.h.KnownHostsLine())
	e.bot = healthtest.StartBot(t, "-100555")
	e.mail = enrolltest.StartMail(t, enrolltest.MailOptions{User: "ops@example.kg", Password: statusSMTPPassword})
	dir := t.TempDir()
	e.ca = filepath.Join(dir, "ca.pem")
	os.WriteFile(e.ca, append(e.bot.CertPEM(), e.mail.CertPEM...), 0o644)
	e.config = filepath.Join(dir, "config")
	return e
}

// args are status's with both channels; the bot token comes after the
// admin's and the SMTP password on standard input.
func (e *alertEnv) args(extra ...string) []string {
	a := append(e.statusEnv.args(e.kh, e.h), "--lang", "en",
		"--telegram-chat", e.bot.Chat, "--telegram-api", e.bot.URL,
		"--mail-to", "admin@example.kg, duty@example.kg", "--smtp-host", e.mail.Host, "--smtp-port", strconv.Itoa(e.mail.Port),
		"--from", "ops@example.kg", "--smtp-password-stdin", "--tls-ca", e.ca)
	return append(a, extra...)
}

func (e *alertEnv) run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	return cliConfig(t, e.config, stdin, args...)
}

const alertStdin = xroadtest.AdminPassword + "\n" + statusSMTPPassword + "\n" + healthtest.BotToken + "\n"

// noSecretIn fails when the bot token (or its secret half) or the SMTP
// password is in text or in any file under dirs.
func noSecretIn(t *testing.T, text string, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, de fs.DirEntry, err error) error {
			if err == nil && de.Type().IsRegular() {
				b, _ := os.ReadFile(p)
				text += "\n" + p + ":\n" + string(b)
			}
			return nil
		})
	}
	for _, s := range []string{healthtest.BotToken, strings.SplitN(healthtest.BotToken, ":", 2)[1], statusSMTPPassword} {
		if strings.Contains(text, s) {
			t.Fatalf("a secret is shown or kept:\n%s", text)
		}
	}
}

// TestStatusAlertsOnce: a logged-out token is critical; status sends it
// once to the Telegram chat and once by e-mail over two runs (the state
// kept in the config folder by default); a unit stopped before the third
// run is a new finding, sent alone. The bot token and the SMTP password
// are in no output, log, alert state or history.
func TestStatusAlertsOnce(t *testing.T) {
	e := newAlertEnv(t)
	e.f.LogOutToken(xroad.SoftwareTokenID)
	host := e.h.Target().String()

	code, out, errOut := e.run(t, alertStdin, e.args("--telegram-token-stdin")...)
	if code != health.ExitCode(health.Critical) || len(e.bot.Texts()) != 1 || len(e.mail.Messages()) != 1 {
		t.Fatalf("first run: exit %d, %d messages, %d letters\n%s\n%s", code, len(e.bot.Texts()), len(e.mail.Messages()), out, errOut)
	}
	first := e.bot.Texts()[0]
	if !strings.Contains(first, "CRITICAL on "+host+": Token") || strings.Contains(first, "xroad-proxy") {
		t.Fatalf("first message:\n%s", first)
	}
	if m := e.mail.Messages()[0]; len(m.To) != 2 || m.User != "ops@example.kg" || !m.AuthTLS {
		t.Fatalf("letter %+v", m)
	}
	state := filepath.Join(e.config, "tunduk-onboard", "alert-state.json")
	for _, want := range []string{"Alerts (remembered in " + state + "):", "telegram:-100555: 1 alert sent", "smtp:admin@example.kg,duty@example.kg: 1 alert sent"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}

	// Again, as JSON: nothing new.
	code, out2, errOut2 := e.run(t, alertStdin, e.args("--telegram-token-stdin", "--format", "json")...)
	var doc struct {
		Alerts alertsOut `json:"alerts"`
	}
	if err := json.Unmarshal([]byte(out2), &doc); err != nil || code != health.ExitCode(health.Critical) {
		t.Fatalf("second run: exit %d, %v\n%s\n%s", code, err, out2, errOut2)
	}
	if len(e.bot.Texts()) != 1 || len(e.mail.Messages()) != 1 || len(doc.Alerts.Channels) != 2 || doc.Alerts.State != state {
		t.Fatalf("second run sent again: %d messages, %d letters, %+v", len(e.bot.Texts()), len(e.mail.Messages()), doc.Alerts)
	}
	for _, c := range doc.Alerts.Channels {
		if c.Sent != 0 || c.Error != nil {
			t.Errorf("second run: %+v", c)
		}
	}

	// A unit stops: one new alert each, the token's not again.
	os.WriteFile(e.stopped, []byte("xroad-proxy\n"), 0o644)
	code, out3, errOut3 := e.run(t, alertStdin, e.args("--telegram-token-stdin")...)
	texts := e.bot.Texts()
	if code != health.ExitCode(health.Critical) || len(texts) != 2 || len(e.mail.Messages()) != 2 {
		t.Fatalf("third run: exit %d, %d messages, %d letters\n%s\n%s", code, len(texts), len(e.mail.Messages()), out3, errOut3)
	}
	if !strings.Contains(texts[1], "CRITICAL on "+host+": Service xroad-proxy") || strings.Contains(texts[1], "Token") {
		t.Fatalf("third message:\n%s", texts[1])
	}
	noSecretIn(t, out+errOut+out2+errOut2+out3+errOut3, e.config)
	if b, err := os.ReadFile(filepath.Join(e.config, "tunduk-onboard", "status-history.json")); err != nil || !strings.Contains(string(b), host) {
		t.Fatalf("history: %v\n%s", err, b)
	}
}

// TestStatusAlertFailures: a state file that cannot be used makes a run
// of healthy servers exit 1, not 0. A bot token Telegram refuses is said
// in the output (text and JSON) and leaves the exit code the servers'
// (2); the alert it missed goes out on the next run with the right token,
// read from a private file. Bad alert flags are refused before any
// server is looked at.
func TestStatusAlertFailures(t *testing.T) {
	e := newAlertEnv(t)
	dir := t.TempDir()
	wrong := filepath.Join(dir, "wrong.token")
	os.WriteFile(wrong, []byte("7012345678:AAF-wrongBotTokenValue_0123456789abcd\n"), 0o600)
	right := filepath.Join(dir, "bot.token")
	os.WriteFile(right, []byte(healthtest.BotToken+"\n"), 0o600)
	stdin := xroadtest.AdminPassword + "\n" + statusSMTPPassword + "\n"

	// Healthy servers, alerts that cannot be remembered: exit 1.
	stateDir := filepath.Join(dir, "state-is-a-folder")
	os.Mkdir(stateDir, 0o700)
	code, out, errOut := e.run(t, stdin, e.args("--telegram-token-file", right, "--alert-state", stateDir, "--format", "json")...)
	var doc struct {
		Alerts alertsOut `json:"alerts"`
	}
	json.Unmarshal([]byte(out), &doc)
	if code != health.ExitCode(health.Warning) || doc.Alerts.Note == nil || doc.Alerts.Note.Key != "cli.status.alert_state_unusable" {
		t.Fatalf("unusable state: exit %d\n%s\n%s", code, out, errOut)
	}

	e.f.LogOutToken(xroad.SoftwareTokenID)
	code, out, errOut = e.run(t, stdin, e.args("--telegram-token-file", wrong)...)
	if code != health.ExitCode(health.Critical) || len(e.bot.Texts()) != 0 || len(e.mail.Messages()) != 1 {
		t.Fatalf("wrong token: exit %d, %d messages, %d letters\n%s\n%s", code, len(e.bot.Texts()), len(e.mail.Messages()), out, errOut)
	}
	if !regexp.MustCompile(`telegram:-100555: not sent: Telegram refused the message \(401: Unauthorized\)`).MatchString(out) ||
		!strings.Contains(out, "smtp:admin@example.kg,duty@example.kg: 1 alert sent") {
		t.Fatalf("wrong token:\n%s", out)
	}
	code, out, _ = e.run(t, stdin, e.args("--telegram-token-file", right, "--format", "json")...)
	doc.Alerts = alertsOut{}
	json.Unmarshal([]byte(out), &doc)
	if code != health.ExitCode(health.Critical) || len(e.bot.Texts()) != 1 || len(e.mail.Messages()) != 1 ||
		doc.Alerts.Channels[1].Sent != 1 || doc.Alerts.Channels[0].Sent != 0 {
		t.Fatalf("right token: exit %d, %d messages, %d letters\n%s", code, len(e.bot.Texts()), len(e.mail.Messages()), out)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--telegram-token-file", right, "--telegram-token-stdin"}, "one way"},
		{[]string{"--telegram-token-file", filepath.Join(dir, "none")}, "could not be read"},
		{[]string{"--telegram-chat", "general", "--telegram-token-file", right}, "is not a Telegram chat ID"},
		{[]string{"--telegram-token-file", right, "--telegram-api", "http://api.telegram.org"}, "is not a Bot API server's address"},
		{[]string{"--telegram-token-file", right, "--mail-to", "not an address"}, "not an address"},
	} {
		os.Chmod(right, 0o600)
		before := len(e.f.LiveKeys())
		code, out, errOut := e.run(t, stdin, e.args(c.args...)...)
		if code != exitUnknown || !strings.Contains(errOut, c.want) || out != "" || len(e.f.LiveKeys()) != before {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, out, errOut)
		}
	}
	os.Chmod(right, 0o644)
	if code, _, errOut := e.run(t, stdin, e.args("--telegram-token-file", right)...); code != exitUnknown || !strings.Contains(errOut, "chmod 600") {
		t.Errorf("a token file others may read: exit %d %s", code, errOut)
	}
	noSecretIn(t, out+errOut, e.config)
}

// TestStatusArchiveGrowth: the first run remembers the archive's size
// (no growth yet); with that size two days old, the next run tells the
// growth a day and the days its disk lasts.
func TestStatusArchiveGrowth(t *testing.T) {
	e := newAlertEnv(t)
	// 40 KiB of archive where the profile says it is.
	os.WriteFile(filepath.Join(filepath.Dir(e.profile), "mlog-20261201-20261202-abc.zip"), make([]byte, 40<<10), 0o644)
	hist := filepath.Join(t.TempDir(), "history.json")
	args := append(e.statusEnv.args(e.kh, e.h), "--history", hist, "--format", "json", "--lang", "en")
	growth := func() health.Finding {
		t.Helper()
		code, out, errOut := e.run(t, xroadtest.AdminPassword+"\n", args...)
		var doc struct {
			Reports []health.Report `json:"reports"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 {
			t.Fatalf("exit %d, %v\n%s\n%s", code, err, out, errOut)
		}
		for _, f := range doc.Reports[0].Findings {
			if f.ID == "archive.growth" {
				return f
			}
		}
		t.Fatalf("no archive.growth in\n%s", out)
		return health.Finding{}
	}
	if f := growth(); !strings.Contains(f.Observed.EN, "at least a day earlier") {
		t.Fatalf("first run: %+v", f)
	}
	h, err := health.LoadHistory(hist)
	s := h.Hosts[e.h.Target().String()]
	if err != nil || len(s) != 1 {
		t.Fatalf("history %+v %v", h, err)
	}
	s[0].At, s[0].Bytes = s[0].At.Add(-48*time.Hour), 0
	h.Save(hist)
	if f := growth(); f.Status != health.OK || !strings.Contains(f.Observed.EN, "Grows 20.0 KiB a day (over the last 2d); the") {
		t.Fatalf("two days on: %+v", f)
	}
}

// TestStatusRememberToken: --remember-token keeps the bot token read from
// standard input in the OS keyring (a real Secret Service) once Telegram
// took it; the next run finds it there.
func TestStatusRememberToken(t *testing.T) {
	secretstest.StartKeyring(t)
	t.Cleanup(func() { secrets.Delete(health.TelegramAccount) })
	e := newAlertEnv(t)
	e.f.LogOutToken(xroad.SoftwareTokenID)
	code, out, errOut := e.run(t, alertStdin, e.args("--telegram-token-stdin", "--remember-token")...)
	if code != health.ExitCode(health.Critical) || len(e.bot.Texts()) != 1 || !strings.Contains(out, "The Telegram bot token is saved in the OS keyring") {
		t.Fatalf("first run: exit %d\n%s\n%s", code, out, errOut)
	}
	if tok, err := secrets.Get(health.TelegramAccount); err != nil || tok != healthtest.BotToken {
		t.Fatalf("keyring holds %d bytes, %v", len(tok), err)
	}
	os.WriteFile(e.stopped, []byte("xroad-signer\n"), 0o644)
	code, out, errOut = e.run(t, xroadtest.AdminPassword+"\n"+statusSMTPPassword+"\n", e.args()...)
	if code != health.ExitCode(health.Critical) || len(e.bot.Texts()) != 2 || !strings.Contains(e.bot.Texts()[1], "xroad-signer") {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errOut)
	}
}
