package health

import (
	"context"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
)

// maxMailChars bounds one alert letter: a long list is cut with a note
// as a Telegram message is, only later.
const maxMailChars = 64 << 10

// Mail sends alerts by the submission's SMTP code (enroll.SendText):
// same TLS rules, same password in the OS keyring (enroll.SMTPAccount,
// enroll.LoadSMTPPassword).
type Mail struct{ SMTP enroll.SMTP }

func (m *Mail) Channel() string { return "smtp:" + strings.Join(m.SMTP.To, ",") }
func (m *Mail) Limit() int      { return maxMailChars }

func (m *Mail) Send(ctx context.Context, subject, text string) error {
	return enroll.SendText(ctx, m.SMTP, subject, text)
}
