package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// groupFingerprint writes a fingerprint or hash in blocks of four
// characters ("SHA256: 47DE Qpj8 ..."), so a line breaks only between
// blocks and two copies are compared block by block. Colon-separated hex
// (AB:CD:...) loses its colons; a "SHA256:" style label stays in front.
func groupFingerprint(s string) string {
	s = strings.TrimSpace(s)
	label := ""
	if i := strings.Index(s, ":"); i > 0 && i < 10 && !isHexColon(s) {
		label, s = s[:i+1], s[i+1:]
	}
	if isHexColon(s) {
		s = strings.ReplaceAll(s, ":", "")
	}
	s = strings.Join(strings.Fields(s), "")
	var blocks []string
	if label != "" {
		blocks = append(blocks, label)
	}
	r := []rune(s)
	for len(r) > 0 {
		n := min(4, len(r))
		blocks = append(blocks, string(r[:n]))
		r = r[n:]
	}
	return strings.Join(blocks, " ")
}

// isHexColon: pairs of hex digits separated by colons (AB:CD:EF).
func isHexColon(s string) bool {
	if len(s) < 5 || len(s)%3 != 2 {
		return false
	}
	for i, c := range s {
		switch {
		case i%3 == 2:
			if c != ':' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", c):
			return false
		}
	}
	return true
}

// fingerprintLabel shows a fingerprint in monospace blocks that wrap only
// between blocks, never inside one; it can be selected and copied.
func fingerprintLabel(s string) *widget.Label {
	l := widget.NewLabelWithStyle(groupFingerprint(s), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	l.Wrapping = fyne.TextWrapWord
	l.Selectable = true
	return l
}

// subjectText is a certificate subject (RFC 4514, as pkix.Name.String
// gives it) one field per line: a line breaks between fields, or between
// the words of a long name, never inside a word ("CN=Министрлиги" stays
// whole). An escaped comma ("\,") belongs to its field.
func subjectText(dn string) string {
	var fields []string
	var cur strings.Builder
	escaped := false
	for _, r := range dn {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == ',' || r == '+':
			if f := strings.TrimSpace(cur.String()); f != "" {
				fields = append(fields, f)
			}
			cur.Reset()
			continue
		}
		cur.WriteRune(r)
	}
	if f := strings.TrimSpace(cur.String()); f != "" {
		fields = append(fields, f)
	}
	return strings.Join(fields, "\n")
}

// subjectLabel shows a certificate subject one field per line, wrapped
// at words (subjectText); it can be selected and copied.
func subjectLabel(dn string) *widget.Label {
	l := widget.NewLabelWithStyle(subjectText(dn), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	l.Wrapping = fyne.TextWrapWord
	l.Selectable = true
	return l
}

// anchorHashText writes an anchor's SHA-224 as X-Road's admin UI and
// central server do (upper-case pairs joined by colons), with a space
// after every fourth pair so a line breaks only between groups.
func anchorHashText(h string) string {
	pairs := strings.Split(configure.ColonHash(i18n.Line(h, 200)), ":")
	var groups []string
	for len(pairs) > 0 {
		n := min(4, len(pairs))
		groups = append(groups, strings.Join(pairs[:n], ":"))
		pairs = pairs[n:]
	}
	return strings.Join(groups, " ")
}
