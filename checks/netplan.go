package checks

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// netplanTypes are the device kinds under network: whose entries are
// interface definitions. Other mappings there (openvswitch's ssl,
// external-ids) are settings, not interfaces.
var netplanTypes = map[string]bool{
	"ethernets": true, "bonds": true, "bridges": true, "vlans": true,
	"wifis": true, "tunnels": true, "modems": true, "vrfs": true,
	"dummy-devices": true, "virtual-ethernets": true, "nm-devices": true,
}

// netplanBudget bounds the mapping entries merged from one file: an alias
// to an anchored mapping is walked again at every use, so a small hostile
// file could otherwise cost exponential time.
const netplanBudget = 1 << 16

var errNetplanBudget = errors.New("too many entries once aliases are followed")

// npValue is one key's value after merging: a mapping (kids) merged key
// by key across files, or a scalar or sequence (node) that the last file
// setting it replaced. file is the index, in netplan order, of the file
// that gave it; seq orders keys by first appearance across all files.
type npValue struct {
	node *yaml.Node
	kids map[string]*npValue
	file int
	seq  int
}

type npMerger struct {
	root   npValue
	seq    int
	budget int
}

// netplanOrder returns the files the way netplan reads them: one per base
// name (a file in /run/netplan shadows one of the same name in
// /etc/netplan, which shadows /lib/netplan), sorted by base name, so that
// later files override earlier ones whatever their directory.
func netplanOrder(files []ConfigFile) []ConfigFile {
	rank := func(p string) int {
		switch path.Dir(p) {
		case "/lib/netplan", "/usr/lib/netplan":
			return 1
		case "/etc/netplan":
			return 2
		case "/run/netplan":
			return 3
		}
		return 0
	}
	byName := map[string]ConfigFile{}
	for _, f := range files {
		b := path.Base(f.Path)
		if old, ok := byName[b]; !ok || rank(f.Path) >= rank(old.Path) {
			byName[b] = f
		}
	}
	names := make([]string, 0, len(byName))
	for b := range byName {
		names = append(names, b)
	}
	sort.Strings(names)
	out := make([]ConfigFile, len(names))
	for i, b := range names {
		out[i] = byName[b]
	}
	return out
}

// parseYAML reads the first document of data (netplan reads only that
// one). It reports a panic of the parser on hostile input as an error.
func parseYAML(data string) (doc *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("yaml: %v", r)
		}
	}()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(data), &n); err != nil {
		return nil, err
	}
	if n.Kind == 0 || len(n.Content) == 0 {
		return nil, nil // an empty file says nothing, as for netplan
	}
	root := deref(n.Content[0])
	if root.Kind != yaml.MappingNode {
		return nil, errors.New("the top level is not a mapping")
	}
	return root, nil
}

// deref follows an alias to its anchored node. yaml.v3 accepts an alias
// inside its own anchor: merge's depth limit is what ends such a loop.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
		n = n.Alias
	}
	return n
}

// merge lays mapping n over into, recursively: mappings merge key by key,
// anything else replaces what earlier files said. Keys netplan does not
// read (the YAML merge key "<<" among them) merge like any other and are
// simply never looked at.
func (m *npMerger) merge(into *npValue, n *yaml.Node, file, depth int) error {
	if into.kids == nil {
		into.kids, into.node = map[string]*npValue{}, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if m.budget--; m.budget < 0 {
			return errNetplanBudget
		}
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		// netplan reads nothing but network: at the top.
		if k == nil || v == nil || k.Kind != yaml.ScalarNode || depth == 1 && k.Value != "network" {
			continue
		}
		cur := into.kids[k.Value]
		if cur == nil {
			m.seq++
			cur = &npValue{seq: m.seq}
			into.kids[k.Value] = cur
		}
		cur.file = file
		// Five levels reach network.TYPE.ID.match.name; deeper values are
		// never read, so they need not merge.
		if v.Kind == yaml.MappingNode && depth < 5 {
			if err := m.merge(cur, v, file, depth+1); err != nil {
				return err
			}
			continue
		}
		cur.node, cur.kids = v, nil
	}
	return nil
}

// netplanBool is netplan's own boolean reading (parse.c,
// handle_generic_bool): these words in any case, quoted or not. yaml.v3
// would take only true and false.
func netplanBool(v *npValue) (val, ok bool) {
	if v == nil || v.node == nil || v.node.Kind != yaml.ScalarNode {
		return false, false
	}
	switch strings.ToLower(v.node.Value) {
	case "true", "on", "yes", "y":
		return true, true
	case "false", "off", "no", "n":
		return false, true
	}
	return false, false
}

