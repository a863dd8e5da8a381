package checks

import (
	"fmt"
	"slices"
	"sort"
)

// FreeDiskDrift is how far apart two reports of a filesystem's free
// space may be and still count as the same: files come and go between
// two collections.
const FreeDiskDrift = 64 << 20

// CompareFacts lists, in plain English, where two Facts of the same
// machine disagree. It tolerates free disk space differing by up to
// FreeDiskDrift, compares addresses as sets and leases by address (their
// lifetime counts down), compares Sudo only when both sides have it (the
// local collector never does) and compares Notes by fact name, not
// wording. An empty result means they agree.
func CompareFacts(a, b *Facts) []string {
	var d []string
	add := func(format string, args ...any) { d = append(d, fmt.Sprintf(format, args...)) }
	if a == nil || b == nil {
		if a != b {
			add("one side has no facts")
		}
		return d
	}
	if a.Hostname != b.Hostname {
		add("hostname: %q != %q", a.Hostname, b.Hostname)
	}
	if a.OS != b.OS {
		add("os: %+v != %+v", a.OS, b.OS)
	}
	if a.Arch != b.Arch {
		add("arch: %q != %q", a.Arch, b.Arch)
	}
	if a.CPU.Model != b.CPU.Model {
		add("cpu.model: %q != %q", a.CPU.Model, b.CPU.Model)
	}
	if a.CPU.Cores != b.CPU.Cores {
		add("cpu.cores: %d != %d", a.CPU.Cores, b.CPU.Cores)
	}
	if !eqBool(a.CPU.AES, b.CPU.AES) {
		add("cpu.aes: %s != %s", showBool(a.CPU.AES), showBool(b.CPU.AES))
	}
	if a.Memory != b.Memory {
		add("memory.total_bytes: %d != %d", a.Memory.TotalBytes, b.Memory.TotalBytes)
	}

	if len(a.Disks) != len(b.Disks) {
		add("disks: %d filesystems != %d", len(a.Disks), len(b.Disks))
	}
	for i := 0; i < len(a.Disks) && i < len(b.Disks); i++ {
		x, y := a.Disks[i], b.Disks[i]
		if x.Mount != y.Mount {
			add("disks[%d].mount: %q != %q", i, x.Mount, y.Mount)
			continue
		}
		if x.TotalBytes != y.TotalBytes {
			add("disks[%s].total_bytes: %d != %d", x.Mount, x.TotalBytes, y.TotalBytes)
		}
		diff := x.FreeBytes - y.FreeBytes
		if y.FreeBytes > x.FreeBytes {
			diff = y.FreeBytes - x.FreeBytes
		}
		if diff > FreeDiskDrift {
			add("disks[%s].free_bytes: %d != %d (more than %d MiB apart)", x.Mount, x.FreeBytes, y.FreeBytes, FreeDiskDrift>>20)
		}
	}

	ai := map[string]Interface{}
	for _, it := range a.Interfaces {
		ai[it.Name] = it
	}
	bi := map[string]Interface{}
	for _, it := range b.Interfaces {
		bi[it.Name] = it
	}
	for _, n := range sortedKeys(ai, bi) {
		x, okx := ai[n]
		y, oky := bi[n]
		switch {
		case !okx:
			add("interfaces: %s only in the second", n)
			continue
		case !oky:
			add("interfaces: %s only in the first", n)
			continue
		}
		if !slices.Equal(sortedCopy(x.Addresses), sortedCopy(y.Addresses)) {
			add("interfaces[%s].addresses: %v != %v", n, x.Addresses, y.Addresses)
		}
		if !eqInt(x.SpeedMbps, y.SpeedMbps) {
			add("interfaces[%s].speed_mbps: %s != %s", n, showInt(x.SpeedMbps), showInt(y.SpeedMbps))
		}
		if x.Addressing != y.Addressing || x.AddressingSource != y.AddressingSource {
			add("interfaces[%s].addressing: %s (%s) != %s (%s)", n, x.Addressing, x.AddressingSource, y.Addressing, y.AddressingSource)
		}
		// valid_lft counts down between two collections: not compared.
		if (x.Lease == nil) != (y.Lease == nil) || x.Lease != nil && x.Lease.Address != y.Lease.Address {
			add("interfaces[%s].lease: %s != %s", n, showLease(x.Lease), showLease(y.Lease))
		}
		if x.DefaultRoute != y.DefaultRoute {
			add("interfaces[%s].default_route: %v != %v", n, x.DefaultRoute, y.DefaultRoute)
		}
	}

	if !eqBool(a.TimeSynced, b.TimeSynced) {
		add("time_synced: %s != %s", showBool(a.TimeSynced), showBool(b.TimeSynced))
	}
	if !slices.Equal(a.Locales, b.Locales) {
		add("locales: %v != %v", a.Locales, b.Locales)
	}
	if !slices.Equal(a.Listening, b.Listening) {
		add("listening: %v != %v", a.Listening, b.Listening)
	}
	if !slices.Equal(a.USBTokens, b.USBTokens) {
		add("usb_tokens: %v != %v", a.USBTokens, b.USBTokens)
	}
	if !eqBool(a.PCSCD, b.PCSCD) {
		add("pcscd_running: %s != %s", showBool(a.PCSCD), showBool(b.PCSCD))
	}
	if a.Sudo != nil && b.Sudo != nil && *a.Sudo != *b.Sudo {
		add("sudo: %+v != %+v", *a.Sudo, *b.Sudo)
	}
	for _, k := range sortedKeys(a.Unreadable, b.Unreadable) {
		if !slices.Equal(a.Unreadable[k], b.Unreadable[k]) {
			add("unreadable[%s]: %v != %v", k, a.Unreadable[k], b.Unreadable[k])
		}
	}
	for _, k := range sortedKeys(a.Notes, b.Notes) {
		if k == "sudo" {
			continue
		}
		_, okx := a.Notes[k]
		_, oky := b.Notes[k]
		if okx != oky {
			add("notes[%s]: %q != %q", k, a.Notes[k], b.Notes[k])
		}
	}
	return d
}

func eqBool(a, b *bool) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func eqInt(a, b *int) bool   { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func showBool(p *bool) string {
	if p == nil {
		return "unknown"
	}
	return fmt.Sprint(*p)
}

func showLease(l *Lease) string {
	if l == nil {
		return "none"
	}
	return fmt.Sprintf("%s (valid_lft %ds)", l.Address, l.ValidLft)
}

func showInt(p *int) string {
	if p == nil {
		return "unknown"
	}
	return fmt.Sprint(*p)
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}

func sortedKeys[V any](ms ...map[string]V) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
