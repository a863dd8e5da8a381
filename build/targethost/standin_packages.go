package targethost

// The stand-in X-Road packages, split, named and wired as X-Road 7.4.2's
// Ubuntu packages are (src/packages/src/xroad/ubuntu/generic/control and
// the maintainer scripts beside it). Each path, mode, owner and debconf
// question below names the file it follows; what the stand-ins leave out
// (Java, the databases' schemas, the services' work) is said where it is
// left out.

import (
	"fmt"
	"strings"
)

// Where the stand-ins record what they saw at install time, for the tests.
const (
	// DebconfRecord is where the stand-ins write, in their postinst, every
	// debconf answer they got: one "name=value" line per question.
	DebconfRecord = "/var/lib/xroad-standin/debconf.txt"
	// UfwAtInstall is `ufw status` as xroad-proxy-ui-api's preinst saw it,
	// just before the package that listens on 4000 is unpacked.
	UfwAtInstall = "/var/lib/xroad-standin/ufw-at-install.txt"
)

// The templates of the stand-ins, each question as its package's
// templates file defines it.
var (
	// generic/xroad-base.templates
	baseTemplates = []template{{"xroad-common/username", "string", ""}, {"xroad-common/non_existing_user", "error", ""}}
	// generic/xroad-proxy.templates (Default: 127.0.0.1:5432 for the
	// database; the subjects have no default: the preinst sets /CN=$HOST
	// when they are empty)
	proxyTemplates = []template{
		{"xroad-common/database-host", "string", "127.0.0.1:5432"},
		{"xroad-common/admin-subject", "string", ""}, {"xroad-common/admin-altsubject", "string", ""},
		{"xroad-common/service-subject", "string", ""}, {"xroad-common/service-altsubject", "string", ""},
		{"xroad-common/cert-generation-error", "error", ""},
		{"xroad-common/username", "string", ""}, {"xroad-common/non_existing_user", "error", ""},
	}
	// generic/xroad-proxy-ui-api.templates
	uiTemplates = []template{{"xroad-common/proxy-ui-api-subject", "string", ""}, {"xroad-common/proxy-ui-api-altsubject", "string", ""}}
)

// certScript makes the TLS certificate name from two debconf questions,
// as generic/xroad-proxy.preinst (internal) and xroad-proxy-ui-api.preinst
// (proxy-ui-api) do: HOST=$(hostname -f), $(hostname -s) when that is over
// 64 characters; an empty subject becomes /CN=$HOST and an empty
// alternative name the host's names; a preseeded one is used as it is.
// A subject openssl refuses makes generate_certificate.sh fail; the real
// preinst then shows cert-generation-error (not shown under noninteractive
// debconf) and loops for ever. The stand-in loops three times, then fails
// saying so, so a test sees the defect instead of hanging.
//
// Modes as X-Road 7.4.2 makes them: /etc/xroad/ssl 0750 xroad:xroad
// (generic/xroad-base.postinst) and the certificate and key 0660
// xroad:xroad (common/base/usr/share/xroad/scripts/generate_certificate.sh:
// chmod -f 660), so a login that is not root reads them only through sudo.
func certScript(name, subjectQ, altQ string) string {
	return fmt.Sprintf(`HOST=$(hostname -f)
if [ ${#HOST} -gt 64 ]; then
  HOST=$(hostname -s)
fi
ALT="DNS:$(hostname -f),DNS:$(hostname -s)"
tries=0
while [ ! -r /etc/xroad/ssl/%[1]s.crt ] || [ ! -r /etc/xroad/ssl/%[1]s.key ]; do
  RET=""; db_get %[2]s; [ -n "$RET" ] || db_set %[2]s "/CN=$HOST"
  RET=""; db_get %[3]s; [ -n "$RET" ] || db_set %[3]s "$ALT"
  RET=""; db_get %[2]s; subj=$RET
  RET=""; db_get %[3]s; altn=$RET
  tries=$((tries + 1))
  if [ "$tries" -gt 3 ]; then
    echo "stand-in: openssl refuses the subject $subj; X-Road's preinst would ask again for ever here" >&2
    exit 1
  fi
  install -d -m 0750 -o xroad -g xroad /etc/xroad/ssl
  if ! out=$(openssl req -x509 -newkey rsa:2048 -nodes -days 7300 -subj "$subj" -addext "subjectAltName=$altn" \
      -keyout /etc/xroad/ssl/%[1]s.key -out /etc/xroad/ssl/%[1]s.crt 2>&1 </dev/null); then
    echo "$out" >&2
    rm -f /etc/xroad/ssl/%[1]s.key /etc/xroad/ssl/%[1]s.crt
    continue
  fi
  chown xroad:xroad /etc/xroad/ssl/%[1]s.key /etc/xroad/ssl/%[1]s.crt
  chmod 0660 /etc/xroad/ssl/%[1]s.key /etc/xroad/ssl/%[1]s.crt
done`, name, subjectQ, altQ)
}

