package app

// The onboarding record (onboarding/) from the wizard's side: one
// recorder that each step tells its milestones (org and server saved,
// readiness finished, install ended, server initialised, a CSR made, the
// submission's stage, certificates imported and registered), which writes
// the record after each; and, at start, the record read back: the CSRs of
// earlier runs, each step's true state and the step to reopen at. A disk
// that refuses the write is logged and told once: the wizard goes on.

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2/dialog"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// envRecord points the wizard at another onboarding record than
// onboarding.DefaultPath() (support sessions, the real-window walk).
const envRecord = "TUNDUK_ONBOARD_RECORD"

// recorder holds the record and writes it. Milestones arrive on the UI
// goroutine; the lock keeps a CSR handed over from elsewhere safe too.
type recorder struct {
	wz   *wizard
	mu   sync.Mutex
	path string // "" keeps the record in memory only (tests; a file not to be written over)
	rec  onboarding.Record

	loadErr error  // what Load said, told once the window is up
	told    bool   // a failed write was told this run
	damaged string // a kept readiness report found damaged: never removed by dropKept
	now     func() time.Time
}

func newRecorder(wz *wizard) *recorder {
	r := &recorder{wz: wz, rec: onboarding.Record{Version: onboarding.Version}, now: time.Now}
	wz.csrs.onSet = r.csrMade
	return r
}

// recordPath is where Run keeps the record: TUNDUK_ONBOARD_RECORD, else
// the default under the user's configuration folder.
func recordPath() (string, error) {
	if p := strings.TrimSpace(os.Getenv(envRecord)); p != "" {
		return p, nil
	}
	return onboarding.DefaultPath()
}

// openRecord reads the record at path and brings its CSRs back for the
// Submit step, and a recent readiness report for the Install step. A damaged file has been moved aside by Load (a new record
// starts); a file that could not be read nor moved is left alone and
// this run remembers in memory only. Either way the user is told (tell).
func (wz *wizard) openRecord(path string) {
	r := wz.rec
	rec, err := onboarding.Load(path)
	r.mu.Lock()
	r.rec, r.path, r.loadErr = rec, path, err
	if err != nil {
		var oe *onboarding.Error
		if !errors.As(err, &oe) || oe.Aside == "" {
			r.path = "" // never write over a file that is still there
		}
		log.WithError(err).WithField("file", path).Warn("onboarding record not read")
	}
	r.mu.Unlock()
	wz.restoreCSRs()
	wz.restoreReadiness() // a recent check of this server (readiness_kept.go)
}

// restoreCSRs puts the latest CSR of each usage from the record into this
// run's set, when their files are as they were made.
func (wz *wizard) restoreCSRs() {
	r := wz.rec
	r.mu.Lock()
	var found []onboarding.CSR
	for _, u := range []string{onboarding.UsageAuth, onboarding.UsageSign} {
		if c := r.rec.LatestCSR(u); c != nil {
			found = append(found, *c)
		}
	}
	r.mu.Unlock()
	auth, sign := wz.csrs.get()
	for _, c := range found {
		der, err := onboarding.ReadCSR(c)
		if err != nil {
			log.WithError(err).WithField("usage", c.Usage).Warn("onboarding record: CSR of an earlier run not read")
			continue
		}
		m := &madeCSR{DER: der, Where: c.Key.Place, Token: c.Key.TokenSerial, KeyID: c.Key.ID, Label: c.Key.Label, TokenLabel: c.Key.TokenLabel}
		if c.Usage == onboarding.UsageAuth && auth == nil {
			wz.csrs.setAuth(m)
		} else if c.Usage == onboarding.UsageSign && sign == nil && c.Key.Place == placeWord[wz.signPlacement()] {
			// Only a CSR of the place chosen now goes to the CA.
			wz.csrs.setSign(m)
		}
	}
}

// startStep is the step the window opens at: the one
// TUNDUK_ONBOARD_START_STEP names, else where the user left off (days
// ago, perhaps).
func (wz *wizard) startStep() int {
	if i := wz.stepIndex(strings.TrimSpace(os.Getenv(envStartStep))); i >= 0 {
		return i
	}
	return wz.resumeIndex()
}

