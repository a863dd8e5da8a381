package configure

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// safeWarnings are the initialisation warnings the flow accepts by
// re-sending with ignore_warnings (X-Road 7.4.2
// InitializationService.checkForWarnings):
//   - init_unregistered_member: the owner is not yet a member in global
//     configuration; normal for a new participant the operator has not
//     added yet, and registration waits for the operator's approval
//     anyway.
//   - init_servercode_exists, init_server_owner_exists,
//     init_software_token_initialized: a resumed initialisation; the
//     server keeps what it has, and the flow sends only what is missing
//     (the token keeps its PIN: a different PIN shows as a wrong PIN at
//     the login right after).
//
// Any other warning, notably init_server_id_exists (another server of
// this member already uses the server code), stops the flow: the user
// must choose.
var safeWarnings = map[string]bool{
	"init_unregistered_member":        true,
	"init_servercode_exists":          true,
	"init_server_owner_exists":        true,
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
	// A server whose owner and code are saved is checked to be ours
	// before anything is sent to it; one initialised now, right after.
	idChecked := st.ServerCodeInitialized && st.ServerOwnerInitialized
	if idChecked {
		if err := s.checkServerID(ctx, p); err != nil {
			return err
		}
	}
	if st.AnchorImported {
		report(progress, "anchor", StateSkipped)
	} else if err := s.run(ctx, progress, "anchor", func() error { return s.uploadAnchor(ctx, p, anchor) }); err != nil {
		return err
	}
	tokenDone := st.SoftwareTokenInitStatus == xroad.TokenInitialized
	if st.ServerCodeInitialized && st.ServerOwnerInitialized && tokenDone {
		report(progress, "init", StateSkipped)
	} else if pin == "" && !tokenDone {
		return &Error{Key: "configure.err.pin_new_needed", Data: map[string]any{"Min": p.pinMin()}}
	} else if err := s.run(ctx, progress, "init", func() error { return s.postInit(ctx, p, pin, st) }); err != nil {
		return err
	}
	if !idChecked {
		if err := s.checkServerID(ctx, p); err != nil {
			return err
		}
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

// postInit sends only the parts st says are missing: X-Road 7.4.2
// InitializationService.verifyInitializationPrerequisites refuses a part
// already set (400 invalid_init_params, metadata server_code_exists,
// member_class_exists, member_code_exists, pin_code_exists).
func (s *Session) postInit(ctx context.Context, p Params, pin string, st xroad.InitializationStatus) error {
	var conf xroad.InitialServerConf
	if !st.ServerOwnerInitialized {
		conf.OwnerMemberClass, conf.OwnerMemberCode = p.MemberClass, p.MemberCode
	}
	if !st.ServerCodeInitialized {
		conf.SecurityServerCode = p.ServerCode
	}
	if st.SoftwareTokenInitStatus != xroad.TokenInitialized {
		conf.SoftwareTokenPIN = pin
	}
	err := s.c.Initialize(ctx, conf)
	var ae *xroad.Error
	if errors.As(err, &ae) && ae.HasCode(xroad.CodeFullyInitialized) {
		return nil // another run finished it since the status was read
	}
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
	err = s.c.Initialize(ctx, conf)
	if errors.As(err, &ae) && ae.HasCode(xroad.CodeFullyInitialized) {
		return nil // another run finished it meanwhile
	}
	return err
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
	return s.run(ctx, progress, "tsa", func() error {
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
	return s.run(ctx, progress, part, func() error {
		if pin == "" {
			return &Error{Key: "configure.err.pin_needed", Data: map[string]any{"Token": tok.Name}}
		}
		if tok.Status == xroad.TokenStatusPINLocked {
			return &Error{Key: "configure.err.pin_locked", Data: map[string]any{"Token": tok.Name}}
		}
		_, err := s.c.LoginToken(ctx, id, pin)
		return s.loginError(ctx, tok, err)
	})
}

// loginError explains a refused login. X-Road 7.4.2 TokenService.java
// (activateToken) answers a wrong PIN 400 pin_incorrect for either token
// (a hardware token's "Login failed: CKR_PIN_INCORRECT" included). The
// software token never locks (SoftwareTokenWorker.java checks the PIN
// against its keystore and counts nothing); a hardware token counts
// wrong PINs itself and the server shows its flags as the token's status
// (HardwareTokenUtil.java, getTokenStatus), read again here to tell the
// user how close the token is to locking. A locked one fails the login
// with CKR_PIN_LOCKED, which TokenService passes on as 500
// core.Signer.LoginFailed.
func (s *Session) loginError(ctx context.Context, tok xroad.Token, err error) error {
	var ae *xroad.Error
	if !errors.As(err, &ae) {
		return err
	}
	data := map[string]any{"Token": tok.Name}
	if ae.Status == http.StatusConflict {
		// TOKEN_ACTIVATE is refused on a token logged in already
		// (PossibleActionsRuleEngine.java): by another session since
		// the token was read.
		if now, terr := s.token(ctx, tok.ID); terr == nil && now.LoggedIn {
			return nil
		}
		return err
	}
	if ae.HasCode(xroad.CodeLoginFailed) && slices.ContainsFunc(ae.Metadata, func(m string) bool { return strings.Contains(m, "CKR_PIN_LOCKED") }) {
		return &Error{Key: "configure.err.pin_locked", Data: data, Err: err}
	}
	if !ae.HasCode(xroad.CodePinIncorrect) {
		return err
	}
	key := "configure.err.pin_wrong"
	if tok.Type != xroad.TokenTypeSoftware {
		key = "configure.err.pin_wrong_hw"
		if now, terr := s.token(ctx, tok.ID); terr == nil {
			switch now.Status {
			case xroad.TokenStatusPINFinalTry:
				key = "configure.err.pin_final_try"
			case xroad.TokenStatusPINLocked:
				key = "configure.err.pin_locked"
			}
		}
	}
	return &Error{Key: key, Data: data, Err: err}
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
