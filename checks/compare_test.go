package checks

import (
	"strings"
	"testing"
)

func TestCompareFacts(t *testing.T) {
	base := func() *Facts {
		return &Facts{
			Hostname:   "h",
			CPU:        CPU{Model: "m", Cores: 2, AES: bp(true)},
			Disks:      []Disk{{Mount: "/", TotalBytes: 100 << 30, FreeBytes: 50 << 30}},
			Interfaces: []Interface{{Name: "eth0", Addresses: []string{"192.0.2.1/24", "fe80::1/64"}, Addressing: AddressingStatic}},
			Notes:      map[string]string{"time_synced": "a"},
		}
	}
	tests := []struct {
		name   string
		change func(b *Facts)
		want   []string // substrings of the differences, none when empty
	}{
		{"same", func(b *Facts) {}, nil},
		{"free drift within 64 MiB", func(b *Facts) { b.Disks[0].FreeBytes -= 60 << 20 }, nil},
		{"free drift beyond 64 MiB", func(b *Facts) { b.Disks[0].FreeBytes += 65 << 20 }, []string{"disks[/].free_bytes"}},
		{"total differs", func(b *Facts) { b.Disks[0].TotalBytes++ }, []string{"disks[/].total_bytes"}},
		{"address order", func(b *Facts) { b.Interfaces[0].Addresses = []string{"fe80::1/64", "192.0.2.1/24"} }, nil},
		{"address differs", func(b *Facts) { b.Interfaces[0].Addresses = []string{"192.0.2.1/24"} }, []string{"interfaces[eth0].addresses"}},
		{"extra interface", func(b *Facts) { b.Interfaces = append(b.Interfaces, Interface{Name: "eth1"}) }, []string{"eth1 only in the second"}},
		{"aes unknown", func(b *Facts) { b.CPU.AES = nil }, []string{"cpu.aes"}},
		{"sudo on one side only", func(b *Facts) { b.Sudo = &Sudo{User: "x"}; b.Notes["sudo"] = "n" }, nil},
		{"note wording", func(b *Facts) { b.Notes["time_synced"] = "other words" }, nil},
		{"note missing", func(b *Facts) { b.Notes = nil }, []string{"notes[time_synced]"}},
		{"hostname and listeners", func(b *Facts) {
			b.Hostname = "x"
			b.Listening = []Listener{{Port: 22, Proto: "tcp", Address: "::"}}
		}, []string{"hostname", "listening"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := base()
			tt.change(b)
			d := CompareFacts(base(), b)
			if len(d) != len(tt.want) {
				t.Fatalf("got %q, want %d differences", d, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(d[i], w) {
					t.Errorf("difference %q does not mention %q", d[i], w)
				}
			}
		})
	}
	if d := CompareFacts(nil, base()); len(d) != 1 {
		t.Errorf("nil: %q", d)
	}
}
