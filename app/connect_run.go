package app

// The Connect step's work, a thin front end over xroad/connect (the plan:
// subsystems, registration, connection type, TLS, services, access
// rights), xroad/metaservice (the first real call) and enroll (the notice
// to the operator, the Catalogue export). What the user wants is the
// record's Connect section (plain values, no secrets): the plan is made
// from it each time, read against the server first, so applying twice
// changes nothing. Fields are touched on the UI goroutine only.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/backup"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice"
)

// stepConnect is the Connect step's id.
const stepConnect = onboarding.StepConnect

type connectStep struct {
	sessionRunner
	v *connectWidgets

	subs []onboarding.ConnectSubsystem // what the user wants, as the record keeps it
	sel  int                           // the subsystem shown

	plan      *connect.Plan       // the last plan read (dry run) or applied
	applied   bool                // plan is what Apply did
	inventory []connect.Subsystem // the server's subsystems and services, as last read
	subjects  []xroad.ServiceClient
	call      *onboarding.FirstCall
	callRes   []metaservice.Service
	callErr   error
	callPre   string // why the first call was not made (its key and certificate), in the user's words
	outcome   func() fyne.CanvasObject
	bk        backupRow // the backup before Apply's changes, or before a single one's

	// backed: a backup was taken (or skipped, or the user chose to go on
	// without one) before a change on this visit of the page, so the
	// single changes (a grant, a revoke, a refresh) take none more until
	// the page is left; visit counts the visits (a run's late word about
	// its backup is not kept for the next one).
	backed bool
	visit  int

	// certDir keeps the certificates read from the information system's
	// address; "" is beside the onboarding record (connect_tls.go).
	certDir string

	pollEvery time.Duration // how often a registration's status is asked for
	waitFor   time.Duration // how long one follow waits before it stops (resumable)
}

func newConnectStep(wz *wizard) *connectStep {
	cs := &connectStep{sessionRunner: sessionRunner{wz: wz, api: adminAPI(), uiDo: fyne.Do, roles: connect.Roles},
		pollEvery: 30 * time.Second, waitFor: 15 * time.Minute}
	if c := wz.rec.snapshot().Connect; c != nil {
		cs.subs, cs.call = c.Subsystems, c.FirstCall
	}
	return cs
}

// load takes the record's section again (another run may have written it).
func (cs *connectStep) load() {
	if c := cs.wz.rec.snapshot().Connect; c != nil && cs.busy == "" {
		cs.subs, cs.call = c.Subsystems, c.FirstCall
	}
	if cs.sel >= len(cs.subs) {
		cs.sel = max(0, len(cs.subs)-1)
	}
	cs.noticeSentElsewhere()
}

// save writes the wanted subsystems into the record, then removes the
// kept certificates neither it nor the step names any more.
func (cs *connectStep) save() {
	subs := slices.Clone(cs.subs)
	call := cs.call
	cs.wz.rec.update("connect", func(rec *onboarding.Record) {
		if rec.Connect == nil {
			rec.Connect = &onboarding.Connect{}
		}
		rec.Connect.Subsystems, rec.Connect.FirstCall = subs, call
	})
	named := subs // the step's own list too, should the record not have taken it
	if c := cs.wz.rec.snapshot().Connect; c != nil {
		named = append(slices.Clone(c.Subsystems), subs...)
	}
	cs.pruneCerts(named)
	if cs.wz.list != nil {
		cs.wz.list.Refresh() // the step's word in the list follows the record
	}
}

// params are the owner member's identifiers.
func (cs *connectStep) params() connect.Params {
	p := cs.wz.params()
	return connect.Params{Instance: p.Instance, MemberClass: p.MemberClass, MemberCode: p.MemberCode}
}

// cur is the subsystem shown, nil when there is none.
func (cs *connectStep) cur() *onboarding.ConnectSubsystem {
	if cs.sel < 0 || cs.sel >= len(cs.subs) {
		return nil
	}
	return &cs.subs[cs.sel]
}

// addSubsystem adds a subsystem to the wish list; its problem's key, or "".
func (cs *connectStep) addSubsystem(code, name string) string {
	code, name = strings.TrimSpace(code), strings.TrimSpace(name)
	if !cs.wz.profile.ValidSubsystemCode(code) {
		return "connect.problem.code"
	}
	for _, s := range cs.subs {
		if strings.EqualFold(s.Code, code) {
			return "connect.problem.code_taken"
		}
	}
	cs.subs = append(cs.subs, onboarding.ConnectSubsystem{Code: code, Name: name, Connection: connect.Recommended})
	cs.sel = len(cs.subs) - 1
	cs.plan = nil
	cs.save()
	return ""
}

