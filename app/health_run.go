package app

// The Health step's work, a thin front end over health.Gather (through
// an admin API session and one bounded exec on the server, as the CLI's
// status does) and health/bundle (the support bundle, as the CLI's
// support-bundle makes it). The last report stays in memory for the page
// and the bundle; the onboarding record keeps only its verdict and each
// finding's ID and status, for the step list and the Summary. Fields are
// touched on the UI goroutine only.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/health/bundle"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/internal/logging"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// stepHealth is the Health step's id.
const stepHealth = onboarding.StepHealth

// healthBound is how long one check may look at the server, as the
// CLI's status --timeout: what is not answered by then is unknown.
const healthBound = 2 * time.Minute

type healthStep struct {
	sessionRunner
	v *healthWidgets

	report  *health.Report // the last check this run; nil before one
	shown   *health.Report // the report whose findings the page lists
	outcome func() fyne.CanvasObject
	saving  bool          // a support bundle is being written
	bound   time.Duration // healthBound; tests shorten it
	renew   *renewPanel   // the certificates' renewal (renew_run.go)
}

func newHealthStep(wz *wizard) *healthStep {
	hs := &healthStep{sessionRunner: sessionRunner{wz: wz, api: adminAPI(), uiDo: fyne.Do, roles: health.Roles},
		bound: healthBound}
	hs.renew = newRenewPanel(hs)
	return hs
}

// check looks at the server: a session with the health roles, then
// Gather within the bound. Cancel stops it and keeps the last report; a
// server that could not be looked at at all is an unknown report (as
// the CLI's status makes one), told in the user's words.
func (hs *healthStep) check() {
	wz := hs.wz
	name, prof, bound := wz.state.Server.Display(), wz.profile, hs.bound
	anchor := hs.anchor()
	started := time.Now()
	var rep health.Report
	hs.outcome = nil
	hs.start("check", func(ctx context.Context, s *serverSession, in sessionInput) error {
		gctx, cancel := context.WithTimeout(ctx, bound)
		defer cancel()
		rep = health.Gather(gctx, s.API(), s.client, prof, health.Options{Name: name, Anchor: anchor})
		return ctx.Err() // cancelled: the partial report is not shown
	}, func(err error) {
		switch {
		case errors.Is(err, context.Canceled):
			hs.outcome = func() fyne.CanvasObject { return wz.errorCard(err) }
			return
		case err != nil:
			// Not looked at: the report says so (the bundle carries it
			// for the help desk), the card says why and what to do.
			rep = health.Failed(name, started, errors.New(i18n.Line(err.Error(), i18n.MaxLine)))
			hs.outcome = func() fyne.CanvasObject { return wz.errorCard(err) }
		}
		hs.report = &rep
		hs.keep(rep)
	}, hs.refresh)
}

// anchor is the operator's configuration anchor the Configure step was
// given, for the network path to the central servers; nil when there is
// none or it cannot be read (the path is then tried without it).
func (hs *healthStep) anchor() []byte {
	p := strings.TrimSpace(hs.wz.configure.form.AnchorPath)
	if p == "" {
		return nil
	}
	b, err := readcap.ReadFile(p, readcap.Anchor)
	if err != nil {
		log.WithError(errors.New(i18n.Line(err.Error(), 300))).Info("health: the anchor not read; the path to the central servers is not tried")
		return nil
	}
	return b
}

// keep writes the report's verdict and findings (IDs, statuses, titles
// and fixes) into the record.
func (hs *healthStep) keep(r health.Report) {
	h := &onboarding.Health{At: r.CheckedAt, Status: string(verdict(r)), Unreached: r.Err != ""}
	for _, f := range r.Findings {
		if len(h.Findings) == onboarding.MaxHealthFindings {
			break
		}
		h.Findings = append(h.Findings, onboarding.HealthFinding{ID: i18n.Line(f.ID, onboarding.MaxHealthID), Status: string(f.Status),
			Title: keptText(f.Title, onboarding.MaxHealthTitle), Fix: keptText(f.Fix, onboarding.MaxHealthFix)})
	}
	hs.wz.rec.update("health", func(rec *onboarding.Record) { rec.Health = h })
	if hs.wz.list != nil {
		hs.wz.list.Refresh() // the step's word follows the record
	}
}

// keptText is t as the record keeps it, each language one line of at
// most max; nil when it has no text.
func keptText(t i18n.Text, max int) *i18n.Text {
	if t == (i18n.Text{}) {
		return nil
	}
	return &i18n.Text{EN: i18n.Line(t.EN, max), RU: i18n.Line(t.RU, max), KY: i18n.Line(t.KY, max)}
}

// verdict is what the page and the Summary say of a report: its worst
// status (as the CLI's exit code), except that a known critical problem
// is told before parts that could not be looked at, as the page lists
// them.
func verdict(r health.Report) health.Status {
	for _, f := range r.Findings {
		if f.Status == health.Critical {
			return health.Critical
		}
	}
	return r.Worst()
}

// bundleName is the file name the save dialog suggests.
func (hs *healthStep) bundleName() string {
	return "tunduk-support-" + fileCode(hs.wz.state.Org.MemberCode) + "-" + time.Now().Format("20060102-1504") + ".tar.gz"
}

