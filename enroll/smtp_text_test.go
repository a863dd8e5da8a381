package enroll

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/enroll/enrolltest"
)

// SendText goes through the same conversation as a package: STARTTLS,
// AUTH inside TLS, and arrives as plain UTF-8 text.
func TestSendTextThroughRealServer(t *testing.T) {
	srv := enrolltest.StartMail(t, enrolltest.MailOptions{User: "org@example.kg", Password: smtpPassword})
	body := "Критично: сертификат\nline two " + strings.Repeat("x", 200)
	err := SendText(context.Background(), SMTP{Host: srv.Host, Port: srv.Port, Username: "org@example.kg",
		Password: smtpPassword, From: "org@example.kg", To: []string{"ops@example.kg"}, TLS: srv.ClientTLS,
		Timeout: 10 * time.Second}, "Тундук: 2 alerts", body)
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || !msgs[0].AuthTLS {
		t.Fatalf("messages %d, auth in TLS %v", len(msgs), len(msgs) == 1 && msgs[0].AuthTLS)
	}
	m, err := mail.ReadMessage(strings.NewReader(string(msgs[0].Data)))
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if subj != "Тундук: 2 alerts" {
		t.Errorf("subject %q", subj)
	}
	b, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	if got := strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"); got != body {
		t.Errorf("body %q", got)
	}
	if err := SendText(context.Background(), SMTP{Host: srv.Host, Port: srv.Port, From: "org@example.kg"}, "s", "b"); err == nil {
		t.Error("no recipient taken")
	}
}
