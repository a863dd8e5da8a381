//go:build cgo

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// tokenFlags are the flags every token and csr verb shares.
type tokenFlags struct {
	module      string
	token       string
	format      string
	pinStdin    bool
	profilePath string
	verbose     bool
	lang        string
}

func (f *tokenFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.module, "module", "", "PKCS#11 library `PATH` (default: the first Rutoken or SoftHSM2 library found)")
	fs.StringVar(&f.token, "token", "", "the token's `SERIAL|LABEL` (may be left out when exactly one token is present)")
	fs.StringVar(&f.format, "format", "text", "output format: text or json")
	fs.BoolVar(&f.pinStdin, "pin-stdin", false, "read the PINs from standard input, one per line, in the order the command's help lists")
	fs.StringVar(&f.profilePath, "profile", "", "operator profile `FILE` (default: the embedded Tunduk profile)")
	fs.BoolVar(&f.verbose, "verbose", false, "log debug details to standard error too")
	fs.StringVar(&f.lang, "lang", defaultLang(), "language of the help, prompts, messages and text output: en, ru or ky")
}

// tokenCmd is one run of a token or csr verb: parsed flags, the loaded
// module, the PIN source and the writers.
type tokenCmd struct {
	tokenFlags
	stdout, stderr io.Writer
	pins           *pinSource
	profile        *profile.Profile
	mod            *tokens.Module
	closeLog       func()
}

// parseTokenVerb parses args into fs (which registered extra flags) and
// prepares the shared state. Its error stops the run (help, usage error).
func parseTokenVerb(fs *flag.FlagSet, c *tokenCmd, args []string, stdin io.Reader) error {
	if err := parseFlags(fs, args, "PINs"); err != nil {
		return flagErr(err, c.fail)
	}
	if !oneOf(c.format, "text", "json") {
		return c.fail(badFormat(c.format, "text", "json"))
	}
	if err := checkLang(c.lang); err != nil {
		c.lang = "en"
		return c.fail(err)
	}
	c.pins = &pinSource{stdin: stdin, fromStdin: c.pinStdin, lang: c.lang}
	_, c.closeLog = setupLog(c.verbose, c.lang, c.stderr)
	var err error
	if c.profile, err = loadProfile(c.profilePath); err != nil {
		return c.fail(err)
	}
	return nil
}

func (c *tokenCmd) done() {
	if c.closeLog != nil {
		c.closeLog()
	}
}

// fail is err told in the user's language, exit 2: every token failure
// means the action could not be done (a wrong PIN included; it is never
// retried).
func (c *tokenCmd) fail(err error) error {
	return cannot(c.lang, err).saying(tokenErrText(c.lang, err, c.minPINLen()))
}

// minPINLen is the profile's minimum for new PINs, once the profile is loaded.
func (c *tokenCmd) minPINLen() int {
	if c.profile == nil {
		return 0
	}
	return c.profile.Token.PINMinLength
}

// open loads the module and picks the token named by --token.
func (c *tokenCmd) open() (tokens.TokenInfo, error) {
	m, err := tokens.FindModule(c.module)
	if err != nil {
		return tokens.TokenInfo{}, err
	}
	c.mod = m
	return m.Find(c.token)
}

// readNew asks a new PIN (pinNewUser or pinNewSO) twice and checks it
// against the profile's policy.
func (p *pinSource) readNew(which pinKind, prof *profile.Profile) (string, error) {
	pin, err := p.read(which)
	if err != nil {
		return "", err
	}
	again, err := p.read(which + "_again")
	if err != nil {
		return "", err
	}
	if err := tokens.ValidateNewPIN(pin, again, prof.Token.PINMinLength, prof.Token.FactoryPINs); err != nil {
		return "", err
	}
	return pin, nil
}

