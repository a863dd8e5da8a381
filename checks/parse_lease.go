package checks

import (
	"slices"
	"strconv"
	"strings"
)

// AddressingSourceKernel is the AddressingSource of an interface whose
// addressing the kernel decided: it holds a DHCP lease (Interface.Lease).
const AddressingSourceKernel = "kernel"

// Lease is an IPv4 address the kernel holds for a limited time: `ip addr`
// marks it "dynamic" and gives a finite valid_lft. Only a DHCP client
// adds addresses that way; a configured address is valid "forever".
type Lease struct {
	Address  string `json:"address"`   // CIDR, as in Interface.Addresses
	ValidLft int    `json:"valid_lft"` // seconds it stays valid unless renewed
}

// ParseIPLeases reads `ip -o addr show` output and returns, per interface,
// the first IPv4 address held as a lease. IPv6 addresses are left out:
// router advertisements make them dynamic whatever IPv4 does.
func ParseIPLeases(data string) map[string]Lease {
	out := map[string]Lease{}
	for _, line := range splitLines(data) {
		a, ok := parseIPAddrLine(line)
		if !ok || a.family != "inet" || !slices.Contains(a.flags, "dynamic") {
			continue
		}
		if _, seen := out[a.name]; seen {
			continue
		}
		i := slices.Index(a.tail, "valid_lft")
		if i < 0 || i+1 >= len(a.tail) {
			continue
		}
		// "forever" (or anything else that is not a count) is no lease.
		secs, err := strconv.Atoi(strings.TrimSuffix(a.tail[i+1], "sec"))
		if err != nil || secs < 0 {
			continue
		}
		if len(out) >= 1024 {
			break
		}
		out[a.name] = Lease{Address: a.addr, ValidLft: secs}
	}
	return out
}
