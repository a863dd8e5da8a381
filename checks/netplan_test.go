package checks

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// hostFile is a testdata file served at a path on the host.
type hostFile struct{ path, testdata string }

func hostFiles(t *testing.T, files []hostFile) []ConfigFile {
	t.Helper()
	var out []ConfigFile
	for _, f := range files {
		out = append(out, ConfigFile{Path: f.path, Data: readTestdata(t, "netplan/"+f.testdata)})
	}
	return out
}

func TestNetplanDecls(t *testing.T) {
	const etc, run, lib = "/etc/netplan/", "/run/netplan/", "/lib/netplan/"
	tests := []struct {
		name    string
		files   []hostFile
		want    []AddrDecl
		invalid []string
	}{
		{"bond asks DHCP, its ports say nothing", []hostFile{{etc + "01-bond.yaml", "bond-dhcp.yaml"}}, []AddrDecl{
			{Name: "enp3s0"},
			{Name: "enp4s0", Source: etc + "01-bond.yaml"},
			{Name: "bond0", Method: AddressingDHCP, Source: etc + "01-bond.yaml"}}, nil},
		{"VLANs on a static port", []hostFile{{etc + "01-vlan.yaml", "vlans-static.yaml"}}, []AddrDecl{
			{Name: "eno1", Method: AddressingStatic, Source: etc + "01-vlan.yaml"},
			{Name: "vlan20", Method: AddressingStatic, Source: etc + "01-vlan.yaml"},
			{Name: "vlan30", Method: AddressingDHCP, Source: etc + "01-vlan.yaml"}}, nil},
		{"match macaddress, set-name names it", []hostFile{{etc + "01-mac.yaml", "mac-set-name.yaml"}}, []AddrDecl{
			{Name: "ens3", Method: AddressingStatic, Source: etc + "01-mac.yaml"}}, nil},
		{"match name glob", []hostFile{{etc + "01-glob.yaml", "glob-dhcp.yaml"}}, []AddrDecl{
			{Name: "en*", Method: AddressingDHCP, Source: etc + "01-glob.yaml"}}, nil},
		{"IPv4 and IPv6 addresses, the form with options too", []hostFile{{etc + "01-multi.yaml", "multi-addr.yaml"}}, []AddrDecl{
			{Name: "ens18", Method: AddressingStatic, Source: etc + "01-multi.yaml"},
			{Name: "ens19", Method: AddressingStatic, Source: etc + "01-multi.yaml"}}, nil},
		{"cloud-init", []hostFile{{etc + "50-cloud-init.yaml", "50-cloud-init.yaml"}}, []AddrDecl{
			{Name: "ens5", Method: AddressingDHCP, Source: etc + "50-cloud-init.yaml"},
			{Name: "ens6", Method: AddressingDHCP, Source: etc + "50-cloud-init.yaml"}}, nil},
		{"the earlier file alone", []hostFile{{etc + "01-netcfg.yaml", "01-netcfg.yaml"}}, []AddrDecl{
			{Name: "ens3", Method: AddressingDHCP, Source: etc + "01-netcfg.yaml"}}, nil},
		// Given in the wrong order on purpose: netplan sorts by name.
		{"a later file turns dhcp4 off", []hostFile{{etc + "90-no-dhcp.yaml", "90-no-dhcp.yaml"}, {etc + "01-netcfg.yaml", "01-netcfg.yaml"}}, []AddrDecl{
			{Name: "ens3", Method: AddressingStatic, Source: etc + "90-no-dhcp.yaml"}}, nil},
		// ens6 is only in the /etc copy, which /run shadows whole.
		{"/run shadows /etc", []hostFile{{run + "50-cloud-init.yaml", "50-cloud-init-run.yaml"}, {etc + "50-cloud-init.yaml", "50-cloud-init.yaml"}}, []AddrDecl{
			{Name: "ens5", Method: AddressingStatic, Source: run + "50-cloud-init.yaml"}}, nil},
		{"/etc shadows /lib", []hostFile{{lib + "10-default.yaml", "10-lib-default.yaml"}, {etc + "10-default.yaml", "10-etc-default.yaml"}}, []AddrDecl{
			{Name: "ens8", Method: AddressingStatic, Source: etc + "10-default.yaml"}}, nil},
		{"/lib still counts in name order", []hostFile{{lib + "10-default.yaml", "10-lib-default.yaml"}, {etc + "01-glob.yaml", "glob-dhcp.yaml"}}, []AddrDecl{
			{Name: "en*", Method: AddressingDHCP, Source: etc + "01-glob.yaml"},
			{Name: "ens7", Method: AddressingDHCP, Source: lib + "10-default.yaml"}}, nil},
		{"an invalid file is left out and named", []hostFile{{etc + "01-netcfg.yaml", "01-netcfg.yaml"}, {etc + "60-broken.yaml", "broken.yaml"}}, []AddrDecl{
			{Name: "ens3", Method: AddressingDHCP, Source: etc + "01-netcfg.yaml"}}, []string{etc + "60-broken.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, invalid := netplanDecls(hostFiles(t, tt.files))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			var paths []string
			for _, f := range invalid {
				paths = append(paths, f.Path)
				if f.Reason == "" {
					t.Errorf("%s: no reason", f.Path)
				}
			}
			if !reflect.DeepEqual(paths, tt.invalid) {
				t.Errorf("invalid %v, want %v", paths, tt.invalid)
			}
		})
	}
}

