package i18n

// Text from a remote host, a token or a file the user named is shown to
// people only through these: the host is not trusted, and a terminal
// escape sequence in a report or a log line must not reach a screen.

import (
	"strings"
	"unicode/utf8"
)

// Sanitize removes terminal control sequences and control characters
// (except newline and tab) from text received from a remote host, the
// bidirectional overrides and isolates that make a line read otherwise
// than it is (U+202A-U+202E, U+2066-U+2069), and bytes that are not
// UTF-8.
func Sanitize(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x1b: // ESC: skip CSI "ESC [ ... final", OSC "ESC ] ... BEL/ST", or one char
			if i+1 < len(rs) && rs[i+1] == '[' {
				i += 2
				for i < len(rs) && !(rs[i] >= 0x40 && rs[i] <= 0x7e) {
					i++
				}
			} else if i+1 < len(rs) && rs[i+1] == ']' {
				i += 2
				for i < len(rs) && rs[i] != 0x07 && !(rs[i] == 0x1b && i+1 < len(rs) && rs[i+1] == '\\') {
					i++
				}
				if i < len(rs) && rs[i] == 0x1b {
					i++
				}
			} else {
				i++
			}
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\uFFFD',
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MaxLine bounds a line shown from a report or an error.
const MaxLine = 512

// Line is Sanitize for one line of at most max runes: newlines and tabs
// become spaces and a longer text is cut with "…".
func Line(s string, max int) string {
	s = strings.Join(strings.Fields(Sanitize(s)), " ")
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return s
}
