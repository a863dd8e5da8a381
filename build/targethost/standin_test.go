package targethost_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// The stand-ins are X-Road 7.4.2's packages by name, dependency and
// debconf question: every answer the installer preseeds is a question of
// the package it names as the owner (messagelog's has no template at
// 7.4.2 and is read in its postinst); every profile unit is shipped once;
// xroad-proxy's jar carries Tunduk's class unless NIIS's is asked for; the
// stand-in profile pins every stand-in.
func TestStandinDebsContents(t *testing.T) {
	dir := targethost.StandinDebs(t)
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	deb := func(dir, pkg string) string {
		debs, _ := filepath.Glob(filepath.Join(dir, pkg+"_"+targethost.Version+"_*.deb"))
		if len(debs) != 1 {
			t.Fatalf("%s: want one .deb in %s, got %v", pkg, dir, debs)
		}
		return debs[0]
	}
	field := func(pkg, f string) string {
		out, err := exec.Command("dpkg-deb", "-f", deb(dir, pkg), f).Output()
		if err != nil {
			t.Fatalf("dpkg-deb -f %s %s: %v", pkg, f, err)
		}
		return strings.TrimSpace(string(out))
	}
	member := func(pkg, name string) string {
		out, _ := exec.Command("dpkg-deb", "-I", deb(dir, pkg), name).Output()
		return string(out)
	}
	names := append([]string{"xroad-base", "xroad-confclient", "xroad-signer", "xroad-database-local", "xroad-proxy",
		"xroad-monitor", "xroad-proxy-ui-api", "xroad-addon-messagelog", "xroad-addon-metaservices", "xroad-addon-proxymonitor",
		"xroad-addon-wsdlvalidator"}, p.Install.Package, p.Install.HWTokensPackage, p.Install.RutokenPackage)
	for _, pkg := range names {
		if v := field(pkg, "Version"); v != targethost.Version {
			t.Errorf("%s: version %q", pkg, v)
		}
	}
	if d := field("xroad-database-local", "Depends"); !strings.Contains(d, "postgresql, postgresql-contrib") {
		t.Errorf("xroad-database-local Depends: %q", d)
	}
	if d := field("xroad-proxy", "Pre-Depends"); !strings.Contains(d, "xroad-database-local (= ") || !strings.Contains(d, "xroad-base (= ") {
		t.Errorf("xroad-proxy Pre-Depends: %q", d)
	}
	if d := field(p.Install.Package, "Depends"); !strings.Contains(d, "xroad-proxy-ui-api (= ") || !strings.Contains(d, "xroad-addon-messagelog (= ") {
		t.Errorf("%s Depends: %q", p.Install.Package, d)
	}
	if m := member("xroad-addon-messagelog", "templates"); m != "" {
		t.Errorf("xroad-addon-messagelog has templates (X-Road 7.4.2's has none):\n%s", m)
	}
	if !strings.Contains(member("xroad-base", "preinst"), `echo "LC_ALL=en_US.UTF-8" >> /etc/environment`) {
		t.Error("xroad-base's preinst does not set LC_ALL as X-Road's does")
	}

	// What the installer preseeds, each in its owner's templates.
	prof, err := profile.Load(targethost.StandinProfile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	steps, err := installer.Plan(prof, nil, installer.Options{AdminUser: "ssadmin", DryRun: true, Force: true,
		PackagesDir: dir, Hostname: "ss1.example.kg", Address: "10.0.0.5"})
	if err != nil {
		t.Fatal(err)
	}
	var preseeds int
	for _, s := range steps {
		if s.ID != "debconf" {
			continue
		}
		for _, line := range strings.Split(s.Apply, "\n") {
			f := strings.Fields(strings.Trim(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), "\\")), "'"))
			if len(f) < 3 || !strings.Contains(f[1], "/") {
				continue
			}
			preseeds++
			owner, question := f[0], f[1]
			if owner == "xroad-addon-messagelog" {
				if !strings.Contains(member(owner, "postinst"), "db_get "+question+" || RET=true") {
					t.Errorf("%s does not read %s", owner, question)
				}
				continue
			}
			if !strings.Contains(member(owner, "templates"), "Template: "+question+"\nType: "+f[2]+"\n") {
				t.Errorf("%s is preseeded for %s, whose templates lack it", question, owner)
			}
		}
	}
	if preseeds != 7 {
		t.Fatalf("%d preseeded answers found", preseeds)
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

	// The jar, with and without Tunduk's class, read as the installer and
	// the configure flow read it.
	niis := targethost.StandinDebsWith(t, targethost.StandinOptions{NIISProxy: true})
	for d, want := range map[string]bool{dir: true, niis: false} {
		x := t.TempDir()
		if out, err := exec.Command("dpkg-deb", "-x", deb(d, "xroad-proxy"), x).CombinedOutput(); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		if l, err := os.Readlink(filepath.Join(x, "usr/share/xroad/jlib/proxy.jar")); err != nil || l != "proxy-1.0.jar" {
			t.Errorf("proxy.jar link: %q %v", l, err)
		}
		got, err := xroad.HasClass(context.Background(), &remote.Local{}, filepath.Join(x, strings.TrimPrefix(xroad.ProxyJar, "/")), xroadtest.KyrgyzProfileClass)
		if err != nil || got != want {
			t.Errorf("class in %s's jar: %v %v, want %v", d, got, err, want)
		}
	}

	// The stand-in profile pins every stand-in, with its SHA-256.
	for _, pkg := range names {
		pin, ok := prof.Install.Pin(pkg)
		if !ok || pin.Version != targethost.Version || len(pin.SHA256) != 64 || pin.File() != filepath.Base(deb(dir, pkg)) {
			t.Errorf("%s: pin %+v", pkg, pin)
		}
	}
	if prof.Locale != targethost.StandinLocale {
		t.Errorf("locale %s", prof.Locale)
	}
}
