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
)

// Version of every stand-in package.
const Version = "7.4.2-0.standin"

// DebconfRecord is where the stand-ins write, in their postinst, every
// debconf answer they got: one "name=value" line per question.
const DebconfRecord = "/var/lib/xroad-standin/debconf.txt"

// Questions each stand-in asks, named exactly as the installer preseeds
// them (installer/steps.go, debconfValues).
var questions = map[string][][2]string{
	"xroad-common": {
		{"xroad-common/username", "string"}, {"xroad-common/database-host", "string"},
		{"xroad-common/service-subject", "string"}, {"xroad-common/service-altsubject", "string"},
		{"xroad-common/proxy-ui-api-subject", "string"}, {"xroad-common/proxy-ui-api-altsubject", "string"},
	},
	"xroad-addon-messagelog": {{"xroad-addon-messagelog/enable-messagelog", "boolean"}},
}

// apiBin is where the stand-in admin API server is installed.
const apiBin = "/usr/lib/xroad-standin/standinapi"

type standin struct {
	name, arch, depends string
	units               []string
	files               map[string]string // path in the package -> local file
	extra               string            // postinst shell run on configure
	withDebconf         string            // postinst shell run on configure, debconf still up
}

// APICert is the admin API's certificate, made on install from the
// debconf subjects as X-Road does; xroad.DefaultAdminAPI pins it.
const APICert = "/etc/xroad/ssl/proxy-ui-api.crt"

// certsFromDebconf makes the internal and admin API TLS certificates from
// the preseeded subjects, once (a reinstall keeps them, as X-Road's do).
// An unanswered subject falls back to the host name so the server still
// starts; the record shows the missing answer.
const certsFromDebconf = `# X-Road 7.4.2 src/packages/src/xroad/ubuntu/generic/xroad-base.postinst:
# /etc/xroad/ssl 0750 xroad:xroad.
install -d -m 0750 -o xroad -g xroad /etc/xroad/ssl
cert() {
  [ -s "/etc/xroad/ssl/$1.crt" ] && return 0
  subj=${2:-/CN=$(hostname)}
  alt=${3:-DNS:$(hostname)}
  if ! out=$(openssl req -x509 -newkey rsa:2048 -nodes -days 7300 -subj "$subj" -addext "subjectAltName=$alt" \
      -keyout "/etc/xroad/ssl/$1.key" -out "/etc/xroad/ssl/$1.crt" 2>&1 </dev/null); then
    echo "$out" >&2
    exit 1
  fi
  # X-Road 7.4.2 src/packages/src/xroad/common/base/usr/share/xroad/scripts/generate_certificate.sh
  # (run by xroad-proxy.preinst and xroad-proxy-ui-api.preinst): the
  # certificate and its key 0660 xroad:xroad.
  chown xroad:xroad "/etc/xroad/ssl/$1.key" "/etc/xroad/ssl/$1.crt"
  chmod 0660 "/etc/xroad/ssl/$1.key" "/etc/xroad/ssl/$1.crt"
}
db_get xroad-common/service-subject; s=$RET
db_get xroad-common/service-altsubject; a=$RET
cert internal "$s" "$a"
db_get xroad-common/proxy-ui-api-subject; s=$RET
db_get xroad-common/proxy-ui-api-altsubject; a=$RET
cert proxy-ui-api "$s" "$a"`

