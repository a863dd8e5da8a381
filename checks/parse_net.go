package checks

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// ParseIPAddr reads `ip -o addr show` output and returns each interface
// with its addresses in CIDR form, in the order ip printed them. Names lose
// an "@peer" suffix (veth, vlan). Point-to-point lines ("inet A peer B/N")
// give A/N.
func ParseIPAddr(data string) []Interface {
	var out []Interface
	index := map[string]int{}
	for _, line := range splitLines(data) {
		a, ok := parseIPAddrLine(line)
		if !ok {
			continue
		}
		i, ok := index[a.name]
		if !ok {
			i = len(out)
			index[a.name] = i
			out = append(out, Interface{Name: a.name})
		}
		out[i].Addresses = append(out[i].Addresses, a.addr)
	}
	return out
}

// ipAddrLine is one address line of `ip -o addr show`: flags holds the
// words after the address (scope, dynamic, the label), tail those ip
// prints after its backslash (valid_lft 85000sec preferred_lft ...).
type ipAddrLine struct {
	name, family, addr string
	flags, tail        []string
}

func parseIPAddrLine(line string) (ipAddrLine, bool) {
	// Continuation text after a backslash is ip's "valid_lft ..." tail.
	var tail string
	if i := strings.IndexByte(line, '\\'); i >= 0 {
		line, tail = line[:i], line[i+1:]
	}
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasSuffix(f[0], ":") {
		return ipAddrLine{}, false
	}
	name := strings.TrimSuffix(f[1], ":")
	if i := strings.IndexByte(name, '@'); i > 0 {
		name = name[:i]
	}
	if name == "" {
		return ipAddrLine{}, false
	}
	if f[2] != "inet" && f[2] != "inet6" {
		return ipAddrLine{}, false
	}
	addr := f[3]
	if !strings.Contains(addr, "/") {
		bits := ""
		for j := 4; j+1 < len(f); j++ {
			if f[j] == "peer" {
				if _, b, ok := strings.Cut(f[j+1], "/"); ok {
					bits = b
				}
				break
			}
		}
		if bits == "" {
			if f[2] == "inet" {
				bits = "32"
			} else {
				bits = "128"
			}
		}
		addr += "/" + bits
	}
	addr = canonicalPrefix(addr)
	if addr == "" {
		return ipAddrLine{}, false
	}
	return ipAddrLine{name: name, family: f[2], addr: addr, flags: f[4:], tail: strings.Fields(tail)}, true
}

// canonicalPrefix returns addr/bits in Go's canonical text, keeping the
// host part (not masked), or "" when it is not an address.
func canonicalPrefix(s string) string {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return ""
	}
	a := p.Addr().WithZone("")
	if a.Is4In6() {
		a = a.Unmap()
	}
	return a.String() + "/" + strconv.Itoa(p.Bits())
}

// isLoopbackInterface is the rule both collectors use to drop loopback:
// the name "lo", or every address being a loopback address.
func isLoopbackInterface(name string, addrs []string) bool {
	if name == "lo" {
		return true
	}
	if len(addrs) == 0 {
		return false
	}
	for _, a := range addrs {
		p, err := netip.ParsePrefix(a)
		if err != nil || !p.Addr().IsLoopback() {
			return false
		}
	}
	return true
}

// ParseSpeeds reads link speeds in Mbps per interface from lines
// "/sys/class/net/IF/speed:VALUE" (`grep -H . /sys/class/net/*/speed`,
// what the probe prints) or "IF VALUE". A missing, unparsable or
// non-positive speed is nil.
func ParseSpeeds(data string) map[string]*int {
	out := map[string]*int{}
	for _, line := range splitLines(data) {
		if p, v, ok := strings.Cut(line, "/speed:"); ok {
			name := p[strings.LastIndexByte(p, '/')+1:]
			if name != "" {
				out[name] = parseSpeed(v)
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		out[f[0]] = parseSpeed(strings.Join(f[1:], " "))
	}
	return out
}

// parseSpeed interprets the content of /sys/class/net/IF/speed.
func parseSpeed(s string) *int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 {
		return nil
	}
	return &n
}

// finishInterfaces drops loopback and address-less interfaces, fills speed
// and default route, and sorts by name. Both collectors use it.
func finishInterfaces(list []Interface, speeds map[string]*int, defaults map[string]bool) []Interface {
	var out []Interface
	for _, it := range list {
		if len(it.Addresses) == 0 || isLoopbackInterface(it.Name, it.Addresses) {
			continue
		}
		it.SpeedMbps = speeds[it.Name]
		it.DefaultRoute = defaults[it.Name]
		if it.Addressing == "" {
			it.Addressing = AddressingUnknown
		}
		out = append(out, it)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
