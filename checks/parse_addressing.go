package checks

import (
	"path"
	"sort"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// AddrDecl is one configuration file's statement about how an interface
// gets its address.
type AddrDecl struct {
	Name   string // interface name, or a shell glob (netplan match: name: en*)
	Method string // AddressingStatic, AddressingDHCP, or "" when the file does not say
	Source string // the file that says it
}

// ConfigFile is a configuration file's path (as on the host) and content.
// Unreadable marks a file that exists but could not be read (permissions).
type ConfigFile struct {
	Path       string
	Data       string
	Unreadable bool
}

// ParseIfupdown reads ifupdown interfaces(5) files: "iface NAME inet
// static|dhcp|manual|..." (inet6 is used only when no inet stanza names
// the interface). manual, loopback and the like give "".
func ParseIfupdown(files []ConfigFile) []AddrDecl {
	type st struct {
		inet, inet6, src4, src6 string
		has4                    bool
		order                   int
	}
	m := map[string]*st{}
	for _, f := range files {
		if f.Unreadable {
			continue
		}
		for _, line := range splitLines(f.Data) {
			fl := strings.Fields(line)
			if len(fl) < 4 || fl[0] != "iface" {
				continue
			}
			s := m[fl[1]]
			if s == nil {
				if len(m) >= 1024 {
					continue
				}
				s = &st{order: len(m)}
				m[fl[1]] = s
			}
			method := ""
			switch fl[3] {
			case "static":
				method = AddressingStatic
			case "dhcp":
				method = AddressingDHCP
			case "auto":
				if fl[2] == "inet6" {
					method = AddressingDHCP
				}
			}
			switch fl[2] {
			case "inet":
				s.inet, s.src4, s.has4 = method, f.Path, true
			case "inet6":
				s.inet6, s.src6 = method, f.Path
			}
		}
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return m[names[i]].order < m[names[j]].order })
	var out []AddrDecl
	for _, n := range names {
		s := m[n]
		d := AddrDecl{Name: n, Method: s.inet, Source: s.src4}
		if !s.has4 || (s.inet == "" && s.inet6 != "") {
			d.Method, d.Source = s.inet6, s.src6
		}
		out = append(out, d)
	}
	return out
}

// ParseNMKeyfiles reads NetworkManager keyfiles (*.nmconnection): the
// [connection] interface-name and [ipv4] method (auto -> dhcp, manual ->
// static; when ipv4 says neither, [ipv6] method auto/dhcp/manual).
// Connections without interface-name are bound by MAC and are skipped.
func ParseNMKeyfiles(files []ConfigFile) []AddrDecl {
	var out []AddrDecl
	for _, f := range files {
		if f.Unreadable {
			continue
		}
		var section, ifname, m4, m6 string
		for _, line := range splitLines(f.Data) {
			line = strings.TrimSpace(line)
			if line == "" || line[0] == '#' || line[0] == ';' {
				continue
			}
			if line[0] == '[' && strings.HasSuffix(line, "]") {
				section = strings.TrimSpace(line[1 : len(line)-1])
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch {
			case section == "connection" && k == "interface-name":
				ifname = v
			case section == "ipv4" && k == "method":
				m4 = v
			case section == "ipv6" && k == "method":
				m6 = v
			}
		}
		if ifname == "" {
			continue
		}
		d := AddrDecl{Name: ifname, Source: f.Path}
		switch m4 {
		case "auto":
			d.Method = AddressingDHCP
		case "manual":
			d.Method = AddressingStatic
		default:
			switch m6 {
			case "auto", "dhcp":
				d.Method = AddressingDHCP
			case "manual":
				d.Method = AddressingStatic
			}
		}
		out = append(out, d)
		if len(out) >= 1024 {
			break
		}
	}
	return out
}

// findDecl returns the declaration deciding name: an exact name first
// (the last one), then the first glob that matches.
func findDecl(name string, decls []AddrDecl) (AddrDecl, bool) {
	var found *AddrDecl
	for i := range decls {
		if decls[i].Method != "" && decls[i].Name == name {
			found = &decls[i]
		}
	}
	if found != nil {
		return *found, true
	}
	for _, d := range decls {
		if d.Method == "" || !strings.ContainsAny(d.Name, "*?[") {
			continue
		}
		if ok, err := path.Match(d.Name, name); err == nil && ok {
			return d, true
		}
	}
	return AddrDecl{}, false
}

// addressingConfig holds the three configuration families of a host and
// the kernel's view of its addresses (`ip -o addr show`).
type addressingConfig struct {
	netplan, nm, ifupdown []ConfigFile
	ipAddr                string
}

// apply sets Addressing and AddressingSource on every interface, by the
// precedence netplan, NetworkManager, ifupdown; then a lease the kernel
// holds makes it DHCP whatever the files say (a file saying DHCP already
// stays the source: it is what to change). It notes interfaces left
// unknown, and netplan files that do not parse, under "addressing".
func (c addressingConfig) apply(f *Facts) {
	np, invalid := netplanDecls(c.netplan)
	nm := ParseNMKeyfiles(c.nm)
	iu := ParseIfupdown(c.ifupdown)
	leases := ParseIPLeases(c.ipAddr)
	var unknown []string
	for i := range f.Interfaces {
		it := &f.Interfaces[i]
		it.Addressing, it.AddressingSource, it.Lease = AddressingUnknown, "", nil
		for _, decls := range [][]AddrDecl{np, nm, iu} {
			if d, ok := findDecl(it.Name, decls); ok {
				it.Addressing, it.AddressingSource = d.Method, d.Source
				break
			}
		}
		if l, ok := leases[it.Name]; ok && it.Addressing != AddressingDHCP {
			it.Addressing, it.AddressingSource, it.Lease = AddressingDHCP, AddressingSourceKernel, &l
		}
		if it.Addressing == AddressingUnknown {
			unknown = append(unknown, it.Name)
		}
	}
	var unreadable []string
	for _, l := range [][]ConfigFile{c.netplan, c.nm, c.ifupdown} {
		for _, cf := range l {
			if cf.Unreadable {
				unreadable = append(unreadable, cf.Path)
				f.MarkUnreadable("addressing", cf.Path)
			}
		}
	}
	var reasons []string
	if len(unknown) > 0 {
		reasons = append(reasons, "no netplan, NetworkManager or ifupdown configuration says how "+
			strings.Join(unknown, ", ")+" gets its address")
		if len(unreadable) > 0 {
			reasons = append(reasons, "these files could not be read (permission denied): "+strings.Join(unreadable, ", "))
		}
	}
	for _, bad := range invalid {
		reasons = append(reasons, bad.Path+" is not valid netplan YAML and was left out, as netplan refuses it ("+i18n.Line(bad.Reason, i18n.MaxLine)+")")
	}
	if len(reasons) > 0 {
		f.Note("addressing", strings.Join(reasons, "; "))
	}
}
