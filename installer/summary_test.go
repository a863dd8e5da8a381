package installer

import (
	"strconv"
	"strings"
	"testing"
)

// The summary lists every port of the profile, and says of each what the
// firewall step really does: open to everyone, open to one network, or
// closed.
func TestSummaryListsTheProfilePorts(t *testing.T) {
	p := testProfile(t)
	for _, c := range []struct {
		name string
		opt  Options
		want map[int]string // port -> summary key suffix
	}{
		{"networks given", options(), map[int]string{4000: "port_network", 5500: "port_open", 5577: "port_open",
			8080: "port_network", 8443: "port_network", 5432: "port_closed"}},
		{"nothing given", Options{AdminUser: "xrdadmin"}, map[int]string{4000: "port_closed_tunnel", 5500: "port_open", 5577: "port_open",
			8080: "port_closed", 8443: "port_closed", 5432: "port_closed"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			items := Summary(p, c.opt)
			got := map[int]string{}
			for _, it := range items {
				if it.Kind == SummaryPort && it.Key != "installer.summary.port_ssh" {
					got[it.Port] = strings.TrimPrefix(it.Key, "installer.summary.")
				}
			}
			if len(p.Ports) == 0 || len(got) != len(p.Ports) {
				t.Fatalf("%d port items for %d profile ports: %v", len(got), len(p.Ports), got)
			}
			for _, port := range p.Ports {
				if got[port.Port] != c.want[port.Port] {
					t.Errorf("port %d: %q, want %q", port.Port, got[port.Port], c.want[port.Port])
				}
			}
			// What the summary says open is what the firewall step allows.
			b := builder{p: p, opt: c.opt}
			rules := strings.Join(b.firewallRules(), "\n")
			for port, key := range got {
				allowed := strings.Contains(rules, "allow "+strconv.Itoa(port)+"/tcp") || strings.Contains(rules, "port "+strconv.Itoa(port)+" proto")
				if allowed != (key == "port_open" || key == "port_network") {
					t.Errorf("port %d: summary %s, firewall rules:\n%s", port, key, rules)
				}
			}
		})
	}
}

// Every item reads as a sentence in each language: the port, its purpose
// and the network are in it, no placeholder is left.
func TestSummaryTexts(t *testing.T) {
	p := testProfile(t)
	opt := options()
	opt.SSHPort, opt.TokenOnServer = 2222, true
	items := Summary(p, opt)
	kinds := map[string]int{}
	for _, it := range items {
		kinds[it.Kind]++
		for _, lang := range []string{"en", "ru", "ky"} {
			s := it.Text(lang)
			if s == it.Key || strings.Contains(s, "{{") || strings.Contains(s, "<no value>") || strings.Contains(s, "map[") {
				t.Errorf("%s in %s: %q", it.Key, lang, s)
			}
			if it.Kind == SummaryPort && !strings.Contains(s, strconv.Itoa(it.Port)) {
				t.Errorf("%s in %s does not name port %d: %q", it.Key, lang, it.Port, s)
			}
		}
	}
	if kinds[SummaryInstall] < 4 || kinds[SummaryAsk] < 2 || kinds[SummaryPort] != len(p.Ports)+2 {
		t.Errorf("kinds %v", kinds)
	}
	text := func(key, lang string) string {
		for _, it := range items {
			if it.Key == "installer.summary."+key {
				return it.Text(lang)
			}
		}
		return ""
	}
	if s := text("port_network", "ru"); !strings.Contains(s, "10.") || !strings.Contains(s, "только") {
		t.Errorf("network port in ru: %q", s)
	}
	if s := text("port_open", "ky"); !strings.Contains(s, "коопсуздук серверлеринин") {
		t.Errorf("the purpose of an open port is not in Kyrgyz: %q", s)
	}
	if s := text("xroad_repo", "en"); !strings.Contains(s, "deb.tunduk.kg") || !strings.Contains(s, p.XRoad.Version) {
		t.Errorf("what is installed: %q", s)
	}
	if text("hwtokens", "en") == "" {
		t.Error("a token on the server: no hardware token item")
	}
	opt.PackagesDir = "/media/usb/debs"
	if s := Summary(p, opt)[0].Text("en"); !strings.Contains(s, "/media/usb/debs") {
		t.Errorf("packages from a folder: %q", s)
	}
}
