package checks

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// commLen is the kernel's limit on a process name (TASK_COMM_LEN - 1):
// ss prints names this long, so every collector truncates to it.
const commLen = 15

func truncName(s string) string {
	if len(s) > commLen {
		return s[:commLen]
	}
	return s
}

// splitHostPort splits ss/netstat's "ADDR:PORT", "[V6]:PORT", ":::PORT",
// "ADDR%IF:PORT" and "*:PORT" into a canonical address and port.
func splitHostPort(s string) (string, int, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", 0, false
	}
	host, ps := s[:i], s[i+1:]
	port, err := strconv.Atoi(ps)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, false
	}
	return canonicalListenAddr(host), port, true
}

// canonicalListenAddr normalises a listening address: brackets and
// "%iface" removed, "*" (any, dual stack) as "::", IPs in Go's text form.
func canonicalListenAddr(host string) string {
	host = strings.TrimPrefix(host, "[")
	host = strings.TrimSuffix(host, "]")
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i]
	}
	if host == "*" || host == "" {
		return "::"
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.String()
	}
	return host
}

// ParseSS reads `ss -Htulnp` output (a header line, if any, is skipped).
// The process is the smallest name in users:(("name",pid=..),...).
func ParseSS(data string) []Listener {
	var out []Listener
	for _, line := range splitLines(data) {
		f := strings.Fields(line)
		if len(f) < 6 || f[0] == "Netid" || f[0] == "State" {
			continue
		}
		proto := f[0]
		if proto != "tcp" && proto != "udp" {
			continue
		}
		if proto == "tcp" && f[1] != "LISTEN" {
			continue
		}
		addr, port, ok := splitHostPort(f[4])
		if !ok {
			continue
		}
		if addr == "::" && strings.HasPrefix(f[4], "*") && strings.HasPrefix(f[5], "0.0.0.0") {
			addr = "0.0.0.0" // old ss printed IPv4 any as "*"
		}
		out = append(out, Listener{Port: port, Proto: proto, Address: addr, Process: ssProcess(line)})
	}
	return NormalizeListeners(out)
}

// ssProcess extracts the smallest process name from ss's users:(...) text.
func ssProcess(line string) string {
	i := strings.Index(line, "users:(")
	if i < 0 {
		return ""
	}
	rest := line[i:]
	best := ""
	for n := 0; n < 64; n++ {
		j := strings.Index(rest, "(\"")
		if j < 0 {
			break
		}
		rest = rest[j+2:]
		k := strings.Index(rest, "\",")
		if k < 0 {
			break
		}
		name := truncName(rest[:k])
		if name != "" && (best == "" || name < best) {
			best = name
		}
		rest = rest[k:]
	}
	return best
}

// ParseNetstat reads `netstat -tulnp` output (tcp6/udp6 count as tcp/udp;
// the program is the word after "PID/", up to a colon).
func ParseNetstat(data string) []Listener {
	var out []Listener
	for _, line := range splitLines(data) {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		proto := strings.TrimSuffix(f[0], "6")
		if proto != "tcp" && proto != "udp" {
			continue
		}
		if proto == "tcp" && !strings.Contains(line, "LISTEN") {
			continue
		}
		addr, port, ok := splitHostPort(f[3])
		if !ok {
			continue
		}
		proc := ""
		for j := 5; j < len(f); j++ {
			if f[j] == "-" {
				break
			}
			if p, name, ok := strings.Cut(f[j], "/"); ok {
				if _, err := strconv.Atoi(p); err == nil {
					// netstat shows argv[0], which daemons like sshd rewrite
					// ("sshd: /usr/sbin/sshd"): keep the program name.
					name, _, _ = strings.Cut(name, ":")
					proc = truncName(name)
					break
				}
			}
		}
		out = append(out, Listener{Port: port, Proto: proto, Address: addr, Process: proc})
	}
	return NormalizeListeners(out)
}

// NormalizeListeners merges entries with the same port, proto and address
// (keeping the smallest non-empty process name) and sorts them by port,
// then proto, then address.
func NormalizeListeners(in []Listener) []Listener {
	type key struct {
		port  int
		proto string
		addr  string
	}
	idx := map[key]int{}
	var out []Listener
	for _, l := range in {
		l.Process = truncName(l.Process)
		k := key{l.Port, l.Proto, l.Address}
		if i, ok := idx[k]; ok {
			if l.Process != "" && (out[i].Process == "" || l.Process < out[i].Process) {
				out[i].Process = l.Process
			}
			continue
		}
		idx[k] = len(out)
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Port != b.Port {
			return a.Port < b.Port
		}
		if a.Proto != b.Proto {
			return a.Proto < b.Proto
		}
		return a.Address < b.Address
	})
	return out
}