// setConnection changes the shown subsystem's connection type.
func (cs *connectStep) setConnection(t string) {
	if s := cs.cur(); s != nil && s.Connection != t {
		s.Connection, cs.plan = t, nil
		cs.save()
	}
}

// addTLSFile adds the information system's certificate file (read now,
// so a wrong file is told at once).
func (cs *connectStep) addTLSFile(path string) error {
	s := cs.cur()
	if s == nil {
		return nil
	}
	if _, err := readCert(path); err != nil {
		return err
	}
	if !slices.Contains(s.TLSFiles, path) {
		s.TLSFiles, cs.plan = append(s.TLSFiles, path), nil
		cs.save()
	}
	return nil
}

// removeTLSFile takes a certificate file off the shown subsystem's list
// (the server keeps a certificate it trusts already).
func (cs *connectStep) removeTLSFile(path string) {
	if s := cs.cur(); s != nil {
		s.TLSFiles, cs.plan = slices.DeleteFunc(s.TLSFiles, func(f string) bool { return f == path }), nil
		cs.save()
	}
}

// addService adds a service to the shown subsystem; its problem, or nil
// (the flow's rules: connect.Check).
func (cs *connectStep) addService(sv onboarding.ConnectService) error {
	s := cs.cur()
	if s == nil {
		return nil
	}
	sv.Type, sv.URL, sv.File, sv.Code = strings.ToUpper(sv.Type), strings.TrimSpace(sv.URL), strings.TrimSpace(sv.File), strings.TrimSpace(sv.Code)
	trial := *s
	trial.TLSFiles = nil
	trial.Services = append(slices.Clone(s.Services), sv)
	d, err := cs.desiredOf([]onboarding.ConnectSubsystem{trial})
	if err == nil {
		err = connect.Check(cs.wz.profile, d)
	}
	if err != nil {
		return err
	}
	s.Services, cs.plan = trial.Services, nil
	cs.save()
	return nil
}

// removeService takes a service off the wish list (the server keeps it).
func (cs *connectStep) removeService(i int) {
	if s := cs.cur(); s != nil && i >= 0 && i < len(s.Services) {
		s.Services, cs.plan = slices.Delete(s.Services, i, i+1), nil
		cs.save()
	}
}

// desired is the wish list as the flow's plan, files read.
func (cs *connectStep) desired() (connect.Desired, error) { return cs.desiredOf(cs.subs) }

func (cs *connectStep) desiredOf(subs []onboarding.ConnectSubsystem) (connect.Desired, error) {
	var d connect.Desired
	for _, s := range subs {
		w := connect.Want{Code: s.Code, Name: s.Name, Connection: s.Connection}
		for _, f := range s.TLSFiles {
			c, err := readCert(f)
			if err != nil {
				return d, err
			}
			w.TLSCertFiles, w.TLSCerts = append(w.TLSCertFiles, f), append(w.TLSCerts, c.der)
		}
		for _, sv := range s.Services {
			ws := connect.WantService{Type: sv.Type, URL: sv.URL, File: sv.File, Code: sv.Code, Access: sv.Access}
			if sv.File != "" {
				b, err := readcap.ReadFile(sv.File, readcap.OpenAPI)
				if err != nil {
					return d, &fileError{path: sv.File, key: "connect.problem.openapi_file", err: err}
				}
				ws.Data = b
			}
			w.Services = append(w.Services, ws)
		}
		d.Subsystems = append(d.Subsystems, w)
	}
	return d, nil
}

// checked is desired, checked by the flow's rules before a session opens.
func (cs *connectStep) checked() (connect.Desired, error) {
	d, err := cs.desired()
	if err == nil {
		err = connect.Check(cs.wz.profile, d)
	}
	return d, err
}

// preview reads the plan against the server: what Apply would do.
func (cs *connectStep) preview() { cs.runPlan(false) }

// apply does what the plan has to do, then reads the services back.
func (cs *connectStep) apply() { cs.runPlan(true) }

