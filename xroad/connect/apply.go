package connect

import (
	"context"
	"errors"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// Runner does a plan's items through one admin API session. Host is the
// server the session goes through: an OpenAPI file is served to X-Road
// from there (ServeFile). IgnoreWarnings adds an unregistered member's
// subsystem and descriptions the parsers warn about anyway.
type Runner struct {
	API            *xroad.Client
	Host           remote.Host
	IgnoreWarnings bool
	// Before, when set, is called just before the first change one of
	// the runner's single calls (AddService, Grant, Revoke, Refresh)
	// sends, once: the backup before a change. A call that finds its work
	// done already sends nothing and calls nothing; Before's failure
	// stops the call with nothing changed (and Before is asked again by
	// a next change). Apply leaves it to its caller, who knows from the
	// plan beforehand whether anything is to do.
	Before func(ctx context.Context) error
}

// change is called before each change a single call sends: Before, the
// first time.
func (r *Runner) change(ctx context.Context) error {
	if r.Before == nil {
		return nil
	}
	if err := r.Before(ctx); err != nil {
		return err
	}
	r.Before = nil
	return nil
}

// Apply does the plan's todo items in order and marks each done;
// progress, if not nil, sees each item as it ends. The first failure
// stops the run (*ItemError): running Read and Apply again resumes.
func (r *Runner) Apply(ctx context.Context, pl *Plan, progress func(Item)) error {
	for i := range pl.Items {
		it := &pl.Items[i]
		if it.State != StateTodo {
			continue
		}
		if err := r.do(ctx, pl.Params, it); err != nil {
			return &ItemError{Item: *it, Err: err}
		}
		it.State = StateDone
		if it.Kind == KindRegister {
			// The request is on its way: the approval is the operator's.
			for j := range pl.Items {
				if pl.Items[j].Kind == KindApproval && pl.Items[j].Subsystem == it.Subsystem {
					pl.Items[j].State = StateWait
				}
			}
		}
		if progress != nil {
			progress(*it)
		}
	}
	return nil
}

func (r *Runner) do(ctx context.Context, p Params, it *Item) error {
	id := xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, it.Subsystem)
	switch it.Kind {
	case KindSubsystem:
		_, err := r.API.AddClient(ctx, p.MemberClass, p.MemberCode, it.Subsystem, it.want.conn(), r.IgnoreWarnings)
		return err
	case KindRegister:
		return r.API.RegisterClient(ctx, id)
	case KindConnection:
		_, err := r.API.SetConnectionType(ctx, id, it.Target)
		return err
	case KindTLS:
		_, err := r.API.AddClientTLSCertificate(ctx, id, it.cert)
		return err
	case KindService:
		return r.addService(ctx, id, it.service)
	case KindEnable:
		sd, err := r.described(ctx, id, it.service)
		if err != nil || !sd.Disabled {
			return err
		}
		return r.API.EnableServiceDescription(ctx, sd.ID)
	case KindAccess:
		return r.grant(ctx, p, id, it)
	}
	return nil
}

func (r *Runner) addService(ctx context.Context, id string, s *WantService) error {
	add := xroad.ServiceDescriptionAdd{URL: s.URL, Type: s.Type, IgnoreWarnings: r.IgnoreWarnings}
	if s.Type != xroad.TypeWSDL {
		add.RestServiceCode = s.Code
	}
	if s.File != "" {
		u, stop, err := ServeFile(r.Host, s.Data)
		if err != nil {
			return err
		}
		defer stop()
		add.URL = u
	}
	_, err := r.API.AddServiceDescription(ctx, id, add)
	return err
}

// described is the description of s on the server now.
func (r *Runner) described(ctx context.Context, id string, s *WantService) (*xroad.ServiceDescription, error) {
	sds, err := r.API.ServiceDescriptions(ctx, id)
	if err != nil {
		return nil, err
	}
	h := &have{sds: sds}
	sd := h.find(*s)
	if sd == nil {
		return nil, &Error{Key: "connect.err.service_missing", Data: map[string]any{"Service": s.key()}}
	}
	return sd, nil
}

// grant gives the subject every service of the description that lacks
// it (a WSDL's operations are services of their own).
func (r *Runner) grant(ctx context.Context, p Params, id string, it *Item) error {
	sd, err := r.described(ctx, id, it.service)
	if err != nil {
		return err
	}
	subject, err := subjectID(ctx, r.API, p, it.Subsystem, it.Subject)
	if err != nil {
		return err
	}
	for _, v := range sd.Services {
		have, err := r.API.ServiceClients(ctx, v.ID)
		if err != nil {
			return err
		}
		if hasSubject(have, it.Subject, p) {
			continue
		}
		if _, err := r.API.AddServiceClients(ctx, v.ID, []string{subject}); err != nil {
			return err
		}
	}
	return nil
}

