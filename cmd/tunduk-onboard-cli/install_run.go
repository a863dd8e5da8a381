package main

// The install run: the runner wired to the terminal (or a JSON event
// stream), Ctrl-C that stops between steps, and the final check of the
// admin API through the SSH connection (or on this computer, --local).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"os/user"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	ob "github.com/tunduk-onboard/tunduk-onboard/onboarding"
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
	Schema     string             `json:"schema"`
	Host       string             `json:"host"`
	Status     string             `json:"status"` // installed, failed, cancelled, error
	FailedStep string             `json:"failed_step,omitempty"`
	ExitCode   int                `json:"step_exit_code,omitempty"`
	LogTail    string             `json:"log_tail,omitempty"`
	Error      string             `json:"error,omitempty"`
	ErrorKey   string             `json:"error_key,omitempty"` // installer.Explain's key
	AdminAPI   *remote.PinnedCert `json:"admin_api,omitempty"`
	// ProfileClass: does the installed X-Road hold the operator's
	// certificate profile class (after a finished install).
	ProfileClass *installer.ProfileClass    `json:"profile_class,omitempty"`
	Journal      string                     `json:"journal"`
	Steps        map[string]installStepTime `json:"steps"`
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
	rec     *installRecord // the journal's position in the onboarding record
	done    int            // plan steps done (or found done) so far
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
		if e.Kind != installer.EventFailed && p.index[e.StepID] > 0 {
			p.done++
			done, total := p.done, p.total
			p.rec.update("install step", func(rec *ob.Record) { rec.InstallStepDone(time.Now(), e.StepID, done, total) })
		}
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
			key := "cli.install.api_check"
			if p.o.local {
				key = "cli.install.api_check_local"
			}
			fmt.Fprintln(p.out, p.t(key, data))
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

// installHost is where runPlan installs.
type installHost struct {
	name    string // as the messages and the JSON result name it
	login   string // the SSH login to it, for the admin UI's tunnel ("" locally)
	local   bool   // this computer
	conn    installer.Connector
	record  *installRecord // the onboarding record the wizard reads
	version string         // the X-Road version the plan installs (the profile's)
}

// sshLogin is the ssh command's arguments that log in to t.
func sshLogin(t remote.Target) string {
	login := t.User + "@" + t.Host
	if t.Port != 0 && t.Port != 22 {
		login = fmt.Sprintf("-p %d %s", t.Port, login)
	}
	return login
}

