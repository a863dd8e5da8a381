package enroll

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/enroll/enrolltest"
)

func noticeInput() Input {
	return Input{
		Participant: Participant{Instance: "central-server", MemberClass: "GOV", MemberCode: "70000001",
			Name: orgName, ServerCode: "SS1", ServerAddress: "203.0.113.10"},
		Notice: &Notice{
			Registered:   time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC),
			OperatorLang: "ru",
			Subsystems: []NoticeSubsystem{
				{Code: "PORTAL", Name: "Портал госуслуг, \"основной\"", Status: "REGISTERED"},
				{Code: "REGISTRY", Name: "Реестр <script>"},
			},
		},
		Lang: "ky",
	}
}

// The notice goes the way an application does: SMTP to a real local
// server, in the operator's language first, then the user's.
func TestNoticeBySMTP(t *testing.T) {
	srv := enrolltest.StartMail(t, enrolltest.MailOptions{User: "org@example.kg", Password: smtpPassword})
	store := testStore(t)
	in := noticeInput()
	to := []string{"info@tunduk.kg"}
	out, err := Deliver(context.Background(), store, Request{Via: ViaSMTP, Input: &in, SMTP: SMTP{Host: srv.Host, Port: srv.Port,
		Username: "org@example.kg", Password: smtpPassword, From: "org@example.kg", To: to, TLS: srv.ClientTLS, Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Sent || out.Record.Stage != StageSent || out.Package.Manifest.Kind != KindNotice {
		t.Fatalf("outcome %+v", out)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	msg, err := mail.ReadMessage(bytes.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if !strings.Contains(subj, "Регистрация подсистем") || !strings.Contains(subj, "central-server/GOV/70000001/SS1") {
		t.Errorf("subject %q", subj)
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	mr := multipart.NewReader(msg.Body, params["boundary"])
	body, _ := mr.NextPart()
	text, _ := io.ReadAll(body)
	letter := string(text)
	for _, want := range []string{"central-server/GOV/70000001/SS1", orgName, "203.0.113.10", "2026-12-01",
		"central-server/GOV/70000001/PORTAL: Портал госуслуг, \"основной\" (статус на сервере безопасности: REGISTERED)",
		"central-server/GOV/70000001/REGISTRY: Реестр <script>", "Подсистемалар:"} {
		if !strings.Contains(letter, want) {
			t.Errorf("letter lacks %q:\n%s", want, letter)
		}
	}
	if ru, ky := strings.Index(letter, "Уважаемые"), strings.Index(letter, "Урматтуу"); ru < 0 || ky < ru {
		t.Errorf("languages: ru %d, ky %d", ru, ky)
	}
	names := map[string][]byte{}
	for {
		part, err := mr.NextPart()
		if err != nil {
			break
		}
		raw, _ := io.ReadAll(part)
		names[part.FileName()] = raw
	}
	for _, n := range []string{ManifestName, ParticipantName, NoticeName} {
		if _, ok := names[n]; !ok {
			t.Errorf("%s not attached (%d parts)", n, len(names))
		}
	}
	// What the package holds reads back as it was given.
	n, err := out.Package.Notice()
	if err != nil || len(n.Subsystems) != 2 || n.Subsystems[1].Name != "Реестр <script>" || !n.Registered.Equal(in.Notice.Registered) {
		t.Fatalf("notice %+v %v", n, err)
	}
}

func TestNoticeOtherWays(t *testing.T) {
	store := testStore(t)
	in := noticeInput()
	in.Lang, in.Notice.OperatorLang = "ru", "ky" // an operator writing Kyrgyz, a Russian-speaking user
	out, err := Deliver(context.Background(), store, Request{Via: ViaEmail, Input: &in, Mail: Mail{To: []string{"info@tunduk.kg"}}})
	if err != nil {
		t.Fatal(err)
	}
	eml, _ := os.ReadFile(out.Where)
	msg, _ := mail.ReadMessage(bytes.NewReader(eml))
	if subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); !strings.Contains(subj, "Подсистемаларды каттоо") || msg.Header.Get("X-Unsent") != "1" {
		t.Errorf("eml subject %q", subj)
	}
	dest := t.TempDir()
	out, err = Deliver(context.Background(), store, Request{Via: ViaFolder, Input: &in, Folder: dest, FolderIsSent: true})
	if err != nil || !out.Sent {
		t.Fatalf("%v %+v", err, out)
	}
	var m Manifest
	data, _ := os.ReadFile(filepath.Join(out.Where, ManifestName))
	if json.Unmarshal(data, &m) != nil || m.Kind != KindNotice {
		t.Fatalf("manifest %s", data)
	}
}

func TestNoticeRefusesBadInput(t *testing.T) {
	for name, f := range map[string]func(*Input){
		"newline in name": func(in *Input) { in.Notice.Subsystems[0].Name = "a\nBcc: x@y" },
		"escape":          func(in *Input) { in.Notice.Subsystems[0].Code = "A\x1b[2J" },
		"no subsystems":   func(in *Input) { in.Notice.Subsystems = nil },
		"twice":           func(in *Input) { in.Notice.Subsystems[1].Code = "PORTAL" },
		"no date":         func(in *Input) { in.Notice.Registered = time.Time{} },
		"with a CSR":      func(in *Input) { in.CSRs = []CSR{{Usage: UsageAuth}} },
	} {
		in := noticeInput()
		f(&in)
		dir := t.TempDir()
		if _, err := Build(dir, in); err == nil {
			t.Errorf("%s: accepted", name)
		} else if k := errKey(err); !strings.HasPrefix(k, "enroll.err.notice_") {
			t.Errorf("%s: %v", name, err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("%s: left %v", name, ents)
		}
	}
}

// A notice lies in the store beside the applications, and is never taken
// for the server's latest application.
func TestNoticeIsNoApplication(t *testing.T) {
	store := testStore(t)
	app := testInput(t)
	if _, _, err := store.Create(app); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	in := noticeInput()
	_, rec, err := store.Create(in)
	if err != nil || rec.Kind != KindNotice {
		t.Fatalf("%v %+v", err, rec)
	}
	latest, err := store.LatestOf(app.Participant)
	if err != nil || latest == nil || latest.Kind != "" {
		t.Fatalf("latest %+v %v", latest, err)
	}
	got, _ := store.Get(rec.ID)
	if got.Kind != KindNotice {
		t.Fatalf("kind not kept: %+v", got)
	}
}
