package main

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// serverImportOpts are the flags of server import.
type serverImportOpts struct {
	serverOpts
	csrFiles multiFlag
	outDir   string
}

func (o *serverImportOpts) flags(stderr io.Writer) *flag.FlagSet {
	fs := newServerFlags("import", &o.serverOpts, stderr)
	fs.Var(&o.csrFiles, "csr", "a CSR `FILE` (DER or PEM) the certificates must answer (repeatable)")
	fs.StringVar(&o.outDir, "out", ".", "`DIR` where server csr wrote the CSRs (used without --csr)")
	return fs
}

// runServerImport imports certificates after checking each answers one
// of our CSRs.
func runServerImport(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o serverImportOpts
	fs := o.flags(stderr)
	out := newServerOut(&o.serverOpts, "import", stdout, stderr)
	certFiles, err := parseInterleaved(fs, args)
	if err != nil {
		return flagErr(err, out.cannot)
	}
	if err := o.check(); err != nil {
		return out.cannot(err)
	}
	if len(certFiles) == 0 {
		return out.cannot(errKey("cli.server.certs_needed", nil))
	}
	if len(o.csrFiles) == 0 {
		for _, n := range []string{"auth.csr.der", "sign.csr.der"} {
			if _, err := os.Stat(filepath.Join(o.outDir, n)); err == nil {
				o.csrFiles = append(o.csrFiles, filepath.Join(o.outDir, n))
			}
		}
		if len(o.csrFiles) == 0 {
			return out.cannot(errKey("cli.server.csrs_needed", map[string]any{"Dir": o.outDir}))
		}
	}
	var csrs [][]byte
	for _, f := range o.csrFiles {
		b, err := readcap.ReadFile(f, readcap.CSR)
		if err != nil {
			return out.cannot(&fileErr{op: "read", path: f, err: err})
		}
		csrs = append(csrs, derOf(b))
	}
	var certs [][]byte
	for _, f := range certFiles {
		b, err := readcap.ReadFile(f, readcap.Certificate)
		if err != nil {
			return out.cannot(&fileErr{op: "read", path: f, err: err})
		}
		certs = append(certs, b)
	}
	if err := o.readFirstSecrets(stdin); err != nil {
		return out.cannot(err)
	}
	ctx, s, hangUp, err := o.loginSession(stderr)
	if err != nil {
		return out.cannot(err)
	}
	defer hangUp()
	o.backupOnChange(s, out)
	var done []map[string]string
	for i, c := range certs {
		imp, err := s.Import(ctx, c, csrs)
		if err != nil {
			out.progress(configure.Progress{ID: "import", State: configure.StateFailed})
			out.set("imported", done)
			return out.failed(err)
		}
		state := configure.StateDone
		if !imp.New {
			state = configure.StateSkipped // there already: a re-run
		}
		out.progress(configure.Progress{ID: "import", State: state})
		done = append(done, map[string]string{"file": certFiles[i], "hash": imp.Hash, "usage": imp.Usage, "status": imp.Cert.Status})
		out.line("cli.server.imported", map[string]any{"File": certFiles[i], "Usage": o.usageName(imp.Usage), "Hash": imp.Hash})
	}
	out.set("imported", done)
	return out.ok()
}

// serverRegisterOpts are the flags of server register.
type serverRegisterOpts struct {
	serverOpts
	address           string
	wait, activate    bool
	waitTimeout, poll time.Duration
}

func (o *serverRegisterOpts) flags(stderr io.Writer) *flag.FlagSet {
	fs := newServerFlags("register", &o.serverOpts, stderr)
	fs.StringVar(&o.address, "address", "", "the server's public `ADDRESS` (IP or DNS name)")
	fs.BoolVar(&o.wait, "wait", false, "wait until the operator approves the registration")
	fs.BoolVar(&o.activate, "activate", false, "activate the authentication certificate (after the approval with --wait)")
	fs.DurationVar(&o.waitTimeout, "wait-timeout", 24*time.Hour, "give up waiting for approval after `DURATION`")
	fs.DurationVar(&o.poll, "poll", 30*time.Second, "ask for the registration state every `DURATION`")
	return fs
}

