package enroll

import (
	"fmt"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// letterLangs: the CA works in Russian; the user's own language follows
// when it is another one, so the user can read what they send.
func letterLangs(user string) []string {
	if user == "ky" || user == "en" {
		return []string{"ru", user}
	}
	return []string{"ru"}
}

// letterSubject is the Russian subject line (a notice's: the operator's
// language); a part of an application
// sent in parts names the application and the part.
func letterSubject(p *Package, m Manifest) string {
	d := participantData(m.Participant, m.ID)
	if m.Kind == KindNotice {
		// A notice's subject is in the operator's language.
		d["Server"] = serverID(m.Participant)
		l := "ru"
		if n, err := (&Package{Dir: p.Dir, Manifest: m}).Notice(); err == nil && n.OperatorLang != "" {
			l = n.OperatorLang
		}
		return i18n.T(l, "enroll.notice.subject", d)
	}
	if m.Part > 0 {
		d["Part"] = m.Part
		return i18n.T("ru", "enroll.letter.subject_part", d)
	}
	return i18n.T("ru", "enroll.letter.subject", d)
}

func participantData(p Participant, id string) map[string]any {
	return map[string]any{
		"Instance": p.Instance, "MemberClass": p.MemberClass, "MemberCode": p.MemberCode,
		"Name": p.Name, "ServerCode": p.ServerCode, "ServerAddress": p.ServerAddress, "ID": id,
	}
}

// letter is the body of the message to the CA: who asks, which CSR is for
// which certificate and where its key lives, and every file with its
// SHA-256 so the CA can check what arrived.
func letter(p *Package, m Manifest, manifestSHA string) (string, error) {
	_, csrs, lang, err := p.Info()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if m.Kind == KindNotice {
		n, err := (&Package{Dir: p.Dir, Manifest: m}).Notice()
		if err != nil {
			return "", err
		}
		for i, l := range noticeLangs(n.OperatorLang, lang) {
			if i > 0 {
				b.WriteString("\n----------------------------------------\n\n")
			}
			writeNotice(&b, l, m, n)
		}
		return b.String(), nil
	}
	for i, l := range letterLangs(lang) {
		if i > 0 {
			b.WriteString("\n----------------------------------------\n\n")
		}
		writeLetter(&b, l, m, csrs, manifestSHA)
	}
	return b.String(), nil
}

func writeLetter(b *strings.Builder, l string, m Manifest, csrs []CSRInfo, manifestSHA string) {
	t := func(key string, data map[string]any) string { return i18n.T(l, key, data) }
	pd := participantData(m.Participant, m.ID)
	intro := "enroll.letter.intro_no_report" // say only what is attached
	for _, f := range m.Files {
		if f.Role == RoleReportJSON {
			intro = "enroll.letter.intro"
		}
	}
	fmt.Fprintf(b, "%s\n\n%s\n\n", t("enroll.letter.greeting", nil), t(intro, pd))
	if m.Part > 1 {
		// The rest of an application: the CA finds the first letter by its ID.
		fmt.Fprintf(b, "%s\n\n", t("enroll.letter.continues", map[string]any{"ID": m.ID, "Part": m.Part}))
	}
	fmt.Fprintf(b, "%s\n", t("enroll.letter.participant", nil))
	for _, row := range []struct{ key, v string }{
		{"enroll.letter.instance", m.Participant.Instance},
		{"enroll.letter.member_class", m.Participant.MemberClass},
		{"enroll.letter.member_code", m.Participant.MemberCode},
		{"enroll.letter.name", m.Participant.Name},
		{"enroll.letter.server_code", m.Participant.ServerCode},
		{"enroll.letter.server_address", m.Participant.ServerAddress},
	} {
		fmt.Fprintf(b, "  %s: %s\n", t(row.key, nil), row.v)
	}
	fmt.Fprintf(b, "\n%s\n", t("enroll.letter.csrs", nil))
	for _, c := range csrs {
		src := c.Source
		if src == "" {
			src = t("enroll.letter.source_unknown", nil)
		}
		d := map[string]any{"DER": c.DER, "PEM": c.PEM, "Source": src, "Subject": c.Subject}
		fmt.Fprintf(b, "  - %s\n", t("enroll.letter.csr_"+string(c.Usage), d))
	}
	for _, u := range m.Follows {
		// Said where the CA looks for the CSRs: one is not missing by mistake.
		fmt.Fprintf(b, "  - %s\n", t("enroll.letter.follows_"+string(u), map[string]any{"ID": m.ID}))
	}
	fmt.Fprintf(b, "\n%s\n", t("enroll.letter.files", nil))
	fmt.Fprintf(b, "  %s  SHA-256 %s\n", ManifestName, manifestSHA)
	for _, f := range m.Files {
		fmt.Fprintf(b, "  %s  %d B  SHA-256 %s\n", f.Name, f.Size, f.SHA256)
	}
	fmt.Fprintf(b, "\n%s\n", t("enroll.letter.closing", map[string]any{"ID": m.ID, "Tool": m.Tool}))
}
