package configure

import (
	"context"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// A renewal (xroad/configure/renew) makes its keys beside the ones in
// service: MakeCSRs would find those and reuse them.

// NewKey makes a new key labelled label on token with a CSR of usage
// (xroad.Usage*), whatever keys of that usage the token holds already,
// after the checks MakeCSRs makes (the identifiers, the server's own,
// the operator's certificate profile class) and with the same subject
// (the CA's csr-subject-fields). The token is logged in with pin when it
// is not (configure.err.pin_needed without one). progress gets step
// (running, done or failed) around the key's making.
func (s *Session) NewKey(ctx context.Context, p Params, token, usage, label, pin string, progress func(Progress), step string) (*KeyState, error) {
	if err := s.checkForCSRs(ctx, p); err != nil {
		return nil, err
	}
	if err := s.ensureLogin(ctx, token, pin, nil, ""); err != nil {
		return nil, err
	}
	var ks *KeyState
	err := s.run(ctx, progress, step, func() error {
		ca, err := s.chooseCA(ctx, p)
		if err != nil {
			return err
		}
		req, err := s.csrRequest(ctx, p, ca, usage)
		if err != nil {
			return err
		}
		ks, err = s.addKeyCSR(ctx, token, label, req)
		return err
	})
	return ks, err
}

// KeyCSR is k (a key on token) with its last CSR downloaded as DER, none
// when it has no CSR. X-Road makes the CSR again to download it, which a
// logged-out token refuses (409 action_not_possible).
func (s *Session) KeyCSR(ctx context.Context, token string, k xroad.Key) (*KeyState, error) {
	return s.keyState(ctx, token, k)
}

// Login logs the token in with pin unless it is logged in
// (configure.err.pin_needed without a PIN, pin_wrong, pin_locked).
func (s *Session) Login(ctx context.Context, token, pin string) error {
	return s.ensureLogin(ctx, token, pin, nil, "")
}
