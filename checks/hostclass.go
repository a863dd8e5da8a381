package checks

import (
	"net/netip"
	"strings"
)

// HostClass names what kind of address host (an IP address or a DNS name,
// as a user gives a security server's address) is: "public" for a public
// IP or a name that may resolve on the internet, else AddrClass's class of
// the IP, "loopback" for localhost, or "local-name" for a name no public
// DNS answers (one label, .local, .lan, .internal, .home.arpa). Names are
// not resolved: what a name resolves to here says nothing of the
// internet's view.
func HostClass(host string) string {
	host = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return AddrClass(a)
	}
	switch {
	case host == "":
		return "other"
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return "loopback"
	case !strings.Contains(host, "."):
		return "local-name"
	}
	for _, s := range []string{".local", ".lan", ".internal", ".intranet", ".localdomain", ".home.arpa", ".corp"} {
		if strings.HasSuffix(host, s) {
			return "local-name"
		}
	}
	return "public"
}
