package app

// The Connect step's word to the operator: the notice of the subsystems
// registered, delivered the way the Submit step sends the application
// (its form and its delivery, enroll.Deliver), to the operator's address;
// and the Catalogue export of the subsystems and services.

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect/catalogue"
)

// noticeInput is the notice: the registered subsystems (every wanted
// one when none is registered yet is refused by the caller).
func (cs *connectStep) noticeInput() enroll.Input {
	wz := cs.wz
	n := &enroll.Notice{OperatorLang: wz.profile.Operator.LetterLang(), Registered: time.Now().UTC()}
	first := time.Time{}
	for _, s := range cs.subs {
		if s.Status != xroad.ClientRegistered {
			continue
		}
		n.Subsystems = append(n.Subsystems, enroll.NoticeSubsystem{Code: s.Code, Name: s.Name, Status: s.Status})
		if !s.Registered.IsZero() && (first.IsZero() || s.Registered.Before(first)) {
			first = s.Registered
		}
	}
	if !first.IsZero() {
		n.Registered = first
	}
	return enroll.Input{Lang: CurrentLanguage(), Participant: wz.submit.participant(), Notice: n}
}

// noticeProblem is the key of what keeps the notice from going, or "".
func (cs *connectStep) noticeProblem() string {
	if len(cs.noticeInput().Notice.Subsystems) == 0 {
		return "connect.notice.none"
	}
	f := cs.wz.submit.form
	if (f.Via == enroll.ViaEmail || f.Via == enroll.ViaSMTP) && cs.wz.profile.Operator.Contact.Email == "" {
		return "connect.notice.no_address"
	}
	return ""
}

// sendNotice delivers the notice with the Submit step's way and settings.
func (cs *connectStep) sendNotice() {
	if cs.busy != "" || cs.noticeProblem() != "" {
		return
	}
	ss := cs.wz.submit
	in := cs.noticeInput()
	f := ss.form
	// The letter is the operator's, never the CA's address.
	f.To, f.SMTPHost, f.SMTPUser, f.SMTPFrom = cs.wz.profile.Operator.Contact.Email, strings.TrimSpace(f.SMTPHost), strings.TrimSpace(f.SMTPUser), strings.TrimSpace(f.SMTPFrom)
	ctx, cancel := context.WithCancel(context.Background())
	cs.busy, cs.cancelFn, cs.outcome = "notice", cancel, nil
	cs.refresh()
	go func() {
		defer cancel()
		res := ss.deliver(ctx, f, in, nil, func() {})
		if res.err != nil {
			log.WithError(errors.New(i18n.Line(res.err.Error(), 600))).Warn("notice not delivered")
		} else {
			log.WithField("id", res.id).WithField("via", string(f.Via)).Info("notice delivered")
		}
		cs.uiDo(func() {
			cs.busy, cs.cancelFn = "", nil
			cs.noticeDone(f, res)
			cs.refresh()
			if cs.afterRun != nil {
				cs.afterRun()
			}
		})
	}()
}

// noticeDone records and shows what the delivery did.
func (cs *connectStep) noticeDone(f submitForm, r runResult) {
	ss := cs.wz.submit
	if r.err != nil && !r.sent && !r.queued {
		err := r.err
		cs.outcome = func() fyne.CanvasObject {
			return messageCard(T("connect.notice.failed"), T("connect.notice.failed.todo"), i18n.Line(errorText(err), 600))
		}
		return
	}
	at := time.Now().UTC()
	cs.wz.rec.update("notice", func(rec *onboarding.Record) {
		if rec.Connect == nil {
			rec.Connect = &onboarding.Connect{}
		}
		c := rec.Connect
		// The latest notice: sent when it went, else written (a letter,
		// a folder) or queued until the user or the outbox says it went.
		c.NoticeID, c.NoticeVia, c.NoticeSent, c.NoticeWritten = r.id, string(f.Via), time.Time{}, time.Time{}
		if r.sent {
			c.NoticeSent = at
		} else {
			c.NoticeWritten = at
		}
	})
	where := r.where
	switch {
	case r.queued:
		cs.outcome = func() fyne.CanvasObject { return infoCard(T("submit.queued"), T("submit.queued.todo")) }
	case f.Via == enroll.ViaEmail:
		ss.openLetter(where)
		cs.outcome = func() fyne.CanvasObject {
			return ss.fileCard(T("connect.notice.eml"), T("submit.eml_written.todo", map[string]any{"To": f.To}), where, true)
		}
	case f.Via == enroll.ViaFolder:
		cs.outcome = func() fyne.CanvasObject {
			return ss.fileCard(T("connect.notice.folder"), T("submit.folder_written.todo", map[string]any{"To": f.To}), where, false)
		}
	default:
		cs.outcome = func() fyne.CanvasObject { return successCard(T("connect.notice.sent", map[string]any{"To": f.To}), "") }
	}
}