func scalarOf(v *npValue) string {
	if v == nil || v.node == nil || v.node.Kind != yaml.ScalarNode {
		return ""
	}
	return v.node.Value
}

// hasAddresses tells whether an addresses: value lists any address, in
// either form netplan takes: "10.0.0.5/24" or "10.0.0.5/24: {lifetime: 0}".
func hasAddresses(v *npValue) (has, ok bool) {
	if v == nil || v.node == nil || v.node.Kind != yaml.SequenceNode {
		return false, false
	}
	for _, it := range v.node.Content {
		it = deref(it)
		switch {
		case it == nil:
		case it.Kind == yaml.ScalarNode && strings.TrimSpace(it.Value) != "":
			return true, true
		case it.Kind == yaml.MappingNode && len(it.Content) >= 2:
			return true, true
		}
	}
	return false, true
}

// InvalidFile is a configuration file that could not be parsed, and why.
type InvalidFile struct {
	Path   string
	Reason string
}

// ParseNetplan reads netplan YAML files and returns one declaration per
// interface definition; see netplanDecls.
func ParseNetplan(files []ConfigFile) []AddrDecl {
	d, _ := netplanDecls(files)
	return d
}

// netplanDecls merges the files in netplan's order and returns, in order
// of first appearance, one declaration per definition under a device
// type: dhcp when dhcp4 (or, failing that, dhcp6) is true, static when
// addresses are given without DHCP, else "". The name is set-name, else
// match: name: (maybe a glob), else the id. A definition matching only
// by macaddress or driver keeps its id as the name: the facts carry no
// MAC addresses, and ids usually are the device's name. Files that do
// not parse are left out, as netplan refuses them, and returned.
func netplanDecls(files []ConfigFile) ([]AddrDecl, []InvalidFile) {
	ordered := netplanOrder(files)
	m := &npMerger{}
	var invalid []InvalidFile
	for i, f := range ordered {
		if f.Unreadable {
			continue
		}
		doc, err := parseYAML(f.Data)
		if err == nil && doc != nil {
			// A dry run first, so that a file over the budget is left out
			// whole rather than half merged.
			if err = (&npMerger{budget: netplanBudget}).merge(&npValue{}, doc, i, 1); err == nil {
				m.budget = netplanBudget
				_ = m.merge(&m.root, doc, i, 1) // the dry run fit the same budget
			}
		}
		if err != nil {
			invalid = append(invalid, InvalidFile{Path: f.Path, Reason: err.Error()})
		}
	}
	type def struct {
		id string
		v  *npValue
	}
	var defs []def
	if network := m.root.kids["network"]; network != nil {
		for typ, devs := range network.kids {
			if !netplanTypes[typ] {
				continue
			}
			for id, v := range devs.kids {
				if v.kids != nil {
					defs = append(defs, def{id, v})
				}
			}
		}
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].v.seq < defs[j].v.seq })
	var out []AddrDecl
	for _, d := range defs {
		if len(out) >= 1024 {
			break
		}
		out = append(out, netplanDecl(d.id, d.v, ordered))
	}
	return out, invalid
}

// netplanDecl reads one merged definition. Its source is the latest file
// among those whose keys made the decision.
func netplanDecl(id string, def *npValue, files []ConfigFile) AddrDecl {
	k := def.kids
	d := AddrDecl{Name: id}
	if s := scalarOf(k["set-name"]); s != "" {
		d.Name = s
	} else if match := k["match"]; match != nil {
		if s := scalarOf(match.kids["name"]); s != "" {
			d.Name = s
		}
	}
	dhcp4, ok4 := netplanBool(k["dhcp4"])
	dhcp6, ok6 := netplanBool(k["dhcp6"])
	addrs, okA := hasAddresses(k["addresses"])
	said := func(v *npValue, ok bool) *npValue {
		if ok {
			return v
		}
		return nil
	}
	by4, by6, byA := said(k["dhcp4"], ok4), said(k["dhcp6"], ok6), said(k["addresses"], okA)
	var by []*npValue
	switch {
	case ok4 && dhcp4:
		d.Method, by = AddressingDHCP, []*npValue{by4}
	case addrs: // with dhcp4 false or absent
		d.Method, by = AddressingStatic, []*npValue{byA, by4}
	case ok6 && dhcp6: // with no addresses and dhcp4 false or absent
		d.Method, by = AddressingDHCP, []*npValue{by6, by4, byA}
	default:
		by = []*npValue{by4, by6, byA}
	}
	latest := -1
	for _, v := range by {
		if v != nil && v.file > latest {
			latest = v.file
		}
	}
	if latest >= 0 {
		d.Source = files[latest].Path
	}
	return d
}