func (r *Runner) groupID(ctx context.Context, id, code string) (string, error) {
	gs, err := r.API.LocalGroups(ctx, id)
	if err != nil {
		return "", err
	}
	for _, g := range gs {
		if strings.EqualFold(g.Code, code) {
			return g.ID, nil
		}
	}
	return "", &Error{Key: "connect.err.group_missing", Data: map[string]any{"Group": code}}
}

// subjectID is the API's id of subject for subsystem: a subsystem's id,
// or a local group's number looked up by its code.
func subjectID(ctx context.Context, api *xroad.Client, p Params, subsystem, subject string) (string, error) {
	sid, group, err := parseSubject(subject, p)
	if err != nil || group == "" {
		return sid, err
	}
	r := &Runner{API: api}
	return r.groupID(ctx, xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, subsystem), group)
}

// Revoke takes subject's access to the service code of subsystem away;
// one without access is not an error. r.Before is called before the
// access is taken away (not when there is none).
func (r *Runner) Revoke(ctx context.Context, p Params, subsystem, code, subject string) (changed bool, err error) {
	api := r.API
	serviceID := ServiceID(p, subsystem, code)
	sid, err := subjectID(ctx, api, p, subsystem, subject)
	if err != nil {
		return false, err
	}
	have, err := api.ServiceClients(ctx, serviceID)
	if err != nil || !hasSubject(have, subject, p) {
		return false, err
	}
	if err := r.change(ctx); err != nil {
		return false, err
	}
	err = api.DeleteServiceClients(ctx, serviceID, []string{sid})
	var ae *xroad.Error
	if errors.As(err, &ae) && ae.HasCode(xroad.CodeAccessNotFound) {
		return false, nil
	}
	return err == nil, err
}

// AddService adds one service description to subsystem unless it is
// there, and enables it; added says whether anything was sent to add it.
func (r *Runner) AddService(ctx context.Context, p Params, subsystem string, s WantService) (added bool, err error) {
	id := xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, subsystem)
	sd, err := r.described(ctx, id, &s)
	var ce *Error
	if errors.As(err, &ce) && ce.Key == "connect.err.service_missing" {
		if err := r.change(ctx); err != nil {
			return false, err
		}
		if err := r.addService(ctx, id, &s); err != nil {
			return false, err
		}
		added = true
		sd, err = r.described(ctx, id, &s)
	}
	if err != nil {
		return added, err
	}
	if sd.Disabled {
		if err := r.change(ctx); err != nil {
			return added, err
		}
		return added, r.API.EnableServiceDescription(ctx, sd.ID)
	}
	return added, nil
}

// ServiceID is the API's id of a service of the subsystem: its client id
// and full service code (ServiceConverter.java).
func ServiceID(p Params, subsystem, code string) string {
	return xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, subsystem) + ":" + code
}

// Grant gives subject access to the service code of subsystem; changed
// says whether it lacked it. r.Before is called before the access is
// given (not when the subject has it already).
func (r *Runner) Grant(ctx context.Context, p Params, subsystem, code, subject string) (changed bool, err error) {
	api := r.API
	sid, err := subjectID(ctx, api, p, subsystem, subject)
	if err != nil {
		return false, err
	}
	svc := ServiceID(p, subsystem, code)
	have, err := api.ServiceClients(ctx, svc)
	if err != nil || hasSubject(have, subject, p) {
		return false, err
	}
	if err := r.change(ctx); err != nil {
		return false, err
	}
	_, err = api.AddServiceClients(ctx, svc, []string{sid})
	return err == nil, err
}

// Refresh reads the description holding the service code of subsystem
// again (X-Road fetches its URL anew), with r's IgnoreWarnings. r.Before
// is called once the description is found: a refresh may change its
// services, so it is always a change.
func (r *Runner) Refresh(ctx context.Context, p Params, subsystem, code string) (xroad.ServiceDescription, error) {
	api := r.API
	id := xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, subsystem)
	sds, err := api.ServiceDescriptions(ctx, id)
	if err != nil {
		return xroad.ServiceDescription{}, err
	}
	for _, sd := range sds {
		for _, v := range sd.Services {
			if strings.EqualFold(fullCode(v), code) || strings.EqualFold(v.ServiceCode, code) {
				if err := r.change(ctx); err != nil {
					return xroad.ServiceDescription{}, err
				}
				return api.RefreshServiceDescription(ctx, sd.ID, r.IgnoreWarnings)
			}
		}
	}
	return xroad.ServiceDescription{}, &Error{Key: "connect.err.service_missing", Data: map[string]any{"Service": code}}
}