// record writes a debconf answer into DebconfRecord, replacing an older
// one of the same name (a reconfigure leaves one answer per name).
var recordFunc = fmt.Sprintf(`record() {
  install -d -m 0755 %[1]s
  touch %[2]s
  grep -v "^$1=" %[2]s > %[2]s.new || true
  printf '%%s=%%s\n' "$1" "$2" >> %[2]s.new
  mv %[2]s.new %[2]s
}
`, dirOf(DebconfRecord), DebconfRecord)

func dirOf(p string) string { return p[:strings.LastIndex(p, "/")] }

// records is postinst shell recording the answers of questions.
func records(questions ...string) string {
	var b strings.Builder
	b.WriteString(recordFunc)
	for _, q := range questions {
		fmt.Fprintf(&b, "RET=''; db_get %s || true\nrecord %s \"$RET\"\n", q, q)
	}
	return b.String()
}

// xroadPackages are the stand-ins of the packages xroad-securityserver
// and xroad-addon-hwtokens bring, for arch (the host's, for the packages
// the control file builds per architecture).
func xroadPackages(arch, apiBinary, jar string) []standin {
	dep := func(pkgs ...string) string {
		for i, p := range pkgs {
			pkgs[i] = p + " (= " + Version + ")"
		}
		return strings.Join(pkgs, ", ")
	}
	return []standin{
		// control: Architecture: amd64 arm64; Depends on Java, crudini,
		// sudo and more that the stand-in does not run.
		{name: "xroad-base", arch: arch, depends: "debconf (>= 0.5) | debconf-2.0, adduser, openssl",
			templates: baseTemplates,
			// generic/xroad-base.preinst, as it is: LC_ALL=en_US.UTF-8 into
			// /etc/environment unless an LC_ALL=...UTF-8 is there.
			preinst: `if grep -q '^LC_ALL=.*UTF-8$' /etc/environment; then
  echo "system locale in /etc/environment already UTF-8 compatible"
elif grep -q '^LC_ALL=.*$' /etc/environment; then
  sed -i -r 's/^(LC_ALL=).*/\1en_US.UTF-8/' /etc/environment
else
  echo "LC_ALL=en_US.UTF-8" >> /etc/environment
fi`,
			// generic/xroad-base.postinst: the xroad system user and group
			// (adduser --system --group, home /var/lib/xroad, shell
			// /bin/bash); /var/lib/xroad 0755 xroad:xroad, /var/log/xroad 1770
			// xroad:adm, /etc/xroad 0751 xroad:xroad, /var/tmp/xroad 1750
			// xroad:xroad. (/etc/xroad/ssl: see certScript.)
			postinst: `if ! getent passwd xroad >/dev/null; then
  adduser --system --quiet --home /var/lib/xroad --shell /bin/bash --group --gecos "X-Road system user" xroad
fi
mkdir -p /var/lib/xroad/backup
chown xroad:xroad /var/lib/xroad /var/lib/xroad/backup
chmod 0755 /var/lib/xroad
mkdir -p /var/log/xroad
chmod 1770 /var/log/xroad
chown xroad:adm /var/log/xroad
mkdir -p /etc/xroad
chown xroad:xroad /etc/xroad
chmod 0751 /etc/xroad
mkdir -p /var/tmp/xroad
chmod 1750 /var/tmp/xroad
chown xroad:xroad /var/tmp/xroad`,
			// generic/xroad-base.service: a oneshot that makes /var/run/xroad.
			units: []unit{{name: "xroad-base", oneshot: true, exec: "/bin/mkdir -p -m0750 /var/run/xroad"}}},
		// control: Architecture: amd64 arm64, Depends on xroad-base; the
		// units of generic/xroad-confclient.service and the others below.
		{name: "xroad-confclient", arch: arch, depends: dep("xroad-base"),
			units: []unit{{name: "xroad-confclient", exec: "/bin/sleep infinity"}}},
		{name: "xroad-signer", arch: arch, depends: dep("xroad-base"),
			// generic/xroad-signer.install: devices.ini into /usr/share/xroad/doc/;
			// xroad-signer.postinst copies it to /etc/xroad/devices.ini when
			// missing, owned by xroad.
			files: map[string]file{"/usr/share/xroad/doc/devices.ini": {data: "; This configuration file defines the available Secure Signature\n; Creation Devices (SSCD). (stand-in)\n"}},
			postinst: `test -f /etc/xroad/devices.ini || cp /usr/share/xroad/doc/devices.ini /etc/xroad/devices.ini && chown xroad:xroad /etc/xroad/devices.ini
test -d /etc/xroad/signer || mkdir -p -m 0750 /etc/xroad/signer && chown xroad:xroad /etc/xroad/signer`,
			units: []unit{{name: "xroad-signer", exec: "/bin/sleep infinity"}}},
		// control: xroad-database-local Depends on postgresql and
		// postgresql-contrib.
		{name: "xroad-database-local", arch: "all", depends: dep("xroad-base") + ", postgresql, postgresql-contrib"},
		// control: xroad-proxy Pre-Depends on the database and xroad-base.
		{name: "xroad-proxy", arch: "all", predepends: dep("xroad-database-local", "xroad-base"),
			depends: dep("xroad-confclient", "xroad-signer"), templates: proxyTemplates,
			// generic/xroad-proxy.config: the admin user's name, then the
			// database host.
			config: `if [ "$1" = configure ] || [ "$1" = reconfigure ]; then
  db_input high xroad-common/username || true
  db_input critical xroad-common/database-host || true
  db_go || true
fi`,
			preinst: certScript("internal", "xroad-common/service-subject", "xroad-common/service-altsubject"),
			// generic/xroad-proxy.postinst: the five role groups, and the
			// debconf user added to each.
			postinst: `RET=""; db_get xroad-common/username || true; AUSER=$RET
for g in xroad-security-officer xroad-registration-officer xroad-service-administrator xroad-system-administrator xroad-securityserver-observer; do
  getent group "$g" >/dev/null || groupadd --system "$g" || true
  if [ -n "$AUSER" ] && getent passwd "$AUSER" >/dev/null; then
    usermod -a -G "$g" "$AUSER" || true
  fi
done
mkdir -p /var/spool/xroad /var/cache/xroad /etc/xroad/globalconf
chown xroad:xroad /var/spool/xroad /var/cache/xroad /etc/xroad/globalconf
` + records("xroad-common/username", "xroad-common/database-host", "xroad-common/service-subject", "xroad-common/service-altsubject"),
			// generic/xroad-proxy.install: proxy-1.0.jar into
			// usr/share/xroad/jlib/; xroad-proxy.links: proxy.jar to it.
			files: map[string]file{"/usr/share/xroad/jlib/proxy-1.0.jar": {local: jar, mode: 0o644}},
			links: map[string]string{"/usr/share/xroad/jlib/proxy.jar": "proxy-1.0.jar"},
			units: []unit{{name: "xroad-proxy", exec: "/bin/sleep infinity"}}},
		{name: "xroad-monitor", arch: "all", depends: dep("xroad-base"),
			units: []unit{{name: "xroad-monitor", exec: "/bin/sleep infinity"}}},
		// control: xroad-proxy-ui-api Pre-Depends on xroad-base, Depends on
		// xroad-proxy.
		{name: "xroad-proxy-ui-api", arch: "all", predepends: dep("xroad-base"), depends: dep("xroad-proxy"),
			templates: uiTemplates,
			// What the firewall is when the package that listens on 4000 on
			// every address comes (the test's record, not X-Road's).
			preinst: fmt.Sprintf("install -d -m 0755 %s\n{ ufw status 2>&1 || echo 'ufw: not installed'; } > %s\n", dirOf(UfwAtInstall), UfwAtInstall) +
				certScript("proxy-ui-api", "xroad-common/proxy-ui-api-subject", "xroad-common/proxy-ui-api-altsubject"),
			postinst: records("xroad-common/proxy-ui-api-subject", "xroad-common/proxy-ui-api-altsubject"),
			// The stand-in's own program (X-Road's is
			// /usr/share/xroad/bin/xroad-proxy-ui-api, generic/xroad-proxy-ui-api.service).
			files: map[string]file{apiBin: {local: apiBinary, mode: 0o755}},
			// generic/xroad-proxy-ui-api.service; the address: all of them,
			// as Spring Boot binds with no server.address
			// (src/security-server/admin-service/application/src/main/resources/common-application.yml:
			// server.port 4000).
			units: []unit{{name: "xroad-proxy-ui-api", exec: apiBin + " -addr 0.0.0.0:4000 -cert " + APICert + " -key " + strings.TrimSuffix(APICert, ".crt") + ".key"}}},
		// generic/xroad-addon-messagelog.postinst: no template; the answer
		// is read with db_get ... || RET=true.
		{name: "xroad-addon-messagelog", arch: "all", depends: dep("xroad-proxy"),
			postinst: `RET=""; db_get xroad-addon-messagelog/enable-messagelog || RET=true
` + recordFunc + `record xroad-addon-messagelog/enable-messagelog "$RET"`,
			usesDebconf: true,
			units:       []unit{{name: "xroad-addon-messagelog", exec: "/bin/sleep infinity"}}},
		{name: "xroad-addon-metaservices", arch: "all", depends: dep("xroad-proxy")},
		{name: "xroad-addon-proxymonitor", arch: "all", depends: dep("xroad-proxy", "xroad-monitor")},
		{name: "xroad-addon-wsdlvalidator", arch: "all", depends: dep("xroad-proxy")},
		// control: the meta-package.
		{name: "xroad-securityserver", arch: "all", depends: dep("xroad-proxy", "xroad-addon-metaservices", "xroad-addon-messagelog",
			"xroad-addon-proxymonitor", "xroad-addon-wsdlvalidator", "xroad-proxy-ui-api")},
		// control: Architecture: amd64; generic/xroad-addon-hwtokens.postinst
		// restarts the signer.
		{name: "xroad-addon-hwtokens", arch: arch, depends: dep("xroad-base", "xroad-confclient", "xroad-signer"),
			postinst: "invoke-rc.d --quiet xroad-signer try-restart || true"},
	}
}
