package app

// The Summary's lines of the Connect step, from the onboarding record:
// each subsystem's registration, the first call, the notice to the
// operator and the Catalogue export.

import (
	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

func summaryConnect(f summaryFacts) []summaryLine {
	c := f.ob.Connect
	if c == nil || len(c.Subsystems) == 0 {
		return nil
	}
	var out []summaryLine
	for _, s := range c.Subsystems {
		data := map[string]any{"Code": i18n.Line(s.Code, 100), "Name": i18n.Line(s.Name, 200), "Services": len(s.Services)}
		switch s.Status {
		case xroad.ClientRegistered:
			data["Date"] = when(s.Registered)
			out = append(out, summaryLine{sectionDone, lineDone, T("summary.connect_registered", data)})
		case xroad.ClientRegistrationInProgress:
			data["Date"] = when(s.StatusAt)
			out = append(out, summaryLine{sectionWaiting, lineWait, T("summary.connect_waiting", data)})
		default:
			out = append(out, summaryLine{sectionNext, lineTodo, T("summary.connect_todo", data)})
		}
	}
	switch fc := c.FirstCall; {
	case fc == nil:
		if c.Registered() {
			out = append(out, summaryLine{sectionNext, lineNext, T("summary.connect_call_todo")})
		}
	case fc.OK:
		out = append(out, summaryLine{sectionDone, lineDone, T("summary.connect_call_ok", map[string]any{"Date": when(fc.At), "Count": fc.Services})})
	default:
		out = append(out, summaryLine{sectionNext, lineTodo, T("summary.connect_call_failed", map[string]any{"Date": when(fc.At)})})
	}
	switch {
	case !c.NoticeSent.IsZero():
		out = append(out, summaryLine{sectionDone, lineDone, T("summary.connect_notice", map[string]any{"Date": when(c.NoticeSent)})})
	case c.NoticePending() && noticeWay(enroll.Via(c.NoticeVia)) == "queued":
		out = append(out, summaryLine{sectionWaiting, lineWait, T("summary.connect_notice_queued", map[string]any{"Date": when(c.NoticeWritten)})})
	case c.NoticePending():
		// Written as a letter or a folder: it went only once the user
		// says so.
		out = append(out, summaryLine{sectionNext, lineNext, T("summary.connect_notice_written."+noticeWay(enroll.Via(c.NoticeVia)), map[string]any{"Date": when(c.NoticeWritten)})})
	case c.Registered():
		out = append(out, summaryLine{sectionNext, lineNext, T("summary.connect_notice_todo")})
	}
	if c.CatalogueFile != "" {
		out = append(out, summaryLine{sectionDone, lineDone, T("summary.connect_catalogue", map[string]any{"File": i18n.Line(c.CatalogueFile, 300)})})
	}
	return out
}
