package app

// The Install step's run: the form, the plan, the runner in a goroutine
// and its events turned into rows, a bounded log and an outcome. All
// fields are touched on the UI goroutine only (events arrive through uiDo).

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// installForm is what the operator gives the installer. The passwords
// live in memory only.
type installForm struct {
	AdminUser, AdminNetwork, ISNetwork, PackagesDir string
	TokenOnServer, Force                            bool

	AdminPassword, AdminPassword2, SudoPassword string
}

type installRow struct {
	id      string
	title   i18n.Text
	note    i18n.Text
	state   int
	started time.Time
	seconds string
}

type installStep struct {
	wz   *wizard
	form installForm
	v    *installWidgets

	// resumable: a run stopped before the end (failed, cancelled): Start
	// is offered as Resume.
	running, resumable bool
	cancelFn           context.CancelFunc
	rows               []installRow
	total, finished    int
	status             string
	logLines           []string
	outcome            func() fyne.CanvasObject

	// Seams for tests: the plan (synthetic steps instead of X-Road), the
	// runner's host paths, the UI goroutine, the end of a run.
	makePlan   func(p *profile.Profile, rep *checks.Report, opt installer.Options) ([]installer.Step, error)
	tuneRunner func(r *installer.Runner)
	uiDo       func(func())
	afterRun   func()
}

func newInstallStep(wz *wizard) *installStep {
	is := &installStep{wz: wz, makePlan: installer.Plan, uiDo: fyne.Do}
	p := wz.prefs
	is.form = installForm{AdminUser: p.String(prefAdminUser), AdminNetwork: p.String(prefAdminNetwork),
		ISNetwork: p.String(prefISNetwork), PackagesDir: p.String(prefPackagesDir), TokenOnServer: p.Bool(prefTokenOnServer)}
	if is.form.AdminUser == "" {
		is.form.AdminUser = "xrdadmin"
	}
	return is
}

func (is *installStep) saveForm() {
	p, f := is.wz.prefs, is.form
	p.SetString(prefAdminUser, f.AdminUser)
	p.SetString(prefAdminNetwork, f.AdminNetwork)
	p.SetString(prefISNetwork, f.ISNetwork)
	p.SetString(prefPackagesDir, f.PackagesDir)
	p.SetBool(prefTokenOnServer, f.TokenOnServer)
}

// formProblem is the translation key of the first thing that keeps Start
// disabled, or "".
func (is *installStep) formProblem() string {
	f := is.form
	switch {
	case !validAdminUser(f.AdminUser):
		return "install.err.admin_user"
	case f.AdminPassword == "":
		return "install.err.password_empty"
	case f.AdminPassword != f.AdminPassword2:
		return "install.err.password_differ"
	case strings.ContainsAny(f.AdminPassword, ":\n\r"):
		return "install.err.password_chars"
	case !validNetwork(f.AdminNetwork):
		return "install.err.admin_network"
	case !validNetwork(f.ISNetwork):
		return "install.err.is_network"
	case is.wz.readiness.report != nil && is.wz.readiness.report.Summary.Fail > 0 && !f.Force:
		return "install.err.readiness"
	}
	return ""
}

