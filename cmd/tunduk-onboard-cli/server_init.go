package main

import (
	"flag"
	"io"

	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// serverInitOpts are the flags of server init.
type serverInitOpts struct {
	serverOpts
	anchorPath string
	anchorHash string
	pinStdin   bool
}

func (o *serverInitOpts) flags(stderr io.Writer) *flag.FlagSet {
	fs := newServerFlags("init", &o.serverOpts, stderr)
	fs.StringVar(&o.anchorPath, "anchor", "", "the configuration anchor `FILE` from the operator")
	fs.StringVar(&o.anchorHash, "anchor-hash", "", "the anchor's `SHA-224` as the operator publishes it (hex, colons allowed): the file must match it")
	fs.BoolVar(&o.pinStdin, "pin-stdin", false, "read the software token PIN from standard input (else asked on the terminal when the server needs it)")
	return fs
}

// runServerInit: anchor, initialisation, timestamping, token login.
//
// Standard input, when secrets are asked for there, holds one per line in
// this order: the SSH password (--password-stdin), the sudo password
// (--sudo-password-stdin), the admin password (--admin-password-stdin),
// the software token PIN (--pin-stdin).
func runServerInit(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o serverInitOpts
	fs := o.flags(stderr)
	out := newServerOut(&o.serverOpts, "init", stdout, stderr)
	if err := o.parse(fs, args); err != nil {
		return flagErr(err, out.cannot)
	}
	if err := o.needIDs(); err != nil {
		return out.cannot(err)
	}
	if o.anchorPath == "" {
		return out.cannot(errKey("cli.server.anchor_needed", nil))
	}
	anchor, err := readcap.ReadFile(o.anchorPath, readcap.Anchor)
	if err != nil {
		return out.cannot(&fileErr{op: "read", path: o.anchorPath, err: err})
	}
	p := o.params()
	p.AnchorSHA224, p.AnchorSHA224Given = o.prof.Anchor.SHA224, o.anchorHash
	// Checked locally first: a wrong file (another instance, not the
	// published hash) is refused before any secret is asked or any
	// connection made.
	info, err := configure.ReadAnchor(anchor)
	if err == nil && info.Instance != p.Instance {
		err = &configure.Error{Key: "configure.err.anchor_instance", Data: map[string]any{"Got": info.Instance, "Want": p.Instance}}
	}
	if err == nil {
		err = configure.CheckAnchorHash(p, info)
	}
	if err != nil {
		return out.cannot(err)
	}
	checked := p.AnchorSHA224 != "" || p.AnchorSHA224Given != ""
	out.set("anchor", map[string]any{"instance": info.Instance, "sha224": info.Hash, "created": info.Created, "sha224_checked": checked})
	if err := o.readFirstSecrets(stdin); err != nil {
		return out.cannot(err)
	}
	if err := o.askAdmin(); err != nil {
		return out.cannot(err)
	}
	var pin string
	if o.pinStdin {
		if pin, err = o.askPIN(true, false, "--pin-stdin", "soft"); err != nil {
			return out.cannot(err)
		}
		// Refused before connecting; a PIN typed later is checked by
		// Initialize, before anything is sent.
		if err := configure.CheckPIN(p, pin); err != nil {
			return out.cannot(err)
		}
	}
	ctx, s, hangUp, err := o.session(stderr, o.timeout)
	if err != nil {
		return out.cannot(err)
	}
	defer hangUp()
	if !o.pinStdin {
		// On the terminal the PIN is asked only as the server needs it:
		// twice to set it, once to log in, not at all when logged in.
		st, err := s.Status(ctx, p)
		if err != nil {
			return out.failed(err)
		}
		if fresh := st.Init.SoftwareTokenInitStatus != xroad.TokenInitialized; fresh || !st.SoftTokenLoggedIn {
			if pin, err = o.askPIN(false, fresh, "--pin-stdin", "soft"); err != nil {
				return out.cannot(err)
			}
		}
	}
	out.line("cli.server.anchor", map[string]any{"Instance": info.Instance, "Hash": configure.ColonHash(info.Hash)})
	if checked {
		out.line("cli.server.anchor_hash_match", nil)
	} else {
		out.line("cli.server.anchor_hash_unknown", nil)
	}
	o.backupOnChange(s, out)
	if err := s.Initialize(ctx, p, anchor, pin, out.progress); err != nil {
		return out.failed(err)
	}
	out.line("cli.server.init_done", nil)
	return out.ok()
}
