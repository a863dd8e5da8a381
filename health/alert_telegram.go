package health

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// TelegramAPI is the Bot API's address (core.telegram.org/bots/api).
const TelegramAPI = "https://api.telegram.org"

// TelegramLimit is sendMessage's limit: 1-4096 characters of text.
const TelegramLimit = 4096

// maxTelegramAnswer bounds the Bot API's answer read (a sent message is
// echoed back: a few KiB).
const maxTelegramAnswer = 1 << 20

// Telegram sends alerts to a chat by a bot (Bot API sendMessage, plain
// text). Its token is the bot's password: it is in the request's path
// only, never in an error, a log or the state (Channel names the chat).
type Telegram struct {
	Token   string
	ChatID  string
	BaseURL string       // "": TelegramAPI; tests point it at a local server
	Client  *http.Client // nil: a client with a 30 s timeout, system roots
	// MaxRetryAfter bounds the wait a 429's retry_after asks for; one
	// retry is made within it, else the run fails and the next one sends.
	// 0: 30 s.
	MaxRetryAfter time.Duration
}

func (t *Telegram) Channel() string { return "telegram:" + t.ChatID }
func (t *Telegram) Limit() int      { return TelegramLimit }
func (t *Telegram) String() string  { return "telegram{chat=" + t.ChatID + " token=(set)}" }

// botAnswer is the Bot API's answer: ok, or error_code and description,
// with parameters.retry_after on 429 (core.telegram.org/bots/api
// "Making requests", "ResponseParameters").
type botAnswer struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// Send posts subject's message (the text already starts with it).
func (t *Telegram) Send(ctx context.Context, _, text string) error {
	base := strings.TrimRight(t.BaseURL, "/")
	if base == "" {
		base = TelegramAPI
	}
	server := base
	if u, err := url.Parse(base); err == nil {
		server = u.Host
	}
	client := t.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	maxWait := t.MaxRetryAfter
	if maxWait == 0 {
		maxWait = 30 * time.Second
	}
	body, _ := json.Marshal(map[string]any{"chat_id": t.ChatID, "text": text, "disable_web_page_preview": true})
	for try := 0; ; try++ {
		ans, status, err := t.post(ctx, client, base, body)
		if err != nil {
			return &AlertError{Key: "health.alert.err.telegram_connect", Data: map[string]any{"Server": server}, Err: err}
		}
		if ans.OK {
			return nil
		}
		code := ans.ErrorCode
		if code == 0 {
			code = status
		}
		wait := time.Duration(ans.Parameters.RetryAfter) * time.Second
		if code == http.StatusTooManyRequests && try == 0 && wait > 0 && wait <= maxWait {
			select {
			case <-time.After(wait):
				continue
			case <-ctx.Done():
				return &AlertError{Key: "health.alert.err.telegram_connect", Data: map[string]any{"Server": server}, Err: ctx.Err()}
			}
		}
		d := map[string]any{"Code": code, "Description": i18n.Line(t.scrub(ans.Description), 300)}
		if code == http.StatusTooManyRequests {
			d["Seconds"] = ans.Parameters.RetryAfter
			return &AlertError{Key: "health.alert.err.telegram_busy", Data: d}
		}
		return &AlertError{Key: "health.alert.err.telegram_refused", Data: d}
	}
}

// post sends one request. Its errors are scrubbed of the token: Go's
// HTTP client names the URL, and the URL holds it.
func (t *Telegram) post(ctx context.Context, c *http.Client, base string, body []byte) (botAnswer, int, error) {
	var ans botAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/bot"+t.Token+"/sendMessage", bytes.NewReader(body))
	if err != nil {
		return ans, 0, errors.New(t.scrub(err.Error()))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return ans, 0, errors.New(t.scrub(err.Error()))
	}
	defer resp.Body.Close()
	b, err := readcap.ReadAll(resp.Body, "answer", maxTelegramAnswer)
	if err != nil {
		return ans, resp.StatusCode, errors.New(t.scrub(err.Error()))
	}
	if err := json.Unmarshal(b, &ans); err != nil {
		// Not the Bot API (a proxy's page): the status says enough.
		return botAnswer{ErrorCode: resp.StatusCode, Description: http.StatusText(resp.StatusCode)}, resp.StatusCode, nil
	}
	return ans, resp.StatusCode, nil
}

// scrub removes the token from s, should anything echo it.
func (t *Telegram) scrub(s string) string {
	if t.Token == "" {
		return s
	}
	s = strings.ReplaceAll(s, t.Token, "<token>")
	return strings.ReplaceAll(s, url.PathEscape(t.Token), "<token>")
}