// netplan reads YAML 1.1 booleans in any case and quoted: yaml.v3 alone
// would take only true and false.
func TestNetplanBooleans(t *testing.T) {
	for v, want := range map[string]string{
		"true": AddressingDHCP, "True": AddressingDHCP, "yes": AddressingDHCP, "'yes'": AddressingDHCP,
		"On": AddressingDHCP, "y": AddressingDHCP, "Y": AddressingDHCP,
		"false": AddressingStatic, "no": AddressingStatic, "OFF": AddressingStatic, "n": AddressingStatic,
		"maybe": AddressingStatic, "1": AddressingStatic, "[true]": AddressingStatic,
	} {
		in := "network:\n  ethernets:\n    e1:\n      addresses: [192.0.2.1/24]\n      dhcp4: " + v + "\n"
		d := ParseNetplan([]ConfigFile{{Path: "/etc/netplan/a.yaml", Data: in}})
		if len(d) != 1 || d[0].Method != want {
			t.Errorf("dhcp4: %s: got %+v, want %s", v, d, want)
		}
	}
}

func TestNetplanHostileInput(t *testing.T) {
	// Each alias level multiplies the entries by 50: walked naively,
	// network.ethernets would hold 50 definitions of 50 keys of 50 keys.
	var b strings.Builder
	for i, name := range []string{"c", "b", "a"} {
		b.WriteString(name + ": &" + name + " {")
		for j := 0; j < 50; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			if i == 0 {
				fmt.Fprintf(&b, "k%d: 1", j)
			} else {
				fmt.Fprintf(&b, "k%d: *%s", j, []string{"c", "b"}[i-1])
			}
		}
		b.WriteString("}\n")
	}
	b.WriteString("network:\n  ethernets: *a\n")
	files := []ConfigFile{
		{Path: "/etc/netplan/01-ok.yaml", Data: "network:\n  ethernets:\n    eth0: {dhcp4: true}\n"},
		{Path: "/etc/netplan/02-bomb.yaml", Data: b.String()},
		{Path: "/etc/netplan/03-scalar.yaml", Data: "just a string\n"},
		{Path: "/etc/netplan/04-empty.yaml", Data: ""},
		// An alias inside its own anchor: yaml.v3 takes it, the walk must end.
		{Path: "/etc/netplan/05-loop.yaml", Data: "network: &n {ethernets: {lo0: *n}}\n"},
	}
	d, invalid := netplanDecls(files)
	if len(d) != 2 || d[0].Name != "eth0" || d[0].Method != AddressingDHCP || d[1].Name != "lo0" || d[1].Method != "" {
		t.Errorf("got %+v", d)
	}
	if len(invalid) != 2 || invalid[0].Path != "/etc/netplan/02-bomb.yaml" || invalid[1].Path != "/etc/netplan/03-scalar.yaml" {
		t.Errorf("invalid: %+v", invalid)
	}
}

func TestAddressingNotesInvalidNetplan(t *testing.T) {
	cfg := addressingConfig{netplan: hostFiles(t, []hostFile{
		{"/etc/netplan/01-netcfg.yaml", "01-netcfg.yaml"}, {"/etc/netplan/60-broken.yaml", "broken.yaml"}})}
	f := &Facts{Interfaces: []Interface{{Name: "ens3"}}}
	cfg.apply(f)
	if it := f.Interfaces[0]; it.Addressing != AddressingDHCP || it.AddressingSource != "/etc/netplan/01-netcfg.yaml" {
		t.Errorf("ens3: %+v", it)
	}
	if n := f.Notes["addressing"]; !strings.Contains(n, "/etc/netplan/60-broken.yaml") || !strings.Contains(n, "line") {
		t.Errorf("note: %q", n)
	}
}
