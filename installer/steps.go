package installer

import (
	"fmt"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// Paths the plan owns on the host.
const (
	StateDir     = "/var/lib/tunduk-onboard"
	LocalRepoDir = StateDir + "/packages"
	keyringFile  = "/etc/apt/keyrings/tunduk-onboard.gpg"
	sourcesFile  = "/etc/apt/sources.list.d/tunduk-onboard.list"
	localSources = "/etc/apt/sources.list.d/tunduk-onboard-local.list"
	firewallMark = StateDir + "/firewall.rules"
	devicesINI   = "/etc/xroad/devices.ini"
)

// aptGet never asks, keeps changed config files and waits (up to 10
// minutes) for a dpkg lock held by unattended-upgrades instead of failing.
const aptGet = "apt-get -y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"

const shellHead = "set -e\nexport DEBIAN_FRONTEND=noninteractive\n"

type builder struct {
	p   *profile.Profile
	opt Options
}

// q is remote.Quote, short for the many scripts below.
var q = remote.Quote

// installed is a check that every package is installed.
func installed(pkgs ...string) string {
	var parts []string
	for _, p := range pkgs {
		parts = append(parts, fmt.Sprintf(`dpkg-query -W -f='${Status}' %s 2>/dev/null | grep -q 'ok installed$'`, q(p)))
	}
	return strings.Join(parts, " && ")
}

// xroadLocale is the locale X-Road 7.4.2's xroad-base.preinst
// (src/packages/src/xroad/ubuntu/generic/xroad-base.preinst) writes into
// /etc/environment as LC_ALL unless an LC_ALL=...UTF-8 is there already:
// every X-Road service then runs in it, whatever the profile's locale, so
// it must exist.
const xroadLocale = "en_US.UTF-8"

// locales are the profile's locale and X-Road's own, each once.
func (b *builder) locales() []string {
	if b.p.Locale == xroadLocale {
		return []string{xroadLocale}
	}
	return []string{b.p.Locale, xroadLocale}
}

func (b *builder) locale() Step {
	lc := b.p.Locale
	var check, enable, gen []string
	for _, l := range b.locales() {
		entry := l + " " + l[strings.Index(l, ".")+1:]
		norm := strings.ToLower(strings.ReplaceAll(l, "-", ""))
		check = append(check, fmt.Sprintf(`printf '%%s\n' "$have" | grep -qx %s`, q(norm)))
		enable = append(enable, fmt.Sprintf(`if ! grep -qx %[1]s /etc/locale.gen; then
  if grep -q %[2]s /etc/locale.gen; then
    sed -i %[3]s /etc/locale.gen
  else
    echo %[1]s >> /etc/locale.gen
  fi
fi`, q(entry), q("^# *"+entry+"$"), q("s/^# *"+entry+"$/"+entry+"/")))
		gen = append(gen, q(l))
	}
	title := strings.Join(b.locales(), ", ")
	return Step{
		ID:    "locale",
		Title: i18n.Text{EN: "Locale " + title, RU: "Локаль " + title, KY: "Локаль " + title},
		Check: `have=$(locale -a 2>/dev/null | tr 'A-Z' 'a-z' | tr -d '-') && ` + strings.Join(check, " && ") +
			fmt.Sprintf(` && grep -qsx %s /etc/default/locale`, q("LANG="+lc)),
		// Editing /etc/locale.gen is what Debian's locale-gen reads (it
		// ignores arguments); Ubuntu's takes the arguments. Both get both.
		// The locales exist before PostgreSQL so its cluster is UTF-8.
		Apply: shellHead + fmt.Sprintf(`if ! command -v locale-gen >/dev/null 2>&1; then
  %[1]s update
  %[1]s install --no-install-recommends locales
fi
touch /etc/locale.gen
%[2]s
locale-gen %[3]s
update-locale %[4]s`, aptGet, strings.Join(enable, "\n"), strings.Join(gen, " "), q("LANG="+lc)),
	}
}

func (b *builder) prerequisiteList() []string {
	pkgs := []string{"ca-certificates", "locales", "ufw", "debconf"}
	if b.opt.PackagesDir == "" {
		pkgs = append(pkgs, "curl")
		if b.p.Install.FlatRepository == "" {
			pkgs = append(pkgs, "gnupg") // the signing key's fingerprint
		}
	}
	return pkgs
}

func (b *builder) prerequisites() Step {
	pkgs := b.prerequisiteList()
	return Step{
		ID:    "apt-prerequisites",
		Title: i18n.Text{EN: "Prerequisite packages", RU: "Необходимые пакеты", KY: "Керектүү пакеттер"},
		Check: installed(pkgs...),
		Apply: shellHead + aptGet + " update\n" + aptGet + " install --no-install-recommends " + strings.Join(pkgs, " "),
		Long:  true,
	}
}

// networkRepository adds the operator's repository, signed-by its own key
// (not a key trusted for every source), pinned by fingerprint when the
// profile has one.
func (b *builder) networkRepository() Step {
	in := b.p.Install
	line := strings.Replace(in.Repository, "deb ", "deb [signed-by="+keyringFile+"] ", 1)
	fp := strings.ToUpper(strings.ReplaceAll(in.RepositoryKeyFingerprint, " ", ""))
	s := Step{
		ID:    "repository",
		Title: i18n.Text{EN: "Operator's package repository and signing key", RU: "Репозиторий пакетов оператора и ключ подписи", KY: "Оператордун пакеттер репозиторийи жана кол тамга ачкычы"},
		Check: fmt.Sprintf(`[ -s %s ] && [ "$(cat %s 2>/dev/null)" = %s ]`, keyringFile, sourcesFile, q(line)),
	}
	verify := ""
	if fp != "" {
		verify = fmt.Sprintf(`got=$(gpg --batch --show-keys --with-colons "$tmp/key" | awk -F: '$1 == "fpr" { print $10; exit }')
if [ "$got" != %s ]; then
  echo "the repository key's fingerprint is $got, the profile pins %s: refusing it" >&2
  exit 1
fi
`, q(fp), fp)
	} else {
		s.Note = i18n.Text{
			EN: "The profile pins no fingerprint for the repository key: it is trusted as downloaded over HTTPS. Check it with the operator.",
			RU: "В профиле не закреплён отпечаток ключа репозитория: ключ принимается как скачан по HTTPS. Сверьте его с оператором.",
			KY: "Профилде репозиторий ачкычынын издери бекитилген эмес: ачкыч HTTPS аркылуу жүктөлгөндөй кабыл алынат. Аны оператор менен салыштырыңыз.",
		}
	}
	s.Apply = shellHead + fmt.Sprintf(`tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GNUPGHOME="$tmp"
curl -fsSL --proto '=https' --retry 3 -o "$tmp/key" %s
%sif grep -q 'BEGIN PGP' "$tmp/key"; then
  gpg --batch --dearmor < "$tmp/key" > "$tmp/key.gpg"
else
  cp "$tmp/key" "$tmp/key.gpg"
fi
install -d -m 0755 /etc/apt/keyrings
install -m 0644 "$tmp/key.gpg" %s
echo %s > %s
%s update`, q(in.RepositoryKeyURL), verify, keyringFile, q(line), sourcesFile, aptGet)
	return s
}

// localRepository makes the uploaded .deb files an apt source, for servers
// without internet, once each file passed its pin (pinScript). The source
// is [trusted=yes] because a locally built index has no signature to
// check; the files came from the operator over the authenticated SSH
// connection into a root-owned directory, were checked against the
// profile's pins, and the trust covers that source only.
func (b *builder) localRepository() Step {
	return Step{
		ID:     "local-repository",
		Title:  i18n.Text{EN: "Uploaded packages as a local repository", RU: "Загруженные пакеты как локальный репозиторий", KY: "Жүктөлгөн пакеттер жергиликтүү репозиторий катары"},
		Upload: &Upload{From: b.opt.PackagesDir, To: LocalRepoDir},
		Check:  b.localRepoCheck(),
		Apply:  shellHead + "cd " + LocalRepoDir + "\n" + b.localRepoTail(),
	}
}

// localLine is the apt source of LocalRepoDir.
const localLine = "deb [trusted=yes] file:" + LocalRepoDir + " ./"

// localRepoCheck passes when the source is there and its index is newer
// than every .deb.
func (b *builder) localRepoCheck() string {
	return fmt.Sprintf(`[ "$(cat %s 2>/dev/null)" = %s ] && [ -s %s/Packages ] && [ -z "$(find %s -maxdepth 1 -name '*.deb' -newer %s/Packages)" ]`,
		localSources, q(localLine), LocalRepoDir, LocalRepoDir, LocalRepoDir)
}

// localRepoTail, run in LocalRepoDir: the pins, the index, the source.
func (b *builder) localRepoTail() string {
	return pinScript(&b.p.Install) + indexScript(LocalRepoDir) + fmt.Sprintf("echo %s > %s\n%s update", q(localLine), localSources, aptGet)
}

// flatRepository fetches the profile's flat_packages from its flat
// repository by file name, then makes them a local repository as for
// uploaded ones (pins, index, source). Why not an apt line to the URL
// itself: apt needs an index and a Release file there, none signed is
// known for Tunduk's (the public setup fetches files by name and checks
// their SHA-256 itself), and "[trusted=yes]" over the network would take
// whatever the server sends at install time; fetched by name, each file
// meets its pin before apt sees it, through the one path offline installs
// use too.
func (b *builder) flatRepository() Step {
	in := b.p.Install
	var files, present []string
	unhashed := 0
	for _, name := range in.FlatPackages {
		pin, _ := in.Pin(name) // the profile holds a pin for each
		files = append(files, q(pin.File()))
		present = append(present, fmt.Sprintf("[ -s %s/%s ]", LocalRepoDir, q(pin.File())))
		if pin.SHA256 == "" {
			unhashed++
		}
	}
	s := Step{
		ID:    "flat-repository",
		Title: i18n.Text{EN: "Operator's packages, fetched and checked against the profile", RU: "Пакеты оператора: загрузка и сверка с профилем", KY: "Оператордун пакеттери: жүктөө жана профиль менен салыштыруу"},
		Check: strings.Join(present, " && ") + " && " + b.localRepoCheck(),
		Apply: shellHead + fmt.Sprintf(`install -d -m 0755 %[1]s
cd %[1]s
for f in %[2]s; do
  # A file kept from an earlier run is checked below like a new one.
  [ -s "$f" ] && continue
  curl -fsSL --proto '=https' --retry 3 -o "$f.part" %[3]s"$f"
  mv -f "$f.part" "$f"
done
`, LocalRepoDir, strings.Join(files, " "), q(in.FlatRepository)) + b.localRepoTail(),
		Long: true,
	}
	if unhashed > 0 {
		host := repoHost(in.FlatRepository)
		s.Note = i18n.Text{
			EN: fmt.Sprintf("The profile pins a SHA-256 for %d of the %d packages fetched: the other %d are checked for their version only and trusted as downloaded over HTTPS from %s. Check them with the operator.", len(files)-unhashed, len(files), unhashed, host),
			RU: fmt.Sprintf("Профиль задаёт SHA-256 для %d из %d загружаемых пакетов: остальные %d сверяются только по версии и принимаются как скачаны по HTTPS с %s. Сверьте их с оператором.", len(files)-unhashed, len(files), unhashed, host),
			KY: fmt.Sprintf("Профиль жүктөлүүчү %[2]d пакеттин %[1]d үчүн гана SHA-256 берет: калган %[3]d пакет версиясы боюнча гана текшерилип, %[4]s дарегинен HTTPS аркылуу жүктөлгөндөй кабыл алынат. Аларды оператор менен салыштырыңыз.", len(files)-unhashed, len(files), unhashed, host),
		}
	}
	return s
}

// preseed is one debconf answer: the package that owns the question, the
// question, its type and the value.
type preseed struct{ owner, question, typ, value string }

// maxCN is the most characters openssl puts in a certificate's common
// name (ub-common-name, RFC 5280); a longer one fails `openssl req -subj`.
const maxCN = 64

// certName is the name the TLS certificates' CN gets. X-Road 7.4.2
// src/packages/src/xroad/ubuntu/generic/xroad-proxy.preinst and
// xroad-proxy-ui-api.preinst take HOST=$(hostname -f) and, when it is over
// 64 characters, HOST=$(hostname -s): the first label (at most 63, which
// the host name check holds). short says the name was shortened.
func certName(host string) (cn string, short bool) {
	if len(host) <= maxCN {
		return host, false
	}
	first, _, _ := strings.Cut(host, ".")
	return first, true
}

// debconfValues are the answers preseeded before the packages ask, each
// owned by the package whose templates file defines the question.
//
// The subjects are never ones openssl refuses: a preseeded subject is used
// as it is (the preinsts fall back to /CN=$HOST only for an empty one), a
// refused one makes generate_certificate.sh fail, and the preinst's error
// question, not shown under noninteractive debconf, is followed by the same
// question and the same answer for ever (xroad-proxy.preinst,
// xroad-proxy-ui-api.preinst: "while :; do ... handle_error ... done").
// The alternative names keep the full name, and add the short one as the
// preinsts' ALT does ("DNS:$(hostname -f),DNS:$(hostname -s)").
func (b *builder) debconfValues() []preseed {
	cn, short := certName(b.opt.Hostname)
	subject := "/CN=" + cn
	alt := "IP:" + b.opt.Address + ",DNS:" + b.opt.Hostname
	if short {
		alt += ",DNS:" + cn
	}
	return []preseed{
		// xroad-base.templates; the same question is in xroad-proxy.templates,
		// asked by xroad-proxy.config.
		{"xroad-base", "xroad-common/username", "string", b.opt.AdminUser},
		// xroad-proxy.templates (Default: 127.0.0.1:5432), asked by xroad-proxy.config.
		{"xroad-proxy", "xroad-common/database-host", "string", "127.0.0.1:5432"},
		// xroad-proxy.templates, asked by xroad-proxy.preinst for internal.crt.
		{"xroad-proxy", "xroad-common/service-subject", "string", subject},
		{"xroad-proxy", "xroad-common/service-altsubject", "string", alt},
		// xroad-proxy-ui-api.templates, asked by xroad-proxy-ui-api.preinst
		// for proxy-ui-api.crt (the admin UI/API's).
		{"xroad-proxy-ui-api", "xroad-common/proxy-ui-api-subject", "string", subject},
		{"xroad-proxy-ui-api", "xroad-common/proxy-ui-api-altsubject", "string", alt},
		// No template at 7.4.2: xroad-addon-messagelog.postinst reads it
		// (db_get ... || RET=true), and the installation guide (section 2.7)
		// preseeds it with this owner.
		{"xroad-addon-messagelog", "xroad-addon-messagelog/enable-messagelog", "boolean", "true"},
	}
}

func (b *builder) debconf() Step {
	var check, lines []string
	for _, v := range b.debconfValues() {
		check = append(check, fmt.Sprintf(`[ "$(echo %s | debconf-communicate 2>/dev/null)" = %s ]`, q("GET "+v.question), q("0 "+v.value)))
		lines = append(lines, q(strings.Join([]string{v.owner, v.question, v.typ, v.value}, " ")))
	}
	s := Step{
		ID:    "debconf",
		Title: i18n.Text{EN: "Answers to the packages' questions (debconf)", RU: "Ответы на вопросы пакетов (debconf)", KY: "Пакеттердин суроолоруна жооптор (debconf)"},
		Check: strings.Join(check, " &&\n"),
		Apply: shellHead + "printf '%s\\n' \\\n  " + strings.Join(lines, " \\\n  ") + " |\n  debconf-set-selections",
	}
	if cn, short := certName(b.opt.Hostname); short {
		s.Note = i18n.Text{
			EN: fmt.Sprintf("The host name is longer than %d characters, the most a certificate's common name (CN) may hold: the TLS certificates get the short name %s, as X-Road's own packages do; the full name stays among their alternative names.", maxCN, cn),
			RU: fmt.Sprintf("Имя сервера длиннее %d символов — больше, чем вмещает общее имя (CN) сертификата: TLS-сертификаты получают короткое имя %s, как это делают сами пакеты X-Road; полное имя остаётся среди альтернативных имён.", maxCN, cn),
			KY: fmt.Sprintf("Сервердин аты %d белгиден узун — сертификаттын жалпы аты (CN) батыра алгандан көп: TLS сертификаттары X-Road пакеттеринин өздөрүндөй эле %s кыска атын алат; толук аты альтернативдүү аттардын арасында калат.", maxCN, cn),
		}
	}
	return s
}

func (b *builder) postgresql() Step {
	lc := b.p.Locale
	return Step{
		ID:    "postgresql",
		Title: i18n.Text{EN: "PostgreSQL database", RU: "База данных PostgreSQL", KY: "PostgreSQL маалымат базасы"},
		Check: installed("postgresql", "postgresql-contrib") + ` && systemctl is-active --quiet postgresql`,
		// The cluster takes its encoding from the installing process's
		// locale: UTF-8, whatever the SSH session brought.
		Apply: shellHead + fmt.Sprintf(`export LANG=%[1]s LC_ALL=%[1]s
%[2]s install postgresql postgresql-contrib
systemctl enable --now postgresql`, q(lc), aptGet),
		Long: true,
	}
}

// adminUser creates the user the X-Road admin UI logs in as. The password
// never appears in a command line: Apply runs chpasswd, which reads
// "USER:PASSWORD" from standard input, and the runner writes Stdin there
// (after the sudo password line when it uses sudo -S).
func (b *builder) adminUser() Step {
	u := q(b.opt.AdminUser)
	pw := b.opt.AdminPassword
	if pw == "" {
		pw = Masked
	}
	return Step{
		ID:    "admin-user",
		Title: i18n.Text{EN: "Admin user " + b.opt.AdminUser, RU: "Пользователь-администратор " + b.opt.AdminUser, KY: "Администратор колдонуучу " + b.opt.AdminUser},
		Check: fmt.Sprintf(`id -u %[1]s >/dev/null 2>&1 && [ "$(passwd -S %[1]s 2>/dev/null | cut -d ' ' -f 2)" = P ]`, u),
		Apply: shellHead + fmt.Sprintf(`id -u %[1]s >/dev/null 2>&1 || useradd --create-home --shell /bin/bash %[1]s
chpasswd`, u),
		Stdin: b.opt.AdminUser + ":" + pw + "\n",
	}
}

func (b *builder) xroadPackage() Step {
	pkg := b.p.Install.Package
	return Step{
		ID:    "xroad-package",
		Title: i18n.Text{EN: "X-Road Security Server (" + pkg + ")", RU: "Сервер безопасности X-Road (" + pkg + ")", KY: "X-Road коопсуздук сервери (" + pkg + ")"},
		Check: installed(pkg),
		Apply: shellHead + fmt.Sprintf("export LANG=%[1]s LC_ALL=%[1]s\n%[2]s install %[3]s", q(b.p.Locale), aptGet, q(pkg)),
		Long:  true,
	}
}

// adminGroups gives the admin user its X-Road roles. It comes after the
// package because the packages create these groups; a group a variant did
// not create is made here so the role is there when a later one needs it.
func (b *builder) adminGroups() Step {
	u := q(b.opt.AdminUser)
	var check []string
	for _, g := range b.p.Install.AdminGroups {
		check = append(check, fmt.Sprintf(`id -nG %s | tr ' ' '\n' | grep -qx %s`, u, q(g)))
	}
	return Step{
		ID:    "admin-groups",
		Title: i18n.Text{EN: "X-Road roles of the admin user", RU: "Роли X-Road пользователя-администратора", KY: "Администратор колдонуучунун X-Road ролдору"},
		Check: strings.Join(check, " &&\n"),
		Apply: shellHead + fmt.Sprintf(`for g in %s; do
  getent group "$g" >/dev/null || groupadd --system "$g"
  usermod -a -G "$g" %s
done`, strings.Join(b.p.Install.AdminGroups, " "), u),
	}
}

// The ports the firewall opens, besides SSH: the messaging ports to
// everyone, the admin UI/API to the admin network, the information
// systems' ports to theirs. Every other incoming port stays closed.
const portAdmin = 4000

var (
	portsPublic = []int{5500, 5577}
	portsIS     = []int{8080, 8443}
)

// opening is one tcp port the firewall opens, to everyone (from "") or to
// one network.
type opening struct {
	port int
	from string
	ssh  bool
}

// openings are what the firewall lets in, in order. SSH comes first so
// enabling the firewall can never lock the installer (or anyone) out.
func (b *builder) openings() []opening {
	o := []opening{{port: 22, ssh: true}}
	if b.opt.SSHPort != 22 && b.opt.SSHPort != 0 {
		o = append(o, opening{port: b.opt.SSHPort, ssh: true})
	}
	for _, p := range portsPublic {
		o = append(o, opening{port: p})
	}
	if n := b.opt.AdminNetwork; n != "" {
		o = append(o, opening{port: portAdmin, from: n})
	}
	if n := b.opt.ISNetwork; n != "" {
		for _, p := range portsIS {
			o = append(o, opening{port: p, from: n})
		}
	}
	return o
}

// firewallRules are the ufw rules of the openings, in order.
func (b *builder) firewallRules() []string {
	var rules []string
	for _, o := range b.openings() {
		if o.from == "" {
			rules = append(rules, fmt.Sprintf("allow %d/tcp", o.port))
		} else {
			rules = append(rules, fmt.Sprintf("allow from %s to any port %d proto tcp", o.from, o.port))
		}
	}
	return rules
}

func (b *builder) firewall() Step {
	rules := b.firewallRules()
	// One line, so the dry run shows the exact string it compares.
	want := strings.Join(rules, "; ")
	var apply []string
	for _, r := range rules {
		apply = append(apply, "ufw "+r)
	}
	s := Step{
		ID:    "firewall",
		Title: i18n.Text{EN: "Firewall (ufw)", RU: "Межсетевой экран (ufw)", KY: "Тармактык экран (ufw)"},
		// ufw's own status output is not stable to parse; the check asks
		// that ufw is active and that this exact rule set was applied.
		Check: fmt.Sprintf(`ufw status 2>/dev/null | grep -qx 'Status: active' && [ "$(cat %s 2>/dev/null)" = %s ]`, firewallMark, q(want)),
		Apply: shellHead + strings.Join(apply, "\n") + `
for p in 4000 8080 8443; do
  ufw --force delete allow "$p/tcp" >/dev/null 2>&1 || true
  ufw --force delete allow "$p" >/dev/null 2>&1 || true
done
ufw default deny incoming
ufw default allow outgoing
ufw --force enable
install -d -m 0755 ` + StateDir + `
printf '%s\n' ` + q(want) + ` > ` + firewallMark,
	}
	var en, ru, ky []string
	if b.opt.AdminNetwork == "" {
		en = append(en, "no admin network given: port 4000 stays closed (use an SSH tunnel)")
		ru = append(ru, "сеть администратора не задана: порт 4000 закрыт (используйте SSH-туннель)")
		ky = append(ky, "администратор тармагы берилген жок: 4000-порт жабык калат (SSH туннелин колдонуңуз)")
	}
	if b.opt.ISNetwork == "" {
		en = append(en, "no information systems' network given: ports 8080 and 8443 stay closed")
		ru = append(ru, "сеть информационных систем не задана: порты 8080 и 8443 закрыты")
		ky = append(ky, "маалымат тутумдарынын тармагы берилген жок: 8080 жана 8443-порттор жабык калат")
	}
	if len(en) > 0 {
		s.Note = i18n.Text{EN: strings.Join(en, "; "), RU: strings.Join(ru, "; "), KY: strings.Join(ky, "; ")}
	}
	return s
}

// verify waits for every X-Road unit to be active and the admin API to
// answer on 4000. Without a running systemd it says it cannot verify
// rather than pass.
func (b *builder) verify() Step {
	units := strings.Join(b.p.Install.Units, " ")
	api := `curl -ks -o /dev/null --max-time 5 https://127.0.0.1:4000/`
	return Step{
		ID:    "verify",
		Title: i18n.Text{EN: "Verify: X-Road services are running", RU: "Проверка: службы X-Road работают", KY: "Текшерүү: X-Road кызматтары иштеп жатат"},
		Check: fmt.Sprintf(`[ -d /run/systemd/system ] && for u in %s; do systemctl is-active --quiet "$u" || exit 1; done && %s`, units, api),
		Apply: shellHead + fmt.Sprintf(`if [ ! -d /run/systemd/system ]; then
  echo "cannot verify: systemd is not running on this host" >&2
  exit 1
fi
i=0
while [ "$i" -lt 90 ]; do
  down=""
  for u in %s; do
    systemctl is-active --quiet "$u" || down="$down $u"
  done
  if [ -z "$down" ] && %s; then
    exit 0
  fi
  i=$((i + 1))
  sleep 2
done
echo "not active after 3 minutes:${down:- (admin API on 4000 does not answer)}" >&2
exit 1`, units, api),
		Long: true,
	}
}
