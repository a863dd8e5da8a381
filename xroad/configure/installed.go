package configure

// Is X-Road on the host at all? A server the user has not installed yet
// must be told so ("X-Road is not installed here yet"), not as a missing
// certificate file or a refused tunnel.

import (
	"context"
	"errors"
	"strings"

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

// Installed looks through c whether X-Road is on the host: its packages
// (dpkg-query, no sudo needed) and the admin API's port (a connection
// through c to a.Addr, as the session's tunnel makes). Only both absent
// is PresenceAbsent: an API that is down on an installed server, or one
// that answers without packages, is installed.
func Installed(ctx context.Context, c *remote.Client, a xroad.AdminAPI) (Presence, error) {
	if a.Addr == "" {
		a = xroad.DefaultAdminAPI
	}
	cmd := "if command -v dpkg-query >/dev/null 2>&1; then dpkg-query -W -f='${Package} ${db:Status-Status}\\n' " +
		strings.Join(quoteAll(xroadPackages), " ") + " 2>/dev/null; echo dpkg-done; fi"
	out, _, err := c.Run(ctx, cmd, nil)
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
	switch apiPort(c, a.Addr) {
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
// connection through c is accepted (installed), refused by the host
// (absent), or not tried (sshd forbids forwarding: unknown).
func apiPort(c *remote.Client, addr string) Presence {
	conn, err := c.Raw().Dial("tcp", addr)
	if err == nil {
		conn.Close()
		return PresenceInstalled
	}
	var oe *gossh.OpenChannelError
	if errors.As(err, &oe) && oe.Reason == gossh.ConnectionFailed {
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