// saveBundle asks where to save the support bundle and writes it there
// (health/bundle: every file scanned for secrets, a manifest of what is
// in it), in the background.
func (hs *healthStep) saveBundle() {
	if hs.saving {
		return
	}
	in := hs.bundleInput() // copies, on the UI goroutine
	logs := hs.logsInput()
	hs.outcome = nil
	hs.wz.chooseSave(hs.bundleName(), func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			hs.fileFailed(err)
			return
		}
		if wc == nil {
			return // cancelled
		}
		// bundle.Write replaces the file whole (a temporary beside it,
		// renamed; readable by its owner only): the chooser's empty file
		// is closed first.
		path := wc.URI().Path()
		err = wc.Close()
		if err == nil && wc.URI().Scheme() != "file" {
			err = fmt.Errorf("%s: not a file on this computer", wc.URI())
		}
		if err != nil {
			hs.fileFailed(err)
			return
		}
		hs.saving = true
		hs.refresh()
		go func() {
			lerr := hs.wz.serviceLogs(logs, &in)
			m, err := bundle.Write(path, in)
			in.Secrets, logs.o.SudoPassword = nil, ""
			hs.uiDo(func() {
				hs.saving = false
				if err != nil {
					hs.fileFailed(err)
					return
				}
				log.WithField("file", path).WithField("files", len(m.Files)).WithField("redactions", len(m.Redactions)).Info("support bundle written")
				hs.outcome = func() fyne.CanvasObject { return hs.wz.bundleCard(path, m, lerr) }
				hs.refresh()
				if hs.afterRun != nil {
					hs.afterRun()
				}
			})
		}()
	})
}

// bundleInput is what goes into the bundle: the readiness report and the
// last health report of this run, the install journal when the wizard
// runs on the server itself, the versions, this program's logs, and
// every secret the wizard holds, to be taken out wherever it appears.
func (hs *healthStep) bundleInput() bundle.Input {
	wz := hs.wz
	in := bundle.Input{Versions: bundle.Versions("tunduk-onboard")}
	if rep := wz.readiness.report; rep != nil {
		var b bytes.Buffer
		if err := rep.WriteJSON(&b); err == nil {
			in.Readiness = b.Bytes()
		}
	}
	if hs.report != nil {
		in.Health, _ = json.MarshalIndent(hs.report, "", "  ")
	}
	if !wz.state.Server.Remote {
		// On the server itself the installer's journal is at hand
		// (root's: left out when not ours to read).
		b, err := readcap.ReadFile(installer.DefaultJournalPath, readcap.Record)
		switch {
		case err == nil:
			in.Journal = b
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission):
			log.WithError(errors.New(i18n.Line(err.Error(), 300))).Info("support bundle: the install journal not read")
		}
	}
	if p := strings.TrimSpace(wz.logPath); p != "" {
		in.LogDir = filepath.Dir(p)
	} else if d, err := logging.Dir(); err == nil {
		in.LogDir = d
	}
	in.Secrets = wz.knownSecrets()
	return in
}

// logsInput is what reading X-Road's logs for the bundle needs, copied
// on the UI goroutine: the server, the sudo password this run holds (in
// memory only), the profile's units.
type logsInput struct {
	srv Server
	o   health.LogOptions
}

func (hs *healthStep) logsInput() logsInput {
	sudo, _ := hs.wz.sudoPassword()
	return logsInput{srv: hs.wz.state.Server, o: health.LogOptions{Units: slices.Clone(hs.wz.profile.Install.Units), SudoPassword: sudo}}
}

// serviceLogs adds to in the tails of X-Road's logs (as the CLI's
// support-bundle --ssh/--local: bundle.AddServiceLogs, the default lines
// and byte cap of each), read on the Server step's server through the
// wizard's connection to it, within healthBound. Not run on the UI
// goroutine. What stopped it is returned, for the card: the bundle is
// written without them, its manifest noting why.
func (wz *wizard) serviceLogs(li logsInput, in *bundle.Input) error {
	ctx, cancel := context.WithTimeout(context.Background(), healthBound)
	defer cancel()
	err := func() error {
		h, err := wz.dial(ctx, li.srv)
		if err != nil {
			return err
		}
		defer h.Close()
		return bundle.AddServiceLogs(ctx, h, li.o, in)
	}()
	if re := (*remote.SudoRefusedError)(nil); errors.As(err, &re) {
		err = &configure.Error{Key: configure.KeySudoRefused, Data: map[string]any{"Said": i18n.Line(re.Said, 200)}}
	}
	if err != nil {
		log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("support bundle: X-Road's logs not read")
		in.Notes = append(in.Notes, "X-Road's logs were not read: "+i18n.Line(err.Error(), 300))
	}
	return err
}

// knownSecrets are the passwords, passphrases and PINs typed this run
// (all in memory only), without repeats.
func (wz *wizard) knownSecrets() []string {
	i, c, s := wz.install.form, wz.configure.form, wz.state.Server
	all := []string{i.AdminPassword, i.AdminPassword2, i.SudoPassword, c.AdminPassword, c.PIN, c.PIN2, c.HWPIN,
		c.SudoPassword, s.Password, s.Passphrase, wz.submit.form.SMTPPassword}
	all = append(all, wz.token.pins.all()...)
	var out []string
	for _, x := range all {
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// fileFailed tells a bundle not written, in the user's words.
func (hs *healthStep) fileFailed(err error) {
	text := fileProblem("health.bundle.failed", err)
	hs.outcome = func() fyne.CanvasObject { return messageCard(text, T("health.bundle.failed.todo"), "") }
	hs.refresh()
}

// leave: a check under way stops with the page (its API key is revoked).
func (hs *healthStep) leave() {
	hs.cancel()
	hs.renew.leave()
	hs.v = nil
}
