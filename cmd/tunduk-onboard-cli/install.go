package main

import (
	"bufio"
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

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/internal/logging"
)

type installOpts struct {
	ssh                sshFlags
	dryRun             bool
	packagesDir        string
	adminUser          string
	adminNetwork       string
	isNetwork          string
	tokenOnServer      bool
	force              bool
	adminPasswordStdin bool
	profile            string
	format             string
	lang               string
	verbose            bool
}

// runInstall plans the install of the security server on one host. This
// increment only prints the plan (--dry-run); the runner comes next.
//
// Standard input, when secrets are asked for, holds one per line in this
// order: the SSH password (--password-stdin), then the admin password
// (--admin-password-stdin).
func runInstall(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o installOpts
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.ssh.register(fs)
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the plan (every command, secrets masked) and change nothing")
	fs.StringVar(&o.packagesDir, "packages-dir", "", "local `DIR` of .deb files to upload and use as the repository (servers without internet)")
	fs.StringVar(&o.adminUser, "admin-user", "xrdadmin", "`NAME` of the X-Road admin user to create")
	fs.BoolVar(&o.adminPasswordStdin, "admin-password-stdin", false, "read the admin user's password from standard input (the line after the SSH password when --password-stdin is given too)")
	fs.StringVar(&o.adminNetwork, "admin-network", "", "`CIDR` allowed to reach the admin UI on 4000 (default: closed; use an SSH tunnel)")
	fs.StringVar(&o.isNetwork, "is-network", "", "`CIDR` of the information systems allowed to reach 8080/8443 (default: closed)")
	fs.BoolVar(&o.tokenOnServer, "token-on-server", false, "install hardware token support (Rutoken) on the server")
	fs.BoolVar(&o.force, "force", false, "go on although the readiness check failed (the override is recorded in the plan)")
	fs.StringVar(&o.profile, "profile", "", "operator profile `FILE` (default: the embedded Tunduk profile)")
	fs.StringVar(&o.format, "format", "text", "plan format: text or json")
	fs.StringVar(&o.lang, "lang", defaultLang(), "language: en, ru or ky")
	fs.BoolVar(&o.verbose, "verbose", false, "log debug details to standard error too")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: tunduk-onboard-cli install --ssh USER@HOST[:PORT] --dry-run [FLAGS]

Plans the install of the X-Road Security Server on one host. Only --dry-run
is available yet: it checks the host, builds the plan and prints it.
Secrets on standard input, one per line: the SSH password first
(--password-stdin), then the admin password (--admin-password-stdin).

Flags:`)
		fs.PrintDefaults()
	}
	fail := func(err error) int { fmt.Fprintln(stderr, "error:", err); return exitCannot }
	if err := parseFlags(fs, args, "secrets"); err != nil {
		return flagExit(err, fail)
	}
	if !o.dryRun {
		return fail(errors.New("the installer runner is not built yet; use --dry-run"))
	}
	if !oneOf(o.format, "text", "json") {
		return fail(fmt.Errorf("--format %q: use text or json", o.format))
	}
	if err := checkLang(o.lang); err != nil {
		return fail(err)
	}
	if o.packagesDir != "" {
		debs, err := filepath.Glob(filepath.Join(o.packagesDir, "*.deb"))
		if err != nil || len(debs) == 0 {
			return fail(fmt.Errorf("--packages-dir %s holds no .deb files", o.packagesDir))
		}
		if o.packagesDir, err = filepath.Abs(o.packagesDir); err != nil {
			return fail(err)
		}
	}
	targets, err := o.ssh.allTargets()
	if err != nil {
		return fail(err)
	}
	if len(targets) != 1 {
		return fail(fmt.Errorf("install needs exactly one --ssh USER@HOST[:PORT], got %d", len(targets)))
	}
	// One buffered reader for every secret: readSecrets wraps stdin with
	// bufio.NewReader, which returns a *bufio.Reader of this size as is, so
	// the admin password line is not lost in a discarded buffer.
	in := bufio.NewReaderSize(stdin, 4096)
	if err := o.ssh.readSecrets(in); err != nil {
		return fail(err)
	}
	var adminPassword string
	if o.adminPasswordStdin {
		line, err := in.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fail(fmt.Errorf("--admin-password-stdin: %w", err))
		}
		if adminPassword = strings.TrimRight(line, "\r\n"); adminPassword == "" {
			return fail(errors.New("--admin-password-stdin: standard input held no admin password"))
		}
	}
	_, closeLog, err := logging.Setup("cli", o.verbose)
	if err != nil {
		fmt.Fprintln(stderr, "warning: no log file:", err)
	}
	defer closeLog()
	profile, err := loadProfile(o.profile)
	if err != nil {
		return fail(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, err := o.ssh.config(targets[0], stderr)
	if err != nil {
		return fail(err)
	}
	rep, err := checkOne(ctx, cfg, profile, checks.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", targets[0], explain(err, o.lang))
		return exitCannot
	}
	hostname, address := installer.HostFacts(rep.Facts)
	steps, err := installer.Plan(profile, rep, installer.Options{
		AdminUser:     o.adminUser,
		AdminPassword: adminPassword,
		AdminNetwork:  o.adminNetwork,
		ISNetwork:     o.isNetwork,
		PackagesDir:   o.packagesDir,
		TokenOnServer: o.tokenOnServer,
		Force:         o.force,
		Hostname:      hostname,
		Address:       address,
		SSHPort:       targets[0].Port,
		DryRun:        o.dryRun,
	})
	var pe *installer.PreflightError
	if errors.As(err, &pe) {
		fmt.Fprintf(stderr, "%s: %s\n", targets[0], err)
		for _, r := range pe.Failed {
			fmt.Fprintf(stderr, "  [FAIL] %s: %s\n", r.Title.In(o.lang), r.Observed.In(o.lang))
		}
		return exitFailed
	}
	if err != nil {
		return fail(err)
	}
	if o.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(map[string]any{
			"schema":  "tunduk-onboard.install-plan/v1",
			"host":    targets[0].String(),
			"dry_run": true,
			"steps":   installer.MaskSteps(steps),
		})
	} else {
		_, err = fmt.Fprintf(stdout, "%s\n%s", targets[0], installer.DryRun(steps, o.lang))
	}
	if err != nil {
		return fail(err)
	}
	return exitOK
}
