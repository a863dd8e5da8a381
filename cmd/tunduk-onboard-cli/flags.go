package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// parseFlags parses a verb's flags and refuses stray arguments, which
// would most likely be a secret typed where it does not belong (so the
// argument itself is never echoed). It returns errStop for -h (exit 0),
// errUsage for a bad flag (already explained on the flag set's output),
// or the stray argument's error to print. what is "secrets" or "PINs".
func parseFlags(fs *flag.FlagSet, args []string, what string) error {
	if err := parseOnce(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		lang := langOf(args)
		return textErr(i18n.T(lang, "cli.flag.stray", map[string]any{
			"N": len(args) - fs.NArg() + 1, "What": i18n.T(lang, "cli.flag.what_"+strings.ToLower(what), nil), "Cmd": fs.Name()}))
	}
	return nil
}

// parseOnce is fs.Parse with the flag package's own English error and
// full help replaced by one translated line and where to find the help;
// -h prints the help, in the user's language too.
func parseOnce(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	if err == nil {
		return nil
	}
	lang := parseLang(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		localizeFlags(fs, lang)
		usage()
		return errStop
	}
	fmt.Fprintln(out, flagErrorText(lang, err))
	fmt.Fprintln(out, i18n.T(lang, "cli.flag.see_help", map[string]any{"Cmd": fs.Name()}))
	return errUsage
}

// parseInterleaved parses flags given before, between or after positional
// arguments (import CERT... --csr FILE) and returns the positionals.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseOnce(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

var (
	reUnknown  = regexp.MustCompile(`^flag provided but not defined: -+(\S+)`)
	reNeedsArg = regexp.MustCompile(`^flag needs an argument: -+(\S+)`)
	reBadValue = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+(\S+?):`)
)

// flagErrorText says in lang what the flag package found wrong. Its
// messages are fixed strings (flag/flag.go); anything else is shown as is.
func flagErrorText(lang string, err error) string {
	msg := err.Error()
	if m := reUnknown.FindStringSubmatch(msg); m != nil {
		return i18n.T(lang, "cli.flag.unknown", map[string]any{"Flag": dashed(m[1])})
	}
	if m := reNeedsArg.FindStringSubmatch(msg); m != nil {
		return i18n.T(lang, "cli.flag.needs_value", map[string]any{"Flag": dashed(m[1])})
	}
	if m := reBadValue.FindStringSubmatch(msg); m != nil {
		return i18n.T(lang, "cli.flag.bad_value", map[string]any{"Flag": dashed(m[2]), "Value": m[1]})
	}
	return msg
}

// dashed writes a flag as the help does: --name, or -h for one letter.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// langOf is the --lang among args when it is one we speak, else the
// environment's: flag errors come before the flags are known.
func langOf(args []string) string {
	if lang, ok := langArg(args); ok {
		return lang
	}
	return defaultLang()
}

// parseLang is langOf for a parse of fs: where args lack --lang, the one
// an earlier parse of fs took (flags between positional arguments) counts,
// as helpLang reads it.
func parseLang(fs *flag.FlagSet, args []string) string {
	if lang, ok := langArg(args); ok {
		return lang
	}
	return helpLang(fs)
}

// langArg is the --lang among args, when it is one we speak.
func langArg(args []string) (string, bool) {
	for i, a := range args {
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "lang" {
			continue
		}
		if !hasVal && i+1 < len(args) {
			val = args[i+1]
		}
		if checkLang(val) == nil {
			return val, true
		}
	}
	return "", false
}

// checkLang refuses a --lang the product does not speak.
func checkLang(lang string) error {
	for _, l := range i18n.Languages {
		if l == lang {
			return nil
		}
	}
	return errKey("cli.err.lang", map[string]any{"Value": lang})
}
