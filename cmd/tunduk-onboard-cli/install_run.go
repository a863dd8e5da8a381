package main

// The install run: the runner wired to the terminal (or a JSON event
// stream), Ctrl-C that stops between steps, and the final check of the
// admin API through the SSH connection.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// installEvent is one line of `install --format json` while it runs.
type installEvent struct {
	Schema string `json:"schema"`
	Time   string `json:"time"`
	Step   string `json:"step,omitempty"`
	N      int    `json:"n,omitempty"`
	Total  int    `json:"total,omitempty"`
	Kind   string `json:"kind"`
	Text   string `json:"text,omitempty"`
}

// installResult is the last line of `install --format json`.
type installResult struct {
	Schema     string                     `json:"schema"`
	Host       string                     `json:"host"`
	Status     string                     `json:"status"` // installed, failed, cancelled, error
	FailedStep string                     `json:"failed_step,omitempty"`
	ExitCode   int                        `json:"step_exit_code,omitempty"`
	LogTail    string                     `json:"log_tail,omitempty"`
	Error      string                     `json:"error,omitempty"`
	AdminAPI   *remote.PinnedCert         `json:"admin_api,omitempty"`
	Journal    string                     `json:"journal"`
	Steps      map[string]installStepTime `json:"steps"`
}

type installStepTime struct {
	Outcome string  `json:"outcome"` // applied, already-done, skipped, failed
	Seconds float64 `json:"seconds"`
}

// progress prints the runner's events, one step header and one outcome
// line per step; the steps' own output goes to the log file and, with
// --verbose, to stderr.
type progress struct {
	mu      sync.Mutex
	o       *installOpts
	out     io.Writer
	errOut  io.Writer
	index   map[string]int
	titles  map[string]i18n.Text
	total   int
	started map[string]time.Time
	times   map[string]installStepTime
}

func newProgress(o *installOpts, steps []installer.Step, stdout, stderr io.Writer) *progress {
	p := &progress{o: o, out: stdout, errOut: stderr, total: len(steps),
		index: map[string]int{}, titles: map[string]i18n.Text{},
		started: map[string]time.Time{}, times: map[string]installStepTime{}}
	for i, s := range steps {
		p.index[s.ID], p.titles[s.ID] = i+1, s.Title
	}
	return p
}

func (p *progress) t(key string, data map[string]any) string { return i18n.T(p.o.lang, key, data) }

func (p *progress) event(e installer.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	logrus.WithFields(logrus.Fields{"step": e.StepID, "kind": e.Kind}).Info(e.Text)
	if e.Kind == installer.EventChecking {
		p.started[e.StepID] = time.Now()
	}
	switch e.Kind {
	case installer.EventAlreadyDone, installer.EventSkipped, installer.EventDone, installer.EventFailed:
		outcome := map[string]string{installer.EventDone: "applied"}[e.Kind]
		if outcome == "" {
			outcome = e.Kind
		}
		p.times[e.StepID] = installStepTime{Outcome: outcome, Seconds: time.Since(p.started[e.StepID]).Round(10 * time.Millisecond).Seconds()}
	}
	if p.o.format == "json" {
		if e.Kind == installer.EventLog && !p.o.verbose {
			return
		}
		json.NewEncoder(p.out).Encode(installEvent{Schema: "tunduk-onboard.install-event/v1", Time: time.Now().UTC().Format(time.RFC3339),
			Step: e.StepID, N: p.index[e.StepID], Total: p.total, Kind: e.Kind, Text: e.Text})
		return
	}
	data := map[string]any{"N": p.index[e.StepID], "Total": p.total, "Title": p.titles[e.StepID].In(p.o.lang),
		"Detail": e.Text, "Seconds": fmt.Sprintf("%.1f", p.times[e.StepID].Seconds)}
	switch e.Kind {
	case installer.EventChecking:
		if p.index[e.StepID] == 0 { // the after-steps check, not a plan step
			fmt.Fprintln(p.out, p.t("cli.install.api_check", data))
			return
		}
		fmt.Fprintln(p.out, p.t("cli.install.step", data))
	case installer.EventLog:
		if p.o.verbose {
			fmt.Fprintln(p.errOut, "    | "+e.Text)
		}
	case installer.EventApplying, installer.EventAlreadyDone, installer.EventSkipped, installer.EventDone,
		installer.EventWaitingLock, installer.EventReconnecting:
		fmt.Fprintln(p.out, "    "+p.t("cli.install."+e.Kind, data))
	}
}

