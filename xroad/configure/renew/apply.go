package renew

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// errWaiting: the step waits for someone else; the run leaves.
var errWaiting = errors.New("renew: waiting")

// maxTries bounds how often one run applies the same step: a step the
// server does not take (done, yet read as not done) stops the run
// instead of repeating forever.
const maxTries = 2

type runner struct {
	s  *configure.Session
	o  *Options
	pl *Plan
}

func (o *Options) report(id, state string) {
	if o.Progress != nil {
		o.Progress(configure.Progress{ID: id, State: state})
	}
}

func apply(ctx context.Context, s *configure.Session, o *Options) (Result, error) {
	var res Result
	tries := map[string]int{}
	loginTried := map[string]bool{}
	first := true
	for {
		pl, err := read(ctx, s, o)
		if err != nil {
			return res, err
		}
		res.Plan = pl
		if first {
			for _, st := range pl.Steps {
				if st.State == StateDone {
					o.report(st.ID, configure.StateSkipped)
				}
			}
			first = false
		}
		// A token a step needs is logged in with the PIN given, once;
		// without one the step says which PIN it needs.
		relogin := false
		for _, tok := range pl.LoggedOut {
			if pin := o.pin(tok); pin != "" && !loginTried[tok] {
				loginTried[tok] = true
				if err := s.Login(ctx, tok, pin); err != nil {
					return res, err
				}
				relogin = true
			}
		}
		if relogin {
			continue
		}
		st := pl.Next()
		if st == nil {
			return res, nil
		}
		d := def(st.ID)
		if st.State == StateWait && st.ID != StepApprove && st.ID != StepOCSP {
			o.report(st.ID, StateWaiting)
			res.Waiting = st.ID
			return res, nil
		}
		if tries[st.ID]++; tries[st.ID] > maxTries {
			return res, &StepError{Step: st.ID, Err: &Error{Key: "configure.renew.err.stuck"}}
		}
		if d.changes && !res.Changed {
			if o.BeforeChange != nil {
				if err := o.BeforeChange(ctx); err != nil {
					return res, &StepError{Step: st.ID, Err: err}
				}
			}
			res.Changed = true
		}
		o.report(st.ID, configure.StateRunning)
		err = (&runner{s: s, o: o, pl: pl}).do(ctx, st.ID)
		switch {
		case errors.Is(err, errWaiting):
			o.report(st.ID, StateWaiting)
			res.Waiting = st.ID
			return res, nil
		case err != nil:
			o.report(st.ID, configure.StateFailed)
			return res, &StepError{Step: st.ID, Err: err}
		}
		o.report(st.ID, configure.StateDone)
	}
}

// do applies step id.
func (r *runner) do(ctx context.Context, id string) error {
	pl, api := r.pl, r.s.API()
	switch id {
	case StepAuthKey:
		return r.newKey(ctx, pl.Auth)
	case StepSignKey:
		return r.newKey(ctx, pl.Sign)
	case StepSubmit:
		return r.submit(ctx)
	case StepImport:
		return r.importCerts(ctx)
	case StepRegister:
		addr := strings.TrimSpace(r.o.Address)
		if addr == "" {
			srv, err := api.CurrentServer(ctx)
			if err != nil {
				return err
			}
			if addr = srv.Address; addr == "" {
				return &Error{Key: "configure.renew.err.address"}
			}
		}
		return r.s.Register(ctx, newAuth(pl).Hash, addr)
	case StepApprove:
		return r.follow(ctx, func(tc xroad.TokenCertificate) (bool, error) {
			switch tc.Status {
			case xroad.CertRegistered:
				return true, nil
			case xroad.CertRegistrationInProgress:
				return false, nil
			}
			return false, &configure.Error{Key: "configure.err.not_registering", Data: map[string]any{"Status": tc.Status}}
		}, newAuth(pl))
	case StepActivate:
		certs, _ := newCerts(pl)
		for _, c := range certs {
			if err := r.s.Activate(ctx, c.Hash); err != nil {
				return err
			}
		}
		return nil
	case StepOCSP:
		certs, _ := newCerts(pl)
		return r.follow(ctx, func(tc xroad.TokenCertificate) (bool, error) {
			return tc.OCSPStatus == xroad.OCSPGood, nil
		}, certs...)
	case StepDisableAuth:
		return r.retire(ctx, pl.Auth, func() error { return api.DisableCertificate(ctx, pl.Auth.Old.Cert.Hash) })
	case StepUnregister:
		return r.retire(ctx, pl.Auth, func() error { return api.UnregisterCertificate(ctx, pl.Auth.Old.Cert.Hash) })
	case StepDisableSign:
		return r.retire(ctx, pl.Sign, func() error { return api.DisableCertificate(ctx, pl.Sign.Old.Cert.Hash) })
	case StepDeleteAuth:
		return r.retire(ctx, pl.Auth, func() error { return api.DeleteKey(ctx, pl.Auth.Old.ID, false) })
	case StepDeleteSign:
		return r.retire(ctx, pl.Sign, func() error { return api.DeleteKey(ctx, pl.Sign.Old.ID, false) })
	}
	return errors.New("renew: no step " + id)
}

