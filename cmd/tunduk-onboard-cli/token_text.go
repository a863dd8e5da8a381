//go:build cgo

package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// The text results of init, keygen, csr sign and prepare, in the report
// catalogue's languages (assets/translations/report, keys cli.token.*).
// prepare prints the same blocks as the three verbs, so a person who ran
// them one by one reads the same words.

// fields prints "label: value" rows aligned; tabwriter counts runes, so
// Cyrillic labels line up too.
func fields(w io.Writer, rows ...[2]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s:\t%s\n", r[0], r[1])
	}
	tw.Flush()
}

func printInit(w io.Writer, lang string, tok tokens.TokenInfo, weakSO bool) {
	fmt.Fprintln(w, i18n.T(lang, "cli.token.init_done", map[string]any{"Token": tok.String()}))
	if weakSO {
		fmt.Fprintln(w, i18n.T(lang, "cli.token.so_pin_weak", nil))
	}
}

func printKey(w io.Writer, lang string, tok tokens.TokenInfo, k keyJSON) {
	fmt.Fprintln(w, i18n.T(lang, "cli.token.key_done", map[string]any{"Token": tok.String(), "Seconds": fmt.Sprintf("%.1f", k.Seconds)}))
	fields(w,
		[2]string{"CKA_ID", k.ID},
		[2]string{i18n.T(lang, "cli.token.label", nil), k.Label},
		[2]string{i18n.T(lang, "cli.token.key_size", nil), i18n.T(lang, "cli.token.bits", map[string]any{"Bits": k.Bits})},
		[2]string{i18n.T(lang, "cli.token.pub_sha256", nil), k.PublicKeySHA256},
	)
	if k.AttributesRelaxed {
		fmt.Fprintln(w, "  "+i18n.T(lang, "cli.token.key_relaxed", nil))
	}
}

func printCSR(w io.Writer, lang, vendor, serverLib string, c csrJSON) {
	fmt.Fprintln(w, i18n.T(lang, "cli.token.csr_written", nil))
	fmt.Fprintf(w, "  %s\n  %s\n", c.PEM, c.DER)
	fields(w,
		[2]string{i18n.T(lang, "cli.token.subject", nil), c.Subject},
		[2]string{i18n.T(lang, "cli.token.key_size", nil), i18n.T(lang, "cli.token.bits", map[string]any{"Bits": c.KeyBits})},
		[2]string{i18n.T(lang, "cli.token.pub_sha256", nil), c.PublicKeySHA256},
		[2]string{i18n.T(lang, "cli.token.key_id", nil), i18n.T(lang, "cli.token.key_on", map[string]any{"ID": c.KeyID, "Serial": c.TokenSerial})},
	)
	fmt.Fprintln(w)
	fmt.Fprint(w, c.DevicesINI+"\n")
	fmt.Fprint(w, tokens.HandoverText(lang, vendor, serverLib, c.TokenSerial))
}

// handoverVendor is the vendor whose devices.ini section the handover
// shows: the loaded library's when it is a production token's, else the
// profile's token.
func (c *tokenCmd) handoverVendor() string {
	fallback := ""
	if c.profile != nil {
		fallback = c.profile.SigningKey.Vendor()
	}
	if c.mod == nil {
		return fallback
	}
	return c.mod.Library().HandoverVendor(fallback)
}