// runPlan applies the steps and reports; it returns the exit status.
func runPlan(ctx context.Context, cancel context.CancelFunc, o *installOpts, cfg remote.Config, steps []installer.Step, sudoPassword string, stdout, stderr io.Writer) int {
	host := cfg.Target.String()
	p := newProgress(o, steps, stdout, stderr)
	stopSignals := cancelOnInterrupt(cancel, stderr, o.lang)
	defer stopSignals()

	var api remote.PinnedCert
	r := &installer.Runner{
		Holder:   installer.Holder("tunduk-onboard-cli"),
		Conn:     func(ctx context.Context) (*remote.Client, error) { return remote.Dial(ctx, cfg) },
		Progress: p.event,
		Sudo: func() (string, error) {
			if sudoPassword != "" {
				return sudoPassword, nil
			}
			pw, err := promptTTY(i18n.T(o.lang, "cli.install.sudo_prompt", map[string]any{"Host": host}))
			if errors.Is(err, errNoTTY) {
				return "", errors.New(i18n.T(o.lang, "cli.install.sudo_needed", nil))
			}
			return pw, err
		},
		After: func(ctx context.Context, h installer.HostAccess) error {
			p.event(installer.Event{StepID: "admin-api", Kind: installer.EventChecking})
			var err error
			api, err = installer.VerifyAdminAPI(ctx, xroad.DefaultAdminAPI, h)
			return err
		},
	}
	err := r.Run(ctx, steps)

	res := installResult{Schema: "tunduk-onboard.install-result/v1", Host: host, Journal: installer.DefaultJournalPath, Steps: p.times}
	login := cfg.Target.User + "@" + cfg.Target.Host
	if cfg.Target.Port != 0 && cfg.Target.Port != 22 {
		login = fmt.Sprintf("-p %d %s", cfg.Target.Port, login)
	}
	data := map[string]any{"Host": host, "Login": login, "Total": len(steps), "User": o.adminUser, "Cert": api.CertSHA256,
		"Dir": installer.DefaultLogDir, "Detail": ""}
	var msg, todo string
	code := exitFailed
	var se *installer.StepError
	switch {
	case err == nil:
		code, res.Status, res.AdminAPI = exitOK, "installed", &api
		msg, todo = p.t("cli.install.installed", data), p.t("cli.install.installed.todo", data)
	case errors.As(err, &se):
		res.Status, res.FailedStep, res.ExitCode, res.LogTail = "failed", se.ID, se.ExitCode, se.LogTail
		data["ID"], data["Code"] = se.ID, se.ExitCode
		msg = p.t("cli.install.failed", data) + "\n" + indentTail(se.LogTail)
		todo = p.t("cli.install.failed.todo", data)
	case errors.Is(err, context.Canceled):
		res.Status = "cancelled"
		msg = p.t("cli.install.cancelled", data)
	case errors.Is(err, installer.ErrSudoPassword):
		code, res.Status, res.Error = exitCannot, "error", err.Error()
		data["User"] = cfg.Target.User
		msg, todo = p.t("cli.install.sudo_refused", data), p.t("cli.install.sudo_refused.todo", data)
	case errors.As(err, new(*installer.AdminAPIError)):
		res.Status, res.Error = "failed", err.Error()
		data["Detail"] = i18n.Line(err.Error(), i18n.MaxLine)
		msg, todo = p.t("cli.install.api_failed", data), p.t("cli.install.api_failed.todo", data)
	default:
		// The connection or the host refused before any step could run.
		code, res.Status, res.Error = exitCannot, "error", err.Error()
		msg = explain(err, o.lang)
	}
	logrus.WithFields(logrus.Fields{"host": host, "status": res.Status}).Info("install finished")
	if o.format == "json" {
		json.NewEncoder(stdout).Encode(res)
		return code
	}
	w := stdout
	if code != exitOK {
		w = stderr
	}
	fmt.Fprintln(w, msg)
	if todo != "" {
		fmt.Fprintln(w, todo)
	}
	return code
}

func indentTail(tail string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(tail, "\n"), "\n") {
		b.WriteString("    | " + l + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// cancelOnInterrupt: the first Ctrl-C (or SIGTERM) stops after the step
// under way, which goes on on the server; a second one quits at once.
func cancelOnInterrupt(cancel context.CancelFunc, stderr io.Writer, lang string) (stop func()) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
		case <-done:
			return
		}
		fmt.Fprintln(stderr, i18n.T(lang, "cli.install.interrupt", nil))
		cancel()
		select {
		case <-ch:
			fmt.Fprintln(stderr, i18n.T(lang, "cli.install.quit", nil))
			os.Exit(exitFailed)
		case <-done:
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}

// promptNewPassword asks for the admin user's new password twice on the
// terminal.
func promptNewPassword(lang, user string) (string, error) {
	data := map[string]any{"User": user}
	for {
		pw, err := promptTTY(i18n.T(lang, "cli.install.admin_prompt", data))
		if errors.Is(err, errNoTTY) {
			return "", errors.New(i18n.T(lang, "cli.install.admin_needed", data))
		}
		if err != nil {
			return "", err
		}
		again, err := promptTTY(i18n.T(lang, "cli.install.admin_again", data))
		if err != nil {
			return "", err
		}
		if pw != "" && pw == again {
			return pw, nil
		}
		fmt.Fprintln(os.Stderr, i18n.T(lang, "cli.install.admin_differ", data))
	}
}