// StandinDebs builds the stand-in X-Road packages into a temp dir and
// returns it: xroad-common, xroad-addon-messagelog, the profile's
// install.package (xroad-securityserver), its hwtokens package and the
// Rutoken library package. They ask the real debconf questions (no
// defaults, so an answer that was not preseeded shows up empty), record
// the answers in DebconfRecord, create the admin groups and run the
// profile's units; xroad-proxy-ui-api serves HTTPS on 127.0.0.1:4000.
func StandinDebs(t testing.TB) string {
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

	owned := map[string][]string{}
	for _, u := range in.Units {
		owned[unitOwner(u, in.Package)] = append(owned[unitOwner(u, in.Package)], u)
	}
	dep := func(pkgs ...string) string {
		for i, p := range pkgs {
			pkgs[i] = p + " (= " + Version + ")"
		}
		return strings.Join(pkgs, ", ")
	}
	lib := filepath.Join(work, "lib.so")
	if err := os.WriteFile(lib, []byte("stand-in for Aktiv's Rutoken PKCS#11 library\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pkgs := []standin{
		{name: "xroad-common", arch: "all", depends: "debconf (>= 0.5) | debconf-2.0, passwd",
			units: owned["xroad-common"],
			// The real packages run their services as xroad.
			extra: `getent passwd xroad >/dev/null || useradd --system --user-group --home-dir /var/lib/xroad --shell /usr/sbin/nologin xroad
install -d -o xroad -g xroad /var/lib/xroad /etc/xroad`},
		{name: "xroad-addon-messagelog", arch: "all", depends: "debconf (>= 0.5) | debconf-2.0, " + dep("xroad-common"),
			units: owned["xroad-addon-messagelog"]},
		{name: in.Package, arch: arch, depends: dep("xroad-common", "xroad-addon-messagelog") + ", postgresql, openssl",
			units: owned[in.Package], files: map[string]string{apiBin: api}, withDebconf: certsFromDebconf,
			extra: "for g in " + strings.Join(in.AdminGroups, " ") + `; do
  getent group "$g" >/dev/null || groupadd --system "$g"
done`},
		{name: in.HWTokensPackage, arch: "all", depends: dep("xroad-common")},
		{name: in.RutokenPackage, arch: arch, files: map[string]string{in.RutokenLibrary: lib}},
	}
	for _, s := range pkgs {
		s.build(t, filepath.Join(work, s.name), dir)
	}
	return dir
}

// unitOwner says which stand-in ships a unit, roughly as X-Road splits
// them: signer and confclient with the common part, the message log with
// its addon, the rest (proxy, admin API, monitor) with the server.
func unitOwner(unit, server string) string {
	switch unit {
	case "xroad-signer", "xroad-confclient":
		return "xroad-common"
	case "xroad-addon-messagelog":
		return "xroad-addon-messagelog"
	}
	return server
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
	if s.depends != "" {
		ctl += "Depends: " + s.depends + "\n"
	}
	ctl += "Section: misc\nPriority: optional\nDescription: stand-in for X-Road's " + s.name + " (tests only)\n" +
		" Asks the real package's debconf questions, creates its groups and runs\n placeholder services; it does nothing X-Road does.\n"
	write("DEBIAN/control", ctl, 0o644)
	qs := questions[s.name]
	if len(qs) > 0 {
		var tpl, names []string
		for _, q := range qs {
			tpl = append(tpl, fmt.Sprintf("Template: %s\nType: %s\nDescription: %s (stand-in)\n", q[0], q[1], q[0]))
			names = append(names, q[0])
		}
		write("DEBIAN/templates", strings.Join(tpl, "\n"), 0o644)
		write("DEBIAN/config", configScript(names), 0o755)
	}
	write("DEBIAN/postinst", s.postinst(), 0o755)
	if len(s.units) > 0 {
		write("DEBIAN/prerm", prerm(s.units), 0o755)
	}
	for _, u := range s.units {
		exe := "/bin/sleep infinity"
		if u == "xroad-proxy-ui-api" {
			exe = apiBin + " -cert " + APICert + " -key " + strings.TrimSuffix(APICert, ".crt") + ".key"
		}
		write("lib/systemd/system/"+u+".service", fmt.Sprintf(`[Unit]
Description=X-Road stand-in %s
After=network.target

[Service]
User=xroad
ExecStart=%s
Restart=on-failure

[Install]
WantedBy=multi-user.target
`, u, exe), 0o644)
	}
	for dst, src := range s.files {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		write(strings.TrimPrefix(dst, "/"), string(b), 0o755)
	}
	out := filepath.Join(outDir, fmt.Sprintf("%s_%s_%s.deb", s.name, Version, s.arch))
	if b, err := exec.Command("dpkg-deb", "--root-owner-group", "-Zgzip", "--build", root, out).CombinedOutput(); err != nil {
		t.Fatalf("targethost: dpkg-deb %s: %v\n%s", s.name, err, b)
	}
}

// configScript asks every question, as a real package's config does; with
// DEBIAN_FRONTEND=noninteractive (or already seen answers) nothing shows.
func configScript(names []string) string {
	return "#!/bin/sh\nset -e\n. /usr/share/debconf/confmodule\nfor q in " + strings.Join(names, " ") +
		"; do\n  db_input high \"$q\" || true\ndone\ndb_go || true\n"
}

func (s standin) postinst() string {
	var b strings.Builder
	b.WriteString("#!/bin/sh\nset -e\n")
	qs := questions[s.name]
	if len(qs) > 0 || s.withDebconf != "" {
		b.WriteString(". /usr/share/debconf/confmodule\n")
	}
	if s.withDebconf != "" {
		b.WriteString("if [ \"$1\" = configure ]; then\n" + s.withDebconf + "\nfi\n")
	}
	if len(qs) > 0 {
		// The record is rewritten per question, so reconfiguring does not
		// leave two answers for one name.
		fmt.Fprintf(&b, `record() {
  install -d -m 0755 %[1]s
  touch %[2]s
  grep -v "^$1=" %[2]s > %[2]s.new || true
  printf '%%s=%%s\n' "$1" "$2" >> %[2]s.new
  mv %[2]s.new %[2]s
}
`, filepath.Dir(DebconfRecord), DebconfRecord)
		b.WriteString("if [ \"$1\" = configure ]; then\n")
		for _, q := range qs {
			fmt.Fprintf(&b, "  db_get %s\n  record %s \"$RET\"\n", q[0], q[0])
		}
		b.WriteString("fi\n")
	}
	if len(qs) > 0 || s.withDebconf != "" {
		// stdout belongs to debconf until db_stop: systemctl's messages
		// would corrupt the protocol.
		b.WriteString("db_stop\n")
	}
	if s.extra != "" {
		b.WriteString("if [ \"$1\" = configure ]; then\n" + s.extra + "\nfi\n")
	}
	if len(s.units) > 0 {
		u := strings.Join(s.units, " ")
		fmt.Fprintf(&b, `if [ "$1" = configure ]; then
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable --now %[1]s
  else
    systemctl enable %[1]s
  fi
fi
`, u)
	}
	return b.String()
}

func prerm(units []string) string {
	u := strings.Join(units, " ")
	return fmt.Sprintf(`#!/bin/sh
set -e
if [ "$1" = remove ]; then
  if [ -d /run/systemd/system ]; then
    systemctl stop %[1]s || true
  fi
  systemctl disable %[1]s || true
fi
`, u)
}