func runToken(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := stderr
		if len(args) > 0 {
			w = stdout
		}
		tokenUsage(w, langOf(args))
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	c := &tokenCmd{stdout: stdout, stderr: stderr}
	defer c.done()
	switch args[0] {
	case "list":
		return c.list(args[1:], stdin)
	case "init":
		return c.init(args[1:], stdin)
	case "pin":
		return c.pin(args[1:], stdin)
	case "keygen":
		return c.keygen(args[1:], stdin)
	case "prepare":
		return c.prepare(args[1:], stdin)
	}
	lang := langOf(args)
	if strings.HasPrefix(args[0], "-") {
		tokenUsage(stderr, lang)
		return errUsage
	}
	return unknownVerb(stderr, lang, "token", args[0], func(w io.Writer) { tokenUsage(w, lang) })
}

// tokenUsage is the help of token, in lang.
func tokenUsage(w io.Writer, lang string) {
	printUsage(w, lang, "tunduk-onboard-cli token COMMAND [FLAGS]", "cli.help.token")
}

// pinUsage is the help of token pin, in lang.
func pinUsage(w io.Writer, lang string) {
	printUsage(w, lang, "tunduk-onboard-cli token pin change-user|change-so|unblock [FLAGS]", "cli.help.token.pin")
}

// newFlagSet is the flag set of a token or csr verb with the shared
// flags; synopsis is its command syntax, its description the catalogue's
// cli.help.<name>.
func (c *tokenCmd) newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	c.register(fs)
	fs.Usage = verbHelp(c.stderr, fs, "tunduk-onboard-cli "+synopsis)
	return fs
}

func (c *tokenCmd) writeJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return c.fail(err)
	}
	return nil
}

// tokenJSON is a token's state as --format json prints it.
type tokenJSON struct {
	Slot               uint   `json:"slot"`
	Manufacturer       string `json:"manufacturer"`
	Model              string `json:"model"`
	Serial             string `json:"serial"`
	Label              string `json:"label"`
	Initialized        bool   `json:"initialized"`
	LoginRequired      bool   `json:"login_required"`
	UserPINCountLow    bool   `json:"user_pin_count_low"`
	UserPINFinalTry    bool   `json:"user_pin_final_try"`
	UserPINLocked      bool   `json:"user_pin_locked"`
	UserPINToBeChanged bool   `json:"user_pin_to_be_changed"`
	SOPINCountLow      bool   `json:"so_pin_count_low"`
	SOPINFinalTry      bool   `json:"so_pin_final_try"`
	SOPINLocked        bool   `json:"so_pin_locked"`
	SOPINToBeChanged   bool   `json:"so_pin_to_be_changed"`
	RSAMinBits         int    `json:"rsa_min_bits"`
	RSAMaxBits         int    `json:"rsa_max_bits"`
}

func toJSON(t tokens.TokenInfo) tokenJSON {
	return tokenJSON{t.SlotID, t.Manufacturer, t.Model, t.Serial, t.Label, t.Initialized, t.LoginRequired,
		t.UserPINCountLow, t.UserPINFinalTry, t.UserPINLocked, t.UserPINToBeChanged,
		t.SOPINCountLow, t.SOPINFinalTry, t.SOPINLocked, t.SOPINToBeChanged, t.RSAMinBits, t.RSAMaxBits}
}

// pinState summarises the flags a person must act on, in lang
// (cli.token.state.*).
func pinState(lang string, t tokens.TokenInfo) string {
	var s []string
	add := func(on bool, key string) {
		if on {
			s = append(s, i18n.T(lang, "cli.token.state."+key, nil))
		}
	}
	if !t.Initialized {
		return i18n.T(lang, "cli.token.state.not_initialised", nil) // the PIN flags mean nothing yet
	}
	add(t.UserPINLocked, "user_locked")
	add(t.UserPINFinalTry && !t.UserPINLocked, "user_final_try")
	add(t.UserPINCountLow && !t.UserPINFinalTry && !t.UserPINLocked, "user_count_low")
	add(t.UserPINToBeChanged, "user_to_change")
	add(t.SOPINLocked, "so_locked")
	add(t.SOPINFinalTry && !t.SOPINLocked, "so_final_try")
	add(t.SOPINCountLow && !t.SOPINFinalTry && !t.SOPINLocked, "so_count_low")
	add(t.SOPINToBeChanged, "so_to_change")
	if len(s) == 0 {
		return i18n.T(lang, "cli.token.state.ok", nil)
	}
	return strings.Join(s, ", ")
}

