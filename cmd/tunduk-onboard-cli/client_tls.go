package main

// "client tls import": the information system's TLS certificates for its
// subsystem, from files or read from its HTTPS address (--from-url,
// through the security server: connect.FetchCert). A certificate read
// from an address is shown (subject, issuer, validity, SHA-256) and
// imported only once the user confirms it: typed yes on the terminal, or
// --fingerprint given beforehand and equal to it.

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

func tlsImportVerb(code *string, codeFlag func(*flag.FlagSet), needCode func(*serverOpts) error) apiVerb {
	var certs multiFlag
	var fromURL, fingerprint string
	return apiVerb{name: "client tls import", changes: true, flags: func(fs *flag.FlagSet) {
		codeFlag(fs)
		fs.Var(&certs, "cert", "the information system's TLS certificate `FILE`, PEM or DER (repeatable)")
		fs.StringVar(&fromURL, "from-url", "", "or read the certificate the information system presents at `URL` (https://HOST[:PORT]), as the security server reaches it")
		fs.StringVar(&fingerprint, "fingerprint", "", "with --from-url: the certificate's `SHA256` fingerprint, known beforehand: imported without asking when equal, refused when not")
	}, before: func(o *serverOpts) error {
		if err := needCode(o); err != nil {
			return err
		}
		if len(certs) == 0 && fromURL == "" {
			return errKey("cli.client.certs_needed", nil)
		}
		if fingerprint != "" && fromURL == "" {
			return errKey("cli.client.tls_fingerprint_alone", nil)
		}
		return nil
	}, run: func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error {
		p := o.connectParams()
		id := xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, *code)
		done := []map[string]string{}
		var have []xroad.TLSCertificate // on the server, read before the first
		read := false
		add := func(name string, b []byte) error {
			if !read {
				var err error
				if have, err = api.ClientTLSCertificates(ctx, id); err != nil {
					return err
				}
				read = true
			}
			// One the server trusts already is not sent: no change, so no backup.
			sum := sha256.Sum256(derOf(b))
			there := slices.ContainsFunc(have, func(c xroad.TLSCertificate) bool { return strings.EqualFold(c.Hash, hex.EncodeToString(sum[:])) })
			var err error
			var d xroad.TLSCertificate
			if !there {
				if err = o.firstChange(ctx, api, out); err != nil {
					return err
				}
				d, err = api.AddClientTLSCertificate(ctx, id, b)
			}
			var ae *xroad.Error
			if there || errors.As(err, &ae) && ae.HasCode(xroad.CodeCertExists) {
				out.line("cli.client.tls_exists", map[string]any{"File": name})
				return nil
			}
			if err != nil {
				return err
			}
			have = append(have, d)
			done = append(done, map[string]string{"file": name, "hash": d.Hash, "subject": d.SubjectDN})
			out.line("cli.client.tls_imported", map[string]any{"File": name, "Subject": d.SubjectDN, "Hash": d.Hash})
			return nil
		}
		defer func() { out.set("imported", done) }()
		for _, f := range certs {
			b, err := readcap.ReadFile(f, readcap.Certificate)
			if err != nil {
				return &fileErr{op: "read", path: f, err: err}
			}
			if err := add(f, b); err != nil {
				return err
			}
		}
		if fromURL == "" {
			return nil
		}
		pc, err := connect.FetchCert(ctx, o.h.DialTCP, fromURL)
		if err != nil {
			return err
		}
		showPeerCert(out, pc)
		if err := confirmPeerCert(o, pc, fingerprint); err != nil {
			return err
		}
		return add(i18n.Line(fromURL, 200), pc.PEM)
	}}
}

// showPeerCert prints what the information system presented.
func showPeerCert(out *serverOut, pc *connect.PeerCert) {
	trust := "cli.client.tls_untrusted"
	if pc.Trusted {
		trust = "cli.client.tls_trusted"
	}
	data := map[string]any{"Addr": pc.Addr, "Subject": pc.Subject, "Issuer": pc.Issuer,
		"From": pc.NotBefore.Format("2006-01-02"), "To": pc.NotAfter.Format("2006-01-02"), "SHA256": pc.SHA256}
	out.line("cli.client.tls_fetched", data)
	out.line(trust, nil)
	out.set("fetched", map[string]any{"addr": pc.Addr, "subject": pc.Subject, "issuer": pc.Issuer, "not_before": pc.NotBefore,
		"not_after": pc.NotAfter, "sha256": pc.SHA256, "trusted": pc.Trusted})
}

// confirmPeerCert: the fingerprint given must be the certificate's;
// without one the user types yes (or the word in their language) on the
// terminal, after seeing the fingerprint there.
func confirmPeerCert(o *serverOpts, pc *connect.PeerCert, fingerprint string) error {
	if fingerprint != "" {
		if !pc.Matches(fingerprint) {
			return errKey("cli.client.tls_fingerprint_differs", map[string]any{"Given": i18n.Line(fingerprint, 120), "SHA256": pc.SHA256})
		}
		return nil
	}
	ans, err := confirmTTY(i18n.T(o.lang, "cli.client.tls_confirm", map[string]any{"Subject": pc.Subject, "SHA256": pc.SHA256}) + " ")
	if errors.Is(err, errNoTTY) {
		return errKey("cli.client.tls_confirm_needed", nil)
	}
	if err != nil {
		return err
	}
	ans = strings.ToLower(strings.TrimSpace(ans))
	if ans != "yes" && ans != strings.ToLower(i18n.T(o.lang, "cli.client.tls_yes", nil)) {
		return errKey("cli.client.tls_not_confirmed", nil)
	}
	return nil
}

// confirmTTY asks on the controlling terminal with echo (an answer, not a
// secret); errNoTTY when there is none. A variable for tests.
var confirmTTY = func(prompt string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", errNoTTY
	}
	defer tty.Close()
	fmt.Fprint(tty, prompt)
	line, err := bufio.NewReader(io.LimitReader(tty, 200)).ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return line, nil
}
