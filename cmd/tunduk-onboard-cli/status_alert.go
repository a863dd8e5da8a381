package main

// status's alerts (issue 16): after the look, each new warning or
// critical goes once to a Telegram chat and by e-mail (health.Alerter),
// remembered in --alert-state. A channel that fails is said in the
// output and tried again on the next run; it does not change the
// servers' exit code, except that a run whose servers are all ok exits 1
// (warning) when an alert could not be sent: a monitoring system must
// not read "all well" while its alerts go nowhere.

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// alertOpts are status's alert flags.
type alertOpts struct {
	state         string
	chat          string
	tokenFile     string
	tokenStdin    bool
	rememberToken bool
	telegramAPI   string
	mailTo        multiFlag
	smtp          smtpFlags

	token string // the bot token read, for --remember-token
}

// alertTimeout bounds the sending of one run, every channel together.
const alertTimeout = 5 * time.Minute

// chatShape is a Telegram chat: its number (negative for groups) or a
// public channel's @name (core.telegram.org/bots/api, sendMessage chat_id).
var chatShape = regexp.MustCompile(`^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$`)

func (a *alertOpts) register(fs *flag.FlagSet) {
	fs.StringVar(&a.state, "alert-state", "", "`FILE` remembering which alerts were sent, so each is sent once (default: <user config dir>/tunduk-onboard/alert-state.json)")
	fs.StringVar(&a.chat, "telegram-chat", "", "send each new warning and critical to the Telegram chat `ID` (the bot must be in the chat)")
	fs.StringVar(&a.tokenFile, "telegram-token-file", "", "read the bot token from `FILE`, which only its owner may read (default: the OS keyring)")
	fs.BoolVar(&a.tokenStdin, "telegram-token-stdin", false, "read the bot token from standard input, the line after the passwords")
	fs.BoolVar(&a.rememberToken, "remember-token", false, "save the bot token read by --telegram-token-stdin in the OS keyring, unless Telegram refused it")
	fs.StringVar(&a.telegramAPI, "telegram-api", health.TelegramAPI, "advanced: `URL` of the Bot API server (a local telegram-bot-api server)")
	fs.Var(&a.mailTo, "mail-to", "send each new warning and critical by e-mail to `ADDR` (repeatable, or comma-separated), through --smtp-host")
	a.smtp.register(fs, "PEM `FILE` of extra CA certificates to trust for SMTP and the Bot API server")
}

func (a *alertOpts) given() bool { return a.chat != "" || len(a.mailTo) > 0 }

// check refuses alert flags that do nothing or contradict each other.
func (a *alertOpts) check() error {
	alone := func(flag, needs string) error {
		return errKey("cli.status.alert_flag_alone", map[string]any{"Flag": flag, "Needs": needs})
	}
	switch {
	case a.chat == "" && (a.tokenFile != "" || a.tokenStdin || a.rememberToken):
		return alone("--telegram-token-file, --telegram-token-stdin, --remember-token", "--telegram-chat")
	case len(a.mailTo) == 0 && (a.smtp.smtpHost != "" || a.smtp.smtpPasswordStdin):
		return alone("--smtp-host, --smtp-password-stdin", "--mail-to")
	case a.rememberToken && !a.tokenStdin:
		return alone("--remember-token", "--telegram-token-stdin")
	case a.tokenFile != "" && a.tokenStdin:
		return errKey("cli.status.alert_token_two", nil)
	case a.chat != "" && !chatShape.MatchString(a.chat):
		return errKey("cli.status.bad_chat", map[string]any{"Chat": i18n.Line(a.chat, 100)})
	}
	u, err := url.Parse(a.telegramAPI)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return errKey("cli.status.bad_telegram_api", map[string]any{"URL": i18n.Line(a.telegramAPI, 200)})
	}
	return nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

// senders are the channels, their secrets read from in in this order
// after the session's: the SMTP password, then the bot token. Bad input
// is refused here, before any server is looked at.
func (a *alertOpts) senders(in *bufio.Reader, lang string) ([]health.Sender, error) {
	if a.state == "" {
		p, err := configFile("alert-state.json")
		if err != nil {
			return nil, errKey("cli.status.no_state_dir", map[string]any{"Flag": "--alert-state"})
		}
		a.state = p
	}
	pool, err := a.smtp.certPool()
	if err != nil {
		return nil, err
	}
	var out []health.Sender
	if len(a.mailTo) > 0 {
		var to []string
		for _, v := range a.mailTo {
			for _, addr := range strings.Split(v, ",") {
				if addr = strings.TrimSpace(addr); addr != "" {
					to = append(to, addr)
				}
			}
		}
		if err := checkAddresses(append(to, a.smtp.from)...); err != nil {
			return nil, err
		}
		c, _, err := a.smtp.smtp(to, pool, in, lang)
		if err != nil {
			return nil, err
		}
		out = append(out, &health.Mail{SMTP: c})
	}
	if a.chat != "" {
		if a.tokenStdin {
			line, err := stdinLine(in, "--telegram-token-stdin", secretBotToken)
			if err != nil {
				return nil, err
			}
			a.token, err = health.ParseTelegramToken(line, "--telegram-token-stdin")
		} else {
			a.token, err = health.TelegramToken(a.tokenFile)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, &health.Telegram{Token: a.token, ChatID: a.chat, BaseURL: a.telegramAPI, Client: poolClient(pool, 30*time.Second)})
	}
	return out, nil
}

