package checks

import (
	"path"
	"sort"
	"strings"
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

// yamlBool reports whether a YAML 1.1 scalar is true and whether it is a
// boolean at all.
func yamlBool(v string) (val, ok bool) {
	switch strings.ToLower(unquoteYAML(v)) {
	case "true", "yes", "on", "y":
		return true, true
	case "false", "no", "off", "n":
		return false, true
	}
	return false, false
}

func unquoteYAML(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// stripYAMLComment removes a "# comment" that is not inside quotes.
func stripYAMLComment(s string) string {
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return s[:i]
		}
	}
	return s
}

// splitFlow splits the inside of a YAML flow collection at top-level commas.
func splitFlow(s string) []string {
	var out []string
	depth, start := 0, 0
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	out = append(out, s[start:])
	return out
}

// cutYAMLKey splits "key: value" (key possibly quoted). ok is false for a
// line that is not a mapping entry.
func cutYAMLKey(s string) (key, val string, ok bool) {
	if s == "" {
		return "", "", false
	}
	if s[0] == '"' || s[0] == '\'' {
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return "", "", false
		}
		key = s[1 : end+1]
		rest := strings.TrimLeft(s[end+2:], " \t")
		if !strings.HasPrefix(rest, ":") {
			return "", "", false
		}
		return key, strings.TrimSpace(rest[1:]), true
	}
	for i := 0; i < len(s); i++ {
		if s[i] == ':' && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\t') {
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:]), true
		}
	}
	return "", "", false
}

// yamlWalk is a tolerant, line-based reader for the block-style YAML
// subset netplan files use (plus one-line flow mappings). It calls visit
// for every mapping entry with its full key path and scalar value, and
// for every list item with the list's path plus "-".
func yamlWalk(data string, visit func(p []string, val string)) {
	type level struct {
		indent int
		key    string
	}
	var stack []level
	keys := func() []string {
		p := make([]string, len(stack))
		for i, l := range stack {
			p[i] = l.key
		}
		return p
	}
	var flow func(p []string, val string, depth int)
	flow = func(p []string, val string, depth int) {
		visit(p, val)
		if depth > 8 || len(val) < 2 || val[0] != '{' || val[len(val)-1] != '}' {
			return
		}
		for _, part := range splitFlow(val[1 : len(val)-1]) {
			k, v, ok := cutYAMLKey(strings.TrimSpace(part))
			if !ok {
				continue
			}
			q := append(append([]string(nil), p...), k)
			flow(q, v, depth+1)
		}
	}
	for _, raw := range splitLines(data) {
		line := strings.ReplaceAll(raw, "\t", " ")
		line = strings.TrimRight(stripYAMLComment(line), " ")
		content := strings.TrimLeft(line, " ")
		if content == "" || content == "---" || content == "..." {
			continue
		}
		indent := len(line) - len(content)
		if content == "-" || strings.HasPrefix(content, "- ") {
			for len(stack) > 0 && stack[len(stack)-1].indent > indent {
				stack = stack[:len(stack)-1]
			}
			item := strings.TrimSpace(strings.TrimPrefix(content, "-"))
			visit(append(keys(), "-"), item)
			continue
		}
		k, v, ok := cutYAMLKey(content)
		if !ok {
			continue
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		if len(stack) >= 32 {
			continue
		}
		stack = append(stack, level{indent, k})
		flow(keys(), v, 0)
	}
}

type netplanIface struct {
	id, setName, matchName string
	dhcp4, dhcp6, addrs    *bool
	source                 string
	order                  int
}

// ParseNetplan reads netplan YAML files, in the order netplan applies them
// (later files override earlier ones per interface id), and returns one
// declaration per interface id: dhcp when dhcp4 (or, failing that, dhcp6)
// is true, static when addresses are given without DHCP, else "". The
// name is set-name, else match: name:, else the id.
func ParseNetplan(files []ConfigFile) []AddrDecl {
	byID := map[string]*netplanIface{}
	for _, f := range files {
		if f.Unreadable {
			continue
		}
		yamlWalk(f.Data, func(p []string, val string) {
			if len(p) < 4 || p[0] != "network" || p[1] == "version" || p[1] == "renderer" {
				return
			}
			id := p[2]
			it := byID[id]
			if it == nil {
				if len(byID) >= 1024 {
					return
				}
				it = &netplanIface{id: id, order: len(byID)}
				byID[id] = it
			}
			t := true
			switch {
			case len(p) == 4 && p[3] == "dhcp4":
				if b, ok := yamlBool(val); ok {
					it.dhcp4, it.source = &b, f.Path
				}
			case len(p) == 4 && p[3] == "dhcp6":
				if b, ok := yamlBool(val); ok {
					it.dhcp6, it.source = &b, f.Path
				}
			case len(p) == 4 && p[3] == "addresses":
				v := strings.TrimSpace(val)
				if v != "" && v != "[]" && v != "~" && v != "null" {
					it.addrs, it.source = &t, f.Path
				} else if v == "[]" {
					no := false
					it.addrs, it.source = &no, f.Path
				}
			case len(p) == 5 && p[3] == "addresses" && p[4] == "-":
				if strings.TrimSpace(val) != "" {
					it.addrs, it.source = &t, f.Path
				}
			case len(p) == 4 && p[3] == "set-name":
				it.setName = unquoteYAML(val)
			case len(p) == 5 && p[3] == "match" && p[4] == "name":
				it.matchName = unquoteYAML(val)
			}
		})
	}
	list := make([]*netplanIface, 0, len(byID))
	for _, it := range byID {
		list = append(list, it)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].order < list[j].order })
	var out []AddrDecl
	for _, it := range list {
		d := AddrDecl{Name: it.id, Source: it.source}
		if it.setName != "" {
			d.Name = it.setName
		} else if it.matchName != "" {
			d.Name = it.matchName
		}
		switch {
		case it.dhcp4 != nil && *it.dhcp4:
			d.Method = AddressingDHCP
		case it.addrs != nil && *it.addrs:
			d.Method = AddressingStatic
		case it.dhcp6 != nil && *it.dhcp6:
			d.Method = AddressingDHCP
		}
		out = append(out, d)
	}
	return out
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

