package connect

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// Item kinds, in the order Apply does them for a subsystem.
const (
	KindSubsystem  = "subsystem"  // add it (with its connection type)
	KindRegister   = "register"   // ask the central server to register it
	KindApproval   = "approval"   // the operator's approval: never done by us, only followed
	KindConnection = "connection" // change the connection type
	KindTLS        = "tls"        // trust an information system's TLS certificate
	KindService    = "service"    // add a service description
	KindEnable     = "enable"     // enable it (a new one starts disabled)
	KindAccess     = "access"     // grant a service to a subject
)

// Item states.
const (
	StateSkip = "skip" // in place already
	StateTodo = "todo" // Apply will do it
	StateDone = "done" // done by this run
	StateWait = "wait" // waits for the operator
)

// Item is one change of the plan. Target is what it is about: the
// connection type, a certificate's hash, a service's code or URL; Subject
// an access right's subject.
type Item struct {
	Kind      string `json:"kind"`
	Subsystem string `json:"subsystem"`
	Target    string `json:"target,omitempty"`
	Subject   string `json:"subject,omitempty"`
	State     string `json:"state"`

	want    *Want
	service *WantService
	cert    []byte
}

// Plan is the desired state against the server's.
type Plan struct {
	Params Params `json:"-"`
	Items  []Item `json:"items"`
}

// Count is how many items are in state.
func (p *Plan) Count(state string) int {
	n := 0
	for _, it := range p.Items {
		if it.State == state {
			n++
		}
	}
	return n
}

// Waiting are the subsystems whose registration the operator has not
// approved yet.
func (p *Plan) Waiting() []string {
	var out []string
	for _, it := range p.Items {
		if it.Kind == KindApproval && it.State != StateSkip {
			out = append(out, it.Subsystem)
		}
	}
	return out
}

// have is what the server holds for one subsystem.
type have struct {
	client  *xroad.ClientInfo
	certs   []string // hashes
	sds     []xroad.ServiceDescription
	subject map[string][]xroad.ServiceClient // service id -> its subjects
}

// find is the description holding s, or nil.
func (h *have) find(s WantService) *xroad.ServiceDescription {
	for i, sd := range h.sds {
		if s.Type == xroad.TypeWSDL && sd.Type == xroad.TypeWSDL && strings.EqualFold(sd.URL, s.URL) {
			return &h.sds[i]
		}
		if s.Type != xroad.TypeWSDL {
			for _, v := range sd.Services {
				if strings.EqualFold(v.ServiceCode, s.Code) {
					return &h.sds[i]
				}
			}
		}
	}
	return nil
}

// read is what the server holds for subsystem id; an absent subsystem is
// an empty have.
func read(ctx context.Context, api *xroad.Client, id string) (*have, error) {
	h := &have{subject: map[string][]xroad.ServiceClient{}}
	c, err := api.GetClient(ctx, id)
	var ae *xroad.Error
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return h, nil
	}
	if err != nil {
		return nil, err
	}
	h.client = &c
	certs, err := api.ClientTLSCertificates(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, c := range certs {
		h.certs = append(h.certs, strings.ToUpper(c.Hash))
	}
	if h.sds, err = api.ServiceDescriptions(ctx, id); err != nil {
		return nil, err
	}
	for _, sd := range h.sds {
		for _, v := range sd.Services {
			if h.subject[v.ID], err = api.ServiceClients(ctx, v.ID); err != nil {
				return nil, err
			}
		}
	}
	return h, nil
}

// Read compares d with the server: every item is skip (in place), todo
// or wait (the operator's approval). Nothing is changed.
func Read(ctx context.Context, api *xroad.Client, p Params, d Desired) (*Plan, error) {
	pl := &Plan{Params: p}
	for i := range d.Subsystems {
		w := &d.Subsystems[i]
		id := xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, w.Code)
		h, err := read(ctx, api, id)
		if err != nil {
			return nil, err
		}
		pl.add(w, h)
	}
	return pl, nil
}

func state(done bool) string {
	if done {
		return StateSkip
	}
	return StateTodo
}

func (pl *Plan) add(w *Want, h *have) {
	item := func(kind, target, subject, st string) *Item {
		pl.Items = append(pl.Items, Item{Kind: kind, Subsystem: w.Code, Target: target, Subject: subject, State: st, want: w})
		return &pl.Items[len(pl.Items)-1]
	}
	c := h.client
	item(KindSubsystem, w.conn(), "", state(c != nil))
	item(KindRegister, "", "", state(c != nil && c.Status != xroad.ClientSaved))
	approval := StateWait
	if c != nil && c.Status == xroad.ClientRegistered {
		approval = StateSkip
	}
	item(KindApproval, "", "", approval)
	if c != nil && c.ConnectionType != w.conn() {
		item(KindConnection, w.conn(), "", StateTodo)
	}
	for _, der := range w.TLSCerts {
		hash := certHash(der)
		item(KindTLS, hash, "", state(slices.Contains(h.certs, hash))).cert = der
	}
	for j := range w.Services {
		s := &w.Services[j]
		sd := h.find(*s)
		item(KindService, s.key(), "", state(sd != nil)).service = s
		item(KindEnable, s.key(), "", state(sd != nil && !sd.Disabled)).service = s
		for _, a := range s.Access {
			granted := sd != nil && len(sd.Services) > 0
			if sd != nil {
				for _, v := range sd.Services {
					granted = granted && hasSubject(h.subject[v.ID], a, pl.Params)
				}
			}
			item(KindAccess, s.key(), a, state(granted)).service = s
		}
	}
}

// hasSubject says whether list holds the subject a (an id, or group:CODE).
func hasSubject(list []xroad.ServiceClient, a string, p Params) bool {
	id, group, err := parseSubject(a, p)
	if err != nil {
		return false
	}
	for _, sc := range list {
		if (group != "" && sc.LocalGroupCode == group) || (group == "" && sc.ID == id) {
			return true
		}
	}
	return false
}