// newKey makes r's new key and CSR, labelled for the certificate it
// replaces.
func (r *runner) newKey(ctx context.Context, rn *Renewal) error {
	_, err := r.s.NewKey(ctx, r.o.Params, rn.Token, apiUsage(rn.Usage), label(rn.Usage, rn.Old.Cert.Hash), r.o.pin(rn.Token), nil, "")
	return err
}

// submit sends the new CSRs through Options.Submit; it waits when the
// store does not show them sent afterwards (an e-mail draft the user
// sends).
func (r *runner) submit(ctx context.Context) error {
	var csrs []enroll.CSR
	for _, rn := range r.pl.Renewals() {
		if rn.CSR == nil {
			continue
		}
		u, source := enroll.UsageAuth, i18n.T("ru", "enroll.source.soft_token", nil)
		if rn.Usage == Sign {
			u = enroll.UsageSign
		}
		if rn.Token != xroad.SoftwareTokenID {
			source = i18n.T("ru", "configure.renew.source.hw_token", nil)
		}
		csrs = append(csrs, enroll.CSR{Usage: u, DER: rn.CSR, Source: source})
	}
	if len(csrs) == 0 {
		return errWaiting // a token to log in first, or nothing left to send
	}
	if err := r.o.Submit(ctx, csrs); err != nil {
		return err
	}
	if err := r.o.findSubmission(r.pl); err != nil {
		return err
	}
	if def(StepSubmit).check(r.pl, r.o) != StateDone {
		return errWaiting
	}
	return nil
}

// importCerts imports each certificate given that is not on the server
// yet; each must answer a new key's CSR (configure's Import refuses any
// other before sending it). The submission found advances to imported.
func (r *runner) importCerts(ctx context.Context) error {
	var csrs [][]byte
	for _, rn := range r.pl.Renewals() {
		if rn.CSR != nil {
			csrs = append(csrs, rn.CSR)
		}
	}
	have := map[string]bool{}
	for _, rn := range r.pl.Renewals() {
		for _, k := range []*Key{&rn.Old, rn.New} {
			if k != nil && k.Cert != nil {
				have[k.Cert.Hash] = true
			}
		}
	}
	for _, b := range r.o.Certs {
		if have[certHash(b)] {
			continue
		}
		if _, err := r.s.Import(ctx, b, csrs); err != nil {
			return err
		}
	}
	if sub := r.pl.Submission; sub != nil && r.o.Store != nil && sub.Stage.Rank() < enroll.StageImported.Rank() {
		if _, err := r.o.Store.Advance(sub.ID, enroll.StageImported, "", ""); err != nil {
			return err
		}
	}
	return nil
}

// certHash is a certificate's id in the API (SHA-256 of its DER, upper
// hex); "" for bytes that are no certificate.
func certHash(b []byte) string {
	if blk, _ := pem.Decode(b); blk != nil {
		b = blk.Bytes
	}
	if _, err := x509.ParseCertificate(b); err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// follow asks for each certificate until ok says yes for all, within
// Options.Wait (looking once when it is 0), every Options.Poll; past
// it, the step waits.
func (r *runner) follow(ctx context.Context, ok func(xroad.TokenCertificate) (bool, error), certs ...*Cert) error {
	poll := r.o.Poll
	if poll <= 0 {
		poll = 30 * time.Second
	}
	deadline := time.Now().Add(r.o.Wait)
	for {
		all := true
		for _, c := range certs {
			tc, err := r.s.API().Certificate(ctx, c.Hash)
			if err != nil {
				return err
			}
			yes, err := ok(tc)
			if err != nil {
				return err
			}
			all = all && yes
		}
		if all {
			return nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return errWaiting
		}
		t := time.NewTimer(min(poll, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// retire takes part of rn's old key out of service, only after its
// successor is found in service on a fresh read of the server: the
// steps' order keeps the invariant, and this check keeps it should the
// server have changed under the run.
func (r *runner) retire(ctx context.Context, rn *Renewal, f func() error) error {
	if rn.New == nil || rn.New.Cert == nil {
		return &Error{Key: "configure.renew.err.successor", Data: map[string]any{"Hash": "", "Status": "", "OCSP": ""}}
	}
	tc, err := r.s.API().Certificate(ctx, rn.New.Cert.Hash)
	if err != nil {
		return err
	}
	c := certOf(tc)
	if !inService(&c) {
		return &Error{Key: "configure.renew.err.successor", Data: map[string]any{"Hash": c.Hash, "Status": c.Status, "OCSP": c.OCSP}}
	}
	return f()
}