func (cs *connectStep) runPlan(apply bool) {
	d, err := cs.checked()
	cs.outcome = nil
	if err != nil {
		cs.fail(err)
		cs.refresh()
		return
	}
	p := cs.params()
	what := map[bool]string{false: "preview", true: "apply"}[apply]
	var inv []connect.Subsystem
	if apply {
		cs.bk.note = backupNote{}
	}
	visit := cs.visit
	cs.start(what, func(ctx context.Context, s *serverSession, in sessionInput) error {
		pl, err := connect.Read(ctx, s.API(), p, d)
		if err != nil {
			return err
		}
		cs.uiDo(func() { cs.plan, cs.applied = pl, false; cs.refresh() })
		if !apply {
			return nil
		}
		if pl.Count(connect.StateTodo) > 0 { // as the CLI: no backup when nothing is to change
			if err := cs.backupFirst(ctx, s.API(), visit); err != nil {
				return err
			}
		}
		r := &connect.Runner{API: s.API(), Host: s.client}
		err = r.Apply(ctx, pl, func(connect.Item) {
			snap := *pl
			snap.Items = slices.Clone(pl.Items)
			cs.uiDo(func() { cs.plan, cs.applied = &snap, true; cs.refresh() })
		})
		if err != nil {
			return err
		}
		inv, err = connect.Inventory(ctx, s.API())
		return err
	}, func(err error) {
		if err != nil {
			cs.fail(err)
			return
		}
		if apply {
			cs.applied = true
			cs.took(inv)
			cs.outcome = func() fyne.CanvasObject { return successCard(T("connect.applied"), cs.appliedTodo()) }
		}
	}, cs.refresh)
}

// appliedTodo: what comes after Apply: the operator's approval, or the
// first call.
func (cs *connectStep) appliedTodo() string {
	if w := cs.waiting(); len(w) > 0 {
		return T("connect.applied.wait", map[string]any{"Subsystems": strings.Join(w, ", ")})
	}
	return T("connect.applied.call")
}

// waiting are the subsystems whose registration the operator has not
// approved yet (as last read).
func (cs *connectStep) waiting() []string {
	var out []string
	for _, s := range cs.subs {
		if s.Status != xroad.ClientRegistered {
			out = append(out, s.Code)
		}
	}
	return out
}

// took keeps the server's subsystems: each wanted one's status.
func (cs *connectStep) took(inv []connect.Subsystem) {
	cs.inventory = inv
	now := time.Now().UTC()
	p := cs.params()
	for i := range cs.subs {
		s := &cs.subs[i]
		for _, x := range inv {
			if x.MemberClass == p.MemberClass && x.MemberCode == p.MemberCode && strings.EqualFold(x.Code, s.Code) {
				cs.setStatus(s, x.Status, now)
			}
		}
	}
	cs.save()
}

func (cs *connectStep) setStatus(s *onboarding.ConnectSubsystem, st string, at time.Time) {
	s.Status, s.StatusAt = i18n.Line(st, 40), at
	if st == xroad.ClientRegistered && s.Registered.IsZero() {
		s.Registered = at
	}
}

// refreshServer reads the subsystems and services the server holds.
func (cs *connectStep) refreshServer() { cs.readServer("inventory", nil) }

// readServer does first (when set) and then reads the subsystems and
// services the server holds, shown as they are now.
func (cs *connectStep) readServer(what string, first func(context.Context, *xroad.Client) error) {
	var inv []connect.Subsystem
	cs.outcome = nil
	cs.start(what, func(ctx context.Context, s *serverSession, in sessionInput) error {
		if first != nil {
			if err := first(ctx, s.API()); err != nil {
				return err
			}
		}
		var err error
		inv, err = connect.Inventory(ctx, s.API())
		return err
	}, func(err error) {
		if err != nil {
			cs.fail(err)
			return
		}
		cs.took(inv)
	}, cs.refresh)
}

