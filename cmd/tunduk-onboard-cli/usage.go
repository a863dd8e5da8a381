package main

// The top-level help: the commands in the order an organisation uses them
// to join Tunduk, one translated line each (cli.verb.*), and "did you
// mean" for a command typed wrong.

import (
	"fmt"
	"io"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// onboarding lists the commands in the order of the work: check the
// server, install it, initialise it and make its CSRs, prepare the token,
// send the application, import and register the certificates, follow the
// application; print the record for people. Each line's text is
// cli.verb.<words joined by dots>.
var onboarding = []string{
	"check",
	"install",
	"server init",
	"server csr",
	"token list",
	"token prepare",
	"token init|pin|keygen",
	"csr sign",
	"submit",
	"submit status",
	"server import",
	"server register",
	"server status",
	"client add|register|status",
	"client connection|tls",
	"service add|list|refresh",
	"service grant|revoke",
	"connect",
	"call test",
	"client notify",
	"service export",
	"record print",
	"status",
	"renew plan|apply|status",
	"backup",
	"support-bundle",
	"ansible export",
	"version",
}

// verbKey is the catalogue key of an onboarding line: "token init|pin"
// is cli.verb.token.init.
func verbKey(line string) string {
	first, _, _ := strings.Cut(line, "|")
	return "cli.verb." + strings.Join(strings.Fields(first), ".")
}

// usage is the top-level help, in lang.
func usage(w io.Writer, lang string) {
	fmt.Fprintf(w, "%s tunduk-onboard-cli COMMAND [FLAGS]\n\n%s\n", i18n.T(lang, "cli.help.usage", nil), i18n.T(lang, "cli.help.commands", nil))
	width := 0
	for _, l := range onboarding {
		width = max(width, len(l))
	}
	for _, l := range onboarding {
		fmt.Fprintf(w, "  %-*s  %s\n", width, l, i18n.T(lang, verbKey(l), nil))
	}
	fmt.Fprintf(w, "\n%s\n", i18n.T(lang, "cli.help.main", nil))
}

// subVerbs are the commands under each group, for "did you mean".
var subVerbs = map[string][]string{
	"":          {"check", "install", "server", "client", "service", "connect", "call", "token", "csr", "submit", "record", "support-bundle", "status", "renew", "backup", "ansible", "version", "help"},
	"ansible":   {"export"},
	"journal":   {"record"},
	"renew":     renewVerbs,
	"backup":    {"list", "create", "download", "restore"},
	"server":    {"init", "csr", "import", "register", "status"},
	"client":    {"add", "register", "status", "connection", "tls", "notify"},
	"service":   {"add", "list", "grant", "revoke", "refresh", "subjects", "export"},
	"token":     {"list", "init", "pin", "keygen", "prepare"},
	"token pin": {"change-user", "change-so", "unblock"},
	"csr":       {"sign"},
	"submit":    {"list", "status", "flush", "advance"},
	"record":    {"print"},
	"call":      {"test"},
}

// unknownVerb tells that word is no command of group ("" for the top
// level, "token", "token pin"...), the nearest command when one is close
// (suggest), and else the group's help (printed by help). Exit 2.
func unknownVerb(w io.Writer, lang, group, word string, help func(io.Writer)) error {
	cmd := strings.TrimSpace("tunduk-onboard-cli " + group)
	fmt.Fprintln(w, i18n.T(lang, "cli.unknown_command", map[string]any{"Word": i18n.Line(word, 60), "Cmd": cmd}))
	if s := suggestVerb(group, word); s != "" {
		fmt.Fprintln(w, i18n.T(lang, "cli.did_you_mean", map[string]any{"Command": "tunduk-onboard-cli " + s}))
		fmt.Fprintln(w, i18n.T(lang, "cli.see_commands", map[string]any{"Cmd": cmd}))
		return errUsage
	}
	fmt.Fprintln(w)
	help(w)
	return errUsage
}

// suggestVerb is the command (with its group) closest to word: a command
// of group, or, at the top level, a command of another group written
// without it ("register" is "server register"; where two groups have it,
// the one the onboarding meets first).
func suggestVerb(group, word string) string {
	var cands []string
	for _, v := range subVerbs[group] {
		cands = append(cands, strings.TrimSpace(group+" "+v))
	}
	if group == "" {
		for _, g := range []string{"server", "token", "csr", "submit", "record"} {
			for _, v := range subVerbs[g] {
				cands = append(cands, g+" "+v)
			}
		}
	}
	return suggest(word, cands)
}

// suggest is the candidate whose last word is nearest to word: at most 1
// edit (a letter wrong, missing, extra or two swapped) for a word of up
// to 4 letters, 2 for a longer one, or word being the start of exactly
// one candidate (3 letters at least). The earlier candidate wins a tie.
func suggest(word string, cands []string) string {
	word = strings.ToLower(word)
	limit := 1
	if len([]rune(word)) > 4 {
		limit = 2
	}
	best, bestD := "", limit+1
	var prefixed []string
	for _, c := range cands {
		f := strings.Fields(c)
		last := f[len(f)-1]
		if d := editDistance(word, last); d < bestD {
			best, bestD = c, d
		}
		if len(word) >= 3 && strings.HasPrefix(last, word) {
			prefixed = append(prefixed, c)
		}
	}
	if best == "" && len(prefixed) == 1 {
		return prefixed[0]
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b: the
// fewest insertions, deletions, substitutions and swaps of two adjacent
// letters that turn a into b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
