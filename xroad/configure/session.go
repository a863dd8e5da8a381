package configure

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// roles the session's API key gets: initialisation and timestamping
// (system administrator), tokens, keys and CSRs (security officer),
// certificate registration (registration officer).
var roles = []string{xroad.RoleSystemAdministrator, xroad.RoleSecurityOfficer, xroad.RoleRegistrationOfficer}

func open(ctx context.Context, c remote.Host, a xroad.AdminAPI, cr Credentials, roles []string) (*Session, error) {
	if c == nil {
		return nil, errors.New("configure: no connection to the server")
	}
	if a.Addr == "" || a.CertPath == "" {
		a = xroad.DefaultAdminAPI
	}
	certPEM, err := readCert(ctx, c, a.CertPath, cr.SudoPassword, apiCertKeys)
	cr.SudoPassword = "" // needed for the certificate only: the session keeps none
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) && (ce.Key == "configure.err.api_cert" || ce.Key == KeySudoPassword) {
			// No certificate, or none this user could read: on a host
			// without X-Road, say that instead.
			if p, _ := Installed(ctx, c, a); p == PresenceAbsent {
				return nil, &Error{Key: "configure.err.not_installed", Err: err}
			}
		}
		return nil, err
	}
	hc, st, err := remote.TunnelHTTP(c, a.Addr, certPEM)
	if err != nil {
		return nil, &Error{Key: "configure.err.api_cert", Data: map[string]any{"Path": a.CertPath}, Err: err}
	}
	cl := xroad.New(hc, "https://"+st.ServerName+"/api/v1")
	key, err := cl.CreateAPIKey(ctx, cr.User, cr.Password, roles)
	if err != nil {
		var ae *xroad.Error
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
			return nil, &Error{Key: "configure.err.admin_login", Data: map[string]any{"User": cr.User}, Err: err}
		}
		return nil, err
	}
	return &Session{c: cl, cr: cr, id: key.ID, roles: roles, TSAWait: 3 * time.Minute, TSAPoll: 5 * time.Second}, nil
}

// rekey replaces the session's API key: the old one revoked when it is
// still there, a new one of the same roles made with the credentials the
// session keeps for the revocation.
func (s *Session) rekey(ctx context.Context) error {
	if s.id != 0 {
		// A 404 (api_key_not_found) is the key gone already; any other
		// refusal leaves a key that Close tries again never: told in the
		// log by the call itself, not fatal to the session.
		_ = s.c.RevokeAPIKey(ctx, s.cr.User, s.cr.Password, s.id)
		s.id = 0
	}
	key, err := s.c.CreateAPIKey(ctx, s.cr.User, s.cr.Password, s.roles)
	if err != nil {
		return err
	}
	s.id = key.ID
	return nil
}

func (s *Session) close(ctx context.Context) error {
	if s == nil {
		return nil
	}
	defer s.c.CloseIdle()
	if s.id == 0 {
		return nil
	}
	if err := s.c.RevokeAPIKey(ctx, s.cr.User, s.cr.Password, s.id); err != nil {
		return err
	}
	s.id = 0
	s.cr.Password = ""
	return nil
}

// SetLog makes the session log one line per API call (method, path,
// status: never a header or a body) to l.
func (s *Session) SetLog(l logrus.FieldLogger) { s.c.Log = l }

// report sends a part's state to progress, if any.
func report(progress func(Progress), id, state string) {
	if progress != nil {
		progress(Progress{ID: id, State: state})
	}
}

// change calls BeforeChange, once, before the session's first change.
func (s *Session) change(ctx context.Context) error {
	f := s.BeforeChange
	if f == nil {
		return nil
	}
	s.BeforeChange = nil
	return f(ctx)
}

// run is run after BeforeChange (whose failure begins no part).
func (s *Session) run(ctx context.Context, progress func(Progress), id string, f func() error) error {
	if err := s.change(ctx); err != nil {
		return err
	}
	return run(progress, id, f)
}

// run reports a part running, then done or failed.
func run(progress func(Progress), id string, f func() error) error {
	report(progress, id, StateRunning)
	if err := f(); err != nil {
		report(progress, id, StateFailed)
		return err
	}
	report(progress, id, StateDone)
	return nil
}
