package checks

import (
	"testing"
)

func FuzzParseProbe(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("@@tunduk:end@@\n"))
	f.Add([]byte("@@tunduk:hostname@@\nx\n@@tunduk:hostname@@\ny\n@@tunduk:end@@"))
	f.Add([]byte("@@tunduk:netplan@@\n@@tunduk:file:/etc/netplan/a.yaml@@\nnetwork:\n  ethernets:\n    e: {dhcp4: [}\n@@tunduk:unreadable:/x@@\n@@tunduk:end@@\n"))
	f.Add([]byte("@@tunduk:listen@@\ntool: ss\ntcp LISTEN 0 1 [::]:99999 *:* users:((\"a\n@@tunduk:df@@\nFilesystem 1-blocks\nx 1 2 3 4% \n@@tunduk:end@@\n"))
	f.Add([]byte("@@tunduk:ip-addr@@\n1: e inet 1.2.3.4 peer /\n2: @x inet6 ::/999\n@@tunduk:usb@@\n/idVendor:\n@@tunduk:end@@"))
	f.Add([]byte("@@tunduk:ip-addr@@\n2: e inet 1.2.3.4/8 dynamic e\\ valid_lft 9sec\n3: f inet 1.2.3.5/8 dynamic\\ valid_lft -1sec\n@@tunduk:end@@"))
	f.Add([]byte("@@tunduk:netplan@@\n@@tunduk:file:/run/netplan/a.yaml@@\nx: &x {a: *x}\nnetwork: {ethernets: {e: {addresses: [{1.2.3.4/8: {lifetime: 0}}]}}}\n@@tunduk:end@@\n"))
	f.Add([]byte("@@tunduk:meminfo@@\nMemTotal: 18446744073709551615 GB\n@@tunduk:cpuinfo@@\nflags:\nprocessor: x\n@@tunduk:end@@\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		facts, err := ParseProbe(out)
		if err == nil && facts == nil {
			t.Fatal("nil facts without an error")
		}
		if err == nil {
			_ = CompareFacts(facts, facts)
		}
		// The same bytes as the body of every section, and through every
		// parser directly.
		s := string(out)
		if len(s) < 1<<16 {
			if _, err := ParseProbe([]byte("@@tunduk:netplan@@\n@@tunduk:file:/x.yaml@@\n" + s + "\n@@tunduk:end@@\n")); err != nil {
				t.Fatalf("wrapped output rejected: %v", err)
			}
		}
		ParseOSRelease(s)
		ParseCPUInfo(s)
		ParseMeminfo(s)
		ParseRoute(s)
		ParseIPAddr(s)
		ParseIPLeases(s)
		ParseSpeeds(s)
		ParseSS(s)
		ParseNetstat(s)
		ParseLocales(s)
		ParseDF(s)
		ParseUSB(s)
		ParseTimeSync(s, false, s)
		parseTimeSection(s)
		ParseSudo(s)
		cf := []ConfigFile{{Path: "/x", Data: s}}
		ParseNetplan(cf)
		ParseIfupdown(cf)
		ParseNMKeyfiles(cf)
		splitFiles(s)
	})
}
