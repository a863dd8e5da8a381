package main

import (
	"encoding/pem"
	"io"
	"os"
	"path/filepath"

	"github.com/tunduk-onboard/tunduk-onboard/installer/configure"
)

// runServerCSR makes (or finds again) the keys and CSRs on the server and
// writes them to --out.
//
// Standard input, one secret per line in this order: the SSH password
// (--password-stdin), the admin password (--admin-password-stdin), the
// software token PIN (--pin-stdin), the hardware token PIN
// (--hw-pin-stdin).
func runServerCSR(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o serverOpts
	var outDir, hwToken string
	var pinStdin, hwPINStdin, signOnServer bool
	fs := newServerFlags("csr", &o, stderr, `Makes the authentication key and its certificate request (CSR) on the
server's software token and, with --sign-on-server, the signing key and CSR
on the hardware token plugged into the server (a key already on it gets a
CSR). Keys that already have a CSR are reused. Writes auth.csr.der and
auth.csr.pem (and sign.csr.der, sign.csr.pem) to --out. Secrets on standard
input, one per line: SSH password (--password-stdin), admin password
(--admin-password-stdin), software token PIN (--pin-stdin), hardware token
PIN (--hw-pin-stdin).`)
	fs.StringVar(&outDir, "out", ".", "`DIR` to write the CSRs to")
	fs.BoolVar(&pinStdin, "pin-stdin", false, "read the software token PIN from standard input (else asked on the terminal when the token is logged out)")
	fs.BoolVar(&signOnServer, "sign-on-server", false, "make the signing key and CSR on the server's hardware token too")
	fs.StringVar(&hwToken, "hw-token", "", "`ID` of the hardware token on the server (see server status)")
	fs.BoolVar(&hwPINStdin, "hw-pin-stdin", false, "read the hardware token's PIN from standard input (else asked on the terminal when the token is logged out)")
	out := newServerOut(&o, "csr", stdout, stderr)
	if err := parseFlags(fs, args, "secrets"); err != nil {
		return flagExit(err, out.cannot)
	}
	if err := o.check(); err != nil {
		return out.cannot(err)
	}
	if err := o.needIDs(); err != nil {
		return out.cannot(err)
	}
	if signOnServer && hwToken == "" {
		return out.cannot(&configure.Error{Key: "configure.err.hw_token_needed"})
	}
	if st, err := os.Stat(outDir); err != nil || !st.IsDir() {
		return out.cannot(errorT(o.lang, "cli.server.out_dir", map[string]any{"Dir": outDir}))
	}
	if err := o.readFirstSecrets(stdin); err != nil {
		return out.cannot(err)
	}
	var opt configure.CSROptions
	var err error
	if pinStdin {
		if opt.SoftPIN, err = o.askPIN(true, false, "--pin-stdin", "soft"); err != nil {
			return out.cannot(err)
		}
	}
	if signOnServer {
		opt.SignOnServer, opt.HWTokenID = true, hwToken
		if hwPINStdin {
			if opt.HWPIN, err = o.askPIN(true, false, "--hw-pin-stdin", "hw"); err != nil {
				return out.cannot(err)
			}
		}
	}
	if err := o.askAdmin(); err != nil {
		return out.cannot(err)
	}
	ctx, s, hangUp, err := o.session(stderr, o.timeout)
	if err != nil {
		return out.cannot(err)
	}
	defer hangUp()
	p := o.params()
	if !pinStdin || (signOnServer && !hwPINStdin) {
		// PINs not on standard input are asked on the terminal only for a
		// token that is logged out: a resumed run after a login needs none.
		st, err := s.Status(ctx, p)
		if err != nil {
			return out.failed(err)
		}
		if !pinStdin && !st.SoftTokenLoggedIn {
			if opt.SoftPIN, err = o.askPIN(false, false, "--pin-stdin", "soft"); err != nil {
				return out.cannot(err)
			}
		}
		if signOnServer {
			// A wrong --hw-token is told (with the tokens there are)
			// before its PIN is asked.
			if _, err := st.Token(hwToken); err != nil {
				return out.failed(err)
			}
		}
		if signOnServer && !hwPINStdin && !st.LoggedIn(hwToken) {
			if opt.HWPIN, err = o.askPIN(false, false, "--hw-pin-stdin", "hw"); err != nil {
				return out.cannot(err)
			}
		}
	}
	csrs, err := s.MakeCSRs(ctx, p, opt, out.step)
	if err != nil {
		return out.failed(err)
	}
	files := []map[string]string{}
	for _, k := range []struct {
		name string
		ks   *configure.KeyState
	}{{"auth", csrs.Auth}, {"sign", csrs.Sign}} {
		if k.ks == nil || len(k.ks.CSR) == 0 {
			continue
		}
		der := filepath.Join(outDir, k.name+".csr.der")
		pemPath := filepath.Join(outDir, k.name+".csr.pem")
		if err := writeFileAtomic(der, k.ks.CSR, 0o644); err != nil {
			return out.failed(err)
		}
		if err := writeFileAtomic(pemPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: k.ks.CSR}), 0o644); err != nil {
			return out.failed(err)
		}
		files = append(files, map[string]string{"usage": k.name, "der": der, "pem": pemPath, "token": k.ks.TokenID, "key": k.ks.KeyID})
		out.line("cli.server.csr_written", map[string]any{"Usage": o.usageName(k.name), "DER": der, "PEM": pemPath, "Token": k.ks.TokenID})
	}
	out.set("csrs", files)
	out.line("cli.server.csr_next", nil)
	return out.ok()
}
