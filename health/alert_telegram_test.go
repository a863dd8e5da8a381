package health

import (
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/health/healthtest"
)

// testToken is the stand-in's token: what must never leak.
const testToken = healthtest.BotToken

type botServer struct{ *healthtest.Bot }

func startBot(t *testing.T, chat string) botServer { return botServer{healthtest.StartBot(t, chat)} }

func (b botServer) sender() *Telegram {
	return &Telegram{Token: testToken, ChatID: b.Chat, BaseURL: b.URL, Client: b.Client()}
}
