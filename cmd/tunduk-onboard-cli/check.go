package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/logging"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"golang.org/x/term"
)

// collectLocal gathers this machine's facts; the golden tests give fixed
// ones, so their output is the same on every machine.
var collectLocal checks.Collector = checks.CollectLocal

// maxParallel bounds concurrent SSH checks: enough for a rack of servers
// without exhausting file descriptors or the jump host's MaxSessions.
const maxParallel = 32

type checkOpts struct {
	ssh      sshFlags
	publicIP string
	profile  string
	format   string
	output   string
	lang     string
	verbose  bool
}

// flags is the flag set of check, its help written to w.
func (o *checkOpts) flags(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(w)
	o.ssh.register(fs, "check `USER@HOST[:PORT]` over SSH (repeatable)")
	fs.StringVar(&o.publicIP, "public-ip", "", "the public `ADDR` a NAT forwards to the server, when the server holds only a private address")
	fs.StringVar(&o.profile, "profile", "", "operator profile `FILE` (default: the embedded Tunduk profile)")
	fs.StringVar(&o.format, "format", "text", "report format: text, json or html")
	fs.StringVar(&o.output, "output", "", "write the report to `FILE` (a directory for html with several hosts) instead of standard output")
	fs.StringVar(&o.lang, "lang", defaultLang(), "language of the report and of this help: en, ru or ky")
	fs.BoolVar(&o.verbose, "verbose", false, "log debug details to standard error too")
	fs.Usage = verbHelp(w, fs, "tunduk-onboard-cli check [--ssh USER@HOST[:PORT]]... [FLAGS]")
	return fs
}

// hostResult is the outcome of one target: a report or the reason none.
type hostResult struct {
	Host   string         `json:"host"`
	Report *checks.Report `json:"report,omitempty"`
	Err    error          `json:"-"`
	Error  string         `json:"error,omitempty"`
}

