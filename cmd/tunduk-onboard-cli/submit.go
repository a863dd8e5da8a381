package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// submitOpts are the flags of "submit".
type submitOpts struct {
	via                                                      string
	id, follows                                              string
	authCSR, signCSR, authSource, signSource                 string
	authLater, signLater                                     bool
	instance                                                 string // --follows: the application's
	memberClass, memberCode, name, serverCode, serverAddress string
	report, to, out                                          string
	smtpFlags
	rememberPassword bool
	url              string
	common           submitCommon
}

// submitCommon are the flags every submit sub-command shares.
type submitCommon struct {
	store, format, lang, profile string
	verbose                      bool
}

func (c *submitCommon) register(fs *flag.FlagSet) {
	fs.StringVar(&c.store, "store", "", "submissions `DIR` (default: <user config dir>/tunduk-onboard/submissions)")
	fs.StringVar(&c.format, "format", "text", "output format: text or json")
	fs.StringVar(&c.lang, "lang", defaultLang(), "language of the help, prompts, messages and text output: en, ru or ky")
	fs.StringVar(&c.profile, "profile", "", "operator profile `FILE` (default: the embedded Tunduk profile)")
	fs.BoolVar(&c.verbose, "verbose", false, "log debug details to standard error too")
}

// submitRun is one run: the output being gathered and the writers.
type submitRun struct {
	lang           string
	json           bool
	stdout, stderr io.Writer
	out            submitOut
}

// submitOut is the JSON answer (and what the text output says).
type submitOut struct {
	ID             string         `json:"id,omitempty"`
	Part           int            `json:"part,omitempty"`    // of an application sent in parts
	Follows        []enroll.Usage `json:"follows,omitempty"` // the CSRs its letter says follow
	Dir            string         `json:"dir,omitempty"`
	Via            enroll.Via     `json:"via,omitempty"`
	Stage          enroll.Stage   `json:"stage,omitempty"`
	Report         string         `json:"report,omitempty"` // json+html, json or none
	EML            string         `json:"eml,omitempty"`
	Folder         string         `json:"folder,omitempty"`
	URL            string         `json:"url,omitempty"`
	IdempotencyKey string         `json:"idempotency_key,omitempty"`
	Delivered      bool           `json:"delivered"`
	Queued         bool           `json:"queued,omitempty"`
	Messages       []string       `json:"messages"`
	Records        []recordOut    `json:"records,omitempty"`
	Results        []flushOut     `json:"results,omitempty"`
	Damaged        []damagedOut   `json:"damaged,omitempty"` // store and outbox files not read, left as they are
	Error          *submitErrJSON `json:"error,omitempty"`
}

type submitErrJSON struct {
	Key     string `json:"key"`
	Message string `json:"message"`
}

// say adds one translated line to the output.
func (r *submitRun) say(key string, data map[string]any) {
	r.out.Messages = append(r.out.Messages, i18n.T(r.lang, key, data))
}

// fail prints the output gathered so far with err (translated) in it,
// and returns err to be told with code.
func (r *submitRun) fail(code int, err error) error {
	key, msg := explainSubmit(r.lang, err)
	r.out.Error = &submitErrJSON{Key: key, Message: msg}
	r.flush()
	return &userError{code: code, lang: r.lang, text: msg, err: err}
}

// flush prints the gathered output: text lines, or one JSON object, on
// stdout. The error, in both formats (JSON is for the machine, the person
// still reads why), is told on stderr by run.
func (r *submitRun) flush() {
	if r.json {
		if r.out.Messages == nil {
			r.out.Messages = []string{}
		}
		enc := json.NewEncoder(r.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(r.out)
	} else {
		for _, m := range r.out.Messages {
			fmt.Fprintln(r.stdout, m)
		}
	}
}

// inputErr is bad input with a cli.submit.* key; a file's error (cause)
// adds its reason in the user's words as {{.Reason}}.
type inputErr struct {
	key   string
	data  map[string]any
	cause error
}

func (e *inputErr) Unwrap() error { return e.cause }

func (e *inputErr) Error() string { return e.key }

func badInput(key string, data map[string]any) error { return &inputErr{key: key, data: data} }

// explainSubmit turns any error into a translation key and its text.
// Data strings are sanitized: they may come from a server's answer.
func explainSubmit(lang string, err error) (string, string) {
	var ee *enroll.Error
	var ie *inputErr
	var fe *fileErr
	var ke *keyErr
	var ue *userError
	var ae *health.AlertError
	key, data := "cli.submit.err_other", map[string]any{"Error": err.Error()}
	switch {
	case errors.As(err, &ue):
		// Told already (a session's or the server's error): its own key,
		// when it has one.
		if ue.key != "" {
			key = ue.key
		}
		return key, ue.In(lang)
	case errors.As(err, &ee):
		key, data = ee.Key, ee.Data
	case errors.As(err, &ae): // status's alerts
		key, data = ae.Key, ae.Data
	case errors.As(err, &ie):
		key, data = ie.key, map[string]any{}
		for k, v := range ie.data {
			data[k] = v
		}
		if ie.cause != nil {
			data["Reason"] = i18n.FileReason(lang, ie.cause)
		}
	case errors.As(err, &fe):
		return "cli.file." + fe.op, fe.In(lang)
	case errors.As(err, &ke):
		return ke.key, ke.In(lang)
	}
	clean := map[string]any{}
	for k, v := range data {
		if s, ok := v.(string); ok {
			v = i18n.Line(s, i18n.MaxLine)
		}
		clean[k] = v
	}
	return key, told(lang, key, clean)
}

// runSubmit is "submit": prepare the package and deliver it, or one of
// the sub-commands list, status, flush, advance.
func runSubmit(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "list", "status", "flush", "advance":
			return runSubmitSub(args[0], args[1:], stdout, stderr)
		}
		// submit takes no argument but its sub-commands: a word close to
		// one is a typo of it (anything else is refused unseen below, as
		// it may be a secret typed in the wrong place).
		if !strings.HasPrefix(args[0], "-") && suggestVerb("submit", args[0]) != "" {
			return unknownVerb(stderr, langOf(args), "submit", args[0], nil)
		}
	}
	var o submitOpts
	r, ctx, done, err := startSubmitRun(o.flags(stderr), args, &o.common, stdout, stderr)
	if err != nil {
		return err
	}
	defer done()
	return o.run(ctx, r, stdin)
}

