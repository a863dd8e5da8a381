package installer

// The install ends by checking that the admin API answers, through the
// SSH connection or on this computer, with the certificate the server
// itself made.

import (
	"context"
	"errors"
	"fmt"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// AdminAPIError is a failed admin API check (not a failed connection).
type AdminAPIError struct{ Err error }

func (e *AdminAPIError) Error() string { return e.Err.Error() }
func (e *AdminAPIError) Unwrap() error { return e.Err }

// VerifyAdminAPI reads the admin API's certificate on the host as root
// and probes the API through the runner's connection (xroad.AdminAPI.Probe).
// A failed check is an *AdminAPIError; a lost connection stays itself.
func VerifyAdminAPI(ctx context.Context, a xroad.AdminAPI, h HostAccess) (remote.PinnedCert, error) {
	st, err := verifyAdminAPI(ctx, a, h)
	var ce *connError
	if err != nil && !errors.As(err, &ce) {
		err = &AdminAPIError{err}
	}
	return st, err
}

func verifyAdminAPI(ctx context.Context, a xroad.AdminAPI, h HostAccess) (remote.PinnedCert, error) {
	certPEM, err := h.RootOutput(ctx, "cat "+q(a.CertPath))
	if err != nil {
		var ce *connError
		if errors.As(err, &ce) {
			return remote.PinnedCert{}, err
		}
		return remote.PinnedCert{}, fmt.Errorf("reading %s on the host: %w", a.CertPath, err)
	}
	return a.Probe(ctx, h.Host(), []byte(certPEM))
}
