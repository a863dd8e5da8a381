package main

import (
	"flag"
	"io"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// verbFlagSets builds the flag set of every verb without running it.
func verbFlagSets() []*flag.FlagSet {
	sets := []*flag.FlagSet{
		new(checkOpts).flags(io.Discard),
		new(installOpts).flags(io.Discard),
		new(serverInitOpts).flags(io.Discard),
		new(serverCSROpts).flags(io.Discard),
		new(serverImportOpts).flags(io.Discard),
		new(serverRegisterOpts).flags(io.Discard),
		newServerFlags("status", new(serverOpts), io.Discard),
		new(submitOpts).flags(io.Discard),
		new(recordPrintOpts).flags(io.Discard),
		new(callOpts).flags(io.Discard),
		new(notifyOpts).flags(io.Discard),
		new(exportOpts).flags(io.Discard),
		new(statusOpts).flags(io.Discard),
		new(bundleOpts).flags(io.Discard),
	}
	for name := range submitSubSynopsis {
		sets = append(sets, submitSubFlags(name, new(submitCommon), new(string), new(string), io.Discard))
	}
	for _, mk := range []func() map[string]apiVerb{clientVerbs, serviceVerbs} {
		for _, v := range mk() {
			sets = append(sets, v.flagSet(new(serverOpts), io.Discard))
		}
	}
	sets = append(sets, connectVerb().flagSet(new(serverOpts), io.Discard))
	for _, v := range renewVerbs {
		sets = append(sets, new(renewOpts).flags(v, io.Discard))
	}
	for _, v := range backupVerbs() {
		sets = append(sets, v.flagSet(new(serverOpts), io.Discard))
	}
	sets = append(sets, new(ansibleOpts).flags(io.Discard), new(journalOpts).flags(io.Discard))
	return append(sets, tokenFlagSets()...)
}

// helpArgs are the verbs as -h runs them, one per flag set.
func helpArgs() [][]string {
	args := [][]string{{"check"}, {"install"}, {"submit"}, {"record", "print"}, {"call", "test"}, {"client", "notify"}, {"service", "export"}, {"support-bundle"}, {"status"}}
	for name := range serverVerbs {
		args = append(args, []string{"server", name})
	}
	for name := range submitSubSynopsis {
		args = append(args, []string{"submit", name})
	}
	for group, mk := range map[string]func() map[string]apiVerb{"client": clientVerbs, "service": serviceVerbs} {
		for name := range mk() {
			args = append(args, append([]string{group}, strings.Fields(name)...))
		}
	}
	args = append(args, []string{"connect"})
	for _, v := range renewVerbs {
		args = append(args, []string{"renew", v})
	}
	for name := range backupVerbs() {
		args = append(args, []string{"backup", name})
	}
	args = append(args, []string{"ansible", "export"}, []string{"journal", "record"})
	return append(args, tokenHelpArgs...)
}

// helpGroups are the keys of the help of commands with sub-commands.
var helpGroups = []string{"cli.help.usage", "cli.help.flags", "cli.help.default", "cli.help.main", "cli.help.commands",
	"cli.help.server", "cli.help.client", "cli.help.service", "cli.help.token", "cli.help.token.pin", "cli.help.csr", "cli.help.record",
	"cli.help.renew", "cli.help.backup", "cli.help.ansible", "cli.help.journal"}

var (
	rePlaceholder = regexp.MustCompile("`[^`]*`")
	reFlagName    = regexp.MustCompile(`--[a-z][a-z0-9-]*`)
)

// names is the sorted set of re's matches in s.
func names(re *regexp.Regexp, s string) string {
	set := map[string]bool{}
	for _, m := range re.FindAllString(s, -1) {
		set[m] = true
	}
	var out []string
	for m := range set {
		out = append(out, m)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// TestHelpCatalog: every verb's description and every flag's usage is in
// every language; the English is the code's; the translations keep the
// backquoted value name (flag.PrintDefaults shows it: -profile FILE) and
// name the same --flags; no cli.help or cli.opt key is left unused.
func TestHelpCatalog(t *testing.T) {
	cat := map[string]map[string]string{}
	for _, l := range i18n.Languages {
		m, err := i18n.CatalogKeys(l)
		if err != nil {
			t.Fatal(err)
		}
		cat[l] = m
	}
	used := map[string]bool{}
	for _, k := range helpGroups {
		used[k] = true
	}
	sets := verbFlagSets()
	if len(sets) != len(helpArgs()) {
		t.Fatalf("%d flag sets but %d verbs run with -h", len(sets), len(helpArgs()))
	}
	for _, fs := range sets {
		used["cli.help."+helpVerb(fs.Name())] = true
		fs.VisitAll(func(f *flag.Flag) {
			k := optKey(fs.Name(), f.Name)
			used[k] = true
			if got := cat["en"][k]; got != f.Usage {
				t.Errorf("%s --%s: English %s is %q, the code says %q", fs.Name(), f.Name, k, got, f.Usage)
			}
			for _, l := range i18n.Languages[1:] {
				if ph, want := names(rePlaceholder, cat[l][k]), names(rePlaceholder, f.Usage); ph != want {
					t.Errorf("%s --%s: %s %s has placeholder %q, want %q", fs.Name(), f.Name, l, k, ph, want)
				}
			}
		})
	}
	var keys []string
	for k := range cat["en"] {
		if strings.HasPrefix(k, "cli.help.") || strings.HasPrefix(k, "cli.opt.") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for k := range used {
		if _, ok := cat["en"][k]; !ok {
			keys = append(keys, k) // missing everywhere: reported below
		}
	}
	for _, k := range keys {
		if !used[k] {
			t.Errorf("%s is used by no verb or flag", k)
		}
		for _, l := range i18n.Languages {
			s := cat[l][k]
			switch {
			case strings.TrimSpace(s) == "":
				t.Errorf("%s lacks %s", l, k)
			case l != "en" && names(reFlagName, s) != names(reFlagName, cat["en"][k]):
				t.Errorf("%s %s names the flags %q, English %q", l, k, names(reFlagName, s), names(reFlagName, cat["en"][k]))
			case l != "en" && s == cat["en"][k] && strings.ContainsAny(s, "aeiou"):
				t.Errorf("%s %s is the English text", l, k)
			}
		}
	}
}

// checkHelpIn fails when out is not help in lang: "Usage:" in lang and
// in no other language; for a verb (flags) its "Flags:" and "(default"
// too.
func checkHelpIn(t *testing.T, what, lang, out string, flags bool) {
	t.Helper()
	for _, l := range i18n.Languages {
		words := []string{i18n.T(l, "cli.help.usage", nil) + " tunduk-onboard-cli "}
		if flags {
			words = append(words, "\n"+i18n.T(l, "cli.help.flags", nil)+"\n", " ("+i18n.T(l, "cli.help.default", nil)+" ")
		}
		for _, w := range words {
			if has := strings.Contains(out, w); has != (l == lang) {
				t.Errorf("%s in %s: contains %q is %v:\n%s", what, lang, w, has, out)
			}
		}
	}
}

// TestHelpLanguages runs every verb with -h in each language, --lang
// before or after -h, and finds its description and a flag's usage there.
func TestHelpLanguages(t *testing.T) {
	for _, args := range helpArgs() {
		for i, lang := range i18n.Languages {
			a := append(append([]string(nil), args...), "-h", "--lang", lang)
			if i == 1 {
				a = append(append([]string(nil), args...), "--lang="+lang, "-h")
			}
			code, out, errOut := cli(t, "", a...)
			if code != exitOK || out != "" {
				t.Errorf("%v: exit %d, stdout %q; want 0 and the help on stderr", a, code, out)
			}
			what := strings.Join(args, " ")
			checkHelpIn(t, what, lang, errOut, true)
			desc := i18n.T(lang, "cli.help."+strings.Join(args, "."), nil)
			verbose := i18n.T(lang, optKey(what, "verbose"), nil)
			if !strings.Contains(errOut, desc+"\n\n") || !strings.Contains(errOut, "\n    \t"+verbose+"\n") {
				t.Errorf("%v: the description or --verbose is not in %s:\n%s", a, lang, errOut)
			}
		}
	}
	// ru: "ожидание одобрения" is in the Russian --timeout text only.
	_, _, errOut := cli(t, "", "server", "register", "--lang", "ru", "--help")
	if !strings.Contains(errOut, "-wait-timeout DURATION\n    \tпрекратить ожидание одобрения через DURATION (по умолчанию 24h0m0s)\n") {
		t.Errorf("server register --help --lang ru:\n%s", errOut)
	}
	// --lang given before a positional argument counts for a later -h.
	_, _, errOut = cli(t, "", "submit", "advance", "--lang", "ky", "ID", "-h")
	checkHelpIn(t, "submit advance", "ky", errOut, true)
}

// TestHelpGroups: the help of the commands with sub-commands and the
// top-level help, in the language of --lang.
func TestHelpGroups(t *testing.T) {
	for _, c := range []struct {
		args   []string
		key    string
		stderr bool
	}{
		{[]string{"help"}, "cli.help.main", false},
		{[]string{"-h"}, "cli.help.main", false},
		{[]string{"server", "-h"}, "cli.help.server", false},
		{[]string{"record", "help"}, "cli.help.record", false},
		{[]string{"renew", "-h"}, "cli.help.renew", false},
		{[]string{"token", "--help"}, "cli.help.token", false},
		{[]string{"token", "pin", "-h"}, "cli.help.token.pin", true},
		{[]string{"csr", "help"}, "cli.help.csr", false},
	} {
		if len(tokenHelpArgs) == 0 && (c.args[0] == "token" || c.args[0] == "csr") {
			continue
		}
		for _, lang := range i18n.Languages {
			a := append(append([]string(nil), c.args...), "--lang", lang)
			code, out, errOut := cli(t, "", a...)
			if c.stderr {
				out, errOut = errOut, out
			}
			if code != exitOK || errOut != "" || !strings.Contains(out, "\n\n"+i18n.T(lang, c.key, nil)+"\n") {
				t.Errorf("%v: exit %d, stderr %q, help:\n%s", a, code, errOut, out)
			}
			checkHelpIn(t, c.key, lang, out, false)
		}
	}
}

// TestHelpEnvLanguage: without --lang the help speaks the locale's
// language, also the usage printed when no command is given.
func TestHelpEnvLanguage(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "ky_KG.UTF-8")
	code, _, errOut := cli(t, "", "check", "-h")
	if code != exitOK {
		t.Errorf("check -h: exit %d", code)
	}
	checkHelpIn(t, "check", "ky", errOut, true)
	t.Setenv("LC_ALL", "ru_RU.UTF-8")
	code, _, errOut = cli(t, "")
	if code != exitCannot || !strings.Contains(errOut, i18n.T("ru", "cli.help.main", nil)) {
		t.Errorf("no command: exit %d, stderr:\n%s", code, errOut)
	}
	checkHelpIn(t, "main", "ru", errOut, false)
}