func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o checkOpts
	fs := o.flags(stderr)
	fail := func(err error) error { return cannot(o.lang, err) }
	if err := parseFlags(fs, args, "secrets"); err != nil {
		return flagErr(err, fail)
	}
	if !oneOf(o.format, "text", "json", "html") {
		return fail(badFormat(o.format, "text", "json", "html"))
	}
	if err := checkLang(o.lang); err != nil {
		return fail(err)
	}
	o.ssh.lang = o.lang
	if o.publicIP != "" {
		if _, err := netip.ParseAddr(o.publicIP); err != nil {
			return fail(errKey("cli.err.public_ip", map[string]any{"Value": o.publicIP}))
		}
	}
	logPath, closeLog := setupLog(o.verbose, o.lang, stderr)
	defer closeLog()
	profile, err := loadProfile(o.profile)
	if err != nil {
		return fail(err)
	}
	targets, err := o.ssh.allTargets()
	if err != nil {
		return fail(err)
	}
	if err := o.ssh.readSecrets(stdin); err != nil {
		return fail(err)
	}
	if len(targets) > 1 && o.format == "html" && o.output == "" {
		return fail(errKey("cli.err.html_hosts", nil))
	}
	logrus.WithFields(logrus.Fields{"hosts": len(targets), "profile": profile.Name + " " + profile.Version}).Info("check started")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opt := checks.Options{PublicIP: o.publicIP}
	var results []hostResult
	if len(targets) == 0 {
		rep, err := checks.Check(ctx, checks.Target{Host: "localhost", Local: true}, collectLocal, profile, opt, nil)
		results = []hostResult{{Host: "localhost", Report: rep, Err: err}}
	} else {
		results = checkRemote(ctx, targets, &o, profile, opt, stderr)
	}
	if err := write(results, &o, stdout, stderr); err != nil {
		return fail(err)
	}
	if o.verbose && logPath != "" {
		fmt.Fprintln(stderr, i18n.T(o.lang, "cli.log_file", map[string]any{"Path": logPath}))
	}
	// Text on stdout already names each failed host; other formats are for
	// machines and files, so the person reads why on stderr.
	var errs []error
	if o.format != "text" || o.output != "" {
		for _, r := range results {
			if r.Err != nil {
				errs = append(errs, cannot(o.lang, r.Err).saying(r.Host+": "+explain(r.Err, o.lang)))
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return reported(exitCode(results))
}

// checkRemote checks every target concurrently, one SSH connection each,
// and returns the results in the order the targets were given.
func checkRemote(ctx context.Context, targets []remote.Target, o *checkOpts, p *profile.Profile, opt checks.Options, stderr io.Writer) []hostResult {
	results := make([]hostResult, len(targets))
	sem := make(chan struct{}, maxParallel)
	var wg sync.WaitGroup
	var promptMu sync.Mutex // one host-key or passphrase prompt at a time
	for i, t := range targets {
		wg.Add(1)
		go func(i int, t remote.Target) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = hostResult{Host: t.String()}
			cfg, err := o.ssh.config(t, lockedWriter{&promptMu, stderr})
			if err == nil {
				results[i].Report, err = checkOne(ctx, cfg, p, opt)
			}
			results[i].Err = err
		}(i, t)
	}
	wg.Wait()
	return results
}

func checkOne(ctx context.Context, cfg remote.Config, p *profile.Profile, opt checks.Options) (*checks.Report, error) {
	log := logrus.WithField("host", cfg.Target.String())
	client, err := remote.Dial(ctx, cfg)
	if err != nil {
		log.WithError(err).Warn("connect failed")
		return nil, err
	}
	defer client.Close()
	collect := func(ctx context.Context) (*checks.Facts, error) { return checks.CollectRemote(ctx, client) }
	rep, err := checks.Check(ctx, checks.Target{Host: cfg.Target.String()}, collect, p, opt, nil)
	if err != nil {
		log.WithError(err).Warn("check failed")
		return nil, err
	}
	log.WithFields(logrus.Fields{"fail": rep.Summary.Fail, "warn": rep.Summary.Warn, "ms": rep.DurationMS}).Info("checked")
	return rep, nil
}

// write writes the report(s) in o's format to stdout or --output, and
// then tells on stderr where a file went.
func write(results []hostResult, o *checkOpts, stdout, stderr io.Writer) error {
	for i := range results {
		if results[i].Err != nil {
			results[i].Error = results[i].Err.Error()
		}
	}
	if o.format == "html" {
		return writeHTML(results, o, stdout, stderr)
	}
	if err := writeReport(results, o, stdout); err != nil {
		return err
	}
	if o.output != "" && o.output != "-" {
		wrote(stderr, o.lang, "cli.report_written", o.output)
	}
	return nil
}

// writeReport writes the text or JSON report(s) to stdout or --output.
func writeReport(results []hostResult, o *checkOpts, stdout io.Writer) error {
	switch {
	case o.format == "json" && len(results) == 1 && results[0].Err == nil:
		return writeTo(o.output, stdout, results[0].Report.WriteJSON)
	case o.format == "json":
		return writeTo(o.output, stdout, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"schema": "tunduk-onboard.readiness-batch/v1", "hosts": results})
		})
	}
	colour := o.output == "" && isTerminal(stdout)
	return writeTo(o.output, stdout, func(out io.Writer) error {
		for i, r := range results {
			if i > 0 {
				fmt.Fprintln(out, strings.Repeat("─", 60))
			}
			if r.Err != nil {
				fmt.Fprintf(out, "%s: %s\n", r.Host, explain(r.Err, o.lang))
				continue
			}
			if err := r.Report.WriteText(out, o.lang, colour); err != nil {
				return err
			}
		}
		if len(results) > 1 {
			writeTable(out, results, o.lang)
		}
		return nil
	})
}

// writeTable prints one line per host: the overview for many servers.
func writeTable(out io.Writer, results []hostResult, lang string) {
	fmt.Fprintf(out, "\n%s\n", i18n.T(lang, "cli.summary_title", nil))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", i18n.T(lang, "cli.host", nil), checks.Mark(lang, checks.Pass),
		checks.Mark(lang, checks.Warn), checks.Mark(lang, checks.Fail), checks.Mark(lang, checks.Unknown))
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t%s\n", r.Host, i18n.T(lang, "cli.error", nil))
			continue
		}
		s := r.Report.Summary
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", r.Host, s.Pass, s.Warn, s.Fail, s.Unknown)
	}
	tw.Flush()
}

