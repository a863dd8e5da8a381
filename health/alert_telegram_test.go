package health

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"
)

// testToken has the shape @BotFather gives; it is what must never leak.
const testToken = "7012345678:AAF-secretBotTokenValue_0123456789abcd"

// botServer answers as Telegram's Bot API documents
// (core.telegram.org/bots/api, "Making requests", "sendMessage"): a JSON
// object with ok; on failure error_code and description, and on 429
// parameters.retry_after. An unknown token is 401 Unauthorized, an
// unknown chat 400 "Bad Request: chat not found", a text over 4096
// characters 400 "Bad Request: message is too long".
type botServer struct {
	*httptest.Server
	chat string

	mu       sync.Mutex
	texts    []string
	busy     []int // retry_after to answer with, one per request, before any success
	echo     bool  // put the token into a refusal's description (a hostile proxy)
	requests []string
}

func startBot(t *testing.T, chat string) *botServer {
	b := &botServer{chat: chat}
	b.Server = httptest.NewTLSServer(http.HandlerFunc(b.serve))
	t.Cleanup(b.Close)
	return b
}

func (b *botServer) answer(w http.ResponseWriter, code int, v map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (b *botServer) refuse(w http.ResponseWriter, code int, desc string) {
	b.answer(w, code, map[string]any{"ok": false, "error_code": code, "description": desc})
}

func (b *botServer) serve(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests = append(b.requests, r.Method+" "+r.URL.Path)
	if r.URL.Path != "/bot"+testToken+"/sendMessage" {
		desc := "Unauthorized"
		if b.echo {
			desc += ": " + strings.TrimPrefix(r.URL.Path, "/bot")
		}
		b.refuse(w, 401, desc)
		return
	}
	var req struct {
		ChatID string `json:"chat_id"`
		Text   string `json:"text"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil {
		b.refuse(w, 400, "Bad Request: message text is empty")
		return
	}
	switch n := len(utf16.Encode([]rune(req.Text))); {
	case req.ChatID != b.chat:
		b.refuse(w, 400, "Bad Request: chat not found")
		return
	case n == 0:
		b.refuse(w, 400, "Bad Request: message text is empty")
		return
	case n > 4096:
		b.refuse(w, 400, "Bad Request: message is too long")
		return
	}
	if len(b.busy) > 0 {
		s := b.busy[0]
		b.busy = b.busy[1:]
		b.answer(w, 429, map[string]any{"ok": false, "error_code": 429,
			"description": fmt.Sprintf("Too Many Requests: retry after %d", s), "parameters": map[string]any{"retry_after": s}})
		return
	}
	b.texts = append(b.texts, req.Text)
	b.answer(w, 200, map[string]any{"ok": true, "result": map[string]any{
		"message_id": len(b.texts), "date": 1796205600, "chat": map[string]any{"id": b.chat, "type": "group"}, "text": req.Text}})
}

func (b *botServer) Texts() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.texts...)
}

func (b *botServer) sender() *Telegram {
	return &Telegram{Token: testToken, ChatID: b.chat, BaseURL: b.URL, Client: b.Client()}
}