// tell shows, once the window is up, what Load had to say (the damaged
// file and where it was kept), in the user's language.
func (r *recorder) tell() {
	r.mu.Lock()
	err := r.loadErr
	r.loadErr = nil
	r.mu.Unlock()
	if err != nil {
		r.show(err)
	}
}

// show puts an onboarding error in front of the user.
func (r *recorder) show(err error) {
	if r.wz.win == nil {
		return
	}
	dialog.ShowInformation(T("record.title"), recordErrorText(err), r.wz.win)
}

// recordErrorText is an onboarding error in the user's language.
func recordErrorText(err error) string {
	var oe *onboarding.Error
	if errors.As(err, &oe) {
		text := i18n.T(CurrentLanguage(), oe.Key, oe.Data)
		if oe.Err != nil {
			text += "\n\n" + T("err.detail", map[string]any{"Detail": i18n.Line(oe.Err.Error(), 300)})
		}
		return text
	}
	return i18n.Line(err.Error(), 300)
}

// snapshot is a copy of the record for readers (the summary, the step
// list): the slices are copied, so a later milestone does not change it.
func (r *recorder) snapshot() onboarding.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.rec
	c.CSRs = append([]onboarding.CSR(nil), r.rec.CSRs...)
	c.Certificates = append([]onboarding.Certificate(nil), r.rec.Certificates...)
	return c
}

// state is the step's state from the record, with the signing key's
// place as it is now (the profile's recommendation until one is chosen).
func (r *recorder) state(step string) onboarding.State {
	pl := placeWord[r.wz.signPlacement()]
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := r.rec
	rec.SignPlacement = pl
	return rec.StepState(step)
}

// update changes the record with f and writes it when it changed. A
// failed write is logged each time and told to the user once a run: the
// record in memory stays right, the next milestone tries again.
func (r *recorder) update(what string, f func(rec *onboarding.Record)) {
	r.mu.Lock()
	before, _ := json.Marshal(r.rec)
	f(&r.rec)
	after, _ := json.Marshal(r.rec)
	if string(before) == string(after) || r.path == "" {
		r.mu.Unlock()
		return
	}
	err := r.rec.Save(r.path)
	first := err != nil && !r.told
	r.told = r.told || err != nil
	r.mu.Unlock()
	if err != nil {
		log.WithError(err).WithField("milestone", what).Warn("onboarding record not saved")
		if first {
			r.show(err)
		}
		return
	}
	log.WithField("milestone", what).Debug("onboarding record saved")
}

// visit: a step is shown. The organisation and the server are kept once
// they are valid (the steps that made them were passed or are being left).
func (r *recorder) visit(step string) {
	wz := r.wz
	o, s := wz.state.Org, wz.state.Server
	orgOK := len(o.Problems(wz.profile)) == 0
	srvOK := len(s.Problems()) == 0 && (!s.Remote || strings.TrimSpace(s.Host) != "")
	r.update("visit", func(rec *onboarding.Record) {
		rec.LastStep = step
		if orgOK {
			if forgot := rec.SetOrganisation(o.Record()); forgot {
				log.Info("onboarding record: another organisation; the earlier one's CSRs, submission and certificates are no longer shown")
			}
		}
		if srvOK {
			port, _ := s.PortNumber()
			srv := onboarding.Server{Local: !s.Remote}
			if s.Remote {
				srv.Host, srv.Port, srv.User = strings.TrimSpace(s.Host), port, strings.TrimSpace(s.User)
			}
			if rec.SetServer(srv) {
				log.Info("onboarding record: another server; the earlier one's readiness, install and initialisation are no longer shown")
			}
		}
	})
}

