package app

// The Install step's run: the form, the plan, the runner in a goroutine
// and its events turned into rows, a bounded log and an outcome. All
// fields are touched on the UI goroutine only (events arrive through uiDo).

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// installForm is what the operator gives the installer. The passwords
// live in memory only.
type installForm struct {
	AdminUser, AdminNetwork, ISNetwork, PackagesDir string
	TokenOnServer, Force                            bool

	AdminPassword, AdminPassword2, SudoPassword string
}

type installStep struct {
	wz   *wizard
	form installForm
	v    *installWidgets

	// resumable: a run stopped before the end (failed, cancelled): Start
	// is offered as Resume.
	running, resumable bool
	cancelFn           context.CancelFunc
	rows               progressRows
	total, finished    int
	status             string
	logLines           []string
	outcome            func() fyne.CanvasObject
	// noClass is the last finished install's finding that the X-Road it
	// installed lacks the operator's certificate profile class, on
	// noClassOn (the server's Display): Configure stays closed there.
	noClass   *installer.ProfileClass
	noClassOn string

	// Seams for tests: the plan (synthetic steps instead of X-Road), the
	// runner's host paths, the UI goroutine, the end of a run.
	makePlan   func(p *profile.Profile, rep *checks.Report, opt installer.Options) ([]installer.Step, error)
	tuneRunner func(r *installer.Runner)
	// machine is this computer, for "This computer" on the Server step
	// (tests make another: Windows, Fedora).
	machine  func() installer.Machine
	uiDo     func(func())
	afterRun func()
}