func validAdminUser(u string) bool {
	if u == "" || len(u) > 32 || !(u[0] >= 'a' && u[0] <= 'z' || u[0] == '_') {
		return false
	}
	for _, r := range u {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// validNetwork: empty (closed) or a CIDR network that is not the whole
// internet; the plan explains any finer problem.
func validNetwork(s string) bool {
	if strings.TrimSpace(s) == "" {
		return true
	}
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	return err == nil && p.Bits() > 0 && p.Masked() == p
}

// plan builds the steps from the form and the last readiness report.
func (is *installStep) plan(dryRun bool) ([]installer.Step, error) {
	wz, f := is.wz, is.form
	port, _ := wz.state.Server.PortNumber()
	host, addr := installer.HostFacts(wz.readiness.report.Facts)
	if ip := strings.TrimSpace(wz.state.Server.PublicIP); ip != "" {
		addr = ip
	}
	return is.makePlan(wz.profile, wz.readiness.report, installer.Options{
		AdminUser: strings.TrimSpace(f.AdminUser), AdminPassword: f.AdminPassword,
		AdminNetwork: strings.TrimSpace(f.AdminNetwork), ISNetwork: strings.TrimSpace(f.ISNetwork),
		PackagesDir: strings.TrimSpace(f.PackagesDir), TokenOnServer: f.TokenOnServer, Force: f.Force,
		Hostname: host, Address: addr, SSHPort: port, DryRun: dryRun,
	})
}

// errSudoNeeded: sudo on the host wants a password and the form has none.
var errSudoNeeded = errors.New("sudo needs a password")

// planError is a plan the installer refused to build from the form.
type planError struct{ err error }

func (e *planError) Error() string { return e.err.Error() }
func (e *planError) Unwrap() error { return e.err }

// errorForUser prefixes a plan error with what it is about.
func errorForUser(err error) error {
	return errors.New(T("install.plan_error", map[string]any{"Detail": i18n.Line(err.Error(), 600)}))
}

// start runs (or resumes) the install in a goroutine.
func (is *installStep) start() {
	if is.running || is.formProblem() != "" {
		return
	}
	steps, err := is.plan(false)
	if err != nil {
		is.finish(&planError{err})
		return
	}
	srv := is.wz.state.Server // a copy, with the in-memory secrets
	ctx, cancel := context.WithCancel(context.Background())
	is.cancelFn, is.running, is.outcome = cancel, true, nil
	is.rows, is.total, is.finished, is.logLines = nil, len(steps), 0, nil
	for _, s := range steps {
		is.rows = append(is.rows, installRow{id: s.ID, title: s.Title, note: s.Note})
	}
	is.status = T("install.connecting", map[string]any{"Target": srv.Display()})
	is.refresh()

	sudo := is.form.SudoPassword
	var api remote.PinnedCert
	r := &installer.Runner{
		Holder: installer.Holder("Tunduk Onboard wizard"),
		Conn: func(ctx context.Context) (*remote.Client, error) {
			cfg, err := srv.SSHConfig(func(host, fp, keyType string) bool { return is.wz.askHostKey(ctx, host, fp, keyType) })
			if err != nil {
				return nil, err
			}
			return remote.Dial(ctx, cfg)
		},
		Sudo: func() (string, error) {
			if sudo == "" {
				return "", errSudoNeeded
			}
			return sudo, nil
		},
		Progress: func(e installer.Event) { is.uiDo(func() { is.event(e) }) },
		After: func(ctx context.Context, h installer.HostAccess) error {
			is.uiDo(func() { is.status = T("install.verifying_api"); is.refresh() })
			var err error
			api, err = installer.VerifyAdminAPI(ctx, xroad.DefaultAdminAPI, h)
			return err
		},
	}
	if is.tuneRunner != nil {
		is.tuneRunner(r)
	}
	log.WithField("target", srv.Display()).WithField("steps", len(steps)).Info("install started")
	go func() {
		err := r.Run(ctx, steps)
		cancel()
		if err != nil {
			log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("install stopped")
		} else {
			log.WithField("admin_api_cert_sha256", api.CertSHA256).Info("install done")
		}
		is.uiDo(func() {
			is.running = false
			is.resumable = err != nil
			if err == nil {
				is.outcome = func() fyne.CanvasObject {
					return successCard(T("install.ok", map[string]any{"Cert": api.CertSHA256}),
						T("install.ok.next", map[string]any{"Host": srv.Host, "User": is.form.AdminUser}))
				}
				is.status = ""
				is.refresh()
			} else {
				is.finish(err)
			}
			if is.afterRun != nil {
				is.afterRun()
			}
		})
	}()
}

// cancel stops after the step under way.
func (is *installStep) cancel() {
	if is.running && is.cancelFn != nil {
		is.cancelFn()
		is.status = T("install.cancelling")
		is.refresh()
	}
}

// leave: the run goes on while another page is shown; only the widgets go.
func (is *installStep) leave() { is.v = nil }

// event applies one runner event to the rows, the status and the log.
func (is *installStep) event(e installer.Event) {
	i := is.rowIndex(e.StepID)
	title := ""
	if i >= 0 {
		title = is.rows[i].title.In(CurrentLanguage())
	}
	set := func(state int) {
		if i >= 0 {
			is.rows[i].state = state
		}
	}
	switch e.Kind {
	case installer.EventChecking:
		set(rowRunning)
		if i >= 0 {
			is.rows[i].started = time.Now()
		}
		is.status = T("install.checking", map[string]any{"Title": title})
	case installer.EventApplying:
		set(rowRunning)
		is.status = T("install.applying", map[string]any{"Title": title})
	case installer.EventAlreadyDone, installer.EventSkipped:
		set(rowAlreadyDone)
		is.finished++
	case installer.EventDone:
		set(rowDone)
		if i >= 0 {
			is.rows[i].seconds = fmt.Sprintf("%.1f", time.Since(is.rows[i].started).Seconds())
		}
		is.finished++
	case installer.EventFailed:
		set(rowFailed)
	case installer.EventWaitingLock:
		is.status = T("install.waiting_lock")
	case installer.EventReconnecting:
		is.status = T("install.reconnecting")
	}
	if e.Text != "" {
		is.logLines = append(is.logLines, i18n.Line(e.StepID+": "+e.Text, 400))
		if n := len(is.logLines) - maxLogLines; n > 0 {
			is.logLines = append([]string(nil), is.logLines[n:]...)
		}
	}
	is.refresh()
}

func (is *installStep) rowIndex(id string) int {
	for i, r := range is.rows {
		if r.id == id {
			return i
		}
	}
	return -1
}

// finish shows why the run stopped, in the user's words.
func (is *installStep) finish(err error) {
	is.running = false
	is.status = ""
	var se *installer.StepError
	var pe *installer.PreflightError
	var ae *installer.AdminAPIError
	var ple *planError
	var what, todo, detail string
	switch {
	case errors.As(err, &se):
		what = T("install.failed", map[string]any{"ID": se.ID, "Code": se.ExitCode})
		todo, detail = T("install.failed.todo"), i18n.Line(se.LogTail, 1500)
	case errors.Is(err, context.Canceled):
		is.outcome = func() fyne.CanvasObject { return infoCard(T("install.cancelled"), T("install.cancelled.todo")) }
		is.refresh()
		return
	case errors.Is(err, errSudoNeeded):
		what, todo = T("install.sudo_needed"), T("install.sudo_needed.todo")
	case errors.Is(err, installer.ErrSudoPassword):
		what, todo = T("install.sudo_refused"), T("install.sudo_refused.todo")
	case errors.As(err, &ae):
		what, todo, detail = T("install.api_failed"), T("install.api_failed.todo"), i18n.Line(ae.Error(), 600)
	case errors.As(err, &ple) && !errors.As(err, &pe):
		what, todo, detail = T("install.plan_refused"), T("install.plan_refused.todo"), i18n.Line(ple.Error(), 600)
	case errors.As(err, &pe):
		ids := make([]string, len(pe.Failed))
		for i, r := range pe.Failed {
			ids[i] = r.Title.In(CurrentLanguage())
		}
		what, todo, detail = T("install.err.readiness"), T("install.preflight.todo"), strings.Join(ids, "; ")
	default:
		e := explain(err)
		what, todo, detail = T(e.What, e.Data), T(e.Todo, e.Data), e.Detail
	}
	is.outcome = func() fyne.CanvasObject { return messageCard(what, todo, detail) }
	is.refresh()
}
