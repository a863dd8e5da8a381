package checks

import (
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

func ptr[T any](v T) *T { return &v }

// goodFacts is a server that meets every requirement of the profile.
func goodFacts() *Facts {
	return &Facts{
		Hostname: "ss1",
		OS:       OSRelease{ID: "ubuntu", VersionID: "22.04", PrettyName: "Ubuntu 22.04.4 LTS"},
		Arch:     "x86_64",
		CPU:      CPU{Model: "Intel Xeon", Cores: 4, AES: ptr(true)},
		Memory:   Memory{TotalBytes: 8 << 30},
		Disks:    []Disk{{Mount: "/", TotalBytes: 200e9, FreeBytes: 150e9}},
		Interfaces: []Interface{{Name: "ens3", Addresses: []string{"185.10.20.30/24", "fe80::1/64"},
			SpeedMbps: ptr(1000), Addressing: AddressingStatic, AddressingSource: "/etc/netplan/50-cloud-init.yaml", DefaultRoute: true}},
		TimeSynced: ptr(true),
		Locales:    []string{"C.UTF-8", "en_US.UTF-8"},
		Listening:  []Listener{{Port: 22, Proto: "tcp", Address: "0.0.0.0", Process: "sshd"}},
		PCSCD:      ptr(false),
		Sudo:       &Sudo{User: "admin", InSudoGroup: true},
	}
}

func statusOf(t *testing.T, rs []Result, id string) Result {
	t.Helper()
	for _, r := range rs {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no result %q", id)
	return Result{}
}

func TestGoodServerPassesEverything(t *testing.T) {
	p, _ := profile.Default()
	rs := Evaluate(goodFacts(), p, Options{}, false)
	for _, r := range rs {
		if r.Status != Pass && r.Status != Info {
			t.Errorf("%s: %s (%s)", r.ID, r.Status, r.Observed)
		}
		for _, lang := range i18n.Languages {
			if r.Title.In(lang) == "" || r.Why.In(lang) == "" || strings.Contains(r.Title.In(lang), "rule.") {
				t.Errorf("%s: title/why missing in %s", r.ID, lang)
			}
		}
	}
	if len(rs) < 18 {
		t.Errorf("only %d results", len(rs))
	}
}

func TestRules(t *testing.T) {
	p, _ := profile.Default()
	cases := []struct {
		name   string
		mutate func(f *Facts)
		opt    Options
		id     string
		want   Status
	}{
		{"20.04 passes", func(f *Facts) { f.OS.VersionID = "20.04" }, Options{}, "os.release", Pass},
		{"18.04 warns", func(f *Facts) { f.OS.VersionID = "18.04" }, Options{}, "os.release", Warn},
		{"24.04 fails for 7.4.2", func(f *Facts) { f.OS.VersionID = "24.04" }, Options{}, "os.release", Fail},
		{"debian fails", func(f *Facts) { f.OS = OSRelease{ID: "debian", VersionID: "12"} }, Options{}, "os.release", Fail},
		{"no os-release", func(f *Facts) { f.OS = OSRelease{} }, Options{}, "os.release", Unknown},
		{"arm fails", func(f *Facts) { f.Arch = "aarch64" }, Options{}, "os.arch", Fail},
		{"one core fails", func(f *Facts) { f.CPU.Cores = 1 }, Options{}, "cpu.cores", Fail},
		{"no aes warns", func(f *Facts) { f.CPU.AES = ptr(false) }, Options{}, "cpu.aes", Warn},
		{"aes unknown", func(f *Facts) { f.CPU.AES = nil }, Options{}, "cpu.aes", Unknown},
		{"2 GiB fails", func(f *Facts) { f.Memory.TotalBytes = 2 << 30 }, Options{}, "memory.total", Fail},
		{"a 4 GiB VM warns, not fails", func(f *Facts) { f.Memory.TotalBytes = 4011000 * 1024 }, Options{}, "memory.total", Warn},
		{"a 8 GiB VM passes", func(f *Facts) { f.Memory.TotalBytes = 8020000 * 1024 }, Options{}, "memory.total", Pass},
		{"40 GB free fails", func(f *Facts) { f.Disks[0].FreeBytes = 40e9 }, Options{}, "disk.free", Fail},
		{"60 GB free warns", func(f *Facts) { f.Disks[0].FreeBytes = 60e9 }, Options{}, "disk.free", Warn},
		{"/var/lib on its own disk decides", func(f *Facts) {
			f.Disks = append(f.Disks, Disk{Mount: "/var/lib", TotalBytes: 30e9, FreeBytes: 20e9})
		}, Options{}, "disk.free", Fail},
		{"/var/library is not /var/lib", func(f *Facts) {
			f.Disks = append(f.Disks, Disk{Mount: "/var/library", TotalBytes: 30e9, FreeBytes: 20e9})
		}, Options{}, "disk.free", Pass},
		{"10 Mbps fails", func(f *Facts) { f.Interfaces[0].SpeedMbps = ptr(10) }, Options{}, "net.speed", Fail},
		{"virtio speed unknown", func(f *Facts) { f.Interfaces[0].SpeedMbps = nil }, Options{}, "net.speed", Unknown},
		{"no default route", func(f *Facts) { f.Interfaces[0].DefaultRoute = false }, Options{}, "net.speed", Unknown},
		{"dhcp fails", func(f *Facts) { f.Interfaces[0].Addressing = AddressingDHCP }, Options{}, "net.static", Fail},
		{"addressing unknown", func(f *Facts) { f.Interfaces[0].Addressing = AddressingUnknown }, Options{}, "net.static", Unknown},
		{"private fails", func(f *Facts) { f.Interfaces[0].Addresses = []string{"192.168.1.10/24"} }, Options{}, "net.public_ip", Fail},
		{"cgnat fails", func(f *Facts) { f.Interfaces[0].Addresses = []string{"100.72.1.10/10"} }, Options{}, "net.public_ip", Fail},
		{"link-local fails", func(f *Facts) { f.Interfaces[0].Addresses = []string{"169.254.3.3/16"} }, Options{}, "net.public_ip", Fail},
		{"documentation range fails", func(f *Facts) { f.Interfaces[0].Addresses = []string{"203.0.113.5/24"} }, Options{}, "net.public_ip", Fail},
		{"private behind given NAT warns", func(f *Facts) { f.Interfaces[0].Addresses = []string{"10.0.0.5/24"} }, Options{PublicIP: "185.10.20.30"}, "net.public_ip", Warn},
		{"a private --public-ip fails", func(f *Facts) { f.Interfaces[0].Addresses = []string{"10.0.0.5/24"} }, Options{PublicIP: "10.9.9.9"}, "net.public_ip", Fail},
		{"clock unsynced fails", func(f *Facts) { f.TimeSynced = ptr(false) }, Options{}, "time.sync", Fail},
		{"clock unknown", func(f *Facts) { f.TimeSynced = nil }, Options{}, "time.sync", Unknown},
		{"locale missing warns", func(f *Facts) { f.Locales = []string{"C.UTF-8"} }, Options{}, "locale", Warn},
		{"nginx on 8443 fails", func(f *Facts) {
			f.Listening = append(f.Listening, Listener{Port: 8443, Proto: "tcp", Address: "0.0.0.0", Process: "nginx"})
		}, Options{}, "port.8443", Fail},
		{"postgres on 5432 passes", func(f *Facts) {
			f.Listening = append(f.Listening, Listener{Port: 5432, Proto: "tcp", Address: "127.0.0.1", Process: "postgres"})
		}, Options{}, "port.5432", Pass},
		{"hidden owner of 4000 unknown", func(f *Facts) {
			f.Listening = append(f.Listening, Listener{Port: 4000, Proto: "tcp", Address: "0.0.0.0"})
		}, Options{}, "port.4000", Unknown},
		{"udp 5500 is not tcp 5500", func(f *Facts) {
			f.Listening = append(f.Listening, Listener{Port: 5500, Proto: "udp", Address: "0.0.0.0", Process: "x"})
		}, Options{}, "port.5500", Pass},
		{"no sudo fails", func(f *Facts) { f.Sudo = &Sudo{User: "bob"} }, Options{}, "ssh.sudo", Fail},
		{"root passes", func(f *Facts) { f.Sudo = &Sudo{User: "root", IsRoot: true} }, Options{}, "ssh.sudo", Pass},
		{"rutoken is info", func(f *Facts) { f.USBTokens = []USBDevice{{ID: "0a89:0030", Product: "Rutoken ECP"}} }, Options{}, "token.usb", Info},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := goodFacts()
			c.mutate(f)
			r := statusOf(t, Evaluate(f, p, c.opt, false), c.id)
			if r.Status != c.want {
				t.Errorf("%s: got %s (%s), want %s", c.id, r.Status, r.Observed, c.want)
			}
			if r.Status != Pass && r.Status != Info && (r.Fix.EN == "" || r.Fix.RU == "" || r.Fix.KY == "") {
				t.Errorf("%s is %s but has no fix in every language: %+v", c.id, r.Status, r.Fix)
			}
			// A placeholder its data lacks renders as "<no value>".
			for _, txt := range []string{r.Title.EN, r.Title.RU, r.Title.KY, r.Observed.EN, r.Required.RU, r.Why.KY, r.Fix.EN, r.Fix.RU} {
				if strings.Contains(txt, "<no value>") {
					t.Errorf("%s: a placeholder without data: %q", c.id, txt)
				}
			}
		})
	}
}