// readiness: a check finished.
func (r *recorder) readiness(rep *checks.Report) {
	if rep == nil {
		return
	}
	s := rep.Summary
	at := rep.CheckedAt
	if at.IsZero() {
		at = r.now()
	}
	file, sum := r.keepReport(rep) // readiness_kept.go: the Install step plans from it after a restart
	old := ""
	r.update("readiness", func(rec *onboarding.Record) {
		if rec.Readiness != nil {
			old = rec.Readiness.Kept
		}
		rec.Readiness = &onboarding.Readiness{At: at.UTC(), Pass: s.Pass, Warn: s.Warn, Fail: s.Fail, Unknown: s.Unknown,
			Kept: file, KeptSHA256: sum}
	})
	r.dropKept(old, file)
}

// reportSaved: the user saved the JSON report at path.
func (r *recorder) reportSaved(path string) {
	r.update("readiness report saved", func(rec *onboarding.Record) {
		if rec.Readiness != nil {
			rec.Readiness.ReportFile = path
		}
	})
}

// installStarted: a run began with total plan steps; override says the
// user told it to go on despite the readiness check's fails.
func (r *recorder) installStarted(total int, override bool) {
	r.update("install started", func(rec *onboarding.Record) {
		rec.InstallStarted(r.now(), total)
		if override && rec.Readiness != nil && rec.Readiness.Fail > 0 {
			rec.Readiness.FailsOverridden = true
		}
	})
}

// installStep: the journal moved on (a plan step done, n of m).
func (r *recorder) installStep(id string, done, total int) {
	r.update("install step", func(rec *onboarding.Record) { rec.InstallStepDone(r.now(), id, done, total) })
}

// installEnded: the run ended with err (nil: every step done and the
// admin API answered; the plan installs the profile's X-Road version).
func (r *recorder) installEnded(err error, version string) {
	outcome, reason := installOutcome(err)
	r.update("install ended", func(rec *onboarding.Record) { rec.InstallEnded(r.now(), outcome, reason, version) })
}

// installOutcome is how a run that ended with err is recorded, and the
// installer's key for why it stopped.
func installOutcome(err error) (onboarding.Outcome, string) {
	if err == nil {
		return onboarding.OutcomeOK, ""
	}
	key, _ := installer.Explain(err)
	if key == "installer.err.cancelled" {
		return onboarding.OutcomeStopped, key
	}
	return onboarding.OutcomeFailed, key
}

// serverStatus: the Configure step read the server. Initialised is kept
// with its owner and server code (the first time it was seen so).
func (r *recorder) serverStatus(st *configure.Status) {
	if st == nil || !st.Init.Done() {
		return
	}
	wz := r.wz
	o := wz.state.Org
	owner := wz.profile.XRoad.Instance + ":" + o.MemberClass + ":" + strings.TrimSpace(o.MemberCode)
	r.update("server initialised", func(rec *onboarding.Record) {
		in := rec.Init
		if in == nil {
			in = &onboarding.Init{}
			rec.Init = in
		}
		if in.At.IsZero() {
			in.At = r.now().UTC()
		}
		in.Owner, in.ServerCode, in.TimeStamping, in.Outcome = owner, strings.TrimSpace(o.ServerCode), st.TSAConfigured, onboarding.OutcomeOK
	})
}

// initFailed: an Initialise run stopped with an error.
func (r *recorder) initFailed() {
	r.update("initialise failed", func(rec *onboarding.Record) {
		if rec.Init == nil {
			rec.Init = &onboarding.Init{}
		}
		rec.Init.Outcome, rec.Init.Tried = onboarding.OutcomeFailed, r.now().UTC()
	})
}

// signKey: the Token step made the signing key on token (nil: the key is
// gone with a formatted token).
func (r *recorder) signKey(key *tokens.KeyRef, tokenLabel string) {
	r.update("signing key", func(rec *onboarding.Record) {
		if key == nil {
			rec.SignKey = nil
			return
		}
		rec.SignKey = &onboarding.Key{Place: onboarding.PlaceRutoken, TokenSerial: key.TokenSerial,
			TokenLabel: i18n.Line(tokenLabel, 64), ID: key.IDHex(), Label: i18n.Line(key.Label, 64)}
	})
}