// writeHTML writes one page, or with several hosts one page per host into
// the folder --output; a host that could not be checked has none (runCheck
// tells why).
func writeHTML(results []hostResult, o *checkOpts, stdout, stderr io.Writer) error {
	if len(results) == 1 {
		if results[0].Err != nil {
			return nil
		}
		if err := writeTo(o.output, stdout, func(w io.Writer) error { return results[0].Report.WriteHTML(w, o.lang) }); err != nil {
			return err
		}
		if o.output != "" && o.output != "-" {
			wrote(stderr, o.lang, "cli.report_written", o.output)
		}
		return nil
	}
	if err := os.MkdirAll(o.output, 0o755); err != nil {
		return &fileErr{op: "mkdir", path: o.output, err: err}
	}
	for _, r := range results {
		if r.Err != nil {
			continue
		}
		name := filepath.Join(o.output, safeName(r.Host)+".html")
		if err := writeTo(name, nil, func(w io.Writer) error { return r.Report.WriteHTML(w, o.lang) }); err != nil {
			return err
		}
		wrote(stderr, o.lang, "cli.report_written", name)
	}
	writeTable(stdout, results, o.lang)
	return nil
}

// explain tells why a host could not be checked, in lang: what happened,
// what to do, then the technical detail (remote text cleaned, bounded).
func explain(err error, lang string) string {
	kind, data := remote.Classify(err)
	for k, v := range data {
		if s, ok := v.(string); ok {
			data[k] = i18n.Line(s, i18n.MaxLine)
		}
	}
	key := "cli.err." + string(kind)
	return fmt.Sprintf("%s %s\n    (%s: %s)", i18n.T(lang, key, data), i18n.T(lang, key+".todo", data),
		i18n.T(lang, "cli.err.detail", nil), i18n.Line(err.Error(), i18n.MaxLine))
}

// exitCode is the exit code of a run whose report (results) already says
// why: a host that could not be checked (2), a requirement failed (1).
func exitCode(results []hostResult) int {
	code := exitOK
	for _, r := range results {
		switch {
		case r.Err != nil:
			return exitCannot
		case r.Report.Summary.Fail > 0:
			code = exitFailed
		}
	}
	return code
}

// loadProfile is the embedded profile, or --profile's file; its error
// says in the user's words what is wrong with the file.
func loadProfile(path string) (*profile.Profile, error) {
	if path == "" {
		return profile.Default()
	}
	p, err := profile.Load(path)
	var pe *profile.Error
	switch {
	case errors.As(err, &pe):
		return nil, errKey("cli.err.profile", map[string]any{"File": i18n.Line(path, i18n.MaxLine),
			"Field": i18n.Line(pe.Field, 100), "Problem": i18n.Line(pe.Problem, 300)})
	case err != nil:
		// Not a profile's content: the file itself (missing, a folder,
		// a device, over readcap.Profile).
		return nil, &fileErr{op: "read", path: path, err: err}
	}
	return p, err
}

// setupLog opens this run's log file; without one the run goes on and
// says why on w.
func setupLog(verbose bool, lang string, w io.Writer) (path string, closeLog func()) {
	path, closeLog, err := logging.Setup("cli", verbose)
	if err != nil {
		fmt.Fprintln(w, i18n.T(lang, "cli.warn.no_log", map[string]any{"Reason": i18n.FileReason(lang, err)}))
	}
	return path, closeLog
}

// badFormat refuses a --format that is not one of choices.
func badFormat(got string, choices ...string) error {
	return errKey("cli.err.format", map[string]any{"Value": got, "Choices": strings.Join(choices, ", ")})
}

// defaultLang picks the report language from the environment's locale.
func defaultLang() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		l := strings.ToLower(os.Getenv(v))
		switch {
		case strings.HasPrefix(l, "ru"):
			return "ru"
		case strings.HasPrefix(l, "ky"):
			return "ky"
		case l != "":
			return "en"
		}
	}
	return "en"
}

func oneOf(s string, set ...string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && os.Getenv("NO_COLOR") == ""
}

func safeName(host string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, host)
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