// runServerRegister registers the authentication certificate, optionally
// waits for the operator's approval and activates it.
func runServerRegister(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o serverRegisterOpts
	fs := o.flags(stderr)
	out := newServerOut(&o.serverOpts, "register", stdout, stderr)
	if err := o.parse(fs, args); err != nil {
		return flagErr(err, out.cannot)
	}
	if o.address == "" {
		return out.cannot(&configure.Error{Key: "configure.err.address", Data: map[string]any{"Address": ""}})
	}
	if err := o.readFirstSecrets(stdin); err != nil {
		return out.cannot(err)
	}
	if err := o.askAdmin(); err != nil {
		return out.cannot(err)
	}
	total := o.timeout
	if o.wait {
		total += o.waitTimeout
	}
	ctx, s, hangUp, err := o.session(stderr, total)
	if err != nil {
		return out.cannot(err)
	}
	defer hangUp()
	st, err := s.Status(ctx, o.paramsLoose())
	if err != nil {
		return out.failed(err)
	}
	if st.Auth == nil || st.Auth.Cert == nil {
		return out.failed(&configure.Error{Key: "configure.err.no_auth_cert"})
	}
	hash := st.Auth.Cert.Details.Hash
	out.set("hash", hash)
	// A step whose work is done already is reported skipped, and the
	// backup is taken only before a change (a re-run makes none).
	was := st.Auth.Cert.Status
	step := func(id string, done bool, f func() error) error {
		if done {
			out.progress(configure.Progress{ID: id, State: configure.StateSkipped})
			return nil
		}
		out.progress(configure.Progress{ID: id, State: configure.StateRunning})
		if err := f(); err != nil {
			out.progress(configure.Progress{ID: id, State: configure.StateFailed})
			return err
		}
		out.progress(configure.Progress{ID: id, State: configure.StateDone})
		return nil
	}
	o.backupOnChange(s, out)
	if err := step("register", was == xroad.CertRegistrationInProgress || was == xroad.CertRegistered, func() error { return s.Register(ctx, hash, o.address) }); err != nil {
		return out.failed(err)
	}
	if o.wait {
		wctx, wcancel := context.WithTimeout(ctx, o.waitTimeout)
		defer wcancel()
		last := ""
		err := step("approve", was == xroad.CertRegistered, func() error {
			return s.WaitRegistered(wctx, hash, o.poll, func(tc xroad.TokenCertificate) {
				if tc.Status != last {
					last = tc.Status
					out.line("cli.server.reg_state", map[string]any{"Status": i18n.Enum(o.lang, "xroad.cert_status.", tc.Status)})
				}
			})
		})
		if err != nil {
			return out.failed(err)
		}
	}
	if o.activate {
		now, err := s.Status(ctx, o.paramsLoose())
		if err != nil {
			return out.failed(err)
		}
		active := now.Auth != nil && now.Auth.Cert != nil && now.Auth.Cert.Active
		if err := step("activate", active, func() error { return s.Activate(ctx, hash) }); err != nil {
			return out.failed(err)
		}
	}
	st, err = s.Status(ctx, o.paramsLoose())
	if err != nil {
		return out.failed(err)
	}
	out.set("certificate", certView(st.Auth))
	out.line("cli.server.registered", map[string]any{"Status": i18n.Enum(o.lang, "xroad.cert_status.", st.Auth.Cert.Status), "Active": o.yesNo(st.Auth.Cert.Active)})
	return out.ok()
}

// paramsLoose: identifiers are optional for register and status.
func (o *serverOpts) paramsLoose() configure.Params { return o.params() }

// runServerStatus shows where the server stands.
func runServerStatus(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o serverOpts
	fs := newServerFlags("status", &o, stderr)
	out := newServerOut(&o, "status", stdout, stderr)
	if err := o.parse(fs, args); err != nil {
		return flagErr(err, out.cannot)
	}
	if err := o.readFirstSecrets(stdin); err != nil {
		return out.cannot(err)
	}
	ctx, s, hangUp, err := o.loginSession(stderr)
	if err != nil {
		return out.cannot(err)
	}
	defer hangUp()
	st, err := s.Status(ctx, o.paramsLoose())
	if err != nil {
		return out.failed(err)
	}
	out.set("initialization", map[string]any{
		"anchor_imported": st.Init.AnchorImported, "server_code": st.Init.ServerCodeInitialized,
		"owner": st.Init.ServerOwnerInitialized, "software_token": st.Init.SoftwareTokenInitStatus, "done": st.Init.Done(),
	})
	out.set("timestamping_configured", st.TSAConfigured)
	out.set("software_token_logged_in", st.SoftTokenLoggedIn)
	out.set("auth", certView(st.Auth))
	out.set("sign", certView(st.Sign))
	yes := o.yesNo
	out.line("cli.server.status_init", map[string]any{"Done": yes(st.Init.Done()), "Anchor": yes(st.Init.AnchorImported),
		"Token": i18n.Enum(o.lang, "xroad.token_init.", st.Init.SoftwareTokenInitStatus)})
	out.line("cli.server.status_tsa", map[string]any{"Done": yes(st.TSAConfigured)})
	out.line("cli.server.status_login", map[string]any{"Done": yes(st.SoftTokenLoggedIn)})
	// Every token with its ID: what --hw-token of server csr takes.
	toks := []map[string]any{}
	for _, tk := range st.Tokens {
		toks = append(toks, map[string]any{"id": tk.ID, "name": tk.Name, "type": tk.Type, "status": tk.Status,
			"serial": tk.Serial, "logged_in": tk.LoggedIn, "available": tk.Available})
		out.line("cli.server.status_token", map[string]any{"ID": tk.ID, "Name": tk.Name, "Type": tk.Type,
			"LoggedIn": yes(tk.LoggedIn), "Available": yes(tk.Available)})
	}
	out.set("tokens", toks)
	for _, k := range []struct {
		usage string
		ks    *configure.KeyState
	}{{"auth", st.Auth}, {"sign", st.Sign}} {
		switch {
		case k.ks == nil:
			out.line("cli.server.status_nokey", map[string]any{"Usage": o.usageName(k.usage)})
		case k.ks.Cert == nil:
			out.line("cli.server.status_csr", map[string]any{"Usage": o.usageName(k.usage), "Token": k.ks.TokenID, "Key": k.ks.KeyID})
		default:
			out.line("cli.server.status_cert", map[string]any{"Usage": o.usageName(k.usage), "Token": k.ks.TokenID,
				"Status": i18n.Enum(o.lang, "xroad.cert_status.", k.ks.Cert.Status), "Active": yes(k.ks.Cert.Active), "Hash": k.ks.Cert.Details.Hash})
		}
	}
	return out.ok()
}

// certView is a key's state for JSON (no CSR bytes).
func certView(ks *configure.KeyState) any {
	if ks == nil {
		return nil
	}
	v := map[string]any{"token": ks.TokenID, "key": ks.KeyID, "label": ks.Label, "csr_id": ks.CSRID}
	if ks.Cert != nil {
		v["certificate"] = map[string]any{"hash": ks.Cert.Details.Hash, "status": ks.Cert.Status, "active": ks.Cert.Active,
			"subject": ks.Cert.Details.SubjectDN, "not_after": ks.Cert.Details.NotAfter}
	}
	return v
}