// follow asks for the waiting subsystems' status until the operator
// approves each or waitFor passes; leaving the page stops it, and it is
// followed again later (the request stays with the operator).
func (cs *connectStep) follow() {
	codes := cs.waiting()
	if len(codes) == 0 {
		return
	}
	p, every, bound := cs.params(), cs.pollEvery, cs.waitFor
	cs.outcome = nil
	cs.start("follow", func(ctx context.Context, s *serverSession, in sessionInput) error {
		ctx, cancel := context.WithTimeout(ctx, bound)
		defer cancel()
		for _, code := range codes {
			seen := func(st string) {
				cs.uiDo(func() {
					for i := range cs.subs {
						if cs.subs[i].Code == code {
							cs.setStatus(&cs.subs[i], st, time.Now().UTC())
						}
					}
					cs.save()
					cs.refresh()
				})
			}
			if err := connect.WaitRegistered(ctx, s.API(), p, code, every, seen); err != nil {
				return err
			}
		}
		return nil
	}, func(err error) {
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			cs.outcome = func() fyne.CanvasObject { return infoCard(T("connect.still_waiting"), T("connect.still_waiting.todo")) }
		case err != nil:
			cs.fail(err)
		default:
			cs.outcome = func() fyne.CanvasObject { return successCard(T("connect.registered"), T("connect.applied.call")) }
		}
	}, cs.refresh)
}

// internalTLS is the server's internal TLS certificate (PEM), the one
// its client side presents on port 8443, read through the admin API.
func internalTLS(ctx context.Context, api *xroad.Client) ([]byte, error) {
	tgz, err := api.ExportInternalTLS(ctx)
	if err != nil {
		return nil, err
	}
	return connect.InternalCert(tgz)
}

// exportTLS fetches the server's internal TLS certificate and hands it
// to then (on the UI goroutine) to be written where the user chooses.
func (cs *connectStep) exportTLS(then func(pemBytes []byte)) {
	var pemBytes []byte
	cs.outcome = nil
	cs.start("tls_export", func(ctx context.Context, s *serverSession, in sessionInput) error {
		var err error
		pemBytes, err = internalTLS(ctx, s.API())
		return err
	}, func(err error) {
		if err != nil {
			cs.fail(err)
			return
		}
		then(pemBytes)
	}, cs.refresh)
}

// fail shows err in the user's words: the connect flow's, a file's, or
// the session's.
func (cs *connectStep) fail(err error) {
	var ce *configure.Error // the session's own (login, sudo, the API's certificate)
	var be *backup.Error    // no backup before the change (backup_before.go)
	if errors.As(err, &ce) || errors.As(err, &be) || errors.Is(err, context.Canceled) || errors.Is(err, errNoAdmin) {
		cs.outcome = func() fyne.CanvasObject { return cs.wz.errorCard(err) }
		return
	}
	if key, data, ok := connect.Explain(err); ok {
		cs.outcome = func() fyne.CanvasObject {
			return messageCard(i18n.T(CurrentLanguage(), key, data), T("connect.error_todo"), "")
		}
		return
	}
	var fe *fileError
	if errors.As(err, &fe) {
		cs.outcome = func() fyne.CanvasObject { return messageCard(fe.text(), T("connect.file_todo"), "") }
		return
	}
	cs.outcome = func() fyne.CanvasObject { return cs.wz.errorCard(err) }
}

// leave: following stops with the page (its API key is revoked); it is
// followed again from the page.
func (cs *connectStep) leave() {
	cs.cancel()
	cs.v = nil
	cs.visit++
	cs.backed = false
}

// backupFirst takes the backup before a change of this visit of the page
// (backup_before.go, shown in the page's row); on the run's goroutine.
// Once it lets the change go on, the visit is backed.
func (cs *connectStep) backupFirst(ctx context.Context, api *xroad.Client, visit int) error {
	if err := cs.wz.backupFirst(ctx, api, cs.uiDo, &cs.bk, cs.refresh); err != nil {
		return err
	}
	cs.uiDo(func() {
		if cs.visit == visit {
			cs.backed = true
		}
	})
	return nil
}

// changer is how one single change of the page (a grant, a revoke, a
// refresh) reaches the server: a connect.Runner whose Before takes the
// backup Apply takes, just before the first change it sends, when this
// visit of the page has none yet; a change found done already sends
// nothing and takes none. Called on the UI goroutine when the run
// starts; its result on the run's goroutine.
func (cs *connectStep) changer() func(api *xroad.Client) *connect.Runner {
	backed, visit := cs.backed, cs.visit
	if !backed && cs.busy == "" {
		cs.bk.note = backupNote{} // the row tells this run's backup, if one is taken
	}
	return func(api *xroad.Client) *connect.Runner {
		r := &connect.Runner{API: api}
		if !backed {
			r.Before = func(ctx context.Context) error { return cs.backupFirst(ctx, api, visit) }
		}
		return r
	}
}
