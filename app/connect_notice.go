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
		rec.Connect.NoticeID, rec.Connect.NoticeSent = r.id, at
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