// renderNotice says how the notice goes and where the latest one is:
// written but not marked sent offers "I have sent it".
func (cs *connectStep) renderNotice() {
	v := cs.v
	f := cs.wz.submit.form
	about := T("connect.notice.about", map[string]any{"Via": T("connect.via." + string(f.Via))})
	if to := cs.wz.profile.Operator.Contact.Email; to != "" {
		about = T("connect.notice.about_to", map[string]any{"Via": T("connect.via." + string(f.Via)), "To": to})
	}
	if p := cs.noticeProblem(); p != "" {
		about += "\n" + T(p)
	}
	c := cs.wz.rec.snapshot().Connect
	via := enroll.Via("")
	switch {
	case c.NoticePending():
		via = enroll.Via(c.NoticeVia)
		about += "\n" + T("connect.notice.pending."+noticeWay(via), map[string]any{"Date": when(c.NoticeWritten)})
	case c != nil && !c.NoticeSent.IsZero():
		about += "\n" + T("connect.notice.went", map[string]any{"Date": when(c.NoticeSent)})
	}
	v.noticeAbout.SetText(about)
	// Only the user knows when a letter or a folder went; the upload's
	// outbox says so itself.
	showIf(v.marked, via == enroll.ViaEmail || via == enroll.ViaFolder)
	if via == enroll.ViaFolder {
		v.marked.SetText(T("connect.notice.mark_sent.folder"))
	} else {
		v.marked.SetText(T("connect.notice.mark_sent.email"))
	}
}

// noticeWay is the word of a pending notice's route in the catalogue keys.
func noticeWay(via enroll.Via) string {
	switch via {
	case enroll.ViaEmail, enroll.ViaFolder:
		return string(via)
	}
	return "queued"
}

// markNoticeSent records that the user sent the letter or handed the
// folder over: in the store (as "submit advance" would) and the record.
func (cs *connectStep) markNoticeSent() {
	c := cs.wz.rec.snapshot().Connect
	if !c.NoticePending() {
		return
	}
	id, via := c.NoticeID, enroll.Via(c.NoticeVia)
	cs.outcome = nil
	dir, err := cs.wz.submit.dir()
	if err == nil {
		var store *enroll.Store
		if store, err = enroll.OpenStore(dir); err == nil {
			_, err = store.MarkSent(id, via, "")
		}
	}
	if err != nil {
		log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("notice not marked sent")
		cs.outcome = func() fyne.CanvasObject {
			return messageCard(T("connect.notice.mark_failed"), T("connect.notice.mark_failed.todo"), i18n.Line(errorText(err), 600))
		}
		cs.refresh()
		return
	}
	cs.noticeWent(id, time.Now().UTC())
	log.WithField("id", id).WithField("via", string(via)).Info("notice marked sent")
	cs.outcome = func() fyne.CanvasObject {
		return successCard(T("connect.notice.marked"), T("connect.notice.marked.todo"))
	}
	cs.refresh()
}

// noticeWent records that notice id went at at.
func (cs *connectStep) noticeWent(id string, at time.Time) {
	cs.wz.rec.update("notice", func(rec *onboarding.Record) {
		if c := rec.Connect; c != nil && c.NoticeID == id && c.NoticeSent.IsZero() {
			c.NoticeSent = at
		}
	})
}