// configFile is name in <user config dir>/tunduk-onboard, the folder
// made (0700) when missing: where status keeps its state by default.
func configFile(name string) (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(d, "tunduk-onboard")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// alertsOut is what the alerts did: the "alerts" of the JSON document,
// and the lines of the text.
type alertsOut struct {
	State    string         `json:"state"` // the state file
	Channels []channelOut   `json:"channels"`
	Note     *submitErrJSON `json:"state_error,omitempty"` // the state file damaged (kept aside) or not usable
	Token    *submitErrJSON `json:"token,omitempty"`       // --remember-token: saved, or why not

	failed bool // a channel or the state file failed: exit 1 at least
}

type channelOut struct {
	Channel string         `json:"channel"`
	Sent    int            `json:"sent"`
	Error   *submitErrJSON `json:"error,omitempty"`
}

// send runs the alerter over reports.
func (a *alertOpts) send(senders []health.Sender, reports []health.Report, lang string) *alertsOut {
	ctx, cancel := context.WithTimeout(context.Background(), alertTimeout)
	defer cancel()
	al := &health.Alerter{StatePath: a.state, Lang: lang, Senders: senders}
	res, err := al.Run(ctx, reports)
	out := &alertsOut{State: a.state, Channels: []channelOut{}}
	failed := map[string]error{}
	for _, e := range res.Errors {
		var ce *health.ChannelError
		if errors.As(e, &ce) {
			failed[ce.Channel] = ce.Err
		}
	}
	for _, s := range senders {
		c := channelOut{Channel: s.Channel(), Sent: res.Sent[s.Channel()]}
		if e := failed[c.Channel]; e != nil {
			key, msg := explainSubmit(lang, e)
			c.Error, out.failed = &submitErrJSON{Key: key, Message: msg}, true
		}
		out.Channels = append(out.Channels, c)
	}
	var se *health.StateError
	switch {
	case err != nil:
		key := "cli.status.alert_state_unusable"
		out.Note = &submitErrJSON{Key: key, Message: i18n.T(lang, key, map[string]any{"Path": a.state, "Reason": i18n.FileReason(lang, err)})}
		out.failed = true
	case errors.As(res.State, &se):
		key := "cli.status.alert_state_damaged"
		out.Note = &submitErrJSON{Key: key, Message: i18n.T(lang, key, map[string]any{"Path": a.state, "Kept": se.Kept})}
	}
	if a.rememberToken && failed["telegram:"+a.chat] == nil {
		key := "cli.status.token_remembered"
		if err := health.SaveTelegramToken(a.token); err != nil {
			key = "cli.status.token_not_remembered"
			_, msg := explainSubmit(lang, err)
			out.Token = &submitErrJSON{Key: key, Message: i18n.T(lang, key, map[string]any{"Error": msg})}
		} else {
			out.Token = &submitErrJSON{Key: key, Message: i18n.T(lang, key, nil)}
		}
	}
	return out
}

// text writes the alerts' lines after the report.
func (o *alertsOut) text(w io.Writer, lang string) {
	fmt.Fprintf(w, "\n%s\n", i18n.T(lang, "cli.status.alerts", map[string]any{"Path": i18n.Line(o.State, i18n.MaxLine)}))
	for _, c := range o.Channels {
		d := map[string]any{"Channel": i18n.Line(c.Channel, 200), "Count": c.Sent}
		key := "cli.status.alert_sent"
		switch {
		case c.Error != nil:
			key, d["Error"] = "cli.status.alert_failed", c.Error.Message
		case c.Sent == 0:
			key = "cli.status.alert_nothing"
		}
		fmt.Fprintf(w, "  %s\n", i18n.T(lang, key, d))
	}
	for _, n := range []*submitErrJSON{o.Note, o.Token} {
		if n != nil {
			fmt.Fprintf(w, "  %s\n", n.Message)
		}
	}
}
