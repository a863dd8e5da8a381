package configure

// Is X-Road on the host at all? A server the user has not installed yet
// must be told so ("X-Road is not installed here yet"), not as a missing
// certificate file or a refused tunnel.

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	gossh "golang.org/x/crypto/ssh"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// xroadPackages are the packages of an X-Road 7.4.2 security server
// (src/packages: the metapackage and the services it depends on): any
// one installed means X-Road is there, whole or in part.
var xroadPackages = []string{"xroad-securityserver", "xroad-proxy", "xroad-proxy-ui-api", "xroad-signer", "xroad-base"}

// Presence is what a look at the host found.
type Presence int

// What Installed can tell.
const (
	// PresenceUnknown: the look could not settle it (no dpkg, port
	// forwarding refused by sshd): nothing is said.
	PresenceUnknown Presence = iota
	// PresenceInstalled: an X-Road package is installed, or the admin
	// API's port answers.
	PresenceInstalled
	// PresenceAbsent: no X-Road package and nothing on the admin API's
	// port.
	PresenceAbsent
)

// Runner is what Installed needs of the host: a command run there (an
// SSH connection, *remote.Client). The port is tried from the host's
// side when it can dial (DialTCP, or the SSH connection's channel).
type Runner interface {
	Run(ctx context.Context, cmd string, stdin io.Reader) (stdout, stderr []byte, err error)
}

// Installed looks on the host whether X-Road is there: its packages
// (dpkg-query, no sudo needed) and the admin API's port (a connection
// from the host's side, as the session's tunnel makes). Only both absent
// is PresenceAbsent: an API that is down on an installed server, or one
// that answers without packages, is installed.
func Installed(ctx context.Context, h Runner, a xroad.AdminAPI) (Presence, error) {
	if a.Addr == "" {
		a = xroad.DefaultAdminAPI
	}
	cmd := "if command -v dpkg-query >/dev/null 2>&1; then dpkg-query -W -f='${Package} ${db:Status-Status}\\n' " +
		strings.Join(quoteAll(xroadPackages), " ") + " 2>/dev/null; echo dpkg-done; fi"
	out, _, err := h.Run(ctx, cmd, nil)
	var ee *remote.ExitError
	if err != nil && !errors.As(err, &ee) {
		return PresenceUnknown, err
	}
	dpkg := false
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 1 && f[0] == "dpkg-done":
			dpkg = true
		case len(f) == 2 && f[1] == "installed":
			return PresenceInstalled, nil
		}
	}
	switch apiPort(ctx, h, a.Addr) {
	case PresenceInstalled:
		return PresenceInstalled, nil
	case PresenceAbsent:
		if dpkg {
			return PresenceAbsent, nil
		}
	}
	return PresenceUnknown, nil
}

// apiPort says whether something listens on addr at the host: a
// connection from its side is accepted (installed), refused (absent), or
// not tried (no way to dial, sshd forbids forwarding: unknown).
func apiPort(ctx context.Context, h Runner, addr string) Presence {
	var conn net.Conn
	var err error
	switch d := h.(type) {
	case interface {
		DialTCP(context.Context, string) (net.Conn, error)
	}:
		conn, err = d.DialTCP(ctx, addr)
	case interface{ Raw() *gossh.Client }:
		conn, err = d.Raw().DialContext(ctx, "tcp", addr)
	default:
		return PresenceUnknown
	}
	if err == nil {
		conn.Close()
		return PresenceInstalled
	}
	var oe *gossh.OpenChannelError
	if (errors.As(err, &oe) && oe.Reason == gossh.ConnectionFailed) || errors.Is(err, syscall.ECONNREFUSED) {
		return PresenceAbsent
	}
	return PresenceUnknown
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = remote.Quote(x)
	}
	return out
}