// noticeSentElsewhere: a pending notice the store says went (the outbox
// delivered the upload, or "submit advance" marked it) is recorded sent.
func (cs *connectStep) noticeSentElsewhere() {
	c := cs.wz.rec.snapshot().Connect
	if !c.NoticePending() {
		return
	}
	dir, err := cs.wz.submit.dir()
	if err != nil {
		return
	}
	store, err := enroll.OpenStore(dir)
	if err != nil {
		return
	}
	r, err := store.Get(c.NoticeID)
	if err != nil || r.Stage.Rank() < enroll.StageSent.Rank() {
		return
	}
	at := c.NoticeWritten
	for _, e := range r.History {
		if e.Stage == enroll.StageSent {
			at = e.At
		}
	}
	cs.noticeWent(c.NoticeID, at)
}

// catalogue is the export's subsystems: the server's (last read) of this
// member, with the names the user gave.
func (cs *connectStep) catalogue() []enroll.CatalogueSubsystem {
	p := cs.params()
	names := map[string]string{}
	for _, s := range cs.subs {
		names[strings.ToLower(s.Code)] = s.Name
	}
	var mine []connect.Subsystem
	for _, s := range cs.inventory {
		if s.MemberClass != p.MemberClass || s.MemberCode != p.MemberCode {
			continue
		}
		if n := names[strings.ToLower(s.Code)]; n != "" {
			s.Name = n
		}
		mine = append(mine, s)
	}
	return catalogue.Of(mine)
}

// exportCatalogue asks where to write the export (CSV or JSON by the
// name's extension) and writes it.
func (cs *connectStep) exportCatalogue(format string) {
	wz := cs.wz
	subs := cs.catalogue()
	owner := enroll.CatalogueOwner{Name: strings.TrimSpace(wz.state.Org.Name), ServerCode: strings.TrimSpace(wz.state.Org.ServerCode)}
	wz.chooseSave("catalogue-"+fileCode(wz.state.Org.MemberCode)+"."+format, func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			cs.fileFailed(err)
			return
		}
		if wc == nil {
			return
		}
		path := wc.URI().Path()
		if strings.HasSuffix(strings.ToLower(path), ".json") {
			format = "json"
		} else if strings.HasSuffix(strings.ToLower(path), ".csv") {
			format = "csv"
		}
		var data []byte
		if format == "json" {
			data, err = enroll.CatalogueJSON(wz.profile.Catalogue, owner, subs)
		} else {
			data, err = enroll.CatalogueCSV(wz.profile.Catalogue.Fields, owner, subs)
		}
		if err == nil {
			_, err = wc.Write(data)
		}
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			cs.fileFailed(err)
			return
		}
		wz.rec.update("catalogue", func(rec *onboarding.Record) {
			if rec.Connect == nil {
				rec.Connect = &onboarding.Connect{}
			}
			rec.Connect.CatalogueFile = path
		})
		rows := len(enroll.CatalogueRows(wz.profile.Catalogue.Fields, owner, subs))
		cs.outcome = func() fyne.CanvasObject {
			return successCard(T("connect.catalogue.written", map[string]any{"Rows": rows}),
				T("connect.catalogue.written.todo", map[string]any{"URL": wz.profile.Catalogue.URL}))
		}
		cs.refresh()
	})
}

// saveTLS writes the server's internal TLS certificate where the user chooses.
func (cs *connectStep) saveTLS() {
	cs.exportTLS(func(pemBytes []byte) {
		cs.wz.chooseSave("security-server-tls.pem", func(wc fyne.URIWriteCloser, err error) {
			if err != nil {
				cs.fileFailed(err)
				return
			}
			if wc == nil {
				return
			}
			_, err = wc.Write(pemBytes)
			if cerr := wc.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				cs.fileFailed(err)
				return
			}
			cs.outcome = func() fyne.CanvasObject {
				return successCard(T("connect.tls.exported"), T("connect.tls.exported.todo"))
			}
			cs.refresh()
		})
	})
}

// fileFailed tells a file not written, in the user's words.
func (cs *connectStep) fileFailed(err error) {
	text := fileProblem("connect.file_failed", err)
	cs.outcome = func() fyne.CanvasObject { return messageCard(text, T("connect.file_todo"), "") }
	cs.refresh()
}