// runPlan applies the steps and reports; its error is what failed (the
// JSON result already says it with --format json).
func runPlan(ctx context.Context, cancel context.CancelFunc, o *installOpts, h installHost, steps []installer.Step, sudoPassword string, stdout, stderr io.Writer) error {
	host := h.name
	p := newProgress(o, steps, stdout, stderr)
	p.rec = h.record
	h.record.update("install started", func(rec *ob.Record) { rec.InstallStarted(time.Now(), len(steps)) })
	stopSignals := cancelOnInterrupt(cancel, stderr, o.lang)
	defer stopSignals()

	var api remote.PinnedCert
	var class *installer.ProfileClass
	adminAPI := o.api
	if adminAPI.Addr == "" {
		adminAPI = xroad.DefaultAdminAPI
	}
	r := &installer.Runner{
		Holder:      installer.Holder("tunduk-onboard-cli"),
		Conn:        h.conn,
		Progress:    p.event,
		StepTimeout: o.stepTimeout,
		Sudo: func() (string, error) {
			if sudoPassword != "" {
				return sudoPassword, nil
			}
			prompt := i18n.T(o.lang, "cli.install.sudo_prompt", map[string]any{"Host": host})
			if h.local {
				prompt = i18n.T(o.lang, "cli.install.sudo_prompt_local", map[string]any{"User": currentUser()})
			}
			pw, err := promptTTY(prompt)
			if errors.Is(err, errNoTTY) {
				return "", installer.ErrSudoNeeded
			}
			return pw, err
		},
		After: func(ctx context.Context, h installer.HostAccess) error {
			p.event(installer.Event{StepID: "admin-api", Kind: installer.EventChecking})
			var err error
			api, err = installer.VerifyAdminAPI(ctx, adminAPI, h)
			if err == nil {
				class = installer.CheckProfileClass(ctx, adminAPI, o.profileClass, h)
			}
			return err
		},
	}
	if o.tune != nil {
		o.tune(r)
	}
	err := r.Run(ctx, steps)

	res := installResult{Schema: "tunduk-onboard.install-result/v1", Host: host, Journal: installer.DefaultJournalPath, Steps: p.times}
	data := map[string]any{"Host": host, "Login": h.login, "Total": len(steps), "User": o.adminUser, "Cert": api.CertSHA256}
	var msg, todo string
	code := exitOK
	if err == nil {
		res.Status, res.AdminAPI, res.ProfileClass = "installed", &api, class
		key := "cli.install.installed"
		if h.local {
			key = "cli.install.installed_local"
		}
		msg, todo = p.t(key, data), p.t(key+".todo", data)
		if class != nil && class.Status == installer.ClassAbsent {
			// The packages are in place, but not the operator's: the CSRs
			// would be refused, so Configure is not the next step.
			code, todo = exitNoProfileClass, ""
		}
	} else {
		m := explainInstall(o.lang, err)
		res.Status, code = installStatus(m.key)
		res.ErrorKey, msg = m.key, host+": "+m.text()
		if id, ok := m.data["ID"].(string); ok {
			res.FailedStep, res.LogTail = id, m.tail
			res.ExitCode, _ = m.data["Code"].(int)
		} else if res.Status != "cancelled" {
			res.Error = i18n.Line(err.Error(), i18n.MaxLine)
		}
	}
	logrus.WithFields(logrus.Fields{"host": host, "status": res.Status}).Info("install finished")
	h.record.ended(res.Status, res.ErrorKey, h.version, class)
	if o.format == "json" {
		json.NewEncoder(stdout).Encode(res)
		return reported(code)
	}
	if code != exitOK && err != nil {
		return &userError{code: code, lang: o.lang, text: msg, err: err}
	}
	fmt.Fprintln(stdout, msg)
	if class != nil {
		fmt.Fprintln(stdout, class.Text(o.lang))
	}
	if todo != "" {
		fmt.Fprintln(stdout, todo)
	}
	return reported(code)
}

// currentUser is the name of the user the program runs as, for prompts.
func currentUser() string {
	if u, err := user.Current(); err == nil {
		return i18n.Line(u.Username, 64)
	}
	return "?"
}

// installStatus is the JSON status and the exit status of a run that
// stopped with key (installer.Explain): a step or the server failed (1),
// the run was cancelled (1), or it could not go on at all (2).
func installStatus(key string) (string, int) {
	switch key {
	case "installer.err.step", "installer.err.step_killed", "installer.err.api":
		return "failed", exitFailed
	case "installer.err.cancelled":
		return "cancelled", exitFailed
	}
	return "error", exitCannot
}

// installMessage is an install error told in the user's language: what
// happened (the installer's words), a failed step's last lines, what to do
// (the CLI's words, cli.<key>.todo) and the technical detail.
type installMessage struct {
	key                      string
	data                     map[string]any
	what, tail, todo, detail string
}

func explainInstall(lang string, err error) installMessage {
	key, data := installer.Explain(err)
	todoData := map[string]any{"Dir": installer.DefaultLogDir}
	for k, v := range data {
		todoData[k] = v
	}
	m := installMessage{key: key, data: data, what: i18n.T(lang, key, data), todo: i18n.T(lang, "cli."+key+".todo", todoData)}
	m.tail, _ = data["Tail"].(string)
	if d, _ := data["Detail"].(string); d != "" {
		m.detail = "    (" + i18n.T(lang, "cli.err.detail", nil) + ": " + d + ")"
	}
	return m
}

// text is the message as printed, lines (a list the caller adds) after
// what happened.
func (m installMessage) text(lines ...string) string {
	parts := append([]string{m.what}, lines...)
	if m.tail != "" {
		parts = append(parts, indentTail(m.tail))
	}
	parts = append(parts, m.todo)
	if m.detail != "" {
		parts = append(parts, m.detail)
	}
	return strings.Join(parts, "\n")
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
