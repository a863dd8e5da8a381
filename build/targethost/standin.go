package targethost

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/internal/srcdir"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// Version of every stand-in package.
const Version = "7.4.2-0.standin"

// apiBin is where the stand-in admin API server is installed.
const apiBin = "/usr/lib/xroad-standin/standinapi"

// APICert is the admin API's certificate, made on install from the
// debconf subjects as X-Road does; xroad.DefaultAdminAPI pins it.
const APICert = "/etc/xroad/ssl/proxy-ui-api.crt"

// StandinOptions vary the stand-ins.
type StandinOptions struct {
	// NIISProxy gives xroad-proxy NIIS's proxy-1.0.jar, without Tunduk's
	// certificate profile class (xroadtest.KyrgyzProfileClass).
	NIISProxy bool
}

type standin struct {
	name, arch, depends, predepends string
	templates                       []template
	config, preinst, postinst       string // shell bodies; postinst runs on configure
	usesDebconf                     bool   // postinst talks to debconf without templates of its own
	files                           map[string]file
	links                           map[string]string // path -> target
	units                           []unit
}

// template is one debconf question of a package's templates file.
type template struct{ name, typ, def string }

// file is a file in a package: a local file's content, or data.
type file struct {
	local string
	data  string
	mode  os.FileMode // 0644 when 0
}

// unit is a systemd service a package ships and starts.
type unit struct {
	name, exec string
	oneshot    bool
}

// StandinDebs builds the stand-in X-Road packages into a temp dir and
// returns it (StandinDebsWith, default options).
func StandinDebs(t testing.TB) string { return StandinDebsWith(t, StandinOptions{}) }

// StandinDebsWith builds the stand-ins of the packages xroad-securityserver
// and xroad-addon-hwtokens bring (standin_packages.go: the names, the
// dependencies, the debconf questions, the users, paths and modes of X-Road
// 7.4.2's packages) and Aktiv's Rutoken library package. They record the
// debconf answers in DebconfRecord and the firewall at install time in
// UfwAtInstall, and run placeholder services; xroad-proxy-ui-api serves
// HTTPS on 4000.
func StandinDebsWith(t testing.TB, o StandinOptions) string {
	t.Helper()
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("targethost: dpkg-deb missing (apt-get install dpkg)")
	}
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	in := p.Install
	arch := runtime.GOARCH // Debian's names for amd64 and arm64 are Go's
	dir, work := t.TempDir(), t.TempDir()
	api := filepath.Join(work, "standinapi")
	buildAPI(t, api)
	jar, err := xroadtest.ProxyJar(!o.NIISProxy, 200)
	if err != nil {
		t.Fatal(err)
	}
	jarPath := filepath.Join(work, "proxy-1.0.jar")
	lib := filepath.Join(work, "lib.so")
	for path, b := range map[string][]byte{jarPath: jar, lib: []byte("stand-in for Aktiv's Rutoken PKCS#11 library\n")} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pkgs := append(xroadPackages(arch, api, jarPath),
		standin{name: in.RutokenPackage, arch: arch, files: map[string]file{in.RutokenLibrary: {local: lib, mode: 0o755}}})
	for _, s := range pkgs {
		s.build(t, filepath.Join(work, s.name), dir)
	}
	return dir
}

