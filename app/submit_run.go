package app

// The Submit step's work: the form and its preferences, the package built
// in the submissions store, its delivery in a goroutine and the record's
// stage. The page is step_submit.go, the status timeline submit_status.go.
// All fields are touched on the UI goroutine only (results arrive through
// uiDo).

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets"
)

// Preference keys of the Submit step. The SMTP password has none: it is
// kept in memory, or in the OS keyring when the user ticks the box.
const (
	prefSubmitVia      = "submit_via"
	prefSMTPHost       = "submit_smtp_host"
	prefSMTPPort       = "submit_smtp_port"
	prefSMTPUser       = "submit_smtp_user"
	prefSMTPFrom       = "submit_smtp_from"
	prefSMTPRemember   = "submit_smtp_remember"
	prefSubmitFolder   = "submit_folder"
	defaultSMTPPort    = "587"
	smtpTimeout        = 60 * time.Second
	httpsSubmitTimeout = 2 * time.Minute
)

// submitForm is what the user chose on the page.
type submitForm struct {
	Via      enroll.Via
	To       string // the CA's address; editable under "advanced" only
	Advanced bool

	SMTPHost, SMTPPort, SMTPUser, SMTPFrom string
	Remember                               bool
	Folder                                 string

	SMTPPassword string // secret: memory (or the keyring when asked) only
}

// submitStep is the Submit step's state, kept across page changes.
type submitStep struct {
	wz       *wizard
	storeDir string // "" = enroll.DefaultDir(); tests and the screenshot script set it
	form     submitForm
	v        *submitWidgets

	running  bool
	cancelFn context.CancelFunc
	status   string
	outcome  func() fyne.CanvasObject

	// record is the latest submission of this organisation (nil: none yet),
	// read from the store on entry and after every change.
	record    *enroll.Record
	recordErr error
	damaged   []string // the store's files that cannot be read (storeDamaged)
	recordFor string   // orgKey the record was read for
	pending   int      // packages waiting in the HTTPS outbox
	// confirm: a letter handed to the mail client or a folder written; the
	// user says when it has really gone to the operator.
	confirm enroll.Via

	// Seams for tests: the UI goroutine, TLS of the SMTP server, the HTTPS
	// client, the OS handler for files and folders, the end of a run.
	uiDo       func(func())
	smtpTLS    *tls.Config
	httpClient *http.Client
	openURL    func(*url.URL) error
	tuneOutbox func(*enroll.Outbox)
	afterRun   func()
	// startRetried is called (UI goroutine) once the start-up retry is
	// over and the outbox free again.
	startRetried func()
}

func newSubmitStep(wz *wizard) *submitStep {
	ss := &submitStep{wz: wz, uiDo: fyne.Do}
	ss.openURL = func(u *url.URL) error { return wz.app.OpenURL(u) }
	p := wz.prefs
	ss.form = submitForm{
		Via:      enroll.Via(p.String(prefSubmitVia)),
		To:       wz.profile.CA.Email,
		SMTPHost: p.String(prefSMTPHost), SMTPPort: p.String(prefSMTPPort),
		SMTPUser: p.String(prefSMTPUser), SMTPFrom: p.String(prefSMTPFrom),
		Remember: p.Bool(prefSMTPRemember), Folder: p.String(prefSubmitFolder),
	}
	if ss.form.SMTPPort == "" {
		ss.form.SMTPPort = defaultSMTPPort
	}
	if !ss.viaOffered(ss.form.Via) {
		ss.form.Via = enroll.ViaEmail
	}
	return ss
}

// saveForm keeps the non-secret choices for the next run.
func (ss *submitStep) saveForm() {
	p, f := ss.wz.prefs, ss.form
	p.SetString(prefSubmitVia, string(f.Via))
	p.SetString(prefSMTPHost, strings.TrimSpace(f.SMTPHost))
	p.SetString(prefSMTPPort, strings.TrimSpace(f.SMTPPort))
	p.SetString(prefSMTPUser, strings.TrimSpace(f.SMTPUser))
	p.SetString(prefSMTPFrom, strings.TrimSpace(f.SMTPFrom))
	p.SetBool(prefSMTPRemember, f.Remember)
	p.SetString(prefSubmitFolder, strings.TrimSpace(f.Folder))
}

// intakeURL is the operator's HTTPS intake from the profile ("" = none).
func (ss *submitStep) intakeURL() string { return strings.TrimSpace(ss.wz.profile.CA.IntakeURL) }

