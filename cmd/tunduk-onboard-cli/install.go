package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	ob "github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

type installOpts struct {
	ssh                sshFlags
	timeout            time.Duration // the readiness check's, after the login
	stepTimeout        time.Duration // a long step's, from its launch (installer.Runner.StepTimeout)
	local              bool
	dryRun             bool
	packagesDir        string
	adminUser          string
	adminNetwork       string
	isNetwork          string
	tokenOnServer      bool
	force              bool
	adminPasswordStdin bool
	sudoPasswordStdin  bool
	profile            string
	profileClass       string // the loaded profile's install.profile_class
	format             string
	lang               string
	verbose            bool

	// api is where the final check finds the admin API and the jar on
	// the host (zero: xroad.DefaultAdminAPI); tune adjusts the runner.
	// Tests set both: this machine must never get the real plan.
	api  xroad.AdminAPI
	tune func(*installer.Runner)
}

// runInstall checks the host, plans the install of the security server
// and either prints the plan (--dry-run) or applies it (install_run.go):
// on a server over SSH, or with --local on this computer itself, through
// the same plan and runner.
//
// Standard input, when secrets are asked for there, holds one per line in
// this order: the SSH password (--password-stdin), the sudo password
// (--sudo-password-stdin), the admin password (--admin-password-stdin).
func runInstall(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o installOpts
	fs := o.flags(stderr)
	fail := func(err error) error { return cannot(o.lang, err) }
	if err := parseFlags(fs, args, "secrets"); err != nil {
		return flagErr(err, fail)
	}
	if !oneOf(o.format, "text", "json") {
		return fail(badFormat(o.format, "text", "json"))
	}
	if err := checkLang(o.lang); err != nil {
		return fail(err)
	}
	if err := checkTimeout(o.timeout); err != nil {
		return fail(err)
	}
	if err := checkTimeout(o.stepTimeout); err != nil {
		return fail(err)
	}
	o.ssh.lang = o.lang
	if err := absPackagesDir(&o.packagesDir); err != nil {
		return fail(err)
	}
	var target remote.Target
	where := "localhost" // the host as the messages and the JSON name it
	if o.local {
		if err := localConflict(fs); err != nil {
			return fail(err)
		}
		// Said before any secret is asked: this computer cannot be the
		// security server.
		if err := installer.ThisMachine().Check(true); err != nil {
			return cannot(o.lang, err).saying(explainInstall(o.lang, err).text())
		}
	} else {
		targets, err := o.ssh.allTargets()
		if err != nil {
			return fail(err)
		}
		if len(targets) != 1 {
			return fail(errKey("cli.err.one_target", map[string]any{"Verb": "install", "Got": len(targets)}))
		}
		target = targets[0]
		where = target.String()
	}
	// One buffered reader for every secret: readSecrets wraps stdin with
	// bufio.NewReader, which returns a *bufio.Reader of this size as is, so
	// the later lines are not lost in a discarded buffer.
	in := bufio.NewReaderSize(stdin, 4096)
	if err := o.ssh.readSecrets(in); err != nil {
		return fail(err)
	}
	var sudoPassword, adminPassword string
	var err error
	if o.sudoPasswordStdin {
		if sudoPassword, err = stdinLine(in, "--sudo-password-stdin", secretSudo); err != nil {
			return fail(err)
		}
	}
	if o.adminPasswordStdin {
		if adminPassword, err = stdinLine(in, "--admin-password-stdin", secretAdmin); err != nil {
			return fail(err)
		}
	}
	_, closeLog := setupLog(o.verbose, o.lang, stderr)
	defer closeLog()
	profile, err := loadProfile(o.profile)
	if err != nil {
		return fail(err)
	}
	o.profileClass = profile.Install.ProfileClass
	if !o.dryRun && adminPassword == "" {
		// Asked before connecting, so a long check is not wasted on a
		// missing password.
		if adminPassword, err = promptNewPassword(o.lang, o.adminUser); err != nil {
			return fail(err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cfg remote.Config
	var rep *checks.Report
	sshPort := target.Port
	if o.local {
		rep, err = checks.Check(ctx, checks.Target{Host: where, Local: true}, checks.CollectLocal, profile, checks.Options{}, nil)
		sshPort = installer.ThisMachine().SSHPort()
	} else {
		if cfg, err = o.ssh.config(target, stderr); err != nil {
			return fail(err)
		}
		rep, err = checkOne(ctx, cfg, profile, checks.Options{}, o.timeout, nil)
	}
	if err != nil {
		return cannot(o.lang, err).saying(where + ": " + explain(err, o.lang))
	}
	hostname, address := installer.HostFacts(rep.Facts)
	opt := installer.Options{
		AdminUser:     o.adminUser,
		AdminPassword: adminPassword,
		AdminNetwork:  o.adminNetwork,
		ISNetwork:     o.isNetwork,
		PackagesDir:   o.packagesDir,
		TokenOnServer: o.tokenOnServer,
		Force:         o.force,
		Hostname:      hostname,
		Address:       address,
		SSHPort:       sshPort,
		DryRun:        o.dryRun,
		Local:         o.local,
	}
	// The plan's own validation, each problem in --lang.
	if errs := installer.ValidateOptions(opt, rep); len(errs) > 0 {
		var all []error
		for _, e := range errs {
			all = append(all, cannot(o.lang, nil).as(e.Key, e.Data))
		}
		return errors.Join(all...)
	}
	steps, err := installer.Plan(profile, rep, opt)
	if err != nil {
		m := explainInstall(o.lang, err)
		ue := cannot(o.lang, err)
		var rules []string
		if m.key == "installer.err.readiness" {
			// A server failing the readiness check: exit 1, as check does.
			ue.code = exitFailed
			for _, r := range installer.FailedRules(rep) {
				rules = append(rules, fmt.Sprintf("  [%s] %s: %s", checks.Mark(o.lang, checks.Fail), r.Title.In(o.lang), r.Observed.In(o.lang)))
			}
		}
		return ue.saying(where + ": " + m.text(rules...))
	}
	if !o.dryRun {
		h := installHost{name: where, local: o.local, conn: func(context.Context) (remote.Host, error) { return &remote.Local{}, nil },
			version: profile.XRoad.Version}
		server := ob.Server{Local: true}
		if !o.local {
			server = ob.Server{Host: cfg.Target.Host, Port: cfg.Target.Port, User: cfg.Target.User}
		}
		h.record = newInstallRecord(o.lang, stderr, server)
		h.record.readiness(rep, o.force)
		if !o.local {
			h.login = sshLogin(cfg.Target)
			h.conn = func(ctx context.Context) (remote.Host, error) {
				c, err := remote.Dial(ctx, cfg)
				if err != nil {
					return nil, err // not a nil *Client in a non-nil Host
				}
				return c, nil
			}
		}
		return runPlan(ctx, cancel, &o, h, steps, sudoPassword, stdout, stderr)
	}
	if o.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(map[string]any{
			"schema":  "tunduk-onboard.install-plan/v1",
			"host":    where,
			"dry_run": true,
			"steps":   installer.MaskSteps(steps),
		})
	} else {
		_, err = fmt.Fprintf(stdout, "%s\n%s", where, installer.DryRun(steps, o.lang))
	}
	if err != nil {
		return fail(err)
	}
	return nil
}

// absPackagesDir refuses a --packages-dir without .deb files and makes
// it absolute (the runner and the Ansible export name it from elsewhere).
func absPackagesDir(dir *string) error {
	if *dir == "" {
		return nil
	}
	debs, err := filepath.Glob(filepath.Join(*dir, "*.deb"))
	if err != nil || len(debs) == 0 {
		return errKey("cli.err.packages_dir", map[string]any{"Dir": *dir})
	}
	*dir, err = filepath.Abs(*dir)
	return err
}

// flags is the flag set of install, its help written to w.
func (o *installOpts) flags(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	fs.SetOutput(w)
	o.ssh.register(fs, "install on `USER@HOST[:PORT]`, reached over SSH")
	fs.DurationVar(&o.timeout, "timeout", checks.DefaultProbeTimeout, "give up on a server that has not answered the readiness check `DURATION` after the login")
	fs.DurationVar(&o.stepTimeout, "step-timeout", installer.DefaultStepTimeout, "stop a long step (installing packages) still running `DURATION` after its launch; a new run starts it again")
	fs.BoolVar(&o.local, "local", false, "install on this computer itself (as root, through sudo when needed), without SSH")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the plan (every command, secrets masked) and change nothing")
	fs.StringVar(&o.packagesDir, "packages-dir", "", "local `DIR` of .deb files to upload and use as the repository (servers without internet)")
	fs.StringVar(&o.adminUser, "admin-user", "xrdadmin", "`NAME` of the X-Road admin user to create")
	fs.BoolVar(&o.adminPasswordStdin, "admin-password-stdin", false, "read the admin user's password from standard input (else asked on the terminal)")
	fs.BoolVar(&o.sudoPasswordStdin, "sudo-password-stdin", false, "read the sudo password from standard input (else asked on the terminal when sudo needs one)")
	fs.StringVar(&o.adminNetwork, "admin-network", "", "`CIDR` allowed to reach the admin UI on 4000 (default: closed; use an SSH tunnel)")
	fs.StringVar(&o.isNetwork, "is-network", "", "`CIDR` of the information systems allowed to reach 8080/8443 (default: closed)")
	fs.BoolVar(&o.tokenOnServer, "token-on-server", false, "install hardware token support (Rutoken) on the server")
	fs.BoolVar(&o.force, "force", false, "go on although the readiness check failed (the override is recorded in the plan)")
	fs.StringVar(&o.profile, "profile", "", "operator profile `FILE` (default: the embedded Tunduk profile)")
	fs.StringVar(&o.format, "format", "text", "output: text, or json (the plan; with a run, one JSON event per line)")
	fs.StringVar(&o.lang, "lang", defaultLang(), "language of the help, prompts, messages and text output: en, ru or ky")
	fs.BoolVar(&o.verbose, "verbose", false, "print the steps' own output and debug details to standard error too")
	fs.Usage = verbHelp(w, fs, "tunduk-onboard-cli install --ssh USER@HOST[:PORT] | --local [--dry-run] [FLAGS]")
	return fs
}

// The secrets read from standard input, as stdinLine names them
// (cli.secret.<name>).
const (
	secretSSH   = "ssh"
	secretSudo  = "sudo"
	secretAdmin = "admin"
	secretPIN   = "pin"
	// status's alerts
	secretBotToken = "bot_token"
)

// stdinLine reads one secret line; flag names the option that asked and
// what the secret (secretSudo...). The error never holds the line.
func stdinLine(in *bufio.Reader, flagName, what string) (string, error) {
	line, err := in.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", errKey("cli.err.stdin_read", map[string]any{"Flag": flagName})
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", &stdinErr{flag: flagName, what: what}
	}
	return line, nil
}

// stdinErr is standard input without the line a --*-stdin flag asked for.
type stdinErr struct{ flag, what string }

func (e *stdinErr) Error() string { return e.In("en") }
func (e *stdinErr) In(lang string) string {
	return i18n.T(lang, "cli.err.stdin_empty", map[string]any{"Flag": e.flag, "What": i18n.T(lang, "cli.secret."+e.what, nil)})
}
