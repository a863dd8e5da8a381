package main

// `renew`: the security server's certificates renewed before they lapse,
// never without a pair in service (xroad/configure/renew), over SSH or
// with --local: status and plan read, apply does, resume goes on with a
// renewal begun and starts none. A run leaves when it waits for someone
// else (the CA, the central server, the OCSP responder) with exit 4; run
// it again later.

import (
	"context"
	"flag"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure/renew"
)

// renewOpts are the flags of every renew verb: the same inputs make the
// same plan whether it is shown or applied.
type renewOpts struct {
	serverOpts
	verb                                   string
	force, only, signOn, hwToken           string
	outDir, address, store                 string
	certFiles                              multiFlag
	pinStdin, hwPINStdin, deleteOld, dryRn bool
	wait, poll                             time.Duration

	place string // --sign-on checked against the profile
}

var renewVerbs = []string{"status", "plan", "apply", "resume"}

func (o *renewOpts) flags(verb string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("renew "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.verb, o.stderr, o.fs = verb, stderr, fs
	o.register(fs)
	if oneOf(verb, "apply", "resume") { // the verbs that change the server back it up first
		o.registerBackup(fs)
	}
	fs.Lookup("timeout").Usage = "give up after `DURATION`, besides the time --wait gives the approval and the OCSP responses"
	fs.StringVar(&o.force, "force", "", "renew `USAGES` now whatever their expiry: auth, sign or auth,sign")
	fs.StringVar(&o.only, "only", "", "renew only `USAGE`: auth or sign (default: both)")
	fs.StringVar(&o.signOn, "sign-on", "", "make the new signing key on the server at `WHERE`: hw-token or soft-token (default: where the old one is, when the profile allows it)")
	fs.StringVar(&o.hwToken, "hw-token", "", "`ID` of the hardware token for a new signing key (default: the old key's token, else the server's only one)")
	fs.BoolVar(&o.pinStdin, "pin-stdin", false, "read the software token PIN from standard input (else asked on the terminal when the server needs it)")
	fs.BoolVar(&o.hwPINStdin, "hw-pin-stdin", false, "read the hardware token's PIN from standard input (else asked on the terminal when the token is logged out)")
	fs.Var(&o.certFiles, "cert", "a certificate `FILE` (DER or PEM) the CA issued for a new key (repeatable)")
	fs.StringVar(&o.outDir, "out", ".", "write the CSR files into `DIR`")
	fs.StringVar(&o.address, "address", "", "the server's public `ADDRESS` for the new registration (default: the one it is registered with)")
	fs.StringVar(&o.store, "store", "", "submissions `DIR` (default: <user config dir>/tunduk-onboard/submissions)")
	fs.BoolVar(&o.deleteOld, "delete-old", false, "delete the old keys with their certificates once they are out of service")
	fs.BoolVar(&o.dryRn, "dry-run", false, "print what would be done, change nothing (as renew plan)")
	fs.DurationVar(&o.wait, "wait", 2*time.Minute, "follow the central server's approval and the OCSP responses for at most `DURATION` in this run")
	fs.DurationVar(&o.poll, "poll", 30*time.Second, "ask every `DURATION` while following them")
	fs.Usage = verbHelp(stderr, fs, "tunduk-onboard-cli renew "+verb+" --ssh USER@HOST[:PORT] | --local [FLAGS]")
	return fs
}

func runRenew(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	verbs := map[string]func([]string, io.Reader, io.Writer, io.Writer) error{}
	for _, v := range renewVerbs {
		verbs[v] = func(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
			return runRenewVerb(v, args, stdin, stdout, stderr)
		}
	}
	return dispatchGroup("renew", verbs, renewUsage, args, stdin, stdout, stderr)
}

// renewUsage is the help of renew, in lang.
func renewUsage(w io.Writer, lang string) {
	printUsage(w, lang, "tunduk-onboard-cli renew status|plan|apply|resume --ssh USER@HOST[:PORT] | --local [FLAGS]", "cli.help.renew")
}

// usagesFlag is a comma-separated list of auth and sign.
func usagesFlag(name, v string) ([]string, error) {
	var out []string
	for _, u := range strings.Split(v, ",") {
		if u = strings.TrimSpace(u); u == "" {
			continue
		}
		if !oneOf(u, renew.Auth, renew.Sign) {
			return nil, errKey("cli.renew.bad_usage", map[string]any{"Flag": name, "Value": u})
		}
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// options checks the verb's flags and reads its files, before anything
// is asked or dialled.
func (o *renewOpts) options() (renew.Options, error) {
	opt := renew.Options{Params: o.params(), ExpiryDays: o.prof.Health.CertExpiryDays[0], SigningKey: o.prof.SigningKey,
		HWTokenID: o.hwToken, Address: o.address, DeleteOld: o.deleteOld, Wait: o.wait, Poll: o.poll}
	var err error
	if opt.Force, err = usagesFlag("--force", o.force); err != nil {
		return opt, err
	}
	if o.only != "" {
		if opt.Usages, err = usagesFlag("--only", o.only); err != nil {
			return opt, err
		}
		if len(opt.Usages) != 1 {
			return opt, errKey("cli.renew.bad_usage", map[string]any{"Flag": "--only", "Value": o.only})
		}
	}
	if o.place, err = o.signPlace(o.signOn, false); err != nil {
		return opt, err
	}
	opt.SignOn = o.place
	for _, f := range o.certFiles {
		b, err := readcap.ReadFile(f, readcap.Certificate)
		if err != nil {
			return opt, &fileErr{op: "read", path: f, err: err}
		}
		opt.Certs = append(opt.Certs, b)
	}
	if o.changes() {
		if st, err := os.Stat(o.outDir); err != nil || !st.IsDir() {
			return opt, errKey("cli.server.out_dir", map[string]any{"Dir": o.outDir})
		}
		if err := writableDir(o.outDir); err != nil {
			return opt, err
		}
	}
	if opt.Store, err = openSubmitStore(o.store); err != nil {
		return opt, err
	}
	return opt, nil
}

// changes: the verb may change the server (apply, resume, not a dry run).
func (o *renewOpts) changes() bool { return oneOf(o.verb, "apply", "resume") && !o.dryRn }

func runRenewVerb(verb string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o renewOpts
	fs := o.flags(verb, stderr)
	out := newServerOut(&o.serverOpts, "renew."+verb, stdout, stderr)
	out.renew, out.stepPrefix = true, "configure.renew.step."
	out.set("schema", "tunduk-onboard.renew/v1")
	if err := o.parse(fs, args); err != nil {
		return flagErr(err, out.cannot)
	}
	if err := o.needIDs(); err != nil {
		return out.cannot(err)
	}
	opt, err := o.options()
	if err != nil {
		return out.cannot(err)
	}
	if err := o.readFirstSecrets(stdin); err != nil {
		return out.cannot(err)
	}
	if o.pinStdin {
		if opt.SoftPIN, err = o.askPIN(true, false, "--pin-stdin", "soft"); err != nil {
			return out.cannot(err)
		}
	}
	if o.hwPINStdin {
		if opt.HWPIN, err = o.askPIN(true, false, "--hw-pin-stdin", "hw"); err != nil {
			return out.cannot(err)
		}
	}
	if err := o.askAdmin(); err != nil {
		return out.cannot(err)
	}
	// Two waits at most in a run: the approval, then the OCSP responses.
	ctx, s, hangUp, err := o.session(stderr, o.timeout+2*o.wait)
	if err != nil {
		return out.cannot(err)
	}
	defer hangUp()
	pl, err := renew.Read(ctx, s, opt)
	if err != nil {
		return out.failed(err)
	}
	r := &renewRun{o: &o, out: out, s: s}
	if !o.changes() {
		r.show(pl, verb == "status")
		return out.ok()
	}
	if verb == "resume" {
		opt.Usages = nil
		for _, rn := range pl.Renewals() {
			if rn.Why == renew.WhyResumed {
				opt.Usages = append(opt.Usages, rn.Usage)
			}
		}
		if len(opt.Usages) == 0 {
			out.line("cli.renew.no_resume", nil)
			out.set("state", "nothing")
			return out.ok()
		}
	}
	if err := o.askPINs(pl, &opt); err != nil {
		return out.cannot(err)
	}
	opt.Progress = out.progress
	opt.BeforeChange = func(ctx context.Context) error { return o.beforeChange(ctx, s.API(), out) }
	r.header(pl)
	res, err := renew.Apply(ctx, s, opt)
	return r.end(ctx, pl, res, err)
}

// askPINs asks on the terminal the PIN of each token a step needs logged
// in that is not, unless standard input gave it.
func (o *renewOpts) askPINs(pl *renew.Plan, opt *renew.Options) error {
	for _, tok := range pl.LoggedOut {
		var err error
		switch {
		case tok == xroad.SoftwareTokenID && opt.SoftPIN == "":
			opt.SoftPIN, err = o.askPIN(false, false, "--pin-stdin", "soft")
		case tok != xroad.SoftwareTokenID && opt.HWPIN == "":
			opt.HWPIN, err = o.askPIN(false, false, "--hw-pin-stdin", "hw")
		}
		if err != nil {
			return err
		}
	}
	return nil
}