// viaOffered: HTTPS only when the profile names an intake.
func (ss *submitStep) viaOffered(v enroll.Via) bool {
	switch v {
	case enroll.ViaEmail, enroll.ViaSMTP, enroll.ViaFolder:
		return true
	case enroll.ViaHTTPS:
		return ss.intakeURL() != ""
	}
	return false
}

// dir is the submissions store's folder.
func (ss *submitStep) dir() (string, error) {
	if ss.storeDir != "" {
		return ss.storeDir, nil
	}
	return enroll.DefaultDir()
}

// outbox is the store's HTTPS outbox (a hidden folder inside the store).
func (ss *submitStep) outbox(store *enroll.Store) (*enroll.Outbox, error) {
	ob, err := store.Outbox()
	if err == nil && ss.tuneOutbox != nil {
		ss.tuneOutbox(ob)
	}
	return ob, err
}

// problems blocks Next (and Send) while a CSR is missing.
func (ss *submitStep) problems() []Problem {
	// An application sent earlier (a run before a restart, whose CSRs are
	// no longer in memory) lets the user go on to the certificates.
	if key := orgKey(ss.wz.state.Org); ss.recordFor != key {
		ss.loadRecord()
	}
	if ss.record != nil && stageIndex(ss.record.Stage) >= stageIndex(enroll.StageSent) {
		return nil
	}
	return ss.csrProblems()
}

// csrProblems: a CSR not made in this run.
func (ss *submitStep) csrProblems() []Problem {
	auth, sign := ss.wz.csrs.get()
	var out []Problem
	if auth == nil {
		out = append(out, Problem{Field: "auth_csr", Key: "submit.err.no_auth_csr"})
	}
	if sign == nil {
		out = append(out, Problem{Field: "sign_csr", Key: ss.wz.signTextKey("submit.err.no_sign_csr")})
	}
	return out
}

// formProblem is the translation key of the first thing that keeps Send
// disabled, or "". One CSR is enough: what is ready goes now, the other
// follows as the rest of the same application (input).
func (ss *submitStep) formProblem() string {
	if p := ss.csrProblems(); len(p) > 1 {
		return p[0].Key
	}
	if len(ss.wz.state.Org.Problems(ss.wz.profile)) > 0 {
		return "submit.err.org"
	}
	if ss.participant().ServerAddress == "" {
		return "submit.err.address"
	}
	f := ss.form
	if !validEmail(f.To) {
		return "submit.err.to"
	}
	switch f.Via {
	case enroll.ViaEmail:
		if strings.TrimSpace(f.SMTPFrom) != "" && !validEmail(f.SMTPFrom) {
			return "submit.err.smtp_from"
		}
	case enroll.ViaSMTP:
		if h := strings.TrimSpace(f.SMTPHost); h == "" || strings.ContainsAny(h, " /@:") {
			return "submit.err.smtp_host"
		}
		if n, err := strconv.Atoi(strings.TrimSpace(f.SMTPPort)); err != nil || n < 1 || n > 65535 {
			return "submit.err.smtp_port"
		}
		if !validEmail(f.SMTPFrom) {
			return "submit.err.smtp_from"
		}
		if strings.TrimSpace(f.SMTPUser) != "" && f.SMTPPassword == "" {
			return "submit.err.smtp_password"
		}
	case enroll.ViaFolder:
		if strings.TrimSpace(f.Folder) == "" {
			return "submit.err.folder"
		}
	case enroll.ViaHTTPS:
		if ss.intakeURL() == "" {
			return "submit.err.no_intake"
		}
	}
	return ""
}

// follows is the CSR not made yet when the other one is: it follows as
// the rest of the application. Nil when both or neither are made.
func (ss *submitStep) follows() []enroll.Usage {
	switch auth, sign := ss.wz.csrs.get(); {
	case auth == nil && sign != nil:
		return []enroll.Usage{enroll.UsageAuth}
	case sign == nil && auth != nil:
		return []enroll.Usage{enroll.UsageSign}
	}
	return nil
}

// awaited is what the application this step shows still waits for (its
// first part went without it), nil when nothing.
func (ss *submitStep) awaited() []enroll.Usage {
	if ss.record == nil || !ss.record.Sent() {
		return nil
	}
	return ss.record.Awaited()
}

