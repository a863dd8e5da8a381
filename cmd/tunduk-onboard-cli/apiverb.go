package main

// The verbs of the connect flow (client, service, connect) share the
// server verbs' flags, secrets on standard input, session and exit codes;
// this is their common run: parse, check, open a session whose API key
// has xroad/connect's roles, do the work, report.

import (
	"context"
	"flag"
	"io"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

// apiVerb is one verb of the connect flow: its name ("client add"), the
// flags of its own, and what it does once the session is open.
type apiVerb struct {
	name  string
	flags func(fs *flag.FlagSet)
	// changes: the verb changes the server, so it takes a backup first
	// (--no-backup, --backup-dir).
	changes bool
	// before checks the verb's own flags and reads its files, before
	// any connection; nil: nothing to check.
	before func(o *serverOpts) error
	run    func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error
}

// flagSet is the verb's flags with the shared ones; its description is
// cli.help.<name with dots>.
func (v apiVerb) flagSet(o *serverOpts, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(v.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.stderr, o.fs = stderr, fs
	o.registerAPI(fs)
	if v.changes {
		o.registerBackup(fs)
	}
	if v.flags != nil {
		v.flags(fs)
	}
	fs.Usage = verbHelp(stderr, fs, "tunduk-onboard-cli "+v.name+" --ssh USER@HOST[:PORT] | --local [FLAGS]")
	return fs
}

func (v apiVerb) main(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o := &serverOpts{roles: connect.Roles}
	fs := v.flagSet(o, stderr)
	out := newServerOut(o, strings.ReplaceAll(v.name, " ", "."), stdout, stderr)
	out.connect = true
	out.set("schema", "tunduk-onboard.connect/v1")
	if err := o.parse(fs, args); err != nil {
		return flagErr(err, out.cannot)
	}
	if err := o.needOwner(); err != nil {
		return out.cannot(err)
	}
	if v.before != nil {
		if err := v.before(o); err != nil {
			return out.cannot(err)
		}
	}
	if err := o.readFirstSecrets(stdin); err != nil {
		return out.cannot(err)
	}
	ctx, s, hangUp, err := o.loginSession(stderr)
	if err != nil {
		return out.cannot(err)
	}
	defer hangUp()
	if err := v.run(ctx, o, s.API(), out); err != nil {
		return out.failed(err)
	}
	return out.ok()
}

// needOwner checks the owner member's class and code, which every
// subsystem of the server belongs to.
func (o *serverOpts) needOwner() error {
	p := o.prof
	if !p.ValidMemberClass(o.memberClass) {
		return errKey("cli.server.bad_class", map[string]any{"Classes": strings.Join(p.Identifiers.MemberClasses, ", ")})
	}
	if !p.ValidMemberCode(o.memberCode) {
		return errKey("cli.server.bad_member_code", map[string]any{"Pattern": p.Identifiers.MemberCodePattern})
	}
	return nil
}

// connectParams are the owner member's identifiers for xroad/connect.
func (o *serverOpts) connectParams() connect.Params {
	return connect.Params{Instance: o.prof.XRoad.Instance, MemberClass: o.memberClass, MemberCode: o.memberCode}
}

// needSubsystem checks a subsystem code with the profile's rule.
func (o *serverOpts) needSubsystem(code string) error {
	if !o.prof.ValidSubsystemCode(code) {
		return errKey("connect.err.subsystem_code", map[string]any{"Code": i18n.Line(code, 100), "Pattern": o.prof.SubsystemCodePattern()})
	}
	return nil
}

// groupExtras are verbs of a group (client, service) built elsewhere, by
// their group and name: another file's init adds them (e.g. "client
// notify"), and the group's dispatch and "did you mean" find them.
var groupExtras = map[string]map[string]func([]string, io.Reader, io.Writer, io.Writer) error{}

// runGroup dispatches a verb group (client, service) to its verbs, built
// afresh for each run (their flags' variables are their own).
func runGroup(group string, mk func() map[string]apiVerb, usage func(io.Writer, string)) func([]string, io.Reader, io.Writer, io.Writer) error {
	return func(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
		verbs := mk()
		// "client tls import": a verb of two words.
		if len(args) > 1 {
			if v, ok := verbs[args[0]+" "+args[1]]; ok {
				return v.main(args[2:], stdin, stdout, stderr)
			}
		}
		one := map[string]func([]string, io.Reader, io.Writer, io.Writer) error{}
		for name, f := range groupExtras[group] {
			one[name] = f
		}
		for name, v := range verbs {
			one[name] = v.main
		}
		return dispatchGroup(group, one, usage, args, stdin, stdout, stderr)
	}
}

// itemLine prints one plan item in the user's language.
func itemLine(out *serverOut, it connect.Item) {
	target := it.Target
	if it.Subject != "" {
		target += " → " + it.Subject
	}
	out.line("cli.connect.item", map[string]any{"State": i18n.T(out.o.lang, "cli.connect.state."+it.State, nil),
		"Kind": i18n.T(out.o.lang, "cli.connect.kind."+it.Kind, nil), "Subsystem": it.Subsystem, "Target": target})
}

func itemJSON(it connect.Item) map[string]string {
	return map[string]string{"kind": it.Kind, "subsystem": it.Subsystem, "target": it.Target, "subject": it.Subject, "state": it.State}
}
