//go:build cgo

package main

import (
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// initOpts are the flags of token init that token prepare takes too.
type initOpts struct {
	label, yesWipe string
}

func (o *initOpts) register(fs *flag.FlagSet) {
	fs.StringVar(&o.label, "label", "", "the token's new `LABEL` (1-32 bytes)")
	fs.StringVar(&o.yesWipe, "yes-wipe", "", "confirm wiping the objects of the token with this `SERIAL` (for scripts)")
}

func (o *initOpts) check() error {
	if o.label == "" || len(o.label) > 32 {
		return tokens.ErrBadLabel
	}
	return nil
}

// initPINs are what initialising needs: the current SO PIN and the new
// user PIN, asked in that order (the new one twice, checked against the
// profile) before the token is touched.
type initPINs struct{ so, user string }

func (c *tokenCmd) readInitPINs() (initPINs, error) {
	so, err := c.pins.read(pinSO)
	if err != nil {
		return initPINs{}, err
	}
	user, err := c.pins.readNew(pinNewUser, c.profile)
	if err != nil {
		return initPINs{}, err
	}
	return initPINs{so, user}, nil
}

// initToken asks the PINs and initialises tok with them. A token holding
// objects lists them and needs its serial typed on the terminal, or
// --yes-wipe with that serial; without it nothing is changed. forKey
// (prepare, which makes a key right after) refuses a factory SO PIN
// before the token is touched: C_InitToken keeps the SO PIN it is given.
func (c *tokenCmd) initToken(tok tokens.TokenInfo, o initOpts, forKey bool) (tokens.TokenInfo, initPINs, error) {
	p, err := c.readInitPINs()
	if err != nil {
		return tokens.TokenInfo{}, p, err
	}
	if forKey {
		if err := tokens.CheckFactoryPINs(tok, "", p.so, c.profile.Token.FactoryPINs); err != nil {
			return tokens.TokenInfo{}, p, err
		}
	}
	confirm := func(w tokens.Wipe) bool {
		// The current user PIN is not asked here: without it the keys,
		// which are private, are not seen, and the count says "at least".
		key := "cli.token.wipe_list"
		switch {
		case !w.Complete && len(w.Objects) == 0:
			key = "cli.token.wipe_list_unseen"
		case !w.Complete:
			key = "cli.token.wipe_list_least"
		}
		fmt.Fprintln(c.stderr, i18n.T(c.lang, key, map[string]any{"Token": tok.String(), "Count": len(w.Objects)}))
		for _, obj := range w.Objects {
			fmt.Fprintf(c.stderr, "  %-12s CKA_ID %-16s %q\n", i18n.Enum(c.lang, "cli.token.class.", strings.ReplaceAll(obj.Class, " ", "_")), hex.EncodeToString(obj.ID), obj.Label)
		}
		if o.yesWipe != "" {
			if o.yesWipe == tok.Serial {
				fmt.Fprintln(c.stderr, i18n.T(c.lang, "cli.token.wipe_yes", nil))
				return true
			}
			fmt.Fprintln(c.stderr, i18n.T(c.lang, "cli.token.wipe_other_serial", map[string]any{"Given": o.yesWipe, "Serial": tok.Serial}))
			return false
		}
		answer, err := confirmLine(i18n.T(c.lang, "cli.token.wipe_type_serial", map[string]any{"Serial": tok.Serial}) + " ")
		if err != nil {
			fmt.Fprintln(c.stderr, i18n.T(c.lang, "cli.token.wipe_no_tty", nil))
			return false
		}
		return answer == tok.Serial
	}
	logrus.WithFields(logrus.Fields{"serial": tok.Serial, "label": o.label}).Info("token init")
	nt, err := c.mod.InitToken(tok, p.so, o.label, p.user, "", confirm)
	return nt, p, err
}

// weakSO reports an SO PIN left at a factory or too short value: the
// summary then says to change it.
func (c *tokenCmd) weakSO(so string) bool {
	return tokens.ValidateNewPIN(so, so, c.profile.Token.PINMinLength, c.profile.Token.FactoryPINs) != nil
}

func (c *tokenCmd) initFlags(o *initOpts) *flag.FlagSet {
	fs := c.newFlagSet("token init", "token init --label L [--yes-wipe SERIAL] [FLAGS]")
	o.register(fs)
	return fs
}

func (c *tokenCmd) init(args []string, stdin io.Reader) error {
	var o initOpts
	fs := c.initFlags(&o)
	if err := parseTokenVerb(fs, c, args, stdin); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return c.fail(err)
	}
	tok, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	nt, pins, err := c.initToken(tok, o, false)
	if err != nil {
		return c.fail(err)
	}
	if c.format == "json" {
		return c.writeJSON(toJSON(nt))
	}
	printInit(c.stdout, c.lang, nt, c.weakSO(pins.so))
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
