package enroll

// The letter that tells the operator which subsystems were registered on
// which security server (the step public Tunduk setups leave to a
// hand-written e-mail). It is a package like an application to the CA
// (notice.json, participant.json, a manifest with SHA-256s) and goes the
// same ways (Deliver): .eml, SMTP, HTTPS intake, folder.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// KindNotice marks a package that is a notice to the operator (Manifest.Kind).
const KindNotice = "notice"

// NoticeName is the notice's file in its package; RoleNotice its role.
const (
	NoticeName = "notice.json"
	RoleNotice = "notice"
)

// Notice is what the letter to the operator says: the subsystems
// registered on the participant's security server (Input.Participant),
// and when.
type Notice struct {
	Registered time.Time         `json:"registered"`
	Subsystems []NoticeSubsystem `json:"subsystems"`
	// OperatorLang is the operator's language (profile operator.lang):
	// the letter is written in it first, then in the user's (Input.Lang).
	OperatorLang string `json:"operator_lang"`
}

// NoticeSubsystem is one subsystem the notice names.
type NoticeSubsystem struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Status string `json:"status,omitempty"` // as the security server says it
}

// maxNoticeSubsystems bounds one letter; a participant has a handful.
const maxNoticeSubsystems = 100

func (n *Notice) validate() error {
	bad := func(field string) error {
		return &Error{Key: "enroll.err.notice_field", Data: map[string]any{"Field": field}}
	}
	if len(n.Subsystems) == 0 || len(n.Subsystems) > maxNoticeSubsystems {
		return &Error{Key: "enroll.err.notice_count", Data: map[string]any{"Count": len(n.Subsystems), "Max": maxNoticeSubsystems}}
	}
	if n.Registered.IsZero() {
		return bad("registered")
	}
	switch n.OperatorLang {
	case "", "en", "ru", "ky":
	default:
		return bad("operator_lang")
	}
	seen := map[string]bool{}
	for i, s := range n.Subsystems {
		for _, f := range []struct{ name, v string }{{"code", s.Code}, {"name", s.Name}, {"status", s.Status}} {
			// A value goes into a letter line by line: no line breaks, no
			// control characters, within a line's length.
			if strings.ContainsFunc(f.v, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }) || len(f.v) > 512 {
				return bad(fmt.Sprintf("subsystems[%d].%s", i, f.name))
			}
		}
		if strings.TrimSpace(s.Code) == "" || seen[s.Code] {
			return bad(fmt.Sprintf("subsystems[%d].code", i))
		}
		seen[s.Code] = true
	}
	return nil
}

// Notice reads the package's notice; nil for an application to the CA.
func (p *Package) Notice() (*Notice, error) {
	if p.Manifest.Kind != KindNotice {
		return nil, nil
	}
	data, err := readcap.ReadFile(filepath.Join(p.Dir, NoticeName), 1<<20)
	if err != nil {
		return nil, &Error{Key: "enroll.err.manifest", Data: map[string]any{"Dir": p.Dir}, Err: err}
	}
	var n Notice
	if err := json.Unmarshal(bytes.TrimSpace(data), &n); err != nil {
		return nil, &Error{Key: "enroll.err.manifest", Data: map[string]any{"Dir": p.Dir}, Err: err}
	}
	return &n, nil
}

// noticeLangs: the operator's language, then the user's when another.
func noticeLangs(operator, user string) []string {
	if operator == "" {
		operator = "ru"
	}
	if user != "" && user != operator {
		return []string{operator, user}
	}
	return []string{operator}
}

// writeNotice is the notice letter in language l: which security server
// (its identifier and owner), which subsystems, since when.
func writeNotice(b *strings.Builder, l string, m Manifest, n *Notice) {
	t := func(key string, data map[string]any) string { return i18n.T(l, key, data) }
	pd := participantData(m.Participant, m.ID)
	pd["Server"] = serverID(m.Participant)
	pd["Date"] = n.Registered.UTC().Format("2006-01-02")
	pd["Count"] = len(n.Subsystems)
	fmt.Fprintf(b, "%s\n\n%s\n\n", t("enroll.letter.greeting", nil), t("enroll.notice.intro", pd))
	fmt.Fprintf(b, "%s\n", t("enroll.notice.server", nil))
	for _, row := range []struct{ key, v string }{
		{"enroll.notice.server_id", serverID(m.Participant)},
		{"enroll.letter.name", m.Participant.Name},
		{"enroll.letter.server_address", m.Participant.ServerAddress},
	} {
		fmt.Fprintf(b, "  %s: %s\n", t(row.key, nil), row.v)
	}
	fmt.Fprintf(b, "\n%s\n", t("enroll.notice.subsystems", nil))
	for _, s := range n.Subsystems {
		d := map[string]any{"ID": m.Participant.Instance + "/" + m.Participant.MemberClass + "/" + m.Participant.MemberCode + "/" + s.Code,
			"Name": s.Name, "Status": s.Status}
		line := d["ID"].(string) + ": " + s.Name // the same in every language
		if s.Status != "" {
			line = t("enroll.notice.subsystem_status", d)
		}
		fmt.Fprintf(b, "  - %s\n", line)
	}
	fmt.Fprintf(b, "\n%s\n", t("enroll.notice.closing", map[string]any{"ID": m.ID, "Tool": m.Tool}))
}

// serverID is the security server's identifier as X-Road writes it:
// INSTANCE/CLASS/MEMBER/SERVER.
func serverID(p Participant) string {
	return strings.Join([]string{p.Instance, p.MemberClass, p.MemberCode, p.ServerCode}, "/")
}