// sendsRest: Send would send the rest of the application (an awaited CSR
// is made now).
func (ss *submitStep) sendsRest() bool {
	auth, sign := ss.wz.csrs.get()
	for _, u := range ss.awaited() {
		if (u == enroll.UsageAuth && auth != nil) || (u == enroll.UsageSign && sign != nil) {
			return true
		}
	}
	return false
}

// validEmail is a plausible single address: local@domain, no spaces.
func validEmail(s string) bool {
	s = strings.TrimSpace(s)
	at := strings.LastIndex(s, "@")
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n<>,;") && strings.Contains(s[at:], ".")
}

// participant is who asks, from the Organisation and Server steps.
func (ss *submitStep) participant() enroll.Participant {
	wz := ss.wz
	o := wz.state.Org
	return enroll.Participant{
		Instance: wz.profile.XRoad.Instance, MemberClass: o.MemberClass,
		MemberCode: strings.TrimSpace(o.MemberCode), Name: strings.TrimSpace(o.Name),
		ServerCode: strings.TrimSpace(o.ServerCode), ServerAddress: serverAddress(wz.state.Server),
	}
}

// serverAddress is the public address the operator will reach (never a
// private or loopback one: Server.PublicAddress).
func serverAddress(s Server) string { return s.PublicAddress() }

// input is the package's content: the CSRs made this run and the last
// readiness report, when one ran. A CSR not made yet follows: the letter
// says so, and it goes later as the rest of the same application (the
// store continues the application this step shows, enroll.Continues).
func (ss *submitStep) input() (enroll.Input, error) {
	in := enroll.Input{Participant: ss.participant(), Lang: CurrentLanguage(), Follows: ss.follows()}
	auth, sign := ss.wz.csrs.get()
	if auth != nil {
		in.CSRs = append(in.CSRs, enroll.CSR{Usage: enroll.UsageAuth, DER: auth.DER, Source: auth.source("ru")})
	}
	if sign != nil {
		in.CSRs = append(in.CSRs, enroll.CSR{Usage: enroll.UsageSign, DER: sign.DER, Source: sign.source("ru")})
	}
	if rep := ss.wz.readiness.report; rep != nil {
		var j, h bytes.Buffer
		if err := rep.WriteJSON(&j); err != nil {
			return in, err
		}
		if err := rep.WriteHTML(&h, CurrentLanguage()); err != nil {
			return in, err
		}
		in.ReportJSON, in.ReportHTML = j.Bytes(), h.Bytes()
	}
	return in, nil
}

// send builds (or reuses) the package and delivers it in a goroutine.
func (ss *submitStep) send() {
	if ss.running || ss.formProblem() != "" {
		return
	}
	in, err := ss.input()
	if err != nil {
		ss.fail(err)
		return
	}
	f := ss.form
	f.To, f.SMTPHost, f.SMTPUser, f.SMTPFrom = strings.TrimSpace(f.To), strings.TrimSpace(f.SMTPHost), strings.TrimSpace(f.SMTPUser), strings.TrimSpace(f.SMTPFrom)
	ss.saveForm()
	ctx, cancel := context.WithCancel(context.Background())
	ss.cancelFn, ss.running, ss.outcome, ss.confirm = cancel, true, nil, ""
	ss.status = T("submit.building")
	ss.refresh()
	prev := ss.record
	log.WithField("via", string(f.Via)).WithField("member", in.Participant.MemberClass+"/"+in.Participant.MemberCode).Info("submission started")
	go func() {
		defer cancel()
		res := ss.deliver(ctx, f, in, prev, func() { ss.uiDo(func() { ss.status = T("submit.sending"); ss.refresh() }) })
		if res.err != nil {
			log.WithError(errors.New(i18n.Line(res.err.Error(), 600))).Warn("submission not delivered")
		} else {
			log.WithField("id", res.id).WithField("via", string(f.Via)).Info("submission delivered")
		}
		ss.uiDo(func() {
			ss.running, ss.status = false, ""
			ss.loadRecord()
			ss.done(f, res)
			if ss.afterRun != nil {
				ss.afterRun()
			}
		})
	}()
}

// runResult is what a delivery did.
type runResult struct {
	id, where  string // package ID; the file or folder written
	err        error
	sent       bool // gone to the operator (err: its stage not recorded)
	queued     bool // HTTPS: kept in the outbox for a later attempt
	keyringErr error
}

