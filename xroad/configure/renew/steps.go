package renew

import (
	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// stepDef is one step: which plans hold it, its check on the server's
// state (as read into the plan), and whether its apply changes the
// server (a backup is taken before the first such one of a run).
type stepDef struct {
	id      string
	changes bool
	in      func(pl *Plan, o *Options) bool
	check   func(pl *Plan, o *Options) string
}

func hasAuth(pl *Plan, _ *Options) bool { return pl.Auth != nil }
func hasSign(pl *Plan, _ *Options) bool { return pl.Sign != nil }
func hasAny(pl *Plan, _ *Options) bool  { return pl.Auth != nil || pl.Sign != nil }

func doneIf(b bool) string {
	if b {
		return StateDone
	}
	return StateTodo
}

// newCerts are the new keys' certificates; all is false while a new key
// lacks one (or is not made).
func newCerts(pl *Plan) (certs []*Cert, all bool) {
	all = true
	for _, r := range pl.Renewals() {
		if r.New == nil || r.New.Cert == nil {
			all = false
			continue
		}
		certs = append(certs, r.New.Cert)
	}
	return certs, all
}

func newAuth(pl *Plan) *Cert {
	if pl.Auth == nil || pl.Auth.New == nil {
		return nil
	}
	return pl.Auth.New.Cert
}

// defs are the steps in the order they run: the new pair in service
// before anything of the old one is touched.
var defs = []stepDef{
	{StepAuthKey, true, hasAuth, func(pl *Plan, _ *Options) string { return doneIf(pl.Auth.New != nil) }},
	{StepSignKey, true, hasSign, func(pl *Plan, _ *Options) string { return doneIf(pl.Sign.New != nil) }},
	{StepSubmit, false, hasAny, func(pl *Plan, o *Options) string {
		_, all := newCerts(pl)
		switch {
		case all || len(o.Certs) > 0 || (pl.Submission != nil && pl.Submission.Stage.Rank() >= enroll.StageSent.Rank()):
			return StateDone
		case o.Submit != nil:
			return StateTodo
		}
		return StateWait
	}},
	{StepImport, true, hasAny, func(pl *Plan, o *Options) string {
		_, all := newCerts(pl)
		switch {
		case all:
			return StateDone
		case len(o.Certs) > 0:
			return StateTodo
		}
		return StateWait
	}},
	{StepRegister, true, hasAuth, func(pl *Plan, _ *Options) string {
		c := newAuth(pl)
		return doneIf(c != nil && c.Status != xroad.CertSaved)
	}},
	{StepApprove, false, hasAuth, func(pl *Plan, _ *Options) string {
		if c := newAuth(pl); c != nil && c.Status == xroad.CertRegistered {
			return StateDone
		}
		return StateWait
	}},
	// A new signing certificate is active once imported, beside the old
	// one (ImportCertReqHandler.java). guess: which of the two the signer
	// signs with meanwhile (either is valid for the other servers).
	{StepActivate, true, hasAny, func(pl *Plan, _ *Options) string {
		certs, all := newCerts(pl)
		for _, c := range certs {
			all = all && c.Active
		}
		return doneIf(all)
	}},
	{StepOCSP, false, hasAny, func(pl *Plan, _ *Options) string {
		certs, all := newCerts(pl)
		for _, c := range certs {
			all = all && c.OCSP == xroad.OCSPGood
		}
		if all {
			return StateDone
		}
		return StateWait
	}},
	{StepDisableAuth, true, hasAuth, func(pl *Plan, _ *Options) string { return doneIf(!pl.Auth.Old.Cert.Active) }},
	{StepUnregister, true, hasAuth, func(pl *Plan, _ *Options) string { return doneIf(!registering(pl.Auth.Old.Cert.Status)) }},
	{StepDisableSign, true, hasSign, func(pl *Plan, _ *Options) string { return doneIf(!pl.Sign.Old.Cert.Active) }},
	// A plan holds a delete step only while the old key is there.
	{StepDeleteAuth, true, func(pl *Plan, o *Options) bool { return o.DeleteOld && pl.Auth != nil }, func(*Plan, *Options) string { return StateTodo }},
	{StepDeleteSign, true, func(pl *Plan, o *Options) bool { return o.DeleteOld && pl.Sign != nil }, func(*Plan, *Options) string { return StateTodo }},
}

func def(id string) stepDef {
	for _, d := range defs {
		if d.id == id {
			return d
		}
	}
	panic("renew: no step " + id)
}

// steps are the plan's steps with their states.
func steps(pl *Plan, o *Options) []Step {
	out := []Step{}
	for _, d := range defs {
		if d.in(pl, o) {
			out = append(out, Step{ID: d.id, State: d.check(pl, o)})
		}
	}
	return out
}
