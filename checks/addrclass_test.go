package checks

import (
	"net/netip"
	"testing"
)

// Only a public address may be a security server's address: loopback,
// private (RFC 1918, fc00::/7), CGNAT, link-local and reserved ranges are
// named for what they are.
func TestAddrClass(t *testing.T) {
	for _, c := range []struct{ addr, want string }{
		{"127.0.0.1", "loopback"},
		{"127.10.0.1", "loopback"},
		{"::1", "loopback"},
		{"10.0.0.5", "private"},
		{"10.255.255.255", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.254", "private"},
		{"192.168.1.10", "private"},
		{"fc00::1", "private"},
		{"fd12:3456::1", "private"},
		{"100.64.0.1", "cgnat"},
		{"100.127.255.254", "cgnat"},
		{"169.254.10.20", "link-local"},
		{"fe80::1", "link-local"},
		{"febf::1", "link-local"},
		{"0.0.0.0", "other"},
		{"::", "other"},
		{"224.0.0.1", "other"},
		{"255.255.255.255", "other"},
		{"203.0.113.10", "other"}, // documentation (the wizard's example)
		{"198.51.100.7", "other"},
		{"2001:db8::10", "other"},
		{"::ffff:10.0.0.5", "private"}, // IPv4-mapped
		// public, just outside the ranges above
		{"8.8.8.8", "public"},
		{"212.42.96.1", "public"},
		{"172.15.255.254", "public"},
		{"172.32.0.1", "public"},
		{"100.63.255.254", "public"},
		{"100.128.0.1", "public"},
		{"11.0.0.1", "public"},
		{"2a02:c207::1", "public"},
		{"::ffff:8.8.4.4", "public"},
	} {
		if got := AddrClass(netip.MustParseAddr(c.addr)); got != c.want {
			t.Errorf("%s: %s, want %s", c.addr, got, c.want)
		}
	}
}

// A security server's address as a user gives it: an IP is classed as
// AddrClass does, a name by what public DNS could answer.
func TestHostClass(t *testing.T) {
	for _, c := range []struct{ host, want string }{
		{"127.0.0.1", "loopback"},
		{"localhost", "loopback"},
		{"LocalHost.", "loopback"},
		{"ss1.localhost", "loopback"},
		{"10.0.0.5", "private"},
		{"[fe80::1]", "link-local"},
		{"100.64.1.1", "cgnat"},
		{"ss1", "local-name"},
		{"ss1.local", "local-name"},
		{"ss1.corp.lan", "local-name"},
		{"gw.home.arpa", "local-name"},
		{"", "other"},
		{"212.42.96.1", "public"},
		{"ss1.example.kg", "public"},
		{"xroad.agency.gov.kg.", "public"},
	} {
		if got := HostClass(c.host); got != c.want {
			t.Errorf("%q: %s, want %s", c.host, got, c.want)
		}
	}
}
