//go:build cgo

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// prepareJSON is the result of token prepare as --format json prints it:
// the three results init, keygen and csr sign print, in one document, and
// how long the steps took (a Rutoken's key generation takes many seconds;
// build/bench-token.sh reads them too). Seconds and InitSeconds include
// the time a person takes to type the PINs and the confirmation.
type prepareJSON struct {
	Schema      string    `json:"schema"`
	Token       tokenJSON `json:"token"`
	Key         keyJSON   `json:"key"`
	CSR         csrJSON   `json:"csr"`
	Seconds     float64   `json:"seconds"`
	InitSeconds float64   `json:"init_seconds"`
	CSRSeconds  float64   `json:"csr_seconds"`
}

func (c *tokenCmd) prepareFlags(in *initOpts, co *csrOpts, bits *int, keyLabel *string) *flag.FlagSet {
	fs := c.newFlagSet("token prepare", `token prepare --label L --member-code M --org-name NAME --member-class GOV|COM
       --server-code C [--out DIR] [--yes-wipe SERIAL] [FLAGS]`)
	in.register(fs)
	co.register(fs)
	fs.IntVar(bits, "bits", 0, "RSA key size (default: the profile's, bounded by the token's range)")
	fs.StringVar(keyLabel, "key-label", "", "the key's CKA_LABEL (default: the profile's key label template)")
	return fs
}

// prepare is init + keygen + csr sign in one process: one module load and
// one C_Initialize instead of three, and every argument and PIN checked
// before the token is wiped.
func (c *tokenCmd) prepare(args []string, stdin io.Reader) error {
	var in initOpts
	var co csrOpts
	var bits int
	var keyLabel string
	fs := c.prepareFlags(&in, &co, &bits, &keyLabel)
	if err := parseTokenVerb(fs, c, args, stdin); err != nil {
		return err
	}
	start := time.Now()
	if err := in.check(); err != nil {
		return c.fail(err)
	}
	subject, err := co.subject(c.profile)
	if err != nil {
		return c.fail(err)
	}
	if keyLabel, err = keyLabelFor(c.profile, keyLabel, "--key-label", co.who); err != nil {
		return c.fail(err)
	}
	tok, err := c.openForKey(&bits)
	if err != nil {
		return c.fail(err)
	}
	initStart := time.Now()
	nt, pins, err := c.initToken(tok, in, true)
	if err != nil {
		return c.fail(err)
	}
	initSecs := time.Since(initStart).Seconds()
	// Ctrl-C from here on stops at the next step and removes the key.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	key, kj, err := c.generateKey(ctx, nt, pins.user, bits, keyLabel)
	if err != nil {
		return c.fail(&thenErr{err: err, key: "cli.token.err.no_key", data: map[string]any{"Token": nt.String()}, first: true})
	}
	csrStart := time.Now()
	cj, err := c.csrForNewKey(ctx, &co, subject, nt, pins.user, key)
	if err != nil {
		return c.fail(err)
	}
	out := prepareJSON{"tunduk-onboard.prepare/v1", toJSON(nt), kj, cj, time.Since(start).Seconds(), initSecs, time.Since(csrStart).Seconds()}
	logrus.WithFields(logrus.Fields{"serial": nt.Serial, "id": kj.ID, "seconds": out.Seconds}).Info("token prepared")
	if c.format == "json" {
		return c.writeJSON(out)
	}
	printInit(c.stdout, c.lang, nt, c.weakSO(pins.so))
	fmt.Fprintln(c.stdout)
	printKey(c.stdout, c.lang, nt, kj)
	fmt.Fprintln(c.stdout)
	printCSR(c.stdout, c.lang, c.handoverVendor(), co.serverLib, cj)
	fmt.Fprintln(c.stdout)
	fmt.Fprintln(c.stdout, i18n.T(c.lang, "cli.token.prepare_done", map[string]any{"Seconds": fmt.Sprintf("%.1f", out.Seconds)}))
	return nil
}

// csrForNewKey signs and writes the CSR of a key made in this run; when
// that fails or is cancelled, the key is removed so the token does not
// keep a key no request was made for (and a rerun with --yes-wipe starts
// clean).
func (c *tokenCmd) csrForNewKey(ctx context.Context, o *csrOpts, subject tokens.Subject, tok tokens.TokenInfo, pin string, key *tokens.KeyRef) (csrJSON, error) {
	err := ctx.Err()
	var cj csrJSON
	if err == nil {
		cj, err = c.signCSR(o, subject, tok, pin, key.ID)
	}
	if err == nil {
		return cj, nil
	}
	if derr := c.mod.DeleteKey(tok, pin, key.ID); derr != nil {
		logrus.WithError(derr).WithFields(logrus.Fields{"serial": tok.Serial, "id": key.IDHex()}).Warn("key not removed after a failed CSR")
		return csrJSON{}, &thenErr{err: err, key: "cli.token.key_not_removed", data: map[string]any{"ID": key.IDHex()}}
	}
	logrus.WithFields(logrus.Fields{"serial": tok.Serial, "id": key.IDHex()}).Info("key removed after a failed CSR")
	return csrJSON{}, &thenErr{err: err, key: "cli.token.key_removed"}
}
