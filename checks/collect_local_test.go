package checks

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const fixtureHost = "testdata/host-ubuntu2204"

// fixtureEnv is a localEnv on the Ubuntu 22.04 fixture tree, with the
// gopsutil parts replaced by what they would return on that host.
func fixtureEnv(t *testing.T) localEnv {
	t.Helper()
	root, err := filepath.Abs(fixtureHost)
	if err != nil {
		t.Fatal(err)
	}
	locales := readTestdata(t, "locale-a.txt")
	ipaddr := readTestdata(t, "ip-addr.txt")
	ss := readTestdata(t, "ss.txt")
	return localEnv{
		root: root,
		run: func(ctx context.Context, name string, args ...string) ([]byte, error) {
			switch name {
			case "locale":
				return []byte(locales), nil
			case "ip":
				return []byte(ipaddr), nil
			case "timedatectl":
				return nil, errors.New("exit status 1")
			}
			t.Errorf("unexpected command %s %v", name, args)
			return nil, errors.New("not found")
		},
		hostname: func() (string, error) { return "xroad-ss1", nil },
		arch:     func(context.Context) (string, error) { return "x86_64", nil },
		usage: func(_ context.Context, m string) (uint64, uint64, error) {
			switch m {
			case "/":
				return 105089261568, 90388361216, nil
			case "/var/lib":
				return 536608768000, 509286674432, nil
			}
			return 0, 0, errors.New("no such mount " + m)
		},
		interfaces: func(context.Context) ([]Interface, error) { return ParseIPAddr(ipaddr), nil },
		listeners: func(context.Context) ([]Listener, error) {
			// As gopsutil reports them: unsorted, one entry per process.
			l := ParseSS(ss)
			l = append(l, Listener{Port: 80, Proto: "tcp", Address: "::", Process: "apache2"})
			for i, j := 0, len(l)-1; i < j; i, j = i+1, j-1 {
				l[i], l[j] = l[j], l[i]
			}
			return NormalizeListeners(l), nil
		},
		processes: func(context.Context) ([]string, error) { return []string{"systemd", "sshd", "pcscd"}, nil },
	}
}

func wantFixtureFacts() *Facts {
	return &Facts{
		Hostname: "xroad-ss1",
		OS:       OSRelease{ID: "ubuntu", VersionID: "22.04", PrettyName: "Ubuntu 22.04.4 LTS"},
		Arch:     "x86_64",
		CPU:      CPU{Model: "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz", Cores: 2, AES: bp(true)},
		Memory:   Memory{TotalBytes: 8148392 * 1024},
		Disks: []Disk{
			{Mount: "/", TotalBytes: 105089261568, FreeBytes: 90388361216},
			{Mount: "/var/lib", TotalBytes: 536608768000, FreeBytes: 509286674432},
		},
		Interfaces: []Interface{
			{Name: "ens18", Addresses: []string{"203.0.113.10/24", "fe80::be24:11ff:fe5a:1b2c/64"}, SpeedMbps: ip(1000),
				Addressing: AddressingStatic, DefaultRoute: true, AddressingSource: "/etc/netplan/00-installer-config.yaml"},
			{Name: "ens19", Addresses: []string{"10.0.0.5/8"}, Addressing: AddressingDHCP, AddressingSource: "/etc/network/interfaces"},
			{Name: "tun0", Addresses: []string{"10.8.0.1/32"}, Addressing: AddressingUnknown},
			{Name: "veth1", Addresses: []string{"10.9.0.1/30"}, Addressing: AddressingUnknown},
		},
		TimeSynced: bp(true),
		Locales:    []string{"C", "C.UTF-8", "POSIX", "de_DE@euro", "en_US.UTF-8", "ky_KG.UTF-8", "ru_RU.UTF-8"},
		Listening:  ParseSS(readFileOrEmpty("testdata/ss.txt")),
		USBTokens:  []USBDevice{{ID: "0a89:0030", Product: "Rutoken ECP"}},
		PCSCD:      bp(true),
	}
}

func TestCollectLocalFixture(t *testing.T) {
	got, err := fixtureEnv(t).collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := wantFixtureFacts()
	notes := got.Notes
	got.Notes = nil
	if d := CompareFacts(got, want); len(d) > 0 {
		t.Errorf("differences:\n%s", strings.Join(d, "\n"))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	for _, k := range []string{"addressing", "speed_mbps"} {
		if notes[k] == "" {
			t.Errorf("no note for %s (notes %v)", k, notes)
		}
	}
	if len(notes) != 2 {
		t.Errorf("unexpected notes: %v", notes)
	}
}

func TestCollectLocalEmptyRoot(t *testing.T) {
	// Nothing to read, no commands, no gopsutil: every fact unknown and
	// noted, no panic.
	f, err := localEnv{root: t.TempDir()}.collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"hostname", "arch", "os", "cpu", "memory", "disks", "interfaces", "listening", "locales", "time_synced", "pcscd_running"} {
		if f.Notes[k] == "" {
			t.Errorf("no note for %s", k)
		}
	}
	if f.TimeSynced != nil || f.PCSCD != nil || f.CPU.AES != nil || f.Sudo != nil {
		t.Errorf("unknowns should be nil: %+v", f)
	}
}

func TestMountFor(t *testing.T) {
	mounts := readTestdata(t, "host-ubuntu2204/proc/self/mounts")
	tests := map[string]string{
		"/":                   "/",
		"/var/lib":            "/var/lib",
		"/var/lib/postgresql": "/var/lib",
		"/var/library":        "/",
		"/var/lib backup/x":   "/var/lib backup",
		"/run/x":              "/run",
	}
	for p, want := range tests {
		if got := mountFor(mounts, p); got != want {
			t.Errorf("mountFor(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestCollectLocalRealMachine(t *testing.T) {
	f, err := CollectLocal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f.Hostname == "" || f.Arch == "" || f.CPU.Cores == 0 || f.Memory.TotalBytes == 0 || len(f.Disks) == 0 || f.Disks[0].Mount != "/" {
		t.Errorf("basic facts missing: %+v", f)
	}
	if f.Sudo != nil {
		t.Errorf("Sudo must stay nil locally")
	}
	for _, it := range f.Interfaces {
		if it.Name == "lo" || len(it.Addresses) == 0 {
			t.Errorf("interface %+v should have been left out", it)
		}
	}
}
