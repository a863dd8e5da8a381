package checks

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

func TestParseIPLeases(t *testing.T) {
	got := ParseIPLeases(readTestdata(t, "ip-addr-leases.txt"))
	want := map[string]Lease{
		"ens3":   {Address: "192.0.2.10/24", ValidLft: 85000},
		"ens6":   {Address: "10.1.0.9/16", ValidLft: 3599},
		"vlan20": {Address: "10.20.0.4/24", ValidLft: 600},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

func TestAddressingKernelLease(t *testing.T) {
	cfg := addressingConfig{
		netplan: []ConfigFile{{Path: "/etc/netplan/01-netcfg.yaml", Data: `network:
  version: 2
  ethernets:
    ens3:
      addresses: [192.0.2.10/24]
    ens4:
      dhcp4: true
    ens5:
      dhcp6: true
      addresses: [203.0.113.5/24, "2001:db8:5::1/64"]
    ens6:
      dhcp4: yes
`}},
		ipAddr: readTestdata(t, "ip-addr-leases.txt"),
	}
	f := &Facts{Interfaces: []Interface{{Name: "ens3"}, {Name: "ens4"}, {Name: "ens5"}, {Name: "ens6"}, {Name: "ens7"}, {Name: "vlan20"}}}
	cfg.apply(f)
	const file = "/etc/netplan/01-netcfg.yaml"
	want := []Interface{
		// The file says static, the kernel holds a lease: the kernel wins.
		{Name: "ens3", Addressing: AddressingDHCP, AddressingSource: AddressingSourceKernel, Lease: &Lease{"192.0.2.10/24", 85000}},
		// A permanent address on an interface the file gives DHCP: the file decides.
		{Name: "ens4", Addressing: AddressingDHCP, AddressingSource: file},
		// Only an IPv6 address is dynamic: the IPv4 decision stays the file's.
		{Name: "ens5", Addressing: AddressingStatic, AddressingSource: file},
		// File and kernel agree: the file stays the source, it is what to edit.
		{Name: "ens6", Addressing: AddressingDHCP, AddressingSource: file},
		// "dynamic" without a lifetime is no lease.
		{Name: "ens7", Addressing: AddressingUnknown},
		// No file at all, a lease: the kernel decides.
		{Name: "vlan20", Addressing: AddressingDHCP, AddressingSource: AddressingSourceKernel, Lease: &Lease{"10.20.0.4/24", 600}},
	}
	if !reflect.DeepEqual(f.Interfaces, want) {
		t.Errorf("got  %+v\nwant %+v", f.Interfaces, want)
	}
	if n := f.Notes["addressing"]; !strings.Contains(n, "ens7") || strings.Contains(n, "vlan20") {
		t.Errorf("note: %q", n)
	}
}

func TestStaticRuleOnKernelLease(t *testing.T) {
	p, _ := profile.Default()
	f := goodFacts()
	f.Interfaces[0].Addressing = AddressingDHCP
	f.Interfaces[0].AddressingSource = AddressingSourceKernel
	f.Interfaces[0].Lease = &Lease{Address: "185.10.20.30/24", ValidLft: 85000}
	r := statusOf(t, Evaluate(f, p, Options{}, false), "net.static")
	if r.Status != Fail {
		t.Errorf("status %s", r.Status)
	}
	for _, lang := range i18n.Languages {
		obs, fix := r.Observed.In(lang), r.Fix.In(lang)
		if !strings.Contains(obs, "185.10.20.30/24") || !strings.Contains(obs, "85000") || strings.Contains(obs, AddressingSourceKernel+")") {
			t.Errorf("%s observed: %q", lang, obs)
		}
		if fix != i18n.T(lang, "rule.net_static.fix_lease", map[string]any{"NIC": "ens3", "Address": "185.10.20.30/24"}) {
			t.Errorf("%s fix: %q", lang, fix)
		}
	}
	if r.Observed.RU == r.Observed.EN || r.Observed.KY == r.Observed.EN {
		t.Errorf("observed not translated: %+v", r.Observed)
	}
}

// A lease on the fixture host's default interface, whose netplan file
// says static: both collectors must see the kernel decide, alike.
func TestKernelLeaseLocalMatchesRemote(t *testing.T) {
	const permanent = `2: ens18    inet 203.0.113.10/24 brd 203.0.113.255 scope global ens18\       valid_lft forever preferred_lft forever`
	const leased = `2: ens18    inet 203.0.113.10/24 brd 203.0.113.255 scope global dynamic ens18\       valid_lft 43200sec preferred_lft 43200sec`
	probe := fixtureProbeOutput(t)
	if !strings.Contains(probe, permanent) {
		t.Fatal("the fixture's ip output changed")
	}
	remote, err := ParseProbe([]byte(strings.Replace(probe, permanent, leased, 1)))
	if err != nil {
		t.Fatal(err)
	}
	env := fixtureEnv(t)
	run := env.run
	env.run = func(ctx context.Context, name string, args ...string) ([]byte, error) {
		out, err := run(ctx, name, args...)
		if name == "ip" {
			out = []byte(strings.Replace(string(out), permanent, leased, 1))
		}
		return out, err
	}
	local, err := env.collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := CompareFacts(local, remote); len(d) > 0 {
		t.Errorf("local and remote disagree:\n%s", strings.Join(d, "\n"))
	}
	want := Lease{Address: "203.0.113.10/24", ValidLft: 43200}
	for _, f := range []*Facts{local, remote} {
		it := f.DefaultInterface()
		if it == nil || it.Addressing != AddressingDHCP || it.AddressingSource != AddressingSourceKernel || it.Lease == nil || *it.Lease != want {
			t.Errorf("default interface: %+v", it)
		}
	}
	// The lease's lifetime counts down between two collections.
	remote.DefaultInterface().Lease.ValidLft--
	if d := CompareFacts(local, remote); len(d) > 0 {
		t.Errorf("a lifetime a second apart counts as a difference: %v", d)
	}
	remote.DefaultInterface().Lease = nil
	if d := CompareFacts(local, remote); len(d) != 1 {
		t.Errorf("a missing lease should differ once: %v", d)
	}
}