func TestLocalCheckHasNoSudoRule(t *testing.T) {
	p, _ := profile.Default()
	for _, r := range Evaluate(goodFacts(), p, Options{}, true) {
		if r.ID == "ssh.sudo" {
			t.Fatal("a local check judged SSH sudo")
		}
	}
}

func TestTokenFound(t *testing.T) {
	p, _ := profile.Default()
	f := goodFacts()
	f.USBTokens = []USBDevice{{ID: "0a89:0030", Product: "Rutoken ECP"}, {ID: "1d6b:0002"}}
	r := statusOf(t, Evaluate(f, p, Options{}, true), "token.usb")
	if !strings.Contains(r.Observed.EN, "0a89:0030") || strings.Contains(r.Observed.RU, "1d6b") {
		t.Errorf("observed %q", r.Observed)
	}
}

func TestObservedIsSanitized(t *testing.T) {
	p, _ := profile.Default()
	f := goodFacts()
	f.OS.PrettyName = "Ubuntu\x1b[2J\x1b]0;pwned\x07 22.04"
	r := statusOf(t, Evaluate(f, p, Options{}, true), "os.release")
	if strings.ContainsAny(r.Observed.EN+r.Observed.KY, "\x1b\x07") {
		t.Errorf("control characters reached the result: %q", r.Observed)
	}
}
