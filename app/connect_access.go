package app

// The Connect step's access rights and services on the server: subjects
// found by name or code, a service granted or revoked (on the server and
// in the wish list), a description refreshed. Fields are touched on the UI
// goroutine only.

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"

	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// searchSubjects finds members' subsystems and local groups by name or code.
func (cs *connectStep) searchSubjects(text string) {
	s := cs.cur()
	if s == nil {
		return
	}
	p, code := cs.params(), s.Code
	var found []xroad.ServiceClient
	cs.outcome = nil
	cs.start("subjects", func(ctx context.Context, ss *serverSession, in sessionInput) error {
		var err error
		found, err = ss.API().ServiceClientCandidates(ctx, xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, code), strings.TrimSpace(text))
		return err
	}, func(err error) {
		if err != nil {
			cs.fail(err)
			return
		}
		cs.subjects = found
	}, cs.refresh)
}

// subjectName is how a subject is written in the plan: group:CODE, or
// CLASS:CODE:SUBSYSTEM of this instance.
func (cs *connectStep) subjectName(sc xroad.ServiceClient) string {
	if sc.Type == xroad.SubjectLocalGroup {
		return "group:" + sc.LocalGroupCode
	}
	if rest, ok := strings.CutPrefix(sc.ID, cs.params().Instance+":"); ok {
		return rest
	}
	return sc.ID
}

// grant gives subject access to the shown subsystem's service i: on the
// server when the service is there, and in the wish list (so a plan
// applied later keeps it).
func (cs *connectStep) grant(i int, subject string) { cs.access(i, subject, true) }

// revoke takes the access away, on the server and from the wish list.
func (cs *connectStep) revoke(i int, subject string) { cs.access(i, subject, false) }

func (cs *connectStep) access(i int, subject string, grant bool) {
	s := cs.cur()
	if s == nil || i < 0 || i >= len(s.Services) || subject == "" {
		return
	}
	sv := &s.Services[i]
	if grant && !slices.Contains(sv.Access, subject) {
		sv.Access = append(sv.Access, subject)
	}
	if !grant {
		sv.Access = slices.DeleteFunc(sv.Access, func(a string) bool { return a == subject })
	}
	cs.plan = nil
	cs.save()
	codes := cs.serviceCodes(s.Code, *sv)
	p, sub := cs.params(), s.Code
	cs.outcome = nil
	changer := cs.changer()
	cs.start("access", func(ctx context.Context, ss *serverSession, in sessionInput) error {
		r := changer(ss.API()) // one backup before the first change, none when the rights are as wanted
		for _, code := range codes {
			var err error
			if grant {
				_, err = r.Grant(ctx, p, sub, code, subject)
			} else {
				_, err = r.Revoke(ctx, p, sub, code, subject)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}, func(err error) {
		if err != nil {
			cs.fail(err)
			return
		}
		key := map[bool]string{true: "connect.granted", false: "connect.revoked"}[grant]
		if len(codes) == 0 {
			key = "connect.access_planned"
		}
		cs.outcome = func() fyne.CanvasObject { return successCard(T(key, map[string]any{"Subject": subject}), "") }
	}, cs.refresh)
}

// serviceCodes are the codes the server lists for a wanted service (a
// WSDL's operations), from the last inventory; none before it is added.
func (cs *connectStep) serviceCodes(sub string, sv onboarding.ConnectService) []string {
	p := cs.params()
	var out []string
	for _, x := range cs.inventory {
		if x.MemberClass != p.MemberClass || x.MemberCode != p.MemberCode || !strings.EqualFold(x.Code, sub) {
			continue
		}
		for _, v := range x.Services {
			match := strings.EqualFold(v.Code, sv.Code)
			if sv.Type == xroad.TypeWSDL {
				match = v.Type == xroad.TypeWSDL && strings.EqualFold(v.Description, sv.URL)
			}
			if match {
				out = append(out, v.Code)
			}
		}
	}
	return out
}

// refreshService has the server read the shown subsystem's service i again.
func (cs *connectStep) refreshService(i int) {
	s := cs.cur()
	if s == nil || i < 0 || i >= len(s.Services) {
		return
	}
	codes := cs.serviceCodes(s.Code, s.Services[i])
	if len(codes) == 0 {
		cs.outcome = func() fyne.CanvasObject { return infoCard(T("connect.not_on_server"), T("connect.not_on_server.todo")) }
		cs.refresh()
		return
	}
	p, sub := cs.params(), s.Code
	changer := cs.changer()
	cs.readServer("refresh", func(ctx context.Context, api *xroad.Client) error {
		_, err := changer(api).Refresh(ctx, p, sub, codes[0]) // the backup before it, once a visit
		return err
	})
}
