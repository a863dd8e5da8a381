package targethost_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// The stand-ins carry the profile's package names, depend on each other
// and on postgresql like the real ones, and ship the exact debconf
// templates the installer preseeds.
func TestStandinDebsContents(t *testing.T) {
	dir := targethost.StandinDebs(t)
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	field := func(pkg, f string) string {
		debs, _ := filepath.Glob(filepath.Join(dir, pkg+"_"+targethost.Version+"_*.deb"))
		if len(debs) != 1 {
			t.Fatalf("%s: want one .deb in %s, got %v", pkg, dir, debs)
		}
		out, err := exec.Command("dpkg-deb", "-f", debs[0], f).Output()
		if err != nil {
			t.Fatalf("dpkg-deb -f %s %s: %v", debs[0], f, err)
		}
		return strings.TrimSpace(string(out))
	}
	for _, pkg := range []string{"xroad-common", "xroad-addon-messagelog", p.Install.Package, p.Install.HWTokensPackage, p.Install.RutokenPackage} {
		if v := field(pkg, "Version"); v != targethost.Version {
			t.Errorf("%s: version %q", pkg, v)
		}
	}
	if d := field(p.Install.Package, "Depends"); !strings.Contains(d, "postgresql") || !strings.Contains(d, "xroad-common (= ") {
		t.Errorf("%s Depends: %q", p.Install.Package, d)
	}
	templates := func(pkg string) string {
		debs, _ := filepath.Glob(filepath.Join(dir, pkg+"_*.deb"))
		out, err := exec.Command("dpkg-deb", "-I", debs[0], "templates").Output()
		if err != nil {
			t.Fatalf("%s templates: %v", pkg, err)
		}
		return string(out)
	}
	common := templates("xroad-common")
	for _, q := range []string{"username", "database-host", "service-subject", "service-altsubject", "proxy-ui-api-subject", "proxy-ui-api-altsubject"} {
		if !strings.Contains(common, "Template: xroad-common/"+q+"\n") {
			t.Errorf("xroad-common lacks template %s:\n%s", q, common)
		}
	}
	if ml := templates("xroad-addon-messagelog"); !strings.Contains(ml, "Template: xroad-addon-messagelog/enable-messagelog\nType: boolean\n") {
		t.Errorf("messagelog template:\n%s", ml)
	}
	// Every profile unit is shipped by exactly one package.
	seen := map[string]int{}
	debs, _ := filepath.Glob(filepath.Join(dir, "*.deb"))
	for _, d := range debs {
		out, err := exec.Command("dpkg-deb", "-c", d).Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Install.Units {
			if strings.Contains(string(out), "/lib/systemd/system/"+u+".service\n") {
				seen[u]++
			}
		}
		if strings.Contains(filepath.Base(d), p.Install.RutokenPackage) && !strings.Contains(string(out), "."+p.Install.RutokenLibrary+"\n") {
			t.Errorf("%s lacks %s", d, p.Install.RutokenLibrary)
		}
	}
	for _, u := range p.Install.Units {
		if seen[u] != 1 {
			t.Errorf("unit %s shipped %d times", u, seen[u])
		}
	}
}