// buildAPI compiles testdata/standinapi statically, so it runs in the
// container whatever libc it has.
func buildAPI(t testing.TB, out string) {
	t.Helper()
	src, err := srcdir.Path("build/targethost/testdata/standinapi")
	if err != nil {
		t.Fatal(err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goBin, "build", "-trimpath", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("targethost: building the stand-in API: %v\n%s", err, b)
	}
}

func (s standin) build(t testing.TB, root, outDir string) {
	t.Helper()
	write := func(p, content string, mode os.FileMode) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	ctl := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: tunduk-onboard tests <tests@example.invalid>\n",
		s.name, Version, s.arch)
	if s.predepends != "" {
		ctl += "Pre-Depends: " + s.predepends + "\n"
	}
	if s.depends != "" {
		ctl += "Depends: " + s.depends + "\n"
	}
	ctl += "Section: misc\nPriority: optional\nDescription: stand-in for X-Road's " + s.name + " (tests only)\n" +
		" Asks the real package's debconf questions, makes its users, groups, paths\n and certificates, and runs placeholder services; it does nothing X-Road does.\n"
	write("DEBIAN/control", ctl, 0o644)
	if len(s.templates) > 0 {
		var tpl []string
		for _, q := range s.templates {
			e := fmt.Sprintf("Template: %s\nType: %s\n", q.name, q.typ)
			if q.def != "" {
				e += "Default: " + q.def + "\n"
			}
			tpl = append(tpl, e+"Description: "+q.name+" (stand-in)\n")
		}
		write("DEBIAN/templates", strings.Join(tpl, "\n"), 0o644)
	}
	debconf := len(s.templates) > 0 || s.usesDebconf
	if s.config != "" {
		write("DEBIAN/config", "#!/bin/sh\nset -e\n. /usr/share/debconf/confmodule\n"+s.config+"\n", 0o755)
	}
	if s.preinst != "" {
		write("DEBIAN/preinst", script(debconf, "", s.preinst), 0o755)
	}
	write("DEBIAN/postinst", script(debconf, "configure", s.postinst+startUnits(s.units)), 0o755)
	if len(s.units) > 0 {
		write("DEBIAN/prerm", prerm(s.units), 0o755)
	}
	for _, u := range s.units {
		write("lib/systemd/system/"+u.name+".service", u.file(), 0o644)
	}
	for dst, f := range s.files {
		data := []byte(f.data)
		if f.local != "" {
			var err error
			if data, err = os.ReadFile(f.local); err != nil {
				t.Fatal(err)
			}
		}
		mode := f.mode
		if mode == 0 {
			mode = 0o644
		}
		write(strings.TrimPrefix(dst, "/"), string(data), mode)
	}
	for dst, target := range s.links {
		full := filepath.Join(root, dst)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(outDir, fmt.Sprintf("%s_%s_%s.deb", s.name, Version, s.arch))
	if b, err := exec.Command("dpkg-deb", "--root-owner-group", "-Zgzip", "--build", root, out).CombinedOutput(); err != nil {
		t.Fatalf("targethost: dpkg-deb %s: %v\n%s", s.name, err, b)
	}
}

// script is a maintainer script: body, run only for the argument when one
// is given; with debconf, the confmodule first and db_stop after (stdout
// belongs to debconf until then: systemctl's messages would corrupt the
// protocol, so units start after it).
func script(debconf bool, only, body string) string {
	var b strings.Builder
	b.WriteString("#!/bin/sh\nset -e\n")
	if debconf {
		b.WriteString(". /usr/share/debconf/confmodule\n")
	}
	if only != "" {
		fmt.Fprintf(&b, "if [ \"$1\" != %s ]; then\n  exit 0\nfi\n", only)
	}
	if debconf {
		body = strings.Replace(body, "\n# units\n", "\ndb_stop\n# units\n", 1)
		if !strings.Contains(body, "db_stop") {
			body += "\ndb_stop"
		}
	}
	b.WriteString(body + "\n")
	return b.String()
}

// startUnits enables and starts units (after db_stop, see script).
func startUnits(units []unit) string {
	if len(units) == 0 {
		return ""
	}
	var names []string
	for _, u := range units {
		names = append(names, u.name)
	}
	return fmt.Sprintf(`
# units
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now %[1]s
else
  systemctl enable %[1]s
fi`, strings.Join(names, " "))
}

// file is the unit's service file, as generic/<unit>.service has it
// (User and Group xroad, after and requiring xroad-base.service), the
// program a stand-in.
func (u unit) file() string {
	if u.oneshot {
		return fmt.Sprintf("[Unit]\nDescription=X-Road stand-in %s\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=%s\n\n[Install]\nWantedBy=multi-user.target\n", u.name, u.exec)
	}
	return fmt.Sprintf(`[Unit]
Description=X-Road stand-in %s
After=network.target xroad-base.service
Requires=xroad-base.service

[Service]
User=xroad
Group=xroad
ExecStart=%s
Restart=on-failure

[Install]
WantedBy=multi-user.target
`, u.name, u.exec)
}

func prerm(units []unit) string {
	var names []string
	for _, u := range units {
		names = append(names, u.name)
	}
	return fmt.Sprintf(`#!/bin/sh
set -e
if [ "$1" = remove ]; then
  if [ -d /run/systemd/system ]; then
    systemctl stop %[1]s || true
  fi
  systemctl disable %[1]s || true
fi
`, strings.Join(names, " "))
}