// deliver runs off the UI goroutine: the one delivery (enroll.Deliver)
// with what the form chose; prepared is called once the package is built.
// The Connect step's notice to the operator goes the same way.
func (ss *submitStep) deliver(ctx context.Context, f submitForm, in enroll.Input, prev *enroll.Record, prepared func()) runResult {
	dir, err := ss.dir()
	if err != nil {
		return runResult{err: err}
	}
	store, err := enroll.OpenStore(dir)
	if err != nil {
		return runResult{err: err}
	}
	req := enroll.Request{Via: f.Via, Input: &in, Prev: prev,
		Prepared: func(*enroll.Package, bool) { prepared() }}
	switch f.Via {
	case enroll.ViaEmail:
		req.Mail = enroll.Mail{From: f.SMTPFrom, To: []string{f.To}} // sent when the user says so
	case enroll.ViaFolder:
		req.Folder = f.Folder // handed over when the user says so
	case enroll.ViaSMTP:
		port, _ := strconv.Atoi(strings.TrimSpace(f.SMTPPort))
		req.SMTP = enroll.SMTP{Host: f.SMTPHost, Port: port, Username: f.SMTPUser, Password: f.SMTPPassword,
			From: f.SMTPFrom, To: []string{f.To}, TLS: ss.smtpTLS, Timeout: smtpTimeout}
		req.RememberPassword = f.Remember
	case enroll.ViaHTTPS:
		req.URL, req.Client = ss.intakeURL(), ss.client()
		if req.Outbox, err = ss.outbox(store); err != nil {
			return runResult{err: err}
		}
	}
	out, err := enroll.Deliver(ctx, store, req)
	res := runResult{where: out.Where, err: err, sent: out.Sent, queued: out.Queued, keyringErr: out.KeyringErr}
	if out.Package != nil {
		res.id = out.Package.Manifest.ID
	}
	return res
}

func (ss *submitStep) client() *http.Client {
	if ss.httpClient != nil {
		return ss.httpClient
	}
	return &http.Client{Timeout: httpsSubmitTimeout}
}

