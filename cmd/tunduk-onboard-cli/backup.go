package main

// `backup`: the security server's configuration backups through its
// admin API (xroad/backup): list, create, download, restore. And the
// backup every verb that changes a server takes first (beforeChange),
// unless --no-backup.

import (
	"context"
	"errors"
	"flag"
	"io"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/backup"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

// registerBackup adds the flags of a verb that changes the server.
func (o *serverOpts) registerBackup(fs *flag.FlagSet) {
	fs.BoolVar(&o.noBackup, "no-backup", false, "change the server without a backup first (by default one is made on the server, downloaded and checked before any change)")
	o.registerBackupDir(fs)
}

func (o *serverOpts) registerBackupDir(fs *flag.FlagSet) {
	fs.StringVar(&o.backupDir, "backup-dir", "", "keep backups in `DIR`, a folder per server (default: tunduk-onboard/backups in the user's configuration folder)")
}

// store is where backups are kept: --backup-dir, else the default, with
// the profile's backups.keep.
func (o *serverOpts) store() (backup.Store, error) {
	dir := o.backupDir
	if dir == "" {
		d, err := backup.DefaultDir()
		if err != nil {
			return backup.Store{}, err
		}
		dir = d
	}
	return backup.Store{Dir: dir, Keep: o.prof.BackupKeep()}, nil
}

// serverStore is the server's ID (refused when it is not initialised:
// nothing to back up) and where its backups are kept.
func (o *serverOpts) serverStore(ctx context.Context, s *configure.Session) (string, backup.Store, error) {
	id, err := backup.Initialised(ctx, s.API())
	if err != nil {
		return "", backup.Store{}, err
	}
	st, err := o.store()
	return id, st, err
}

// beforeChange takes the backup before a change (backup.BeforeChange)
// and says so; --no-backup says the change goes without one. A failure
// stops the verb before anything changes.
func (o *serverOpts) beforeChange(ctx context.Context, api *xroad.Client, out *serverOut) error {
	if o.noBackup {
		out.set("backup", map[string]any{"skipped": "no-backup"})
		out.line("cli.backup.off", nil)
		return nil
	}
	st, err := o.store()
	if err != nil {
		return err
	}
	sv, err := backup.BeforeChange(ctx, api, st)
	if err != nil {
		return err
	}
	out.set("backup", sv)
	if sv.Skipped {
		out.line("cli.backup.nothing_yet", nil)
		return nil
	}
	o.savedLines(out, sv)
	return nil
}

// firstChange is beforeChange for a verb that sends its changes one by
// one (service grant to several subjects, client tls import of several
// files): called before each, it takes the backup before the first only.
// A verb whose work is done already never calls it, and so takes none.
func (o *serverOpts) firstChange(ctx context.Context, api *xroad.Client, out *serverOut) error {
	if o.backedUp {
		return nil
	}
	if err := o.beforeChange(ctx, api, out); err != nil {
		return err
	}
	o.backedUp = true
	return nil
}

// runner is a connect.Runner whose single calls take the backup before
// their first change (firstChange).
func (o *serverOpts) runner(api *xroad.Client, out *serverOut, ignoreWarnings bool) *connect.Runner {
	return &connect.Runner{API: api, Host: o.h, IgnoreWarnings: ignoreWarnings,
		Before: func(ctx context.Context) error { return o.firstChange(ctx, api, out) }}
}

// savedLines tells a backup saved and checked, and the old copies gone.
func (o *serverOpts) savedLines(out *serverOut, sv backup.Saved) {
	out.line("cli.backup.saved", map[string]any{"Name": sv.Backup.Filename, "Path": sv.Path, "Size": sv.Size, "SHA256": sv.SHA256})
	switch {
	case sv.Check.Encrypted:
		out.line("cli.backup.checked_encrypted", nil)
	default:
		out.line("cli.backup.checked", map[string]any{"Server": sv.Check.Server, "Entries": sv.Check.Entries})
	}
	for _, p := range sv.Pruned {
		out.line("cli.backup.pruned", map[string]any{"Name": p})
	}
}

// backupVerb is one verb of the group: its flags and its work once the
// session is open.
type backupVerb struct {
	name  string
	flags func(o *serverOpts, fs *flag.FlagSet)
	// before checks the verb's flags and reads its secrets, before any
	// connection.
	before func(o *serverOpts) error
	run    func(ctx context.Context, o *serverOpts, s *configure.Session, out *serverOut) error
}

func backupVerbs() map[string]backupVerb {
	var name, confirm string
	var pinStdin, hwPINStdin bool
	var pins backup.PINs
	named := func(o *serverOpts, fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the backup's file `NAME` on the server, as backup list shows it")
	}
	return map[string]backupVerb{
		"list": {name: "list", run: runBackupList},
		"create": {name: "create", run: func(ctx context.Context, o *serverOpts, s *configure.Session, out *serverOut) error {
			id, st, err := o.serverStore(ctx, s)
			if err != nil {
				return err
			}
			sv, err := backup.CreateAndDownload(ctx, s.API(), st, id)
			if err != nil {
				return err
			}
			out.set("backup", sv)
			o.savedLines(out, sv)
			return nil
		}},
		"download": {name: "download", flags: named, run: func(ctx context.Context, o *serverOpts, s *configure.Session, out *serverOut) error {
			return runBackupDownload(ctx, o, s, out, name)
		}},
		"restore": {name: "restore", flags: func(o *serverOpts, fs *flag.FlagSet) {
			named(o, fs)
			fs.StringVar(&confirm, "confirm", "", "the backup's file `NAME` typed again: the restore replaces the server's configuration (else asked on the terminal)")
			fs.BoolVar(&pinStdin, "pin-stdin", false, "read the software token PIN from standard input, to log it in again after the restore (else asked on the terminal when it is logged in now)")
			fs.BoolVar(&hwPINStdin, "hw-pin-stdin", false, "read the hardware token's PIN from standard input, to log it in again after the restore (else asked on the terminal when it is logged in now)")
			fs.BoolVar(&o.noBackup, "no-backup", false, "restore without a backup of the configuration as it is now (by default one is made and downloaded first)")
		}, before: func(o *serverOpts) error {
			if err := needName(name); err != nil {
				return err
			}
			if confirm != "" {
				// Refused before connecting; Restore checks it again.
				if err := backup.Confirmed(name, confirm); err != nil {
					return err
				}
			}
			pins = backup.PINs{}
			var err error
			if pinStdin {
				pins[xroad.SoftwareTokenID], err = o.askPIN(true, false, "--pin-stdin", "soft")
			}
			if err == nil && hwPINStdin {
				pins[hwPIN], err = o.askPIN(true, false, "--hw-pin-stdin", "hw")
			}
			return err
		}, run: func(ctx context.Context, o *serverOpts, s *configure.Session, out *serverOut) error {
			return runBackupRestore(ctx, o, s, out, name, confirm, pinStdin, hwPINStdin, pins)
		}},
	}
}

// hwPIN is the PINs' key of the hardware token's PIN until the token is
// known (runBackupRestore puts it under the token's ID).
const hwPIN = "hw"

// needName checks --name: one X-Road lists (a file name, no path).
func needName(name string) error {
	if name == "" {
		return errKey("cli.backup.name_needed", nil)
	}
	if !backup.ValidName(name) {
		return &backup.Error{Key: "backup.err.name", Data: map[string]any{"Name": name}}
	}
	return nil
}

func runBackup(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	verbs := map[string]func([]string, io.Reader, io.Writer, io.Writer) error{}
	for n, v := range backupVerbs() {
		verbs[n] = v.main
	}
	return dispatchGroup("backup", verbs, backupUsage, args, stdin, stdout, stderr)
}

// backupUsage is the help of backup, in lang.
func backupUsage(w io.Writer, lang string) {
	printUsage(w, lang, "tunduk-onboard-cli backup list|create|download|restore --ssh USER@HOST[:PORT] | --local [FLAGS]", "cli.help.backup")
}

// flagSet is the verb's flags: the session's, how it runs, where backups
// are kept, and its own.
func (v backupVerb) flagSet(o *serverOpts, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("backup "+v.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.stderr, o.fs = stderr, fs
	o.registerSession(fs)
	o.registerRun(fs)
	o.registerBackupDir(fs)
	if v.flags != nil {
		v.flags(o, fs)
	}
	fs.Usage = verbHelp(stderr, fs, "tunduk-onboard-cli backup "+v.name+" --ssh USER@HOST[:PORT] | --local [FLAGS]")
	return fs
}

func (v backupVerb) main(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o := &serverOpts{}
	fs := v.flagSet(o, stderr)
	out := newServerOut(o, "backup."+v.name, stdout, stderr)
	out.set("schema", "tunduk-onboard.backup/v1")
	if err := o.parse(fs, args); err != nil {
		return flagErr(err, out.cannot)
	}
	if err := o.readFirstSecrets(stdin); err != nil {
		return out.cannot(err)
	}
	if v.before != nil {
		if err := v.before(o); err != nil {
			return out.cannot(err)
		}
	}
	ctx, s, hangUp, err := o.loginSession(stderr)
	if err != nil {
		return out.cannot(err)
	}
	defer hangUp()
	if err := v.run(ctx, o, s, out); err != nil {
		var be *backup.Error
		if errors.As(err, &be) && oneOf(be.Key, "backup.err.confirm", "backup.err.pin_needed", "backup.err.not_initialized") {
			return out.cannot(err) // nothing was done: as a refused input
		}
		return out.failed(err)
	}
	return out.ok()
}

func runBackupList(ctx context.Context, o *serverOpts, s *configure.Session, out *serverOut) error {
	st, err := o.store()
	if err != nil {
		return err
	}
	l, err := backup.List(ctx, s.API(), st)
	if err != nil {
		return err
	}
	out.set("server", l.Server)
	out.set("on_server", l.OnServer)
	out.set("local", l.Local)
	here := map[string]string{}
	for _, b := range l.Local {
		here[b.Name] = b.State
	}
	out.line("cli.backup.on_server", map[string]any{"N": len(l.OnServer)})
	for _, b := range l.OnServer {
		mark := textOf(o.lang, "cli.backup.not_here")
		if state, ok := here[b.Filename]; ok {
			mark = textOf(o.lang, "cli.backup.state."+state)
		}
		out.line("cli.backup.server_row", map[string]any{"Name": b.Filename, "Created": b.CreatedAt, "Here": mark})
	}
	if l.Server == "" {
		out.line("cli.backup.nothing_yet", nil)
		return nil
	}
	out.line("cli.backup.local", map[string]any{"N": len(l.Local), "Dir": st.ServerFolder(l.Server)})
	for _, b := range l.Local {
		out.line("cli.backup.local_row", map[string]any{"Name": b.Name, "Size": b.Size,
			"State": textOf(o.lang, "cli.backup.state."+b.State)})
	}
	return nil
}

// runBackupDownload fetches --name, or the server's newest backup.
func runBackupDownload(ctx context.Context, o *serverOpts, s *configure.Session, out *serverOut, name string) error {
	id, st, err := o.serverStore(ctx, s)
	if err != nil {
		return err
	}
	var b xroad.Backup
	if name == "" {
		b, err = backup.Newest(ctx, s.API())
	} else {
		b, err = backup.Find(ctx, s.API(), name)
	}
	if err != nil {
		return err
	}
	sv, err := backup.Download(ctx, s.API(), st, id, b)
	if err != nil {
		return err
	}
	out.set("backup", sv)
	o.savedLines(out, sv)
	return nil
}

// runBackupRestore asks what it needs (the typed name, the PINs of the
// tokens logged in now), takes a backup of the configuration as it is,
// then restores and logs the tokens in again.
func runBackupRestore(ctx context.Context, o *serverOpts, s *configure.Session, out *serverOut, name, typed string, pinStdin, hwPINStdin bool, pins backup.PINs) error {
	id, err := backup.Initialised(ctx, s.API())
	if err != nil {
		return err
	}
	if typed == "" {
		t, err := promptTTY(i18n.T(o.lang, "cli.backup.confirm_prompt", map[string]any{"Name": name, "Server": id}))
		if err != nil && !errors.Is(err, errNoTTY) {
			return err
		}
		typed = t
	}
	if err := backup.Confirmed(name, typed); err != nil {
		return err
	}
	toks, err := s.API().Tokens(ctx)
	if err != nil {
		return err
	}
	for _, t := range toks {
		if !t.LoggedIn {
			continue
		}
		soft := t.ID == xroad.SoftwareTokenID
		switch {
		case soft && !pinStdin:
			pins[t.ID], err = o.askPIN(false, false, "--pin-stdin", "soft")
		case !soft && !hwPINStdin:
			pins[t.ID], err = o.askPIN(false, false, "--hw-pin-stdin", "hw")
		case !soft:
			pins[t.ID] = pins[hwPIN]
		}
		if err != nil {
			return &backup.Error{Key: "backup.err.pin_needed", Data: map[string]any{"Token": t.Name, "Hardware": !soft}, Err: err}
		}
	}
	if err := o.beforeChange(ctx, s.API(), out); err != nil {
		return err
	}
	r, err := backup.Restore(ctx, s, name, typed, pins, out.progress)
	out.set("restore", r)
	if err != nil {
		return err
	}
	out.line("cli.backup.restored", map[string]any{"Name": name, "Server": id})
	return nil
}