// addressingConfig holds the three configuration families of a host.
type addressingConfig struct {
	netplan, nm, ifupdown []ConfigFile
}

// apply sets Addressing and AddressingSource on every interface, by the
// precedence netplan, NetworkManager, ifupdown; it notes interfaces left
// unknown under "addressing".
func (c addressingConfig) apply(f *Facts) {
	np := ParseNetplan(c.netplan)
	nm := ParseNMKeyfiles(c.nm)
	iu := ParseIfupdown(c.ifupdown)
	var unknown []string
	for i := range f.Interfaces {
		it := &f.Interfaces[i]
		it.Addressing, it.AddressingSource = AddressingUnknown, ""
		for _, decls := range [][]AddrDecl{np, nm, iu} {
			if d, ok := findDecl(it.Name, decls); ok {
				it.Addressing, it.AddressingSource = d.Method, d.Source
				break
			}
		}
		if it.Addressing == AddressingUnknown {
			unknown = append(unknown, it.Name)
		}
	}
	if len(unknown) == 0 {
		return
	}
	var unreadable []string
	for _, l := range [][]ConfigFile{c.netplan, c.nm, c.ifupdown} {
		for _, cf := range l {
			if cf.Unreadable {
				unreadable = append(unreadable, cf.Path)
			}
		}
	}
	reason := "no netplan, NetworkManager or ifupdown configuration says how " +
		strings.Join(unknown, ", ") + " gets its address"
	if len(unreadable) > 0 {
		reason += "; these files could not be read (permissions): " + strings.Join(unreadable, ", ")
	}
	f.Note("addressing", reason)
}
