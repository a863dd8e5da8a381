// Package remote is the SSH layer of Tunduk Onboard: target parsing, host-key
// verification against known_hosts (trust on first use only when the caller
// accepts the fingerprint), authentication (agent, identity files,
// keyboard-interactive, password), jump hosts, keepalives and bounded
// command execution, shell quoting, and HTTPS to a service on the host
// through the connection with TLS pinned to its own certificate.
package remote

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// DefaultPort is the SSH port used when a target names none.
const DefaultPort = 22

// Target is a user on a host reachable over SSH.
type Target struct {
	User string
	Host string
	Port int
}

// ParseTarget parses USER@HOST, USER@HOST:PORT, USER@[V6] or
// USER@[V6]:PORT. A bare IPv6 address without brackets is accepted only
// without a port. The port defaults to 22.
func ParseTarget(s string) (Target, error) {
	const form = "expected USER@HOST or USER@HOST:PORT (IPv6 as USER@[ADDR]:PORT)"
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return Target{}, fmt.Errorf("ssh target is empty: %s", form)
	}
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return Target{}, fmt.Errorf("ssh target %q has no user: %s", orig, form)
	}
	user, rest := s[:at], s[at+1:]
	if err := checkUser(user); err != nil {
		return Target{}, fmt.Errorf("ssh target %q: %v: %s", orig, err, form)
	}
	if rest == "" {
		return Target{}, fmt.Errorf("ssh target %q has no host: %s", orig, form)
	}
	var host, port string
	switch {
	case strings.HasPrefix(rest, "["):
		end := strings.Index(rest, "]")
		if end < 0 {
			return Target{}, fmt.Errorf("ssh target %q: missing ']' after IPv6 address: %s", orig, form)
		}
		host = rest[1:end]
		after := rest[end+1:]
		switch {
		case after == "":
		case strings.HasPrefix(after, ":"):
			port = after[1:]
			if port == "" {
				return Target{}, fmt.Errorf("ssh target %q: empty port after ':': %s", orig, form)
			}
		default:
			return Target{}, fmt.Errorf("ssh target %q: unexpected %q after ']': %s", orig, after, form)
		}
		if host == "" {
			return Target{}, fmt.Errorf("ssh target %q has an empty host between brackets: %s", orig, form)
		}
	case strings.Count(rest, ":") > 1:
		// Bare IPv6 address; a port would be ambiguous.
		if _, err := netip.ParseAddr(rest); err != nil {
			return Target{}, fmt.Errorf("ssh target %q: %q is not a valid IPv6 address; put IPv6 addresses in brackets when giving a port: %s", orig, rest, form)
		}
		host = rest
	default:
		host = rest
		if i := strings.Index(rest, ":"); i >= 0 {
			host, port = rest[:i], rest[i+1:]
			if port == "" {
				return Target{}, fmt.Errorf("ssh target %q: empty port after ':': %s", orig, form)
			}
		}
	}
	if err := checkHost(host); err != nil {
		return Target{}, fmt.Errorf("ssh target %q: %v: %s", orig, err, form)
	}
	t := Target{User: user, Host: host, Port: DefaultPort}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strings.HasPrefix(port, "+") {
			return Target{}, fmt.Errorf("ssh target %q: port %q must be a number from 1 to 65535", orig, port)
		}
		t.Port = n
	}
	return t, nil
}

func checkUser(u string) error {
	if u == "" {
		return fmt.Errorf("user is empty")
	}
	if strings.HasPrefix(u, "-") {
		return fmt.Errorf("user must not start with '-'")
	}
	for _, r := range u {
		if r <= ' ' || r == 0x7f || r == '@' || r == ':' || r == '/' {
			return fmt.Errorf("user contains an invalid character %q", r)
		}
	}
	return nil
}

func checkHost(h string) error {
	if h == "" {
		return fmt.Errorf("host is empty")
	}
	if strings.HasPrefix(h, "-") {
		return fmt.Errorf("host must not start with '-'")
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	if strings.Contains(h, ":") {
		return fmt.Errorf("%q is not a valid IPv6 address", h)
	}
	for _, r := range h {
		ok := r == '.' || r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return fmt.Errorf("host %q contains an invalid character %q", h, r)
		}
	}
	if len(h) > 253 {
		return fmt.Errorf("host name is longer than 253 characters")
	}
	return nil
}

func (t Target) port() int {
	if t.Port == 0 {
		return DefaultPort
	}
	return t.Port
}

// Addr returns HOST:PORT for dialing (IPv6 in brackets).
func (t Target) Addr() string {
	return net.JoinHostPort(t.Host, strconv.Itoa(t.port()))
}

// String returns USER@HOST:PORT (IPv6 in brackets); ParseTarget reads it back.
func (t Target) String() string {
	if t.User == "" {
		return t.Addr()
	}
	return t.User + "@" + t.Addr()
}
