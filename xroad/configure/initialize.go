package configure

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// safeWarnings are the initialisation warnings the flow accepts by
// re-sending with ignore_warnings:
//   - init_unregistered_member: the owner is not yet a member in global
//     configuration; normal for a new participant the operator has not
//     added yet, and registration waits for the operator's approval
//     anyway.
//   - init_servercode_exists, init_software_token_initialized: a resumed
//     initialisation; the server keeps what it has (the token keeps its
//     PIN: a different PIN shows as a failed login right after).
//
// Any other warning, notably init_server_id_exists (another server of
// this member already uses the server code), stops the flow: the user
// must choose.
var safeWarnings = map[string]bool{
	"init_unregistered_member":        true,
	"init_servercode_exists":          true,
	"init_software_token_initialized": true,
}

func (p Params) pinMin() int {
	if p.PINMin > 0 {
		return p.PINMin
	}
	return DefaultPINMin
}

// checkPIN is the profile's PIN policy, stricter than the server's.
func checkPIN(p Params, pin string) error {
	if n := utf8.RuneCountInString(pin); n < p.pinMin() {
		return &Error{Key: "configure.err.pin_short", Data: map[string]any{"Min": p.pinMin(), "Got": n}}
	}
	return nil
}

// initialize: an empty pin is allowed when the server needs none (the
// software token already initialised and logged in); a given one is
// checked against the policy before anything reaches the server.
func (s *Session) initialize(ctx context.Context, p Params, anchor []byte, pin string, progress func(Progress)) error {
	if pin != "" {
		if err := checkPIN(p, pin); err != nil {
			return err
		}
	}
	if err := p.checkIDs(); err != nil {
		return err
	}
	st, err := s.c.InitializationStatus(ctx)
	if err != nil {
		return err
	}
	if st.AnchorImported {
		report(progress, "anchor", StateSkipped)
	} else if err := run(progress, "anchor", func() error { return s.uploadAnchor(ctx, p, anchor) }); err != nil {
		return err
	}
	if st.ServerCodeInitialized && st.ServerOwnerInitialized && st.SoftwareTokenInitStatus == xroad.TokenInitialized {
		report(progress, "init", StateSkipped)
	} else if pin == "" {
		return &Error{Key: "configure.err.pin_new_needed", Data: map[string]any{"Min": p.pinMin()}}
	} else if err := run(progress, "init", func() error { return s.postInit(ctx, p, pin) }); err != nil {
		return err
	}
	if err := s.ensureTSA(ctx, progress); err != nil {
		return err
	}
	return s.ensureLogin(ctx, xroad.SoftwareTokenID, pin, progress, "login")
}

func (s *Session) uploadAnchor(ctx context.Context, p Params, anchor []byte) error {
	if _, err := s.previewAnchor(ctx, p, anchor); err != nil {
		return err
	}
	err := s.c.UploadInitialAnchor(ctx, anchor)
	var ae *xroad.Error
	if errors.As(err, &ae) && ae.Status == http.StatusConflict {
		// Uploaded by a call whose answer was lost: the status says so.
		if st, serr := s.c.InitializationStatus(ctx); serr == nil && st.AnchorImported {
			return nil
		}
	}
	return err
}

func (s *Session) postInit(ctx context.Context, p Params, pin string) error {
	conf := xroad.InitialServerConf{OwnerMemberClass: p.MemberClass, OwnerMemberCode: p.MemberCode,
		SecurityServerCode: p.ServerCode, SoftwareTokenPIN: pin}
	err := s.c.Initialize(ctx, conf)
	var ae *xroad.Error
	if !errors.As(err, &ae) || !ae.HasCode(xroad.CodeWarningsDetected) {
		return err
	}
	var unsafe []string
	for _, w := range ae.Warnings {
		code := w.Code
		if i := strings.LastIndex(code, "."); i >= 0 {
			code = code[i+1:]
		}
		if !safeWarnings[code] {
			unsafe = append(unsafe, code)
		}
	}
	if len(unsafe) > 0 || len(ae.Warnings) == 0 {
		return &Error{Key: "configure.err.init_warnings", Data: map[string]any{"Warnings": strings.Join(unsafe, ", ")}, Err: err}
	}
	conf.IgnoreWarnings = true
	return s.c.Initialize(ctx, conf)
}

// ensureTSA adds the first approved timestamping service when none is
// configured. Approved ones appear only once the server has downloaded
// global configuration after initialisation, so it waits for them,
// bounded by TSAWait and ctx.
func (s *Session) ensureTSA(ctx context.Context, progress func(Progress)) error {
	have, err := s.c.ConfiguredTimestampingServices(ctx)
	if err != nil {
		return err
	}
	if len(have) > 0 {
		report(progress, "tsa", StateSkipped)
		return nil
	}
	return run(progress, "tsa", func() error {
		wctx, cancel := context.WithTimeout(ctx, s.TSAWait)
		defer cancel()
		for {
			tsas, err := s.c.ApprovedTimestampingServices(wctx)
			if err == nil && len(tsas) > 0 {
				_, err = s.c.AddTimestampingService(ctx, tsas[0])
				return err
			}
			if err != nil && wctx.Err() == nil {
				return err
			}
			t := time.NewTimer(s.TSAPoll)
			select {
			case <-wctx.Done():
				t.Stop()
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return &Error{Key: "configure.err.tsa_none", Data: map[string]any{"Minutes": int(s.TSAWait.Minutes())}}
			case <-t.C:
			}
		}
	})
}

// ensureLogin logs token id in with pin unless it is logged in.
func (s *Session) ensureLogin(ctx context.Context, id, pin string, progress func(Progress), part string) error {
	tok, err := s.token(ctx, id)
	if err != nil {
		return err
	}
	if tok.LoggedIn {
		report(progress, part, StateSkipped)
		return nil
	}
	return run(progress, part, func() error {
		if pin == "" {
			return &Error{Key: "configure.err.pin_needed", Data: map[string]any{"Token": tok.Name}}
		}
		_, err := s.c.LoginToken(ctx, id, pin)
		var ae *xroad.Error
		if errors.As(err, &ae) && ae.HasCode("token_pin_incorrect") {
			return &Error{Key: "configure.err.pin_wrong", Data: map[string]any{"Token": tok.Name}, Err: err}
		}
		return err
	})
}

// token is the token id, or an error naming the tokens there are.
func (s *Session) token(ctx context.Context, id string) (xroad.Token, error) {
	toks, err := s.c.Tokens(ctx)
	if err != nil {
		return xroad.Token{}, err
	}
	var ids []string
	for _, t := range toks {
		if t.ID == id {
			return t, nil
		}
		ids = append(ids, t.ID+" ("+t.Name+")")
	}
	return xroad.Token{}, missingToken(id, ids)
}

// missingToken names the token asked for and those the server has, as
// "ID (name)".
func missingToken(id string, have []string) error {
	return &Error{Key: "configure.err.token_missing", Data: map[string]any{"Token": id, "Tokens": strings.Join(have, ", ")}}
}