func newInstallStep(wz *wizard) *installStep {
	is := &installStep{wz: wz, makePlan: installer.Plan, uiDo: fyne.Do, machine: installer.ThisMachine}
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

// The form's own fields, besides the installer's (installer.Field*).
const (
	fieldPassword2 = "admin_password2" // the repeated admin password
	fieldForce     = "force"           // the readiness override
)

// formProblem is one thing that keeps the plan from being made: the field
// it concerns and what is wrong, in the user's language.
type formProblem struct{ field, text string }

// fieldOrder is the order of the form, for the first problem to be the
// topmost; fields the form does not show (host name, address, SSH port)
// come after its own.
var fieldOrder = []string{installer.FieldAdminUser, installer.FieldAdminPassword, fieldPassword2,
	installer.FieldAdminNetwork, installer.FieldISNetwork, installer.FieldPackagesDir,
	installer.FieldHostname, installer.FieldAddress, installer.FieldSSHPort, fieldForce}

// problems are what the plan would refuse, in the order of the form: the
// installer's own validation of the options and its readiness gate (told
// with the wizard's override, the box below the form), and for a real run
// the repeated password. None: Start can go.
func (is *installStep) problems(dryRun bool) []formProblem {
	lang, opt, rep := CurrentLanguage(), is.options(dryRun), is.wz.readiness.report
	var ps []formProblem
	for _, e := range installer.ValidateOptions(opt, rep) {
		ps = append(ps, formProblem{e.Field, i18n.T(lang, e.Key, e.Data)})
	}
	if !dryRun && is.form.AdminPassword != "" && is.form.AdminPassword != is.form.AdminPassword2 {
		ps = append(ps, formProblem{fieldPassword2, T("install.err.password_differ")})
	}
	if err := installer.CheckReadiness(rep, opt.Force); err != nil {
		key, data := installer.Explain(err)
		ps = append(ps, formProblem{fieldForce, i18n.T(lang, key, data) + " " + T(key+".todo", data)})
	}
	sort.SliceStable(ps, func(i, j int) bool {
		return slices.Index(fieldOrder, ps[i].field) < slices.Index(fieldOrder, ps[j].field)
	})
	return ps
}

// visibleProblems are the problems the user has met: those of fields
// typed in, of what is not a field (the readiness refusal), and all of
// them once Start was pressed (fieldGuide).
func (is *installStep) visibleProblems() []formProblem {
	g := is.wz.guide
	var out []formProblem
	for _, p := range is.problems(false) {
		if g.tried[stepInstall] || !g.watched[p.field] || g.touched[p.field] {
			out = append(out, p)
		}
	}
	return out
}

// pressStart is the Start button: with problems the user has not seen
// yet, it shows them (as Next does on a form); else it starts.
func (is *installStep) pressStart() {
	if !is.running && len(is.problems(false)) > 0 {
		is.wz.guide.tried[stepInstall] = true
		is.refresh()
		return
	}
	is.start()
}

// options are the installer's options: the form, the server's SSH port
// (on this computer, the one sshd listens on) and public address, the
// host name the readiness check found.
func (is *installStep) options(dryRun bool) installer.Options {
	wz, f := is.wz, is.form
	port, _ := wz.state.Server.PortNumber()
	if !wz.state.Server.Remote {
		port = is.machine().SSHPort()
	}
	var host, addr string
	if wz.readiness.report != nil {
		host, addr = installer.HostFacts(wz.readiness.report.Facts)
	}
	if ip := strings.TrimSpace(wz.state.Server.PublicIP); ip != "" {
		addr = ip
	}
	return installer.Options{
		AdminUser: strings.TrimSpace(f.AdminUser), AdminPassword: f.AdminPassword,
		AdminNetwork: strings.TrimSpace(f.AdminNetwork), ISNetwork: strings.TrimSpace(f.ISNetwork),
		PackagesDir: strings.TrimSpace(f.PackagesDir), TokenOnServer: f.TokenOnServer, TokenVendor: is.tokenVendor(), Force: f.Force,
		Hostname: host, Address: addr, SSHPort: port, DryRun: dryRun, Local: !wz.state.Server.Remote,
	}
}

// plan builds the steps from the form and the last readiness report.
func (is *installStep) plan(dryRun bool) ([]installer.Step, error) {
	return is.makePlan(is.wz.profile, is.wz.readiness.report, is.options(dryRun))
}

// start runs (or resumes) the install in a goroutine.
func (is *installStep) start() {
	if is.running || len(is.problems(false)) > 0 {
		return
	}
	steps, err := is.plan(false)
	if err != nil {
		is.finish(err)
		return
	}
	srv := is.wz.state.Server // a copy, with the in-memory secrets
	ctx, cancel := context.WithCancel(context.Background())
	is.cancelFn, is.running, is.outcome = cancel, true, nil
	is.noClass, is.noClassOn = nil, ""
	is.rows, is.total, is.finished, is.logLines = nil, len(steps), 0, nil
	for _, s := range steps {
		is.rows = append(is.rows, progressRow{id: s.ID, title: s.Title, note: s.Note})
	}
	is.status = T("install.connecting", map[string]any{"Target": srv.Display()})
	verifying, next := T("install.verifying_api"), "install.ok.next"
	conn := func(ctx context.Context) (remote.Host, error) {
		cfg, err := srv.SSHConfig(func(host, fp, keyType string) bool { return is.wz.askHostKey(ctx, host, fp, keyType) })
		if err != nil {
			return nil, err
		}
		c, err := remote.Dial(ctx, cfg)
		if err != nil {
			return nil, err // not a nil *Client in a non-nil Host
		}
		return c, nil
	}
	if !srv.Remote { // this computer: the same runner, without SSH
		conn = localHost
		is.status, verifying, next = T("install.starting_local"), T("install.verifying_api_local"), "install.ok.next_local"
	}
	is.refresh()
	is.wz.rec.installStarted(len(steps), is.form.Force)

	sudo := is.form.SudoPassword
	var api remote.PinnedCert
	var class *installer.ProfileClass
	r := &installer.Runner{
		Holder: installer.Holder("Tunduk Onboard wizard"),
		Conn:   conn,
		Sudo: func() (string, error) {
			if sudo == "" {
				return "", installer.ErrSudoNeeded
			}
			return sudo, nil
		},
		Progress: func(e installer.Event) { is.uiDo(func() { is.event(e) }) },
		After: func(ctx context.Context, h installer.HostAccess) error {
			is.uiDo(func() { is.status = verifying; is.refresh() })
			var err error
			api, err = installer.VerifyAdminAPI(ctx, adminAPI(), h)
			if err == nil {
				class = installer.CheckProfileClass(ctx, adminAPI(), is.wz.profile.Install.ProfileClass, h)
			}
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
			is.wz.rec.installEnded(err, is.wz.profile.XRoad.Version)
			if err == nil && class != nil {
				// Kept in the record, so Configure stays closed after a restart.
				is.wz.rec.update("install profile class", func(rec *onboarding.Record) { rec.InstallClassChecked(class.Status) })
			}
			if err == nil && class != nil && class.Status == installer.ClassAbsent {
				// NIIS's packages: installed, but the CA would refuse the
				// CSRs, so Configure is closed until the operator's are in.
				is.noClass, is.noClassOn = class, srv.Display()
				is.outcome = func() fyne.CanvasObject {
					return warnCard(T("install.profile_class_absent"), class.Text(CurrentLanguage()))
				}
				is.status = ""
				is.refresh()
			} else if err == nil {
				is.outcome = func() fyne.CanvasObject {
					ok := successCard(T("install.ok", map[string]any{"Cert": groupFingerprint(api.CertSHA256)}),
						T(next, map[string]any{"Host": srv.Host, "User": is.form.AdminUser}))
					if class == nil || class.Status == installer.ClassPresent {
						return ok
					}
					// NIIS's packages (or a jar not read): the CSRs will stop.
					return container.NewVBox(ok, infoCard(T("install.profile_class"), class.Text(CurrentLanguage())))
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

// missingClass is the install's finding that the X-Road on the server
// lacks the operator's certificate profile class, or nil.
func (is *installStep) missingClass() *installer.ProfileClass {
	if is.noClass != nil && is.noClassOn == is.wz.state.Server.Display() {
		return is.noClass
	}
	// An earlier run's (this wizard's or the CLI's), from the record: it
	// holds the install of the record's server, which each visit keeps
	// the one chosen.
	if rec := is.wz.rec.snapshot(); rec.Install.ProfileClassAbsent() {
		name := is.wz.profile.Install.ProfileClass
		return &installer.ProfileClass{Class: name[strings.LastIndex(name, ".")+1:], Jar: adminAPI().Jar(), Status: installer.ClassAbsent}
	}
	return nil
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

// event applies one runner event to its row, the status and the log.
func (is *installStep) event(e installer.Event) {
	r := is.rows.find(e.StepID)
	if r == nil {
		r = &progressRow{} // the after-steps check: no row of its own
	}
	title := r.title.In(CurrentLanguage())
	switch e.Kind {
	case installer.EventChecking:
		r.begin()
		is.status = T("install.checking", map[string]any{"Title": title})
	case installer.EventApplying:
		r.state = rowRunning
		is.status = T("install.applying", map[string]any{"Title": title})
	case installer.EventAlreadyDone, installer.EventSkipped:
		r.end(rowAlreadyDone)
		is.finished++
		is.wz.rec.installStep(e.StepID, is.finished, is.total)
	case installer.EventDone:
		r.end(rowDone)
		is.finished++
		is.wz.rec.installStep(e.StepID, is.finished, is.total)
	case installer.EventFailed:
		r.end(rowFailed)
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

// finish shows why the run stopped, in the user's words: what happened as
// the installer says it (installer.Explain), what to do in the wizard's
// own terms (<key>.todo).
func (is *installStep) finish(err error) {
	is.running = false
	is.status = ""
	key, data := installer.Explain(err)
	what, todo := i18n.T(CurrentLanguage(), key, data), T(key+".todo", data)
	detail, _ := data["Tail"].(string)
	if d, _ := data["Detail"].(string); detail == "" {
		detail = d
	}
	is.outcome = func() fyne.CanvasObject { return messageCard(what, todo, detail) }
	if key == "installer.err.cancelled" {
		is.outcome = func() fyne.CanvasObject { return infoCard(what, todo) }
	}
	is.refresh()
}
