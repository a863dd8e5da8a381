package app

// The renewal of the server's certificates, from the Health step: the
// plan read (renew.Read), the PINs it needs asked, the run (renew.Apply)
// in the background with a backup first and the new CSRs sent the way
// the Submit step sends them, and how it ended. What is renewed, in what
// order and when is xroad/configure/renew's: this is its front end; the
// page is health_renew.go. A run that waits (the CA, the operator, the
// OCSP responder) leaves a mark in the preferences (no secret) so that
// the step, opened again in a later run, offers to go on; the server
// and the submissions store say where. Fields are touched on the UI
// goroutine only.

import (
	"context"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure/renew"
)

// prefRenewWaiting is the step the last renewal run was left waiting at
// ("" when none): the Health step opens the renewal with it.
const prefRenewWaiting = "renew_waiting"

// renewBound bounds one run besides the time it follows the approval
// and the OCSP responses (twice renewWait), as the CLI's --timeout.
const (
	renewBound = 5 * time.Minute
	renewWait  = 2 * time.Minute
	renewPoll  = 30 * time.Second
)

type renewPanel struct {
	sessionRunner
	hs *healthStep
	v  *renewWidgets

	open    bool
	plan    *renew.Plan
	rows    progressRows
	waiting string    // the step the last run left waiting at
	done    bool      // the last run finished a renewal
	err     error     // the last read's or run's
	backup  backupRow // the backup before the last run's first change
	sent    runResult
	sentVia enroll.Via

	softPIN, hwPIN     string // typed for the next run: memory only, cleared when it starts
	authCert, signCert string // the CA's certificates (file paths)
	show               bool   // bring the end of the work under way into view

	wait, poll, bound time.Duration // tests shorten them
}

func newRenewPanel(hs *healthStep) *renewPanel {
	return &renewPanel{sessionRunner: sessionRunner{wz: hs.wz, api: hs.api, uiDo: fyne.Do}, hs: hs,
		wait: renewWait, poll: renewPoll, bound: renewBound, waiting: hs.wz.prefs.String(prefRenewWaiting)}
}

// options are a read's or a run's inputs, on the UI goroutine.
func (rp *renewPanel) options() (renew.Options, error) {
	wz := rp.wz
	o := renew.Options{Params: wz.params(), SigningKey: wz.profile.SigningKey, Wait: rp.wait, Poll: rp.poll,
		SoftPIN: rp.softPIN, HWPIN: rp.hwPIN}
	if th := wz.profile.Health.CertExpiryDays; len(th) > 0 {
		o.ExpiryDays = th[0]
	}
	if o.SoftPIN == "" {
		o.SoftPIN = wz.configure.form.PIN // typed on Configure this run
	}
	if o.HWPIN == "" {
		o.HWPIN = wz.configure.form.HWPIN
	}
	dir, err := wz.submit.dir()
	if err != nil {
		return o, err
	}
	if o.Store, err = enroll.OpenStore(dir); err != nil {
		return o, err
	}
	for _, p := range []string{rp.authCert, rp.signCert} {
		if p == "" {
			continue
		}
		c, err := readCert(p)
		if err != nil {
			return o, err
		}
		o.Certs = append(o.Certs, c.der)
	}
	return o, nil
}

// openPanel shows the renewal and reads where it stands on the server.
func (rp *renewPanel) openPanel() {
	rp.open = true
	rp.read()
	rp.hs.refresh()
}

// read reads the plan (nothing changes on the server).
func (rp *renewPanel) read() {
	o, err := rp.options()
	if err != nil {
		rp.err = err
		rp.refresh()
		return
	}
	o.SoftPIN, o.HWPIN = "", ""
	var pl *renew.Plan
	rp.err, rp.show = nil, true
	rp.start("renew.read", func(ctx context.Context, s *serverSession, _ sessionInput) error {
		rctx, cancel := context.WithTimeout(ctx, rp.bound)
		defer cancel()
		var err error
		pl, err = renew.Read(rctx, s.Session, o)
		return err
	}, func(err error) {
		rp.err = err
		if err == nil {
			rp.setPlan(pl)
		}
	}, rp.refresh)
}

