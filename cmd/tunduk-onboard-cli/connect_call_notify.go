package main

// "client notify": the letter that tells the operator which subsystems
// were registered on which security server, delivered as "submit"
// delivers an application (the same flags, enroll.Deliver, the same
// store: "submit status", "submit flush" and "submit advance" follow it).

import (
	"context"
	"errors"
	"flag"
	"io"
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
	live       liveOpts
}

func runClientNotify(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o notifyOpts
	r, ctx, done, err := startSubmitRun(o.flags(stderr), args, &o.common, stdout, stderr)
	if err != nil {
		return err
	}
	defer done()
	return o.run(ctx, r, stdin)
}

func (o *notifyOpts) flags(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("client notify", flag.ContinueOnError)
	fs.SetOutput(w)
	o.live.stderr = w
	fs.Var(&o.subsystems, "subsystem", "a subsystem registered, `CODE=NAME` (repeatable)")
	fs.StringVar(&o.inventory, "inventory", "", "or the subsystems from a JSON `FILE` (as for service export)")
	fs.StringVar(&o.registered, "registered", "", "the `DATE` of the registration, YYYY-MM-DD (default: today)")
	fs.StringVar(&o.via, "via", "", "how to deliver: email (an .eml for your mail client), smtp, https or folder")
	fs.StringVar(&o.instance, "instance", "", "the X-Road instance (default: the profile's)")
	o.registerDelivery(fs, "recipient(s), comma-separated (default: the profile's operator.contact.email)")
	o.live.register(fs)
	fs.Usage = verbHelp(w, fs, `tunduk-onboard-cli client notify --subsystem CODE=NAME [--subsystem ...] --via email|smtp|https|folder [FLAGS]
       tunduk-onboard-cli client notify --inventory FILE --via ... [FLAGS]
       tunduk-onboard-cli client notify --ssh USER@HOST[:PORT] | --local --via ... [FLAGS]`)
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
	if o.inventory != "" && o.live.given() {
		return r.fail(exitCannot, errKey("cli.notify.err_two_sources", nil))
	}
	if o.live.given() {
		if err := o.live.check(r.lang); err != nil {
			return r.fail(exitCannot, err)
		}
	}
	in, stdin, err := o.input(p, stdin)
	if err != nil {
		var ue *userError
		if errors.As(err, &ue) {
			return r.fail(ue.code, err)
		}
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
// instance from the profile), the subsystems from --subsystem and the
// inventory file or the server (read through stdin's first secrets; the
// rest of stdin is returned), the date.
func (o *notifyOpts) input(p *profile.Profile, stdin io.Reader) (enroll.Input, io.Reader, error) {
	if o.instance == "" {
		o.instance = p.XRoad.Instance
	}
	in := enroll.Input{Lang: o.common.lang, Participant: enroll.Participant{Instance: o.instance, MemberClass: o.memberClass,
		MemberCode: o.memberCode, Name: o.name, ServerCode: o.serverCode, ServerAddress: o.serverAddress}}
	n := &enroll.Notice{OperatorLang: p.Operator.LetterLang(), Registered: time.Now().UTC()}
	if o.registered != "" {
		t, err := time.Parse("2006-01-02", o.registered)
		if err != nil {
			return in, stdin, badInput("cli.notify.err_date", map[string]any{"Date": o.registered})
		}
		n.Registered = t
	}
	for _, s := range o.subsystems {
		code, name, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(code) == "" {
			return in, stdin, badInput("cli.notify.err_subsystem", map[string]any{"Value": s})
		}
		n.Subsystems = append(n.Subsystems, enroll.NoticeSubsystem{Code: strings.TrimSpace(code), Name: strings.TrimSpace(name)})
	}
	if o.inventory != "" || o.live.given() {
		var subs []enroll.CatalogueSubsystem
		var err error
		if o.inventory != "" {
			subs, err = readInventory(o.inventory)
		} else {
			subs, stdin, err = o.live.read(stdin, o.live.stderr)
		}
		if err != nil {
			return in, stdin, err
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
	return in, stdin, nil
}
