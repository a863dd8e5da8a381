package main

// "client notify": the letter that tells the operator which subsystems
// were registered on which security server, delivered as "submit"
// delivers an application (the same flags, enroll.Deliver, the same
// store: "submit status", "submit flush" and "submit advance" follow it).

import (
	"context"
	"flag"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// notifyOpts are submit's delivery and organisation flags, and the
// subsystems.
type notifyOpts struct {
	submitOpts
	subsystems multiFlag
	inventory  string
	registered string
}

func runClientNotify(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o notifyOpts
	fs := o.flags(stderr)
	if err := parseFlags(fs, args, "secrets"); err != nil {
		return flagErr(err, func(err error) error { return cannot(o.common.lang, err) })
	}
	if err := checkLang(o.common.lang); err != nil {
		return cannot(defaultLang(), err)
	}
	r := &submitRun{lang: o.common.lang, json: o.common.format == "json", stdout: stdout, stderr: stderr}
	if !oneOf(o.common.format, "text", "json") {
		r.json = false
		return r.fail(exitCannot, badInput("cli.submit.err_format", map[string]any{"Format": o.common.format}))
	}
	_, closeLog := setupLog(o.common.verbose, o.common.lang, stderr)
	defer closeLog()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return o.run(ctx, r, stdin)
}

func (o *notifyOpts) flags(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("client notify", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Var(&o.subsystems, "subsystem", "a subsystem registered, `CODE=NAME` (repeatable)")
	fs.StringVar(&o.inventory, "inventory", "", "or the subsystems from a JSON `FILE` (as for service export)")
	fs.StringVar(&o.registered, "registered", "", "the `DATE` of the registration, YYYY-MM-DD (default: today)")
	fs.StringVar(&o.via, "via", "", "how to deliver: email (an .eml for your mail client), smtp, https or folder")
	fs.StringVar(&o.instance, "instance", "", "the X-Road instance (default: the profile's)")
	fs.StringVar(&o.memberClass, "member-class", "", "the organisation's member `CLASS` (e.g. GOV or COM)")
	fs.StringVar(&o.memberCode, "member-code", "", "the organisation's member `CODE`")
	fs.StringVar(&o.name, "name", "", "the organisation's name")
	fs.StringVar(&o.serverCode, "server-code", "", "the security server's `CODE`")
	fs.StringVar(&o.serverAddress, "server-address", "", "public IP address or DNS name of the security server")
	fs.StringVar(&o.to, "to", "", "recipient(s), comma-separated (default: the profile's operator.contact.email)")
	fs.StringVar(&o.out, "out", "", "`DIR`: the folder or USB stick (--via folder), or where a copy of the .eml goes (--via email)")
	fs.StringVar(&o.smtpHost, "smtp-host", "", "your SMTP server")
	fs.IntVar(&o.smtpPort, "smtp-port", 587, "SMTP port: 587 with STARTTLS (required), or 465 with TLS from the start")
	fs.StringVar(&o.smtpUser, "smtp-user", "", "SMTP user name (default: --from)")
	fs.StringVar(&o.from, "from", "", "your e-mail address")
	fs.BoolVar(&o.smtpPasswordStdin, "smtp-password-stdin", false, "read the SMTP password from the first line of standard input (else the OS keyring, else asked on the terminal)")
	fs.BoolVar(&o.rememberPassword, "remember-password", false, "save the SMTP password in the OS keyring after a successful send")
	fs.StringVar(&o.url, "url", "", "HTTPS intake `URL` (default: the profile's ca.intake_url)")
	fs.StringVar(&o.tlsCA, "tls-ca", "", "PEM `FILE` of extra CA certificates to trust for SMTP and HTTPS (an internal mail server)")
	o.common.register(fs)
	fs.Usage = verbHelp(w, fs, `tunduk-onboard-cli client notify --subsystem CODE=NAME [--subsystem ...] --via email|smtp|https|folder [FLAGS]
       tunduk-onboard-cli client notify --inventory FILE --via ... [FLAGS]`)
	return fs
}

func (o *notifyOpts) run(ctx context.Context, r *submitRun, stdin io.Reader) error {
	if !oneOf(o.via, string(enroll.ViaEmail), string(enroll.ViaSMTP), string(enroll.ViaHTTPS), string(enroll.ViaFolder)) {
		return r.fail(exitCannot, badInput("cli.submit.err_via", map[string]any{"Via": o.via}))
	}
	p, err := loadProfile(o.common.profile)
	if err != nil {
		return r.fail(exitCannot, err)
	}
	in, err := o.input(p)
	if err != nil {
		return r.fail(exitCannot, err)
	}
	if o.to == "" && (o.via == string(enroll.ViaEmail) || o.via == string(enroll.ViaSMTP)) {
		// The letter is the operator's, never the CA's address.
		if o.to = p.Operator.Contact.Email; o.to == "" {
			return r.fail(exitCannot, badInput("cli.notify.err_no_recipient", nil))
		}
	}
	store, err := openSubmitStore(o.common.store)
	if err != nil {
		return r.fail(exitCannot, err)
	}
	d, err := o.delivery(p, stdin, r)
	if err != nil {
		return r.fail(exitCannot, err)
	}
	d.req.Input = &in
	out, err := enroll.Deliver(ctx, store, d.req)
	if out.Package == nil {
		return r.fail(exitCannot, err)
	}
	m := out.Package.Manifest
	r.say("cli.notify.prepared", map[string]any{"ID": m.ID, "Dir": out.Package.Dir, "Count": len(in.Notice.Subsystems)})
	r.out.ID, r.out.Dir, r.out.Via, r.out.Stage = m.ID, out.Package.Dir, enroll.Via(o.via), out.Record.Stage
	if err := d.report(r, out, err); err != nil {
		return err
	}
	if r.out.Delivered {
		r.say("cli.notify.next", nil)
	}
	r.flush()
	return nil
}

// input is the notice: the organisation and server from the flags (the
// instance from the profile), the subsystems from --subsystem or the
// inventory, the date.
func (o *notifyOpts) input(p *profile.Profile) (enroll.Input, error) {
	if o.instance == "" {
		o.instance = p.XRoad.Instance
	}
	in := enroll.Input{Lang: o.common.lang, Participant: enroll.Participant{Instance: o.instance, MemberClass: o.memberClass,
		MemberCode: o.memberCode, Name: o.name, ServerCode: o.serverCode, ServerAddress: o.serverAddress}}
	n := &enroll.Notice{OperatorLang: p.Operator.LetterLang(), Registered: time.Now().UTC()}
	if o.registered != "" {
		t, err := time.Parse("2006-01-02", o.registered)
		if err != nil {
			return in, badInput("cli.notify.err_date", map[string]any{"Date": o.registered})
		}
		n.Registered = t
	}
	for _, s := range o.subsystems {
		code, name, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(code) == "" {
			return in, badInput("cli.notify.err_subsystem", map[string]any{"Value": s})
		}
		n.Subsystems = append(n.Subsystems, enroll.NoticeSubsystem{Code: strings.TrimSpace(code), Name: strings.TrimSpace(name)})
	}
	if o.inventory != "" {
		subs, err := readInventory(o.inventory)
		if err != nil {
			return in, err
		}
		given := map[string]bool{}
		for _, s := range n.Subsystems {
			given[s.Code] = true
		}
		for _, s := range subs {
			if given[s.Code] {
				continue // named with --subsystem: that name goes
			}
			// Names the server holds may carry anything: one clean line each.
			n.Subsystems = append(n.Subsystems, enroll.NoticeSubsystem{Code: i18n.Line(s.Code, 255), Name: i18n.Line(s.Name, 500), Status: i18n.Line(s.Status, 40)})
		}
	}
	in.Notice = n
	return in, nil
}
