package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/logging"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
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
	timeout  time.Duration
	publicIP string
	profile  string
	format   string
	output   string
	lang     string
	verbose  bool
	anchor   string

	anchorData []byte // --anchor's file: the network path is tested too
}

// flags is the flag set of check, its help written to w.
func (o *checkOpts) flags(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(w)
	o.ssh.register(fs, "check `USER@HOST[:PORT]` over SSH (repeatable)")
	fs.DurationVar(&o.timeout, "timeout", checks.DefaultProbeTimeout, "give up on a server that has not answered the check `DURATION` after the login (each server)")
	fs.StringVar(&o.publicIP, "public-ip", "", "the public `ADDR` a NAT forwards to the server, when the server holds only a private address")
	fs.StringVar(&o.profile, "profile", "", "operator profile `FILE` (default: the embedded Tunduk profile)")
	fs.StringVar(&o.format, "format", "text", "report format: text, json or html")
	fs.StringVar(&o.output, "output", "", "write the report to `FILE` (a directory for html with several hosts) instead of standard output")
	fs.StringVar(&o.lang, "lang", defaultLang(), "language of the report and of this help: en, ru or ky")
	fs.BoolVar(&o.verbose, "verbose", false, "log debug details to standard error too")
	fs.StringVar(&o.anchor, "anchor", "", "configuration anchor `FILE`: also test the path from the server to its central servers")
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
	if err := checkTimeout(o.timeout); err != nil {
		return fail(err)
	}
	o.ssh.lang = o.lang
	if o.publicIP != "" {
		if _, err := netip.ParseAddr(o.publicIP); err != nil {
			return fail(errKey("cli.err.public_ip", map[string]any{"Value": o.publicIP}))
		}
	}
	if o.anchor != "" {
		b, err := readcap.ReadFile(o.anchor, readcap.Anchor)
		if err != nil {
			return fail(&fileErr{op: "read", path: o.anchor, err: err})
		}
		o.anchorData = b
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

	out, err := newCheckOutput(&o, len(targets), stdout, stderr)
	if err != nil {
		return fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opt := checks.Options{PublicIP: o.publicIP}
	var results []hostResult
	if len(targets) == 0 {
		rep, err := checks.Check(ctx, checks.Target{Host: "localhost", Local: true}, collectLocal, profile, opt, nil)
		if err == nil {
			addPath(ctx, rep, &remote.Local{}, o.anchorData, profile)
		}
		results = []hostResult{{Host: "localhost", Report: rep, Err: err}}
		out.host(results[0])
	} else {
		results = checkRemote(ctx, targets, &o, profile, opt, stderr, out.host)
	}
	if err := out.end(results); err != nil {
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
// hands each result to done as soon as that host is done (a stalled host
// holds no other), and returns the results in the order the targets were
// given.
func checkRemote(ctx context.Context, targets []remote.Target, o *checkOpts, p *profile.Profile, opt checks.Options, stderr io.Writer, done func(hostResult)) []hostResult {
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
				results[i].Report, err = checkOne(ctx, cfg, p, opt, o.timeout, o.anchorData)
			}
			results[i].Err = err
			done(results[i])
		}(i, t)
	}
	wg.Wait()
	return results
}

// checkOne checks one server: the login (bounded by its connect timeout;
// a prompt suspends it), then the probe, which must have answered within
// timeout of the login and is read up to checks.MaxProbeOutput only.
func checkOne(ctx context.Context, cfg remote.Config, p *profile.Profile, opt checks.Options, timeout time.Duration, anchor []byte) (*checks.Report, error) {
	log := logrus.WithField("host", cfg.Target.String())
	cfg.MaxOutput = checks.MaxProbeOutput
	client, err := remote.Dial(ctx, cfg)
	if err != nil {
		log.WithError(err).Warn("connect failed")
		return nil, err
	}
	defer client.Close()
	collect := func(ctx context.Context) (*checks.Facts, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return checks.CollectRemote(ctx, client)
	}
	rep, err := checks.Check(ctx, checks.Target{Host: cfg.Target.String()}, collect, p, opt, nil)
	if err != nil {
		log.WithError(err).Warn("check failed")
		return nil, err
	}
	addPath(ctx, rep, client, anchor, p)
	log.WithFields(logrus.Fields{"fail": rep.Summary.Fail, "warn": rep.Summary.Warn, "ms": rep.DurationMS}).Info("checked")
	return rep, nil
}

// explain tells why a host could not be checked, in lang: what happened,
// what to do, then the technical detail (remote text cleaned, bounded).
func explain(err error, lang string) string {
	key, data := explainKey(err)
	return fmt.Sprintf("%s %s\n    (%s: %s)", i18n.T(lang, key, data), i18n.T(lang, key+".todo", data),
		i18n.T(lang, "cli.err.detail", nil), i18n.Line(err.Error(), i18n.MaxLine))
}

// explainKey is the catalogue key (cli.err.*) that tells err, and its
// data (checks.Why).
func explainKey(err error) (string, map[string]any) {
	why, data := checks.Why(err)
	return "cli.err." + why, data
}

// checkTimeout refuses a --timeout that gives no time at all.
func checkTimeout(d time.Duration) error {
	if d <= 0 {
		return errKey("cli.err.timeout_value", map[string]any{"Value": d.String()})
	}
	return nil
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
