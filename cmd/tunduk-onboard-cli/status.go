package main

// `status`: the health of one security server or a fleet (health.Gather
// per host), concurrent, each host bounded by --timeout so a stalled one
// never holds the others; a table of one line per server, then the
// details; JSON tunduk-onboard.status/v1; the exit code a monitoring
// system reads (health.ExitCode of the worst host).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// statusOpts are status's flags: the server verbs' session flags and
// its own.
type statusOpts struct {
	serverOpts
	parallel int
	anchor   string
	metrics  string
	history  string
	alerts   alertOpts

	anchorData []byte
	hist       *health.History // nil: the archive's growth is not told
}

// exitUnknown is status's exit code when it could not look at all: the
// monitoring code of unknown (health.ExitCode(health.Unknown)).
const exitUnknown = 3

func runStatus(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return unknownWhenCannot(status(args, stdin, stdout, stderr))
}

// unknownWhenCannot makes status's "could not do it" (exit 2 for the
// other verbs: a bad flag or value, a missing input or secret, the
// metrics file not written) exit 3, UNKNOWN: status is run by monitoring
// systems, which read 2 as CRITICAL, a verdict on the servers that a
// mistyped flag is not (the Nagios plugin guidelines: invalid command
// line arguments are UNKNOWN). The servers' own codes (reported: 1, 2,
// 3) and the help (-h, 0) stay as they are.
func unknownWhenCannot(err error) error {
	if err == nil || errors.Is(err, errStop) || errors.Is(err, errReported) {
		return err
	}
	var ue *userError
	if errors.As(err, &ue) {
		if ue.code == exitCannot {
			ue.code = exitUnknown
		}
		return err
	}
	return &userError{code: exitUnknown, err: err} // errUsage: told already
}

func status(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o := &statusOpts{}
	fs := o.flags(stderr)
	if err := o.parse(fs, args); err != nil {
		return flagErr(err, func(err error) error { return cannot(o.lang, err) })
	}
	if err := checkTimeout(o.timeout); err != nil {
		return cannot(o.lang, err)
	}
	if o.parallel < 1 || o.parallel > 256 {
		return cannot(o.lang, errKey("cli.status.bad_parallel", nil))
	}
	if err := o.alerts.check(); err != nil {
		return cannot(o.lang, err)
	}
	var targets []remote.Target
	if !o.local {
		var err error
		if targets, err = o.ssh.allTargets(); err != nil {
			return cannot(o.lang, err)
		}
		if len(targets) == 0 {
			return cannot(o.lang, errKey("cli.status.no_target", nil))
		}
	}
	if o.anchor != "" {
		b, err := readcap.ReadFile(o.anchor, readcap.Anchor)
		if err != nil {
			return cannot(o.lang, &fileErr{op: "read", path: o.anchor, err: err})
		}
		o.anchorData = b
	}
	if err := o.readFirstSecrets(stdin); err != nil {
		return cannot(o.lang, err)
	}
	if err := o.askAdmin(); err != nil {
		return cannot(o.lang, err)
	}
	var senders []health.Sender
	if o.alerts.given() {
		var err error
		if senders, err = o.alerts.senders(o.in, o.lang); err != nil {
			_, msg := explainSubmit(o.lang, err)
			return cannot(o.lang, err).saying(msg)
		}
	}
	_, closeLog := setupLog(o.verbose, o.lang, stderr)
	defer closeLog()

	if o.metrics != "" && filepath.Ext(o.metrics) != ".prom" {
		return cannot(o.lang, errKey("cli.status.metrics_ext", map[string]any{"Path": o.metrics}))
	}
	o.loadHistory()
	out := newStatusOut(o, stdout)
	reports := o.gatherAll(targets, out.progress)
	o.saveHistory(reports)
	var metricsErr error
	if o.metrics != "" {
		// Written whatever the servers' state (a monitoring system reads
		// the unknown and critical ones from it too), and before the
		// alerts, which may wait on a slow mail server.
		metricsErr = health.WriteMetricsFile(o.metrics, reports)
	}
	if len(senders) > 0 {
		out.alerts = o.alerts.send(senders, reports, o.lang)
	}
	if metricsErr != nil {
		out.done(reports)
		return cannot(o.lang, &fileErr{op: "write", path: o.metrics, err: metricsErr})
	}
	return out.done(reports)
}

// loadHistory reads the archive sizes of earlier runs (--history). One
// that cannot be used is said on standard error: the growth is then not
// told, or told again from this run on (a damaged file, kept aside).
func (o *statusOpts) loadHistory() {
	if o.history == "" {
		p, err := configFile("status-history.json")
		if err != nil {
			o.note("cli.status.history_unusable", map[string]any{"Path": "--history", "Reason": i18n.FileReason(o.lang, err)})
			return
		}
		o.history = p
	}
	h, err := health.LoadHistory(o.history)
	var se *health.StateError
	switch {
	case errors.As(err, &se):
		o.note("cli.status.history_damaged", map[string]any{"Path": o.history, "Kept": se.Kept})
	case err != nil:
		o.note("cli.status.history_unusable", map[string]any{"Path": o.history, "Reason": i18n.FileReason(o.lang, err)})
		return
	}
	o.hist = h
}

