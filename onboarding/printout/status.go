package printout

// The status report: one page for the user's manager that says, from the
// record alone, who the organisation is, how far each part of the work
// has come and since when the organisation waits for the certification
// authority or the operator, and what is still its own to do.

import (
	"strconv"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// Status is the status report of rec in lang, as of now.
func Status(rec onboarding.Record, p *profile.Profile, lang string, now time.Time) Doc {
	t := func(key string, data ...map[string]any) string {
		var d map[string]any
		if len(data) > 0 {
			d = data[0]
		}
		return i18n.T(lang, key, d)
	}
	s := statusFacts{rec: rec, p: p, lang: lang, t: t}
	d := Doc{
		Lang:     lang,
		Title:    t("print.status.title"),
		Subtitle: t("print.status.as_of", map[string]any{"Date": date(now, lang)}),
	}
	d.Blocks = append(d.Blocks, Block{Kind: Heading, Text: t("print.status.organisation")}, s.identity())
	d.Blocks = append(d.Blocks, Block{Kind: Heading, Text: t("print.status.progress")}, Block{
		Kind:   Table,
		Header: []string{t("print.col.step"), t("print.col.state"), t("print.col.date"), t("print.col.detail")},
		Rows:   s.progress(),
		Widths: []float64{0.34, 0.17, 0.17, 0.32},
	})
	// Never empty: an active server still has its services to register.
	d.Blocks = append(d.Blocks, Block{Kind: Heading, Text: t("print.status.awaited")}, Block{Kind: Table,
		Header: []string{t("print.col.who"), t("print.col.what"), t("print.col.since")},
		Rows:   s.awaited(), Widths: []float64{0.27, 0.56, 0.17}})
	d.Blocks = append(d.Blocks, s.health()...)
	if c := s.contacts(); len(c.Rows) > 0 {
		d.Blocks = append(d.Blocks, Block{Kind: Heading, Text: t("print.status.contacts")}, c)
	}
	d.Footer = t("print.status.footer")
	if !rec.Updated.IsZero() {
		d.Footer = t("print.status.footer_updated", map[string]any{"Date": date(rec.Updated, lang)})
	}
	return d
}

type statusFacts struct {
	rec  onboarding.Record
	p    *profile.Profile
	lang string
	t    func(key string, data ...map[string]any) string
}

// identity: the organisation, its information system and its server.
func (s statusFacts) identity() Block {
	b := Block{Kind: Fields}
	add := func(key, v string) { b.Rows = append(b.Rows, []string{s.t(key), v}) }
	o := s.rec.Organisation
	if o == nil {
		add("print.field.participant", s.t("print.status.no_organisation"))
	} else {
		add("print.field.participant", value(o.Name, 300))
		add("print.field.member", value(o.MemberClass, 16)+" "+value(o.MemberCode, 32))
		if strings.TrimSpace(o.Address) != "" {
			add("print.field.address", value(o.Address, 300))
		}
		if strings.TrimSpace(o.System.Name) != "" {
			add("print.field.system", value(o.System.Name, 300))
		}
		add("print.field.server_code", value(o.ServerCode, 64))
	}
	switch srv := s.rec.Server; {
	case srv == nil:
	case srv.Local:
		add("print.field.server", s.t("print.status.this_computer"))
	default:
		host := value(srv.Host, 253)
		if srv.Port != 0 && srv.Port != 22 {
			host += ":" + strconv.Itoa(srv.Port)
		}
		add("print.field.server", host)
	}
	return b
}

// state is a step state's word; wait names whom the step waits for
// instead ("" none).
func (s statusFacts) state(st onboarding.State) string {
	return s.t("print.state." + st.String())
}

// progress: one row per part of the work, in the order it is done.
func (s statusFacts) progress() [][]string {
	r := s.rec
	var rows [][]string
	row := func(stepKey, state string, at time.Time, detail string) {
		rows = append(rows, []string{s.t(stepKey), state, date(at, s.lang), detail})
	}

	if rd := r.Readiness; rd != nil {
		row("print.step.readiness", s.state(r.StepState(onboarding.StepReadiness)), rd.At, s.t("print.detail.counts",
			map[string]any{"Pass": rd.Pass, "Warn": rd.Warn + rd.Unknown, "Fail": rd.Fail}))
	} else {
		row("print.step.readiness", s.state(onboarding.NotStarted), time.Time{}, "")
	}

	if in := r.Install; in != nil {
		at, detail := in.Finished, ""
		if at.IsZero() {
			at = in.Started
		}
		if in.StepsTotal > 0 {
			detail = s.t("print.detail.install_steps", map[string]any{"Done": in.StepsDone, "Total": in.StepsTotal})
		}
		if in.Outcome == onboarding.OutcomeOK && in.XRoadVersion != "" {
			detail = "X-Road " + value(in.XRoadVersion, 32)
		}
		row("print.step.install", s.state(r.StepState(onboarding.StepInstall)), at, detail)
	} else {
		row("print.step.install", s.state(onboarding.NotStarted), time.Time{}, "")
	}

	if in := r.Init; in != nil {
		at := in.At
		if at.IsZero() {
			at = in.Tried
		}
		detail := ""
		if in.Done() && !in.TimeStamping {
			detail = s.t("print.detail.no_timestamping")
		}
		row("print.step.configure", s.state(r.StepState(onboarding.StepConfigure)), at, detail)
	} else {
		row("print.step.configure", s.state(onboarding.NotStarted), time.Time{}, "")
	}

	for _, u := range []struct{ usage, key string }{
		{onboarding.UsageAuth, "print.step.auth_csr"}, {onboarding.UsageSign, "print.step.sign_csr"},
	} {
		if c := r.LatestCSR(u.usage); c != nil {
			row(u.key, s.state(onboarding.Done), c.MadeAt, s.where(c.Key.Place))
		} else {
			row(u.key, s.state(onboarding.NotStarted), time.Time{}, "")
		}
	}

	switch sub := r.Submission; {
	case sub.Sent():
		detail := sub.ID
		if sub.Via != "" {
			detail = s.t("print.via."+sub.Via) + " · " + value(sub.ID, 64)
		}
		row("print.step.sent", s.state(onboarding.Done), sub.SentAt, detail)
	case sub != nil:
		row("print.step.sent", s.state(onboarding.Attention), time.Time{}, s.t("print.detail.prepared", map[string]any{"ID": value(sub.ID, 64)}))
	default:
		row("print.step.sent", s.state(onboarding.NotStarted), time.Time{}, "")
	}

	for _, u := range []struct{ usage, key string }{
		{onboarding.UsageAuth, "print.step.auth_cert"}, {onboarding.UsageSign, "print.step.sign_cert"},
	} {
		switch c := r.Certificate(u.usage); {
		case c != nil:
			detail := ""
			if !c.NotAfter.IsZero() {
				detail = s.t("print.detail.valid_until", map[string]any{"Date": date(c.NotAfter, s.lang)})
			}
			row(u.key, s.state(onboarding.Done), c.ImportedAt, detail)
		case s.waitingCA():
			row(u.key, s.t("print.state.wait_ca"), time.Time{}, "")
		default:
			row(u.key, s.state(onboarding.NotStarted), time.Time{}, "")
		}
	}

	c := r.Certificate(onboarding.UsageAuth)
	switch {
	case c != nil && !c.ActivatedAt.IsZero() || r.Submission != nil && r.Submission.Stage == "active":
		at := time.Time{}
		if c != nil {
			at = c.ActivatedAt
		}
		row("print.step.register", s.state(onboarding.Done), at, s.t("print.detail.active"))
	case c != nil && !c.RegisteredAt.IsZero():
		row("print.step.register", s.state(onboarding.Attention), c.RegisteredAt, s.t("print.detail.approved"))
	case s.waitingOperator():
		at := time.Time{}
		if c != nil {
			at = c.RegistrationSent
		}
		row("print.step.register", s.t("print.state.wait_operator"), at, s.t("print.detail.registration_sent"))
	default:
		row("print.step.register", s.state(onboarding.NotStarted), time.Time{}, "")
	}
	if c := r.Connect; c != nil {
		for _, sub := range c.Subsystems {
			detail := s.t("print.detail.subsystem", map[string]any{"Code": value(sub.Code, 64), "Name": value(sub.Name, 200), "Services": len(sub.Services)})
			switch {
			case sub.Status == "REGISTERED":
				row("print.step.subsystem", s.state(onboarding.Done), sub.Registered, detail)
			case sub.Status == "REGISTRATION_IN_PROGRESS":
				row("print.step.subsystem", s.t("print.state.wait_operator"), sub.StatusAt, detail)
			default:
				row("print.step.subsystem", s.state(onboarding.NotStarted), time.Time{}, detail)
			}
		}
		if fc := c.FirstCall; fc != nil {
			st := s.state(onboarding.Done)
			if !fc.OK {
				st = s.state(onboarding.Failed)
			}
			row("print.step.first_call", st, fc.At, value(fc.Client, 200))
		}
		switch {
		case !c.NoticeSent.IsZero():
			row("print.step.notice", s.state(onboarding.Done), c.NoticeSent, value(c.NoticeID, 64))
		case c.NoticePending():
			// Written (a letter, a folder) or queued: not told yet.
			row("print.step.notice", s.state(onboarding.Attention), c.NoticeWritten, s.t("print.detail.prepared", map[string]any{"ID": value(c.NoticeID, 64)}))
		}
	}
	return rows
}

// where is where a CSR's key lives, in words.
func (s statusFacts) where(place string) string {
	switch place {
	case onboarding.PlaceSoftToken, onboarding.PlaceServerToken, onboarding.PlaceRutoken:
		return s.t("print.where." + place)
	}
	return ""
}

// waitingCA: the CSRs went to the CA and no certificate came back yet.
func (s statusFacts) waitingCA() bool {
	sub := s.rec.Submission
	return sub.Sent() && sub.Stage == "sent" && len(s.rec.Certificates) == 0
}

// waitingOperator: the authentication certificate's registration went to
// the operator, who has not approved it yet.
func (s statusFacts) waitingOperator() bool {
	c := s.rec.Certificate(onboarding.UsageAuth)
	if c != nil && (!c.RegisteredAt.IsZero() || !c.ActivatedAt.IsZero()) {
		return false
	}
	if c != nil && !c.RegistrationSent.IsZero() {
		return true
	}
	sub := s.rec.Submission
	return sub != nil && sub.Stage == "registered"
}

// awaited: what the CA, the operator and the organisation itself are
// expected to do next, and since when the organisation waits.
func (s statusFacts) awaited() [][]string {
	r := s.rec
	var rows [][]string
	if s.waitingCA() {
		rows = append(rows, []string{s.p.CA.Title.In(s.lang), s.t(s.caAwaitKey()), date(r.Submission.SentAt, s.lang)})
	}
	// The rest of a part-sent application: the CA waits for it from us.
	for _, u := range s.awaiting() {
		rows = append(rows, []string{s.t("print.who.us"), s.t("print.await.rest_"+u, map[string]any{
			"ID": value(r.Submission.ID, 64), "CA": s.p.CA.Title.In(s.lang)}), date(r.Submission.SentAt, s.lang)})
	}
	if s.waitingOperator() {
		since := time.Time{}
		if c := r.Certificate(onboarding.UsageAuth); c != nil {
			since = c.RegistrationSent
		}
		rows = append(rows, []string{s.p.Operator.Title.In(s.lang), s.t("print.await.operator"), date(since, s.lang)})
	}
	us := s.t("print.who.us")
	for _, key := range s.ourTodo() {
		rows = append(rows, []string{us, key, ""})
	}
	return rows
}

// awaiting: the CSRs (usages) a sent application still waits for, the
// letter having said they follow; none once certificates came back.
func (s statusFacts) awaiting() []string {
	sub := s.rec.Submission
	if !sub.Sent() || sub.Stage != "sent" {
		return nil
	}
	var out []string
	for _, u := range sub.Awaiting {
		if u == onboarding.UsageAuth || u == onboarding.UsageSign {
			out = append(out, u)
		}
	}
	return out
}

// caAwaitKey: what the CA is to issue, from the CSRs it has: both
// certificates, or only the one whose CSR went when the other follows.
func (s statusFacts) caAwaitKey() string {
	switch a := s.awaiting(); {
	case len(a) == 1 && a[0] == onboarding.UsageAuth:
		return "print.await.ca_sign"
	case len(a) == 1 && a[0] == onboarding.UsageSign:
		return "print.await.ca_auth"
	}
	return "print.await.ca"
}

// ourTodo is what the organisation still has to do, in order, in words.
func (s statusFacts) ourTodo() []string {
	r := s.rec
	var out []string
	todo := func(key string, data ...map[string]any) { out = append(out, s.t(key, data...)) }
	if r.StepState(onboarding.StepOrganisation) != onboarding.Done {
		todo("print.todo.organisation")
	}
	if r.StepState(onboarding.StepServer) != onboarding.Done {
		todo("print.todo.server")
	}
	switch rd := r.Readiness; {
	case rd == nil:
		todo("print.todo.readiness")
	case rd.Fail > 0:
		todo("print.todo.readiness_fix", map[string]any{"Fail": rd.Fail})
	}
	if r.StepState(onboarding.StepInstall) != onboarding.Done {
		todo("print.todo.install")
	}
	if !r.Init.Done() {
		todo("print.todo.configure")
	}
	if r.LatestCSR(onboarding.UsageAuth) == nil && !r.Submission.Sent() {
		todo("print.todo.auth_csr")
	}
	if r.LatestCSR(onboarding.UsageSign) == nil && !r.Submission.Sent() {
		todo("print.todo.sign_csr")
	}
	if !r.Submission.Sent() {
		todo("print.todo.send")
		return out // the rest follows the CA's answer
	}
	for _, u := range s.awaiting() {
		if r.LatestCSR(u) == nil {
			todo("print.todo." + u + "_csr") // then sent as the rest (print.await.rest_*)
		}
	}
	if s.waitingCA() {
		return out
	}
	c := r.Certificate(onboarding.UsageAuth)
	switch {
	case c == nil && r.Submission.Stage == "certificates_received":
		todo("print.todo.import")
	case r.StepState(onboarding.StepRegister) == onboarding.Done && !r.Connect.Registered():
		todo("print.todo.subsystem")
		todo("print.todo.catalogue")
	case r.StepState(onboarding.StepRegister) == onboarding.Done && (r.Connect.FirstCall == nil || !r.Connect.FirstCall.OK):
		todo("print.todo.first_call")
		todo("print.todo.catalogue")
	case r.StepState(onboarding.StepRegister) == onboarding.Done:
		todo("print.todo.catalogue")
	case s.waitingOperator():
	case c != nil && !c.RegisteredAt.IsZero():
		todo("print.todo.activate")
	case c != nil:
		todo("print.todo.register")
	}
	return out
}

// contacts: how to reach the operator and the CA, as the profile gives.
func (s statusFacts) contacts() Block {
	b := Block{Kind: Fields}
	for _, party := range []struct {
		title i18n.Text
		c     profile.Contact
		email string
	}{
		{s.p.Operator.Title, s.p.Operator.Contact, s.p.Operator.Contact.Email},
		{s.p.CA.Title, s.p.CA.Contact, firstOf(s.p.CA.Contact.Email, s.p.CA.Email)},
	} {
		var parts []string
		for _, v := range []string{party.c.Phone, party.email, party.c.Web, party.c.Address.In(s.lang)} {
			if v != "" {
				parts = append(parts, v)
			}
		}
		if len(parts) > 0 {
			b.Rows = append(b.Rows, []string{party.title.In(s.lang), strings.Join(parts, " · ")})
		}
	}
	return b
}

func firstOf(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
