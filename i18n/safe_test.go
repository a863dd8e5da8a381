package i18n

import "testing"

func TestSanitize(t *testing.T) {
	in := "ok\x1b[31mred\x1b[0m\x1b]0;title\x07 bell\x07 cr\r nul\x00\ttab\nnext\u202egnp.exe\u2066x\u2069 \xff\xfebad \xc2\x9b2J"
	want := "okred bell cr nul\ttab\nnextgnp.exex bad 2J"
	if got := Sanitize(in); got != want {
		t.Errorf("Sanitize = %q, want %q", got, want)
	}
}

func TestLine(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"a\x1b[31mb\nc\td", 80, "ab c d"}, // escape sequences gone, one line
		{"  spaced   out  ", 80, "spaced out"},
		{"ӨӨӨӨӨӨ", 4, "ӨӨӨӨ…"},       // cut by runes, never inside one
		{"\x1b]0;title\x07", 80, ""}, // only an escape: nothing left
	} {
		if got := Line(c.in, c.max); got != c.want {
			t.Errorf("Line(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}
