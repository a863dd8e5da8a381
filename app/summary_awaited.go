package app

// The Summary's word on an application sent in part: what the
// certification authority still waits for from the user (the letter of
// the first part said it follows), and that until then it issues only the
// certificate whose CSR it has. The submissions store tells; when it has
// no application of this organisation (another computer's store, a store
// not read), the onboarding record's Submission does.

import (
	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
)

// submissionFromRecord is the onboarding record's submission as the
// Summary reads a store's: its ID, way, stage, when it went and what it
// awaits. Nil when the record names none that went (a package prepared
// and not sent is the store's alone, which has its date).
func submissionFromRecord(s *onboarding.Submission) *enroll.Record {
	if !s.Sent() || s.ID == "" {
		return nil
	}
	rec := &enroll.Record{ID: s.ID, Stage: enroll.Stage(s.Stage), Via: enroll.Via(s.Via),
		History: []enroll.Event{{Stage: enroll.StageSent, At: s.SentAt, Via: enroll.Via(s.Via)}}}
	if len(s.Awaiting) > 0 {
		p := enroll.Part{N: 1, SentAt: s.SentAt, Via: rec.Via}
		for _, u := range s.Awaiting {
			p.Follows = append(p.Follows, enroll.Usage(u))
		}
		rec.Parts = []enroll.Part{p}
	}
	return rec
}

// awaited is what the application still waits for from the user: the
// CSRs (usages) its letter said follow, until certificates come back.
func (f summaryFacts) awaited() []enroll.Usage {
	rec := f.record
	if rec == nil || !rec.Sent() || rec.Stage.Rank() >= enroll.StageCertsReceived.Rank() {
		return nil
	}
	return rec.Awaited()
}

// summaryAwaited: the rest of the application, the user's to send.
func summaryAwaited(f summaryFacts) []summaryLine {
	var out []summaryLine
	for _, u := range f.awaited() {
		key := map[enroll.Usage]string{enroll.UsageAuth: "summary.awaited_auth", enroll.UsageSign: "summary.awaited_sign"}[u]
		if key == "" {
			continue
		}
		if u == enroll.UsageSign {
			key = f.wz.signTextKey(key) // made by Configure when the key is at the server
		}
		sent, _, _ := eventTime(f.record, enroll.StageSent)
		out = append(out, summaryLine{sectionNext, lineTodo, T(key, map[string]any{"CA": f.wz.caTitle(), "ID": f.record.ID, "Date": when(sent)})})
	}
	return out
}

// waitCertsKey: both certificates, or the one whose CSR the CA has.
func (f summaryFacts) waitCertsKey() string {
	if a := f.awaited(); len(a) == 1 {
		switch a[0] {
		case enroll.UsageAuth:
			return "summary.wait_cert_sign"
		case enroll.UsageSign:
			return "summary.wait_cert_auth"
		}
	}
	return "summary.wait_certs"
}