// retryOutbox sends what waits in the outbox (Retry button, and at start)
// and marks each delivered package sent.
func (ss *submitStep) retryOutbox() {
	if ss.running || ss.intakeURL() == "" {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	ss.cancelFn, ss.running, ss.outcome = cancel, true, nil
	ss.status = T("submit.retrying")
	ss.refresh()
	go func() {
		defer cancel()
		err := ss.flushOutbox(ctx)
		ss.uiDo(func() {
			ss.running, ss.status = false, ""
			ss.loadRecord()
			if err != nil {
				ss.fail(err)
			} else if ss.pending > 0 {
				ss.outcome = func() fyne.CanvasObject {
					return infoCard(T("submit.queued"), T("submit.queued.todo"))
				}
			} else {
				ss.outcome = func() fyne.CanvasObject {
					return successCard(T("submit.sent.https"), ss.sentTodo())
				}
			}
			ss.refresh()
			if ss.afterRun != nil {
				ss.afterRun()
			}
		})
	}()
}

// flushOutbox runs off the UI goroutine.
func (ss *submitStep) flushOutbox(ctx context.Context) error {
	dir, err := ss.dir()
	if err != nil {
		return err
	}
	if _, err := os.Stat(dir); err != nil {
		return nil // nothing was ever queued
	}
	store, err := enroll.OpenStore(dir)
	if err != nil {
		return err
	}
	ob, err := ss.outbox(store)
	if err != nil {
		return err
	}
	results, err := store.FlushOutbox(ctx, ob, ss.client())
	var first error
	for _, r := range results {
		if r.Delivered {
			log.WithField("id", r.ID).Info("outbox: delivered")
		} else if r.Err != nil && r.Permanent && first == nil {
			first = r.Err
		}
	}
	if err != nil {
		return err // a stage not recorded, or the Flush stopped
	}
	return first
}

// retryAtStart: a run with packages still in the outbox tries them again.
func (ss *submitStep) retryAtStart() {
	if ss.intakeURL() == "" {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := ss.flushOutbox(ctx); err != nil {
			log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("outbox: not delivered at start")
		}
		ss.uiDo(func() {
			ss.loadRecord()
			ss.refresh()
			if ss.startRetried != nil {
				ss.startRetried()
			}
		})
	}()
}

// markSent records that the user sent the letter or handed the folder over.
func (ss *submitStep) markSent() {
	if ss.record == nil || ss.confirm == "" {
		return
	}
	dir, err := ss.dir()
	if err == nil {
		var store *enroll.Store
		if store, err = enroll.OpenStore(dir); err == nil {
			_, err = store.MarkSent(ss.record.ID, ss.confirm, "")
		}
	}
	if err != nil {
		ss.fail(err)
		return
	}
	log.WithField("id", ss.record.ID).WithField("via", string(ss.confirm)).Info("submission marked sent")
	ss.confirm = ""
	ss.outcome = func() fyne.CanvasObject { return successCard(T("submit.marked_sent"), ss.sentTodo()) }
	ss.loadRecord()
	ss.refresh()
}

// cancel stops a delivery under way.
func (ss *submitStep) cancel() {
	if ss.running && ss.cancelFn != nil {
		ss.cancelFn()
		ss.status = T("submit.cancelling")
		ss.refresh()
	}
}

// done shows what a delivery did and what comes next.
func (ss *submitStep) done(f submitForm, r runResult) {
	if r.err != nil && r.sent {
		// Gone, but the store could not say so: not a failed delivery.
		err := r.err
		ss.outcome = func() fyne.CanvasObject {
			return messageCard(T("submit.sent_unrecorded"), T("submit.sent_unrecorded.todo"), i18n.Line(errorText(err), 600))
		}
		ss.refresh()
		return
	}
	if r.err != nil {
		if r.queued && !errors.Is(r.err, context.Canceled) {
			err := r.err
			ss.outcome = func() fyne.CanvasObject {
				return messageCard(T("submit.queued"), T("submit.queued.todo"), i18n.Line(errorText(err), 600))
			}
			ss.refresh()
			return
		}
		ss.fail(r.err)
		return
	}
	where := r.where
	switch {
	case r.queued:
		ss.outcome = func() fyne.CanvasObject { return infoCard(T("submit.queued"), T("submit.queued.todo")) }
	case f.Via == enroll.ViaEmail:
		ss.openLetter(where)
		ss.confirm = enroll.ViaEmail
		ss.outcome = func() fyne.CanvasObject {
			return ss.fileCard(T("submit.eml_written"), T("submit.eml_written.todo", map[string]any{"To": f.To}), where, true)
		}
	case f.Via == enroll.ViaFolder:
		ss.confirm = enroll.ViaFolder
		ss.outcome = func() fyne.CanvasObject {
			return ss.fileCard(T("submit.folder_written"), T("submit.folder_written.todo", map[string]any{"To": f.To}), where, false)
		}
	default:
		kerr := r.keyringErr
		ss.outcome = func() fyne.CanvasObject {
			title := T("submit.sent.smtp", map[string]any{"To": f.To})
			if f.Via == enroll.ViaHTTPS {
				title = T("submit.sent.https")
			}
			c := successCard(title, ss.sentTodo())
			if kerr != nil {
				return container.NewVBox(c, infoCard(T("submit.keyring_failed"), T("submit.keyring_failed.todo")))
			}
			return c
		}
	}
	ss.refresh()
}

// The texts of an application sent in parts, per CSR: what goes now
// while it follows (partialTodo), and what the application awaits
// (awaitingTodo).
var (
	partialTodo  = map[enroll.Usage]string{enroll.UsageAuth: "submit.partial.todo.auth", enroll.UsageSign: "submit.partial.todo.sign"}
	awaitingTodo = map[enroll.Usage]string{enroll.UsageAuth: "submit.awaiting.auth", enroll.UsageSign: "submit.awaiting.sign"}
	csrNames     = map[enroll.Usage]string{enroll.UsageAuth: "submit.csr.auth", enroll.UsageSign: "submit.csr.sign"}
)

// usageTextKey is texts' key for u, for the signing CSR in the variant of
// the place it is made (signTextKey).
func (ss *submitStep) usageTextKey(texts map[enroll.Usage]string, u enroll.Usage) string {
	if u == enroll.UsageSign {
		return ss.wz.signTextKey(texts[u])
	}
	return texts[u]
}

// sentTodo is what comes after a sending: the certificates, or first the
// rest of the application when a CSR was announced as following.
func (ss *submitStep) sentTodo() string {
	if aw := ss.awaited(); len(aw) > 0 {
		return ss.awaitingText(aw[0])
	}
	return T("submit.sent.todo")
}

// awaitingText says which CSR the application awaits, since when, and
// where it is made.
func (ss *submitStep) awaitingText(u enroll.Usage) string {
	rec := ss.record
	at, _, _ := eventTime(rec, enroll.StageSent)
	return T(ss.usageTextKey(awaitingTodo, u), map[string]any{"ID": rec.ID, "Date": when(at), "Part": len(rec.Parts) + 1})
}

// failTodo is what to do after a failed delivery, per way of sending.
var failTodo = map[enroll.Via]string{
	enroll.ViaEmail:  "submit.failed.todo.email",
	enroll.ViaSMTP:   "submit.failed.todo.smtp",
	enroll.ViaHTTPS:  "submit.failed.todo.https",
	enroll.ViaFolder: "submit.failed.todo.folder",
}

// fail shows err as a card: what happened, what to do, the package kept.
// The texts are made when the card is drawn, so a language switch
// translates them again.
func (ss *submitStep) fail(err error) {
	via := ss.form.Via
	ss.outcome = func() fyne.CanvasObject {
		if errors.Is(err, context.Canceled) {
			return infoCard(T("submit.cancelled"), T("submit.failed.todo"))
		}
		todo := T("submit.failed.todo")
		if k, ok := failTodo[via]; ok {
			todo = T(k)
		}
		what, detail := T("submit.failed"), i18n.Line(err.Error(), 600)
		var ee *enroll.Error
		if errors.As(err, &ee) {
			what, detail = i18n.T(CurrentLanguage(), ee.Key, ee.Data), ""
			if ee.Err != nil {
				detail = causeText(ee.Err)
			}
		}
		return messageCard(what, todo, detail)
	}
	ss.refresh()
}

// errorText is an error as the user reads it.
func errorText(err error) string {
	var ee *enroll.Error
	if errors.As(err, &ee) {
		return i18n.T(CurrentLanguage(), ee.Key, ee.Data)
	}
	return err.Error()
}

// fileURL is the file:// URL of a local path.
func fileURL(path string) (*url.URL, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return &url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}, nil
}