// setPlan shows pl and its steps as rows.
func (rp *renewPanel) setPlan(pl *renew.Plan) {
	rp.plan, rp.rows = pl, nil
	for _, st := range pl.Steps {
		r := progressRow{id: st.ID, title: i18n.TT("configure.renew.step."+st.ID, nil)}
		switch st.State {
		case renew.StateDone:
			r.state = rowAlreadyDone
		case renew.StateWait:
			r.note = i18n.TT("cli.renew.state.wait", nil)
		}
		rp.rows = append(rp.rows, r)
	}
}

// begun: a renewal on the server has begun (Continue, not Renew).
func (rp *renewPanel) begun() bool {
	if rp.plan == nil {
		return rp.waiting != ""
	}
	for _, rn := range rp.plan.Renewals() {
		if rn.Why == renew.WhyResumed {
			return true
		}
	}
	return false
}

// apply runs the renewal in the background: a backup before the first
// change, the new CSRs sent by the Submit step's way, every step the
// server's state allows, until all are done or one waits.
func (rp *renewPanel) apply() {
	if rp.busy != "" || rp.plan == nil {
		return
	}
	o, err := rp.options()
	if err != nil {
		rp.err = err
		rp.refresh()
		return
	}
	rp.softPIN, rp.hwPIN = "", "" // never kept past the run they are for
	rp.clearPINs()
	wz := rp.wz
	f, part, lang := wz.submit.form, wz.submit.participant(), CurrentLanguage()
	rp.err, rp.done, rp.backup.note, rp.sent = nil, false, backupNote{}, runResult{}
	rp.sentVia = f.Via
	o.Progress = func(p configure.Progress) { rp.uiDo(func() { rp.progress(p) }) }
	// The new CSRs go once: a package made and not sent yet waits for
	// the user's word (I have sent them), not for a second package.
	if rp.plan.Submission == nil {
		o.Submit = func(ctx context.Context, csrs []enroll.CSR) error {
			res := wz.submit.deliver(ctx, f, enroll.Input{Participant: part, Lang: lang, CSRs: csrs}, nil, func() {})
			rp.uiDo(func() { rp.sent = res })
			return res.err
		}
	}
	var res renew.Result
	rp.show = true
	log.WithField("target", wz.state.Server.Display()).Info("renewal started")
	rp.start("renew.apply", func(ctx context.Context, s *serverSession, _ sessionInput) error {
		defer func() { o.SoftPIN, o.HWPIN = "", "" }()
		rctx, cancel := context.WithTimeout(ctx, rp.bound+2*rp.wait)
		defer cancel()
		o.BeforeChange = func(ctx context.Context) error {
			return wz.backupFirst(ctx, s.API(), rp.uiDo, &rp.backup, rp.refresh)
		}
		var err error
		res, err = renew.Apply(rctx, s.Session, o)
		return err
	}, func(err error) { rp.ended(res, err) }, rp.refresh)
}

// progress applies one report of the run to its row.
func (rp *renewPanel) progress(p configure.Progress) {
	if r := rp.rows.find(p.ID); r != nil {
		r.note = i18n.Text{}
		r.configured(p.State)
		if p.State == renew.StateWaiting {
			r.state, r.note = rowPending, i18n.TT("cli.renew.state.wait", nil)
		}
	}
	rp.refresh()
}

// ended shows how a run ended and keeps the mark of a run that waits.
func (rp *renewPanel) ended(res renew.Result, err error) {
	rp.err = err
	rp.rows.failRunning()
	if res.Plan != nil {
		rp.plan = res.Plan
	}
	if err == nil {
		rp.waiting, rp.done = res.Waiting, res.Waiting == ""
		rp.wz.prefs.SetString(prefRenewWaiting, res.Waiting)
	}
	log.WithField("waiting", res.Waiting).WithField("changed", res.Changed).Info("renewal run ended")
}

// markSent records that the user sent the new CSRs' package (a letter
// or a folder handed over), as the Submit step does.
func (rp *renewPanel) markSent() {
	pl := rp.plan
	if pl == nil || pl.Submission == nil {
		return
	}
	o, err := rp.options()
	if err == nil {
		via := rp.sentVia
		if via == "" {
			via = rp.wz.submit.form.Via
		}
		_, err = o.Store.MarkSent(pl.Submission.ID, via, "")
	}
	if err != nil {
		rp.err = err
		rp.refresh()
		return
	}
	log.WithField("id", pl.Submission.ID).Info("renewal: the new CSRs marked sent")
	rp.read()
}

// leave: a run under way stops with the page.
func (rp *renewPanel) leave() {
	rp.cancel()
	rp.v = nil
}