// csrMade: a CSR reached the set the Submit step sends (csrSet's hook).
// Its DER is kept beside the record, so a later run can send it; a CSR
// already recorded (the server's, seen again) is not kept twice.
func (r *recorder) csrMade(usage string, c *madeCSR) {
	if c == nil || len(c.DER) == 0 {
		return
	}
	sum := onboarding.SHA256(c.DER)
	r.mu.Lock()
	path := r.path
	for _, x := range r.rec.CSRs {
		if x.SHA256 == sum && x.Usage == usage {
			r.mu.Unlock()
			return
		}
	}
	r.mu.Unlock()
	at := r.now().UTC()
	file := ""
	if path != "" {
		f, _, err := onboarding.SaveCSR(path, usage, c.DER, at)
		if err != nil {
			log.WithError(err).Warn("onboarding record: CSR file not kept")
		}
		file = f
	}
	subject := ""
	if req, err := x509.ParseCertificateRequest(c.DER); err == nil {
		subject = req.Subject.String()
	}
	entry := onboarding.CSR{Usage: usage, File: file, SHA256: sum, Subject: subject, MadeAt: at,
		Key: onboarding.Key{Place: c.Where, TokenSerial: c.Token, TokenLabel: c.TokenLabel, ID: c.KeyID, Label: c.Label}}
	r.update("CSR made", func(rec *onboarding.Record) { rec.AddCSR(entry) })
}

// submission: the Submit step read the organisation's latest application
// from the store (after each change of it).
func (r *recorder) submission(s *enroll.Record) {
	if s == nil {
		return
	}
	sent, _, _ := eventTime(s, enroll.StageSent)
	var awaiting []string
	if s.Sent() {
		for _, u := range s.Awaited() {
			awaiting = append(awaiting, string(u))
		}
	}
	r.update("submission", func(rec *onboarding.Record) {
		rec.Submission = &onboarding.Submission{ID: s.ID, Via: string(s.Via), SentAt: sent.UTC(), Stage: string(s.Stage), Awaiting: awaiting}
	})
}

// certsImported: the Register step imported the CA's certificates.
func (r *recorder) certsImported(got []configure.Imported) {
	at := r.now().UTC()
	r.update("certificates imported", func(rec *onboarding.Record) {
		for _, im := range got {
			usage := onboarding.UsageSign
			if isAuthUsage(im.Usage) {
				usage = onboarding.UsageAuth
			}
			d := im.Cert.Details
			c := onboarding.Certificate{Usage: usage, Subject: i18n.Line(d.SubjectDN, 300), Serial: i18n.Line(d.Serial, 80),
				Hash: im.Hash, ImportedAt: at}
			if t, err := time.Parse(time.RFC3339, d.NotAfter); err == nil {
				c.NotAfter = t.UTC()
			}
			rec.PutCertificate(c)
		}
	})
}

// Registration milestones of the authentication certificate.
const (
	regSent = iota
	regApproved
	regActive
)

// registration: the authentication certificate hash moved on.
func (r *recorder) registration(hash string, step int) {
	at := r.now().UTC()
	r.update("registration", func(rec *onboarding.Record) {
		for i := range rec.Certificates {
			c := &rec.Certificates[i]
			if c.Hash != hash {
				continue
			}
			switch step {
			case regSent:
				c.RegistrationSent = at
			case regApproved:
				c.RegisteredAt = at
			case regActive:
				c.ActivatedAt = at
				if c.RegisteredAt.IsZero() {
					c.RegisteredAt = at
				}
			}
		}
	})
}

// labels are the signing key's label (this run's key) and the label of
// the token with serial (as last listed), for the record; "" when unknown.
func (ts *tokenStep) labels(serial string) (key, token string) {
	if ts.key != nil && ts.key.TokenSerial == serial {
		key = i18n.Line(ts.key.Label, 64)
	}
	for _, t := range ts.toks {
		if t.Serial == serial {
			token = i18n.Line(t.Label, 64)
		}
	}
	return key, token
}
