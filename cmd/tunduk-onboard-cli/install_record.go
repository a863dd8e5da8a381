package main

// The install's milestones in the onboarding record the wizard reads (the
// same file and fields, through onboarding.Update: atomic), so a wizard
// opened after a CLI install shows the server checked and installed, and
// how far a stopped run came. A record that cannot be written is told
// once, as a warning: the install goes on.

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	ob "github.com/tunduk-onboard/tunduk-onboard/onboarding"
)

// installRecord writes to the record at path ("" writes nothing).
type installRecord struct {
	path   string
	server ob.Server // the server installed: another one's results go (SetServer)
	lang   string
	stderr io.Writer
	warned bool
	now    func() time.Time
}

func newInstallRecord(lang string, stderr io.Writer, server ob.Server) *installRecord {
	r := &installRecord{server: server, lang: lang, stderr: stderr, now: time.Now}
	path, err := recordFile("")
	if err != nil {
		r.warn(err)
		return r
	}
	r.path = path
	return r
}

// update changes the record with f; a failure is warned about once.
func (r *installRecord) update(what string, f func(rec *ob.Record)) {
	if r == nil || r.path == "" {
		return
	}
	err := ob.Update(r.path, func(rec *ob.Record) {
		rec.SetServer(r.server)
		f(rec)
	})
	if err != nil {
		logrus.WithError(err).WithField("milestone", what).Warn("onboarding record not updated")
		r.warn(err)
		return
	}
	logrus.WithField("milestone", what).Debug("onboarding record updated")
}

func (r *installRecord) warn(err error) {
	if r.warned {
		return
	}
	r.warned = true
	reason := i18n.FileReason(r.lang, err)
	var oe *ob.Error
	if errors.As(err, &oe) {
		reason = i18n.T(r.lang, oe.Key, oe.Data)
	}
	fmt.Fprintln(r.stderr, i18n.T(r.lang, "cli.warn.record", map[string]any{"File": r.path, "Reason": reason}))
}

// readiness: the check the plan was made from; override, that --force
// took the install past its fails.
func (r *installRecord) readiness(rep *checks.Report, override bool) {
	if r == nil || rep == nil {
		return
	}
	at, s := rep.CheckedAt, rep.Summary
	if at.IsZero() {
		at = r.now()
	}
	r.update("readiness", func(rec *ob.Record) {
		rec.Readiness = &ob.Readiness{At: at.UTC(), Pass: s.Pass, Warn: s.Warn, Fail: s.Fail, Unknown: s.Unknown,
			FailsOverridden: override && s.Fail > 0}
	})
}

// ended records how the run ended: the JSON result's status, the
// installer's key for why it stopped, the X-Road version installed, and
// whether it carries the operator's certificate profile class (nil: not
// checked).
func (r *installRecord) ended(status, reason, version string, class *installer.ProfileClass) {
	outcome := ob.OutcomeFailed
	switch status {
	case "installed":
		outcome, reason = ob.OutcomeOK, ""
	case "cancelled":
		outcome = ob.OutcomeStopped
	}
	r.update("install ended", func(rec *ob.Record) {
		rec.InstallEnded(r.now(), outcome, reason, version)
		if class != nil && outcome == ob.OutcomeOK {
			rec.InstallClassChecked(class.Status)
		}
	})
}
