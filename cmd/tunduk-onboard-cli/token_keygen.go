//go:build cgo

package main

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/template"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// keyJSON is a generated key as --format json prints it.
type keyJSON struct {
	TokenSerial       string  `json:"token_serial"`
	ID                string  `json:"id"`
	Label             string  `json:"label"`
	Bits              int     `json:"bits"`
	PublicKeySHA256   string  `json:"public_key_sha256"`
	AttributesRelaxed bool    `json:"attributes_relaxed"`
	Seconds           float64 `json:"seconds"`
}

func pubKeySHA256(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

func (c *tokenCmd) keygenFlags(bits *int, label *string, who *tokens.Participant) *flag.FlagSet {
	fs := c.newFlagSet("token keygen", "token keygen --server-code C --member-code M [--bits N] [--label L] [FLAGS]")
	fs.IntVar(bits, "bits", 0, "RSA key size (default: the profile's, bounded by the token's range)")
	fs.StringVar(label, "label", "", "the key's CKA_LABEL (default: the profile's key label template)")
	fs.StringVar(&who.ServerCode, "server-code", "", "the security server's `CODE` (Latin letters, digits)")
	fs.StringVar(&who.MemberCode, "member-code", "", "the organisation's member `CODE` (8 digits)")
	fs.StringVar(&who.MemberClass, "member-class", "", "the member `CLASS` (GOV or COM), for label templates that use it")
	return fs
}

func (c *tokenCmd) keygen(args []string, stdin io.Reader) error {
	var bits int
	var label string
	var who tokens.Participant
	fs := c.keygenFlags(&bits, &label, &who)
	if err := parseTokenVerb(fs, c, args, stdin); err != nil {
		return err
	}
	who.Instance = c.profile.XRoad.Instance
	label, err := keyLabelFor(c.profile, label, "--label", who)
	if err != nil {
		return c.fail(err)
	}
	tok, err := c.openForKey(&bits)
	if err != nil {
		return c.fail(err)
	}
	pin, err := c.pins.read(pinUser)
	if err != nil {
		return c.fail(err)
	}
	// Refused here with the profile's list; GenerateSigningKey refuses the
	// Rutoken defaults again whatever the profile says.
	if err := tokens.CheckFactoryPINs(tok, pin, "", c.profile.Token.FactoryPINs); err != nil {
		return c.fail(err)
	}
	// No SO PIN is typed here: the token is asked whether its SO PIN is
	// still the factory one (at most one try, tokens.ProbeFactorySOPIN).
	if tokens.IsFactoryPIN(tokens.FactorySOPIN, c.profile.Token.FactoryPINs) {
		got, err := c.mod.ProbeFactorySOPIN(tok, tokens.FactorySOPIN)
		logrus.WithFields(logrus.Fields{"serial": tok.Serial, "probe": got}).Info("SO PIN probed")
		if err != nil {
			logrus.WithError(err).Warn("SO PIN probe")
		}
		if got == tokens.SOFactory {
			return c.fail(&tokens.FactoryPINError{SO: true})
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	_, out, err := c.generateKey(ctx, tok, pin, bits, label)
	if err != nil {
		return c.fail(err)
	}
	if c.format == "json" {
		return c.writeJSON(out)
	}
	printKey(c.stdout, c.lang, tok, out)
	fmt.Fprintln(c.stdout, i18n.T(c.lang, "cli.token.key_next", map[string]any{"ID": out.ID}))
	return nil
}

// keyLabelFor returns label, or when it is empty the profile's key label
// for who (which then needs the server and member codes).
func keyLabelFor(p *profile.Profile, label, labelFlag string, who tokens.Participant) (string, error) {
	if label != "" {
		return label, nil
	}
	if who.ServerCode == "" || who.MemberCode == "" {
		return "", errKey("cli.token.err.label_ids", map[string]any{"Flag": labelFlag})
	}
	if err := checkParticipant(p, who, false); err != nil {
		return "", err
	}
	return keyLabel(p, who)
}

// openForKey picks the token and resolves *bits for it.
func (c *tokenCmd) openForKey(bits *int) (tokens.TokenInfo, error) {
	tok, err := c.open()
	if err != nil {
		return tok, err
	}
	*bits, err = keyBits(c.profile, tok, *bits)
	return tok, err
}

// keyBits resolves --bits (0: the profile's size) against X-Road's
// minimum and the token's maximum, before anything is changed.
func keyBits(p *profile.Profile, tok tokens.TokenInfo, bits int) (int, error) {
	if bits == 0 {
		bits = p.Token.KeySize
		if tok.RSAMaxBits > 0 && bits > tok.RSAMaxBits {
			return 0, errKey("cli.token.err.profile_bits", map[string]any{"Bits": bits, "Max": tok.RSAMaxBits})
		}
	}
	if bits < tokens.MinKeyBits {
		return 0, errKey("cli.token.err.bits", map[string]any{"Bits": bits, "Min": tokens.MinKeyBits})
	}
	return bits, nil
}

// generateKey makes the signing key; a cancelled ctx (Ctrl-C) stops it,
// and tokens.GenerateSigningKey then removes the half-made pair.
func (c *tokenCmd) generateKey(ctx context.Context, tok tokens.TokenInfo, pin string, bits int, label string) (*tokens.KeyRef, keyJSON, error) {
	if c.format == "text" {
		fmt.Fprintln(c.stderr, i18n.T(c.lang, "cli.token.keygen_wait", map[string]any{"Bits": bits, "Token": tok.String()}))
	}
	start := time.Now()
	key, err := c.mod.GenerateSigningKey(ctx, tok, pin, bits, label)
	if err != nil {
		return nil, keyJSON{}, err
	}
	out := keyJSON{key.TokenSerial, key.IDHex(), key.Label, key.Bits, pubKeySHA256(key.Public), key.AttributesRelaxed, time.Since(start).Seconds()}
	logrus.WithFields(logrus.Fields{"serial": key.TokenSerial, "id": out.ID, "bits": key.Bits, "relaxed": key.AttributesRelaxed}).Info("key generated")
	return key, out, nil
}

// keyLabel renders the profile's key label template.
func keyLabel(p *profile.Profile, who tokens.Participant) (string, error) {
	bad := func(err error) error {
		return &keyErr{key: "cli.token.err.key_label", data: map[string]any{"Detail": i18n.Line(err.Error(), 200)}, err: err}
	}
	t, err := template.New("key_label").Option("missingkey=error").Parse(p.Token.KeyLabel)
	if err != nil {
		return "", bad(err)
	}
	var b strings.Builder
	if err := t.Execute(&b, who); err != nil {
		return "", bad(err)
	}
	s := strings.TrimSpace(b.String())
	if s == "" {
		return "", bad(errors.New("the template renders empty"))
	}
	return s, nil
}

// checkParticipant validates the identifiers against the profile; the
// class and organisation name only when full (a CSR needs them).
func checkParticipant(p *profile.Profile, who tokens.Participant, full bool) error {
	if who.MemberCode != "" && !p.ValidMemberCode(who.MemberCode) {
		return errKey("cli.token.err.member_code", map[string]any{"Value": i18n.Line(who.MemberCode, 100), "Pattern": p.Identifiers.MemberCodePattern})
	}
	if who.ServerCode != "" && !p.ValidServerCode(who.ServerCode) {
		return errKey("cli.token.err.server_code", map[string]any{"Value": i18n.Line(who.ServerCode, 100), "Pattern": p.Identifiers.ServerCodePattern})
	}
	if who.MemberClass != "" && !p.ValidMemberClass(who.MemberClass) {
		return errKey("cli.token.err.member_class", map[string]any{"Value": i18n.Line(who.MemberClass, 100), "Classes": strings.Join(p.Identifiers.MemberClasses, ", ")})
	}
	if full {
		for _, f := range []struct{ flag, v string }{
			{"--member-code", who.MemberCode}, {"--member-class", who.MemberClass},
			{"--org-name", strings.TrimSpace(who.OrgName)}, {"--server-code", who.ServerCode},
		} {
			if f.v == "" {
				return errKey("cli.err.required", map[string]any{"Flag": f.flag})
			}
		}
	}
	return nil
}