func (c *tokenCmd) listFlags() *flag.FlagSet {
	return c.newFlagSet("token list", "token list [--module PATH] [--token SERIAL|LABEL] [--format text|json]")
}

func (c *tokenCmd) list(args []string, stdin io.Reader) error {
	fs := c.listFlags()
	if err := parseTokenVerb(fs, c, args, stdin); err != nil {
		return err
	}
	m, err := tokens.FindModule(c.module)
	if err != nil {
		return c.fail(err)
	}
	var toks []tokens.TokenInfo
	if c.token != "" {
		t, err := m.Find(c.token)
		if err != nil {
			return c.fail(err)
		}
		toks = []tokens.TokenInfo{t}
	} else if toks, err = m.Tokens(); err != nil {
		return c.fail(err)
	}
	if c.format == "json" {
		out := struct {
			Schema string      `json:"schema"`
			Module string      `json:"module"`
			Tokens []tokenJSON `json:"tokens"`
		}{"tunduk-onboard.tokens/v1", m.Path(), []tokenJSON{}}
		for _, t := range toks {
			out.Tokens = append(out.Tokens, toJSON(t))
		}
		return c.writeJSON(out)
	}
	t := func(key string) string { return i18n.T(c.lang, "cli.token."+key, nil) }
	fmt.Fprintln(c.stdout, i18n.T(c.lang, "cli.token.module", map[string]any{"Path": m.Path()}))
	if len(toks) == 0 {
		fmt.Fprintln(c.stdout, t("none"))
		return nil
	}
	// tabwriter counts runes: Cyrillic headings line up too.
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t("col_slot"), t("col_serial"), t("col_label"), t("col_model"), t("col_bits"), t("col_state"))
	for _, tok := range toks {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s %s\t%d-%d\t%s\n", tok.SlotID, i18n.Line(tok.Serial, 64), i18n.Line(tok.Label, 64),
			i18n.Line(tok.Manufacturer, 64), i18n.Line(tok.Model, 64), tok.RSAMinBits, tok.RSAMaxBits, pinState(c.lang, tok))
	}
	tw.Flush()
	return nil
}

// pinFlags is the flag set of token pin cmd (change-user, change-so or
// unblock).
func (c *tokenCmd) pinFlags(cmd string) *flag.FlagSet {
	return c.newFlagSet("token pin "+cmd, "token pin "+cmd+" [FLAGS]")
}

func (c *tokenCmd) pin(args []string, stdin io.Reader) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		pinUsage(c.stderr, langOf(args))
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	var first, second pinKind
	switch args[0] {
	case "change-user":
		first, second = pinCurrentUser, pinNewUser
	case "change-so":
		first, second = pinCurrentSO, pinNewSO
	case "unblock":
		first, second = pinSO, pinNewUser
	default:
		lang := langOf(args)
		return unknownVerb(c.stderr, lang, "token pin", args[0], func(w io.Writer) { pinUsage(w, lang) })
	}
	fs := c.pinFlags(args[0])
	if err := parseTokenVerb(fs, c, args[1:], stdin); err != nil {
		return err
	}
	tok, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	old, err := c.pins.read(first)
	if err != nil {
		return c.fail(err)
	}
	nw, err := c.pins.readNew(second, c.profile)
	if err != nil {
		return c.fail(err)
	}
	switch args[0] {
	case "change-user":
		err = c.mod.ChangeUserPIN(tok, old, nw)
	case "change-so":
		err = c.mod.ChangeSOPIN(tok, old, nw)
	case "unblock":
		err = c.mod.UnblockUserPIN(tok, old, nw)
	}
	if err != nil {
		return c.fail(err)
	}
	logrus.WithFields(logrus.Fields{"serial": tok.Serial, "action": args[0]}).Info("token pin")
	if c.format == "json" {
		return c.writeJSON(map[string]any{"serial": tok.Serial, "action": args[0], "ok": true})
	}
	fmt.Fprintln(c.stdout, i18n.T(c.lang, "cli.token.pin_done."+args[0], map[string]any{"Token": tok.String()}))
	return nil
}
