package main

import (
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// TestSuggest: a command typed with one or two letters wrong, missing,
// extra or swapped is found; a word far from every command is not.
func TestSuggest(t *testing.T) {
	for _, c := range []struct{ group, word, want string }{
		{"", "chek", "check"},
		{"", "instal", "install"},
		{"", "sever", "server"},
		{"", "tokne", "token"},
		{"", "submti", "submit"},
		{"", "register", "server register"}, // a group's command without its group
		{"", "prepare", "token prepare"},
		{"", "flush", "submit flush"},
		{"", "frobnicate", ""},
		{"", "x", ""},
		{"server", "regster", "server register"},
		{"server", "stauts", "server status"},
		{"server", "imp", "server import"}, // the start of one command
		{"server", "in", ""},
		{"token", "lst", "token list"},
		{"token pin", "chnage-user", "token pin change-user"},
		{"submit", "advnce", "submit advance"},
		{"csr", "sing", "csr sign"},
	} {
		if got := suggestVerb(c.group, c.word); got != c.want {
			t.Errorf("%q %q: %q, want %q", c.group, c.word, got, c.want)
		}
	}
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "abc", 3}, {"abc", "abc", 0}, {"abc", "acb", 1}, {"kitten", "sitting", 3}, {"лист", "лсит", 1}} {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

// TestUsageOrder: -h lists every command in the order of the onboarding,
// each with its description in the language asked for, and every group's
// commands can be suggested.
func TestUsageOrder(t *testing.T) {
	for _, lang := range i18n.Languages {
		code, out, _ := cli(t, "", "-h", "--lang", lang)
		if code != exitOK {
			t.Fatalf("-h: exit %d", code)
		}
		at := -1
		for _, l := range onboarding {
			line := "  " + l + " "
			i := strings.Index(out, line)
			if i < at || i < 0 {
				t.Errorf("%s: %q is not after the command before it:\n%s", lang, l, out)
			}
			at = i
			desc := i18n.T(lang, verbKey(l), nil)
			if desc == verbKey(l) || !strings.Contains(out[i:], desc+"\n") {
				t.Errorf("%s: %q has no description %q", lang, l, desc)
			}
			if lang != "en" && desc == i18n.T("en", verbKey(l), nil) {
				t.Errorf("%s: %q is described in English", lang, l)
			}
		}
	}
	for group, words := range subVerbs {
		if group == "" {
			continue
		}
		if _, ok := verbs[strings.Fields(group)[0]]; !ok {
			t.Errorf("subVerbs names the group %q, which is no command", group)
		}
		for _, w := range words {
			if got := suggestVerb(group, w); got != group+" "+w {
				t.Errorf("%s %s suggests %q", group, w, got)
			}
		}
	}
}