// startSubmitRun parses the flags of a verb that delivers a package
// (submit, client notify) and starts its run: the language and the
// output format checked, the log opened, Ctrl-C cancelling the context.
// done ends the run.
func startSubmitRun(fs *flag.FlagSet, args []string, c *submitCommon, stdout, stderr io.Writer) (*submitRun, context.Context, func(), error) {
	if err := parseFlags(fs, args, "secrets"); err != nil {
		return nil, nil, nil, flagErr(err, func(err error) error { return cannot(c.lang, err) })
	}
	if err := checkLang(c.lang); err != nil {
		return nil, nil, nil, cannot(defaultLang(), err)
	}
	r := &submitRun{lang: c.lang, json: c.format == "json", stdout: stdout, stderr: stderr}
	if !oneOf(c.format, "text", "json") {
		r.json = false
		return nil, nil, nil, r.fail(exitCannot, badInput("cli.submit.err_format", map[string]any{"Format": c.format}))
	}
	_, closeLog := setupLog(c.verbose, c.lang, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	return r, ctx, func() { stop(); closeLog() }, nil
}

// registerDelivery adds the organisation's and the delivery's flags
// (submit, client notify; toUsage says whom --to defaults to) and the
// common ones.
func (o *submitOpts) registerDelivery(fs *flag.FlagSet, toUsage string) {
	fs.StringVar(&o.memberClass, "member-class", "", "the organisation's member `CLASS` (e.g. GOV or COM)")
	fs.StringVar(&o.memberCode, "member-code", "", "the organisation's member `CODE` (8 digits)")
	fs.StringVar(&o.name, "name", "", "the organisation's name")
	fs.StringVar(&o.serverCode, "server-code", "", "the security server's `CODE` (Latin letters, digits)")
	fs.StringVar(&o.serverAddress, "server-address", "", "public IP address or DNS name of the security server")
	fs.StringVar(&o.to, "to", "", toUsage)
	fs.StringVar(&o.out, "out", "", "`DIR`: the folder or USB stick (--via folder), or where a copy of the .eml goes (--via email)")
	o.smtpFlags.register(fs, "PEM `FILE` of extra CA certificates to trust for SMTP and HTTPS (an internal mail server)")
	fs.BoolVar(&o.rememberPassword, "remember-password", false, "save the SMTP password in the OS keyring after a successful send")
	fs.StringVar(&o.url, "url", "", "HTTPS intake `URL` (default: the profile's ca.intake_url)")
	o.common.register(fs)
}

// flags is the flag set of submit, its help written to w.
func (o *submitOpts) flags(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("submit", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&o.via, "via", "", "how to deliver: email (an .eml for your mail client), smtp, https or folder")
	fs.StringVar(&o.id, "id", "", "deliver the already prepared submission `ID` again instead of preparing a new one")
	fs.StringVar(&o.authCSR, "auth-csr", "", "authentication CSR `FILE` (DER or PEM)")
	fs.StringVar(&o.signCSR, "sign-csr", "", "signing CSR `FILE` (DER or PEM)")
	fs.BoolVar(&o.authLater, "auth-csr-later", false, "the authentication CSR is not made yet (the server is not ready): send the signing CSR now, with a letter saying the authentication CSR follows; send it later with --follows ID")
	fs.BoolVar(&o.signLater, "sign-csr-later", false, "the signing CSR is not made yet: send the authentication CSR now, with a letter saying the signing CSR follows; send it later with --follows ID")
	fs.StringVar(&o.follows, "follows", "", "send the CSR that the submission `ID` awaits (sent with --auth-csr-later or --sign-csr-later) as its next part: the same package for the certification authority; the organisation's flags default to the submission's")
	fs.StringVar(&o.authSource, "auth-key", "", "where the authentication key lives, for the letter (default: the security server's software token)")
	fs.StringVar(&o.signSource, "sign-key", "", "where the signing key lives, e.g. \"Rutoken 0a1b2c3d\" (default: the security server's software token)")
	fs.StringVar(&o.report, "report", "", "readiness report `FILE` saved by \"check --format json\"")
	o.registerDelivery(fs, "recipient(s), comma-separated (default: the profile's ca.email)")
	fs.Usage = verbHelp(w, fs, `tunduk-onboard-cli submit --via email|smtp|https|folder [--auth-csr FILE] [--sign-csr FILE] [FLAGS]
       tunduk-onboard-cli submit --via ... --sign-csr FILE --auth-csr-later [FLAGS]   (the rest later: --follows ID --auth-csr FILE)
       tunduk-onboard-cli submit list | status [ID] | flush | advance ID STAGE [--note TEXT]`)
	return fs
}

func (o *submitOpts) run(ctx context.Context, r *submitRun, stdin io.Reader) error {
	via := enroll.Via(o.via)
	if !oneOf(o.via, string(enroll.ViaEmail), string(enroll.ViaSMTP), string(enroll.ViaHTTPS), string(enroll.ViaFolder)) {
		return r.fail(exitCannot, badInput("cli.submit.err_via", map[string]any{"Via": o.via}))
	}
	profile, err := loadProfile(o.common.profile)
	if err != nil {
		return r.fail(exitCannot, err)
	}
	store, err := openSubmitStore(o.common.store)
	if err != nil {
		return r.fail(exitCannot, err)
	}
	// Everything the delivery needs is checked (and the password read)
	// before the package is made: bad input leaves nothing behind.
	d, err := o.delivery(profile, stdin, r)
	if err != nil {
		return r.fail(exitCannot, err)
	}
	reportKind := ""
	switch {
	case o.id != "":
		if o.authCSR != "" || o.signCSR != "" || o.report != "" || o.follows != "" || o.authLater || o.signLater {
			return r.fail(exitCannot, badInput("cli.submit.err_id_and_input", nil))
		}
		rec, err := store.Get(o.id)
		if err != nil {
			return r.fail(exitCannot, err)
		}
		d.req.Prev = &rec // the user asks to send this one (again)
	default:
		if o.follows != "" {
			// The rest of an application sent in parts: its participant,
			// unless the flags say otherwise (then it is refused as not
			// the rest).
			rec, err := store.Get(o.follows)
			if err != nil {
				return r.fail(exitCannot, err)
			}
			o.fromRecord(rec)
			d.req.Prev, d.req.Continue = &rec, true
		}
		in, kind, err := o.input(profile, r)
		if err != nil {
			return r.fail(exitCannot, err)
		}
		d.req.Input, reportKind = &in, kind
	}
	d.req.Prepared = func(p *enroll.Package, _ bool) {
		logrus.WithFields(logrus.Fields{"id": p.Manifest.ID, "via": via}).Info("submit: delivering")
	}
	out, err := enroll.Deliver(ctx, store, d.req)
	if out.Package == nil {
		return r.fail(exitCannot, err) // no package: nothing was sent
	}
	m := out.Package.Manifest
	if out.Built {
		r.out.Report = reportKind
		if out.Continued {
			r.say("cli.submit.part_prepared", map[string]any{"ID": m.ID, "Part": m.Part, "Dir": out.Package.Dir})
		} else {
			r.say("cli.submit.prepared", map[string]any{"ID": out.Record.ID, "Dir": out.Package.Dir})
		}
		switch reportKind {
		case "json+html":
			r.say("cli.submit.report_html", nil)
		case "none":
			r.say("cli.submit.report_none", nil)
		}
	}
	r.out.ID, r.out.Dir, r.out.Via, r.out.Stage = m.ID, out.Package.Dir, via, out.Record.Stage
	r.out.Part, r.out.Follows = m.Part, m.Follows
	if err := d.report(r, out, err); err != nil {
		return err // printed with the output so far
	}
	if r.out.Delivered {
		r.say("cli.submit.next_sent", nil)
	}
	for _, u := range m.Follows {
		r.say("cli.submit.follows_"+string(u), map[string]any{"ID": m.ID})
	}
	r.flush()
	return nil
}

func openSubmitStore(dir string) (*enroll.Store, error) {
	if dir == "" {
		d, err := enroll.DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	return enroll.OpenStore(dir)
}

// recipients splits --to, falling back to the profile's CA address.
func recipients(to string, profile *profile.Profile) []string {
	if strings.TrimSpace(to) == "" {
		to = profile.CA.Email
	}
	var out []string
	for _, a := range strings.Split(to, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// copyFile copies src to dst through a temporary file (the .eml copy).
func copyFile(src, dst string) error {
	data, err := readcap.ReadFile(src, readcap.Message)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return writeTo(dst, nil, func(w io.Writer) error { _, err := w.Write(data); return err })
}