// saveHistory adds this run's archive sizes and writes the history.
func (o *statusOpts) saveHistory(reports []health.Report) {
	if o.hist == nil {
		return
	}
	o.hist.Add(reports)
	if err := o.hist.Save(o.history); err != nil {
		o.note("cli.status.history_unusable", map[string]any{"Path": o.history, "Reason": i18n.FileReason(o.lang, err)})
	}
}

// note tells key on standard error and in the log: something status
// keeps for itself went wrong, the look goes on.
func (o *statusOpts) note(key string, data map[string]any) {
	logrus.WithField("key", key).Warn(i18n.T("en", key, data))
	fmt.Fprintln(o.stderr, i18n.T(o.lang, key, data))
}

// flags are status's flag set: the server verbs' session flags and its own.
func (o *statusOpts) flags(stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.stderr, o.fs = stderr, fs
	o.registerSession(fs)
	fs.Lookup("ssh").Usage = "a security server `USER@HOST[:PORT]`, reached over SSH (repeatable)"
	fs.Lookup("local").Usage = "look at this computer, the security server itself, without SSH"
	fs.StringVar(&o.profile, "profile", "", "operator profile `FILE` (default: the embedded Tunduk profile)")
	fs.StringVar(&o.format, "format", "text", "output format: text or json")
	fs.StringVar(&o.lang, "lang", defaultLang(), "language of the help, prompts, messages and text output: en, ru or ky")
	fs.BoolVar(&o.verbose, "verbose", false, "log debug details to standard error too")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up on one server after `DURATION` (it is then unknown; the others go on)")
	fs.IntVar(&o.parallel, "parallel", 8, "look at up to `N` servers at once")
	fs.StringVar(&o.anchor, "anchor", "", "configuration anchor `FILE`: also test the path to its central servers")
	fs.StringVar(&o.metrics, "metrics-file", "", "also write the health in Prometheus' text format to `FILE` (ending in .prom) for node_exporter's textfile collector")
	fs.StringVar(&o.history, "history", "", "`FILE` remembering each server's message log archive size between runs, to tell its growth (default: <user config dir>/tunduk-onboard/status-history.json)")
	o.alerts.register(fs)
	fs.Usage = verbHelp(stderr, fs, "tunduk-onboard-cli status --ssh USER@HOST[:PORT] | --hosts FILE | --local [FLAGS]")
	return fs
}

// gatherAll looks at every target, at most --parallel at once; seen is
// told of each report as it comes. The reports are in the targets' order.
func (o *statusOpts) gatherAll(targets []remote.Target, seen func(health.Report)) []health.Report {
	if o.local {
		r := o.gatherOne(nil)
		seen(r)
		return []health.Report{r}
	}
	reports := make([]health.Report, len(targets))
	sem := make(chan struct{}, o.parallel)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := o.gatherOne(&t)
			mu.Lock()
			reports[i] = r
			seen(r)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return reports
}

// gatherOne is one server's report within --timeout. The look runs on
// its own goroutine: should a part of it not heed the deadline, the
// report says so at the deadline and the goroutine is left to end.
func (o *statusOpts) gatherOne(t *remote.Target) health.Report {
	name := "local"
	if t != nil {
		name = t.String()
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	ch := make(chan health.Report, 1)
	go func() { ch <- o.look(ctx, t, name, start) }()
	select {
	case r := <-ch:
		return r
	case <-time.After(o.timeout + 5*time.Second):
		return health.Failed(name, start, o.stallErr())
	}
}

func (o *statusOpts) stallErr() error {
	return errors.New(explain(&remote.StalledError{After: o.timeout}, o.lang))
}

// look dials, opens the session, gathers and hangs up.
func (o *statusOpts) look(ctx context.Context, t *remote.Target, name string, start time.Time) health.Report {
	var h remote.Host = &remote.Local{}
	if t != nil {
		cfg, err := o.ssh.config(*t, o.stderr)
		if err != nil {
			return health.Failed(name, start, errors.New(tellIn(o.lang, err)))
		}
		c, err := remote.Dial(ctx, cfg)
		if err != nil {
			return health.Failed(name, start, errors.New(explain(err, o.lang)))
		}
		defer c.Close()
		h = c
	}
	api := xroad.AdminAPI{Addr: o.adminAPI, CertPath: o.adminAPICert}
	cr := configure.Credentials{User: o.adminUser, Password: o.adminPassword, SudoPassword: o.sudoPassword}
	s, err := configure.OpenWith(ctx, h, api, cr, health.Roles)
	if err != nil {
		if ctx.Err() != nil {
			return health.Failed(name, start, o.stallErr())
		}
		return health.Failed(name, start, errors.New(o.explain(err)))
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		s.Close(cctx)
	}()
	r := health.Gather(ctx, s.API(), h, o.prof, health.Options{Name: name, Anchor: o.anchorData, History: o.hist})
	r.CheckedAt = start.UTC()
	return r
}
