package main

// support-bundle: one archive for the operator's help desk (issue 16),
// made by health/bundle: the reports named, the versions, the install
// journal, this program's logs and, with --ssh or --local, the tails of
// X-Road's service logs (health.ServiceLogs), every file scanned for
// secrets first.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/health/bundle"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/internal/logging"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

type bundleOpts struct {
	out, report, health, journal, lang string
	verbose                            bool
	ssh                                sshFlags
	local, sudoPasswordStdin           bool
	logLines                           int
	profile                            string
	timeout                            time.Duration
}

func (o *bundleOpts) flags(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("support-bundle", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&o.out, "out", "", "write the archive to `FILE` (.tar.gz)")
	fs.StringVar(&o.report, "report", "", "add the readiness report `FILE` (check --output)")
	fs.StringVar(&o.health, "health", "", "add the health report `FILE` (JSON)")
	fs.StringVar(&o.journal, "journal", "", "add the install journal `FILE` (default: the installer's on this computer, when there is one)")
	fs.StringVar(&o.lang, "lang", defaultLang(), "language of the help, prompts, messages and text output: en, ru or ky")
	fs.BoolVar(&o.verbose, "verbose", false, "log debug details to standard error too")
	o.ssh.register(fs, "add the tails of X-Road's logs of the security server `USER@HOST[:PORT]`, reached over SSH")
	fs.BoolVar(&o.local, "local", false, "add the tails of X-Road's logs of this computer, the security server itself")
	fs.BoolVar(&o.sudoPasswordStdin, "sudo-password-stdin", false, "read the sudo password from standard input (X-Road's logs are read as root; without a way to root, as the login user)")
	fs.IntVar(&o.logLines, "log-lines", health.DefaultLogLines, "the last `N` lines of each X-Road log and journal (each at most 256 KiB)")
	fs.StringVar(&o.profile, "profile", "", "operator profile `FILE` (default: the embedded Tunduk profile): its units' journals are read")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up reading the server's logs after `DURATION`")
	fs.Usage = verbHelp(w, fs, "tunduk-onboard-cli support-bundle --out FILE [--report FILE] [--health FILE] [--journal FILE] [--ssh USER@HOST[:PORT] | --local]")
	return fs
}

func runBundle(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o bundleOpts
	set := o.flags(stderr)
	fail := func(err error) *userError { return cannot(o.lang, err) }
	if err := parseFlags(set, args, "secrets"); err != nil {
		return flagErr(err, func(err error) error { return fail(err) })
	}
	if err := checkLang(o.lang); err != nil {
		return fail(err)
	}
	if strings.TrimSpace(o.out) == "" {
		return fail(errors.New("no --out")).as("cli.bundle.err_out", nil)
	}
	if o.local {
		if err := localConflict(set); err != nil {
			return fail(err)
		}
	}
	if o.logLines < 1 || o.logLines > health.MaxLogLines {
		return fail(errKey("cli.bundle.err_log_lines", map[string]any{"Max": health.MaxLogLines}))
	}
	_, closeLog, err := logging.Setup("cli", o.verbose)
	if err != nil {
		fmt.Fprintln(stderr, "warning: no log file:", err)
	}
	defer closeLog()

	in := bundle.Input{Versions: bundle.Versions("tunduk-onboard-cli")}
	read := func(path string, limit int64) ([]byte, error) {
		if path == "" {
			return nil, nil
		}
		b, err := readcap.ReadFile(path, limit)
		if err != nil {
			return nil, fail(&fileErr{op: "read", path: path, err: err})
		}
		return b, nil
	}
	if in.Readiness, err = read(o.report, readcap.Report); err != nil {
		return err
	}
	if in.Health, err = read(o.health, readcap.Report); err != nil {
		return err
	}
	journal := o.journal
	if journal == "" {
		// On the server itself the installer's journal is at hand.
		if _, err := os.Stat(installer.DefaultJournalPath); err == nil {
			journal = installer.DefaultJournalPath
		}
	}
	if in.Journal, err = read(journal, readcap.Record); err != nil {
		var fe *fileErr
		if o.journal != "" || !errors.As(err, &fe) || !errors.Is(fe.err, fs.ErrPermission) {
			return err
		}
		in.Journal = nil // not ours to read (root's): left out, not a failure
	}
	if dir, err := logging.Dir(); err == nil {
		in.LogDir = dir
	}
	if err := o.serviceLogs(&in, stdin, stderr); err != nil {
		return fail(err)
	}
	m, err := bundle.Write(o.out, in)
	if err != nil {
		return fail(&fileErr{op: "write", path: o.out, err: err})
	}
	logrus.WithFields(logrus.Fields{"file": o.out, "files": len(m.Files), "redactions": len(m.Redactions)}).Info("support bundle written")
	wrote(stderr, o.lang, "cli.bundle.written", o.out)
	fmt.Fprintln(stderr, i18n.T(o.lang, "cli.bundle.redacted", map[string]any{"Count": len(m.Redactions)}))
	for _, r := range m.Redactions {
		fmt.Fprintf(stderr, "  %s:%d %s\n", r.File, r.Line, r.Kind)
	}
	return nil
}
