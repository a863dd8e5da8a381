package main

import (
	"encoding/pem"
	"flag"
	"io"
	"os"
	"path/filepath"

	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// serverCSROpts are the flags of server csr.
type serverCSROpts struct {
	serverOpts
	outDir, hwToken, signOn            string
	pinStdin, hwPINStdin, signOnServer bool
}

func (o *serverCSROpts) flags(stderr io.Writer) *flag.FlagSet {
	fs := newServerFlags("csr", &o.serverOpts, stderr)
	fs.StringVar(&o.outDir, "out", ".", "write the CSR files into `DIR`")
	fs.BoolVar(&o.pinStdin, "pin-stdin", false, "read the software token PIN from standard input (else asked on the terminal when the server needs it)")
	fs.StringVar(&o.signOn, "sign-on", "", "make the signing key and CSR on the server too: `WHERE` is hw-token (a hardware token plugged into the server, see --hw-token) or soft-token (the server's software token)")
	fs.BoolVar(&o.signOnServer, "sign-on-server", false, "the same as --sign-on hw-token")
	fs.StringVar(&o.hwToken, "hw-token", "", "`ID` of the hardware token on the server, as server status lists it (default: the server's only hardware token)")
	fs.BoolVar(&o.hwPINStdin, "hw-pin-stdin", false, "read the hardware token's PIN from standard input (else asked on the terminal when the token is logged out)")
	return fs
}

// runServerCSR makes (or finds again) the keys and CSRs on the server and
// writes them to --out.
//
// Standard input, one secret per line in this order: the SSH password
// (--password-stdin), the sudo password (--sudo-password-stdin), the
// admin password (--admin-password-stdin), the software token PIN
// (--pin-stdin), the hardware token PIN (--hw-pin-stdin).
func runServerCSR(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o serverCSROpts
	fs := o.flags(stderr)
	out := newServerOut(&o.serverOpts, "csr", stdout, stderr)
	if err := o.parse(fs, args); err != nil {
		return flagErr(err, out.cannot)
	}
	if err := o.needIDs(); err != nil {
		return out.cannot(err)
	}
	place, err := o.signPlacement()
	if err != nil {
		return out.cannot(err)
	}
	o.signOnServer = place == profile.PlacementServerHWToken
	if st, err := os.Stat(o.outDir); err != nil || !st.IsDir() {
		return out.cannot(errKey("cli.server.out_dir", map[string]any{"Dir": o.outDir}))
	}
	if err := writableDir(o.outDir); err != nil {
		return out.cannot(err) // before any secret is read or the server touched
	}
	if err := o.readFirstSecrets(stdin); err != nil {
		return out.cannot(err)
	}
	opt := configure.CSROptions{SignOnSoftToken: place == profile.PlacementServerSoftToken}
	if o.pinStdin {
		if opt.SoftPIN, err = o.askPIN(true, false, "--pin-stdin", "soft"); err != nil {
			return out.cannot(err)
		}
	}
	if o.signOnServer {
		opt.SignOnServer, opt.HWTokenID = true, o.hwToken
		if o.hwPINStdin {
			if opt.HWPIN, err = o.askPIN(true, false, "--hw-pin-stdin", "hw"); err != nil {
				return out.cannot(err)
			}
		}
	}
	ctx, s, hangUp, err := o.loginSession(stderr)
	if err != nil {
		return out.cannot(err)
	}
	defer hangUp()
	p := o.params()
	if !o.pinStdin || (o.signOnServer && (!o.hwPINStdin || o.hwToken == "")) {
		// PINs not on standard input are asked on the terminal only for a
		// token that is logged out: a resumed run after a login needs none.
		st, err := s.Status(ctx, p)
		if err != nil {
			return out.failed(err)
		}
		if !o.pinStdin && !st.SoftTokenLoggedIn {
			if opt.SoftPIN, err = o.askPIN(false, false, "--pin-stdin", "soft"); err != nil {
				return out.cannot(err)
			}
		}
		if o.signOnServer {
			// A wrong --hw-token is told (with the tokens there are)
			// before its PIN is asked; none given is the server's only
			// hardware token, by the ID it lists (never one assumed).
			tok, err := st.HardwareToken(o.hwToken)
			if err != nil {
				return out.failed(err)
			}
			o.hwToken, opt.HWTokenID = tok.ID, tok.ID
		}
		if o.signOnServer && !o.hwPINStdin && !st.LoggedIn(o.hwToken) {
			if opt.HWPIN, err = o.askPIN(false, false, "--hw-pin-stdin", "hw"); err != nil {
				return out.cannot(err)
			}
		}
	}
	o.backupOnChange(s, out)
	csrs, err := s.MakeCSRs(ctx, p, opt, out.progress)
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
		der := filepath.Join(o.outDir, k.name+".csr.der")
		pemPath := filepath.Join(o.outDir, k.name+".csr.pem")
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
	if place != "" {
		out.set("sign_placement", place)
	}
	out.line("cli.server.csr_next", nil)
	return out.ok()
}
