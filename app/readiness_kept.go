package app

// A readiness report outlives the session: each finished check is kept
// (JSON) beside the onboarding record, and at start the latest one of the
// server in the form is brought back while it is recent, so the Install
// step plans from it instead of asking for a fresh check after a restart.
// It says when the server was checked and offers to check again.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
)

// readinessKeptFor is how long a report of an earlier session stands in
// for a fresh check: a day. What the install depends on (free disk, ports
// in use, packages, the release) seldom changes within one, and each plan
// step's own Check looks at the server again before it acts; after a day
// the Install step asks for a new check.
const readinessKeptFor = 24 * time.Hour

// keepReport keeps rep's JSON beside the record; "" when it was not kept
// (no record file, or the disk refused: then only the counts are kept).
func (r *recorder) keepReport(rep *checks.Report) (file, sum string) {
	r.mu.Lock()
	path := r.path
	r.mu.Unlock()
	if path == "" {
		return "", ""
	}
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		log.WithError(err).Warn("readiness report not encoded")
		return "", ""
	}
	at := rep.CheckedAt
	if at.IsZero() {
		at = r.now()
	}
	file, sum, err := onboarding.SaveReport(path, b.Bytes(), at)
	if err != nil {
		log.WithError(err).Warn("readiness report not kept beside the onboarding record")
		return "", ""
	}
	return file, sum
}

// dropKept removes a report kept earlier that a newer one replaced (only
// a file in the record's own folder for reports).
func (r *recorder) dropKept(old, now string) {
	r.mu.Lock()
	path := r.path
	r.mu.Unlock()
	if old == "" || old == now || path == "" || filepath.Dir(old) != filepath.Join(filepath.Dir(path), onboarding.ReportFolder) {
		return
	}
	r.mu.Lock()
	damaged := r.damaged == old
	r.mu.Unlock()
	if damaged {
		// The user was told it is left as it is: theirs to look at.
		log.WithField("file", old).Info("a damaged readiness report kept: not removed")
		return
	}
	if err := os.Remove(old); err != nil && !os.IsNotExist(err) {
		log.WithError(err).Debug("an older readiness report not removed")
	}
}

// restoreReadiness brings back, at start, the record's kept report when
// it is of the server in the form and checked within readinessKeptFor.
func (wz *wizard) restoreReadiness() {
	rec := wz.rec.snapshot()
	rd, srv := rec.Readiness, wz.state.Server
	if rd == nil || rd.Kept == "" || rec.Server == nil {
		return
	}
	form := onboarding.Server{Local: !srv.Remote, Host: strings.TrimSpace(srv.Host)}
	if rec.Server.Identity() != form.Identity() {
		return // another server since: its check does not count here
	}
	age := wz.rec.now().Sub(rd.At)
	if age > readinessKeptFor || age < -5*time.Minute {
		log.WithField("checked", rd.At).Info("the kept readiness report is not recent: the Install step asks for a new check")
		return
	}
	// A kept report that is there and cannot be read is shown as damaged
	// (keptNotice) and left as it is; one that is gone is simply not used.
	damaged := func(err error) {
		log.WithError(err).WithField("file", rd.Kept).Warn("the kept readiness report is damaged: left as it is")
		wz.readiness.keptBad = rd.Kept
		wz.rec.mu.Lock()
		wz.rec.damaged = rd.Kept
		wz.rec.mu.Unlock()
	}
	data, err := onboarding.ReadKept(rd.Kept, rd.KeptSHA256, readcap.Report)
	if errors.Is(err, fs.ErrNotExist) {
		log.WithError(err).Warn("the kept readiness report is gone")
		return
	}
	if err != nil {
		damaged(err)
		return
	}
	var rep checks.Report
	if err := json.Unmarshal(data, &rep); err != nil || rep.Schema != checks.Schema {
		damaged(fmt.Errorf("not a readiness report: %v", err))
		return
	}
	if rep.Target.Local != form.Local {
		log.Warn("the kept readiness report is not one of this server")
		return
	}
	r := wz.readiness
	r.report, r.keptAt = &rep, rep.CheckedAt
	r.results = append([]checks.Result(nil), rep.Results...)
	sortBySeverity(r.results)
	log.WithField("checked", rep.CheckedAt).Info("readiness report of an earlier session brought back")
}

// keptNotice says that the report is an earlier session's, when, and
// offers a new check (nil for a check of this session).
func (r *readiness) keptNotice(key string) fyne.CanvasObject {
	again := widget.NewButtonWithIcon(T("readiness.check_again"), theme.ViewRefreshIcon(), func() {
		r.wz.goTo(r.wz.stepIndex(stepReadiness))
		r.start()
	})
	if r.report == nil && r.keptBad != "" {
		return container.NewVBox(messageCard(T("readiness.kept_damaged", map[string]any{"Path": i18n.Line(r.keptBad, 300)}),
			T("readiness.kept_damaged.todo"), ""), container.NewHBox(again))
	}
	if r.report == nil || r.keptAt.IsZero() {
		return nil
	}
	return container.NewVBox(infoCard(T(key+".title"), T(key, map[string]any{"Date": when(r.keptAt)})), container.NewHBox(again))
}