// openLetter hands the .eml to the OS, which opens the mail client.
func (ss *submitStep) openLetter(path string) {
	u, err := fileURL(path)
	if err == nil {
		err = ss.openURL(u)
	}
	if err != nil {
		log.WithError(err).Warn("mail client not opened")
	}
}

// showFolder opens the folder holding path (or path itself, a folder).
func (ss *submitStep) showFolder(path string) {
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		path = filepath.Dir(path)
	}
	u, err := fileURL(path)
	if err == nil {
		err = ss.openURL(u)
	}
	if err != nil {
		log.WithError(err).Warn("folder not opened")
	}
}

// keyringAccount names the SMTP password of the form in the OS keyring:
// the one name the command line uses too.
func keyringAccount(f submitForm) string { return enroll.SMTPAccount(f.SMTPUser, f.SMTPHost) }

// loadPassword fills the password from the keyring when remembered.
func (ss *submitStep) loadPassword() {
	f := ss.form
	if !f.Remember || f.SMTPPassword != "" || strings.TrimSpace(f.SMTPUser) == "" || strings.TrimSpace(f.SMTPHost) == "" {
		return
	}
	account, user, host := keyringAccount(f), f.SMTPUser, f.SMTPHost
	go func() {
		pw, err := enroll.LoadSMTPPassword(user, host)
		if err != nil {
			if !errors.Is(err, secrets.ErrNotFound) {
				log.WithError(err).Warn("keyring: SMTP password not read")
			}
			return
		}
		ss.uiDo(func() {
			if ss.form.SMTPPassword == "" && keyringAccount(ss.form) == account {
				ss.form.SMTPPassword = pw
				if ss.v != nil && ss.v.smtpPW != nil {
					ss.v.smtpPW.SetText(pw)
				}
				ss.refresh()
			}
		})
	}()
}

// forgetPassword removes a remembered password when the box is unticked.
func (ss *submitStep) forgetPassword() {
	f := ss.form
	if strings.TrimSpace(f.SMTPUser) == "" || strings.TrimSpace(f.SMTPHost) == "" {
		return
	}
	user, host := f.SMTPUser, f.SMTPHost
	go func() {
		if err := enroll.ForgetSMTPPassword(user, host); err != nil {
			log.WithError(err).Warn("keyring: SMTP password not removed")
		}
	}()
}
