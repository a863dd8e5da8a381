package main

// -h in the user's language. The command syntax (the synopsis after
// "Usage:") stays as it is; the words around it, each verb's description
// (cli.help.<verb>) and each flag's usage come from the report catalogue
// (assets/translations/report). A flag's usage in the code is the English
// source and the fallback: the English catalogue holds the same text
// (help_test.go checks both, and that every flag has its key).

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// helpVerb is a flag set's name as the catalogue keys spell it:
// "server init" is "server.init".
func helpVerb(name string) string { return strings.Join(strings.Fields(name), ".") }

// optKey is the catalogue key of the usage of flag name in verb: the
// verb's own (cli.opt.server.import.out) where its flag means something
// else, else its command group's (cli.opt.server.ssh, for the flags every
// server verb shares), else the one all verbs share (cli.opt.profile).
func optKey(verb, name string) string {
	words := strings.Fields(verb)
	for i := len(words); i > 0; i-- {
		k := "cli.opt." + strings.Join(words[:i], ".") + "." + name
		if i18n.T("en", k, nil) != k {
			return k
		}
	}
	// The connect flow's, renew's and backup's verbs share the server
	// verbs' flags (registerAPI, registerSession).
	if len(words) > 0 && oneOf(words[0], "client", "service", "connect", "renew", "backup") {
		if k := "cli.opt.server." + name; i18n.T("en", k, nil) != k {
			return k
		}
	}
	return "cli.opt." + name
}

// localizeFlags puts the flags of fs in lang for its help: each flag's
// usage from the catalogue (the code's English where it lacks one), and
// --lang set to lang, which the verb's help reads (helpLang).
func localizeFlags(fs *flag.FlagSet, lang string) {
	fs.VisitAll(func(f *flag.Flag) {
		k := optKey(fs.Name(), f.Name)
		if s := i18n.T(lang, k, nil); s != k {
			f.Usage = s
		}
	})
	if f := fs.Lookup("lang"); f != nil {
		f.Value.Set(lang)
	}
}

// helpLang is the language of fs's help: its --lang (parseOnce sets it
// for -h), else the environment's.
func helpLang(fs *flag.FlagSet) string {
	if f := fs.Lookup("lang"); f != nil && checkLang(f.Value.String()) == nil {
		return f.Value.String()
	}
	return defaultLang()
}

// verbHelp is the fs.Usage of a verb: "Usage:" and its synopsis, its
// description and its flags, in the language of helpLang.
func verbHelp(w io.Writer, fs *flag.FlagSet, synopsis string) func() {
	return func() {
		lang := helpLang(fs)
		printUsage(w, lang, synopsis, "cli.help."+helpVerb(fs.Name()))
		fmt.Fprintf(w, "\n%s\n", i18n.T(lang, "cli.help.flags", nil))
		printDefaults(w, fs, lang)
	}
}

// printUsage writes "Usage:" and synopsis (lines after the first indented
// by 7 spaces in the code, under the first's command), a blank line and
// the catalogue's text key, in lang.
func printUsage(w io.Writer, lang, synopsis, key string) {
	word := i18n.T(lang, "cli.help.usage", nil)
	indent := "\n" + strings.Repeat(" ", utf8.RuneCountInString(word)+1)
	synopsis = strings.ReplaceAll(synopsis, "\n"+strings.Repeat(" ", len("Usage: ")), indent)
	fmt.Fprintf(w, "%s %s\n\n%s\n", word, synopsis, i18n.T(lang, key, nil))
}

// printDefaults is fs.PrintDefaults with its "(default ...)" in lang.
func printDefaults(w io.Writer, fs *flag.FlagSet, lang string) {
	var b bytes.Buffer
	out := fs.Output()
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(out)
	def := " (" + i18n.T(lang, "cli.help.default", nil) + " "
	io.WriteString(w, strings.ReplaceAll(b.String(), " (default ", def))
}
