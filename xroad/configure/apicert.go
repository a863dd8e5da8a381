package configure

// Reading the admin API's TLS certificate on the host, which the session
// pins. X-Road 7.4.2 keeps it out of reach of other users:
// src/packages/src/xroad/ubuntu/generic/xroad-base.postinst makes
// /etc/xroad/ssl 0750 xroad:xroad, and
// src/packages/src/xroad/common/base/usr/share/xroad/scripts/generate_certificate.sh
// (run by xroad-proxy-ui-api.preinst) leaves proxy-ui-api.crt 0660
// xroad:xroad. A login that is not root reads it through sudo, with the
// password when sudo asks for one (Ubuntu's default).

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// The keys of a sudo that stops the reading: it wants a password and none
// was given, or it refused the one given.
const (
	KeySudoPassword = "configure.err.sudo_password"
	KeySudoRefused  = "configure.err.sudo_refused"
	// KeyInternalSudoPassword: the same for the internal TLS certificate.
	KeyInternalSudoPassword = "configure.err.internal_sudo_password"
)

// InternalCertPath is the security server's internal TLS certificate,
// the one its client side (8443) presents to information systems:
// src/packages/src/xroad/ubuntu/generic/xroad-proxy.preinst makes it with
// generate_certificate.sh -n internal, which leaves it 0660 xroad:xroad
// in /etc/xroad/ssl (0750 xroad:xroad, xroad-base.postinst).
const InternalCertPath = "/etc/xroad/ssl/internal.crt"

// certKeys are a certificate's messages: not there, sudo wants a
// password.
type certKeys struct{ missing, sudo string }

var (
	apiCertKeys      = certKeys{"configure.err.api_cert", KeySudoPassword}
	internalCertKeys = certKeys{"configure.err.internal_cert", KeyInternalSudoPassword}
)

// ReadInternalCert reads the internal TLS certificate at path (""
// InternalCertPath) on the server as the admin API's is read: as the
// login, else through sudo with sudoPW when sudo asks for one. Errors
// are *Error (KeyInternalSudoPassword, KeySudoRefused,
// configure.err.internal_cert) or the connection's.
func ReadInternalCert(ctx context.Context, c remote.Host, path, sudoPW string) ([]byte, error) {
	if path == "" {
		path = InternalCertPath
	}
	return readCert(ctx, c, path, sudoPW, internalCertKeys)
}

// readCert reads the certificate at path: as the login user first (root,
// or a host where it is readable), then as root through sudo, without a
// password when sudo allows it, else with sudoPW on standard input after
// one check of it (a wrong password costs one attempt, never more). The
// certificate is public; only sudoPW is secret, and it never reaches a
// command line, an error or a log.
func readCert(ctx context.Context, c remote.Host, path, sudoPW string, keys certKeys) ([]byte, error) {
	cmd := "cat -- " + remote.Quote(path)
	out, _, err := c.Run(ctx, cmd, nil)
	if err == nil {
		return out, nil
	}
	var ee *remote.ExitError
	if !errors.As(err, &ee) {
		return nil, runFailed(ctx, path, err)
	}
	mode, err := remote.SudoOf(ctx, c)
	if err != nil {
		return nil, runFailed(ctx, path, err)
	}
	switch mode {
	case remote.SudoAsRoot: // root could not read it: it is not there
		return nil, &Error{Key: keys.missing, Data: map[string]any{"Path": path}, Err: ee}
	case remote.SudoPassword:
		if sudoPW == "" {
			// The message says it all: no technical cause to show.
			return nil, &Error{Key: keys.sudo, Data: map[string]any{"Path": path}}
		}
		if err := remote.CheckSudoPassword(ctx, c, sudoPW); err != nil {
			var re *remote.SudoRefusedError
			if errors.As(err, &re) {
				said := i18n.Line(strings.ReplaceAll(re.Said, sudoPW, "***"), 200)
				return nil, &Error{Key: KeySudoRefused, Data: map[string]any{"Said": said}}
			}
			return nil, runFailed(ctx, path, err)
		}
	}
	out, _, err = c.Run(ctx, mode.Wrap(cmd), strings.NewReader(mode.Input(sudoPW, "")))
	if err != nil {
		if errors.As(err, &ee) {
			return nil, &Error{Key: keys.missing, Data: map[string]any{"Path": path}, Err: ee}
		}
		return nil, runFailed(ctx, path, err)
	}
	return out, nil
}

// runFailed is a command that could not run (the connection, a cancel).
func runFailed(ctx context.Context, path string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("reading %s on the server: %w", path, err)
}
