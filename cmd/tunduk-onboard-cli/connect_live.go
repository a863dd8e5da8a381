package main

// "service export" and "client notify" take their subsystems from an
// inventory file, or from the server itself: the same session flags as
// the other client and service verbs (--ssh or --local, the admin user,
// sudo), connect.Inventory read through it, and the one conversion of the
// connect flow's subsystems into the Catalogue's (catalogue.Of), which the
// inventory file goes through too.

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect/catalogue"
)

// liveOpts are the session flags of a verb that may read the server.
type liveOpts struct{ serverOpts }

// register adds the session flags and a timeout of their own.
func (o *liveOpts) register(fs *flag.FlagSet) {
	o.fs = fs
	o.registerSession(fs)
	// The one --timeout text of the catalogue (cli.opt.timeout).
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up after `DURATION` (waiting for approval: see register --wait-timeout)")
}

// given: --ssh, --hosts or --local asks for the server to be read.
func (o *liveOpts) given() bool {
	return len(o.ssh.targets) > 0 || o.ssh.hostsFile != "" || o.local
}

// check sees the session flags are whole and consistent, before any
// connection or file is touched.
func (o *liveOpts) check(lang string) error {
	o.lang, o.ssh.lang = lang, lang
	if o.local {
		if err := localConflict(o.fs); err != nil {
			return err
		}
		return nil
	}
	return o.ssh.checkFiles()
}

// read reads the secrets the flags ask for from stdin (SSH, sudo, admin:
// install's order; the caller's own, such as the SMTP password, follow
// on the returned reader), opens a session with the connect flow's roles
// and reads the server's subsystems with their services. The caller has
// set up the run's log.
func (o *liveOpts) read(stdin io.Reader, stderr io.Writer) ([]enroll.CatalogueSubsystem, io.Reader, error) {
	o.stderr, o.roles = stderr, connect.Roles
	if err := o.readFirstSecrets(stdin); err != nil {
		return nil, stdin, err
	}
	if err := o.askAdmin(); err != nil {
		return nil, o.in, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	s, hangUp, err := o.open(ctx, stderr)
	if err != nil {
		return nil, o.in, err
	}
	defer hangUp()
	subs, err := connect.Inventory(ctx, s.API())
	if err != nil {
		key, data := configure.Explain(err)
		return nil, o.in, failed(o.lang, err).as(key, data)
	}
	return catalogue.Of(subs), o.in, nil
}

// readInventory reads an inventory file: a JSON array of the connect
// flow's subsystems (field names as Go writes them, any case), as
// connect.Inventory returns them.
func readInventory(path string) ([]enroll.CatalogueSubsystem, error) {
	data, err := readcap.ReadFile(path, readcap.Record)
	if err != nil {
		return nil, &fileErr{op: "read", path: path, err: err}
	}
	var inv []connect.Subsystem
	if err := json.Unmarshal(data, &inv); err != nil {
		return nil, errKey("cli.export.err_inventory", map[string]any{"File": path, "Error": i18n.Line(err.Error(), 200)})
	}
	return catalogue.Of(inv), nil
}
