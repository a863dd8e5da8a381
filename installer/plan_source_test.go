package installer

// What X-Road 7.4.2's own packaging forces on the plan (issue 13): the
// admin API listens on every address, the certificate CN has a length
// limit, and xroad-base sets a locale of its own.

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The admin UI/API (4000) listens on every address as soon as its package
// starts it, so the firewall is up, SSH allowed, before any package that
// opens a port is installed: in the plan the dry run shows, for the
// network repository and for a packages folder.
func TestFirewallUpBeforeThePackages(t *testing.T) {
	for _, dir := range []string{"", t.TempDir()} {
		opt := options()
		opt.PackagesDir, opt.TokenOnServer, opt.SSHPort = dir, true, 2222
		steps, err := Plan(testProfile(t), report(), opt)
		if err != nil {
			t.Fatal(err)
		}
		dry := DryRun(steps, "en")
		fw := strings.Index(dry, "[firewall]")
		if fw < 0 {
			t.Fatalf("no firewall step:\n%s", dry)
		}
		for _, later := range []string{"[debconf]", "[postgresql]", "[xroad-package]", "[admin-groups]", "[hwtokens]", "[verify]"} {
			if i := strings.Index(dry, later); i < fw {
				t.Errorf("packages dir %q: %s comes before the firewall (order %v)", dir, later, ids(steps))
			}
		}
		// ufw itself is a prerequisite: installed before the firewall step.
		if strings.Index(dry, "[apt-prerequisites]") > fw {
			t.Errorf("the firewall step comes before ufw is installed: %v", ids(steps))
		}
	}
}

// X-Road 7.4.2 src/packages/src/xroad/ubuntu/generic/xroad-proxy.preinst
// and xroad-proxy-ui-api.preinst: HOST=$(hostname -f), and when it is
// longer than 64 characters HOST=$(hostname -s); the subject is /CN=$HOST
// only when none was preseeded. A preseeded subject openssl refuses makes
// generate_certificate.sh fail, the error question is not shown under
// noninteractive debconf, and the loop asks again for ever. So the plan
// never preseeds a CN over 64 characters: the short name, as the preinst
// does, and the summary says so.
func TestLongHostNameGetsAValidCN(t *testing.T) {
	long := strings.Repeat("a", 40) + "." + strings.Repeat("b", 20) + ".example.kg" // 71
	short := strings.Repeat("a", 40)
	if len(long) <= 64 {
		t.Fatal("the test needs a name over 64 characters")
	}
	opt := options()
	opt.Hostname = long
	steps, err := Plan(testProfile(t), report(), opt)
	if err != nil {
		t.Fatal(err)
	}
	dc := step(t, steps, "debconf")
	var subjects []string
	for _, v := range (&builder{p: testProfile(t), opt: opt}).debconfValues() {
		if strings.HasSuffix(v.question, "-subject") {
			subjects = append(subjects, v.value)
			if cn := strings.TrimPrefix(v.value, "/CN="); len(cn) > 64 || cn != short {
				t.Errorf("%s: %q, want /CN=%s (64 characters at most)", v.question, v.value, short)
			}
		}
		if strings.HasSuffix(v.question, "-altsubject") && !strings.Contains(v.value, "DNS:"+long) {
			t.Errorf("%s lost the full name: %q", v.question, v.value)
		}
	}
	if len(subjects) != 2 {
		t.Fatalf("subjects %v", subjects)
	}
	if dc.Note.EN == "" || !strings.Contains(dc.Note.RU, short) || !strings.Contains(dc.Note.KY, short) {
		t.Errorf("the debconf step does not say why the CN is short: %+v", dc.Note)
	}
	found := false
	for _, it := range Summary(testProfile(t), opt) {
		if it.Key == "installer.summary.cn_short" {
			found = true
			for _, lang := range []string{"en", "ru", "ky"} {
				if s := it.Text(lang); !strings.Contains(s, short) || !strings.Contains(s, "64") || strings.Contains(s, "{{") {
					t.Errorf("summary in %s: %q", lang, s)
				}
			}
		}
	}
	if !found {
		t.Error("the summary does not say the certificates get the short name")
	}

	// openssl, as generate_certificate.sh runs it, accepts what is preseeded
	// (and refuses the long name: the test would see the bug).
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	req := func(subj string) error {
		d := t.TempDir()
		return exec.Command("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", subj,
			"-keyout", filepath.Join(d, "k"), "-out", filepath.Join(d, "c")).Run()
	}
	for _, s := range subjects {
		if err := req(s); err != nil {
			t.Errorf("openssl refuses the preseeded %q: %v", s, err)
		}
	}
	if req("/CN="+long) == nil {
		t.Error("openssl accepted a CN over 64 characters: the premise of this test is gone")
	}

	// A name of 64 characters is kept whole, as by the preinst.
	opt.Hostname = strings.Repeat("c", 52) + ".example.kg" + "x"
	if len(opt.Hostname) != 64 {
		t.Fatalf("len %d", len(opt.Hostname))
	}
	for _, v := range (&builder{p: testProfile(t), opt: opt}).debconfValues() {
		if strings.HasSuffix(v.question, "-subject") && v.value != "/CN="+opt.Hostname {
			t.Errorf("a 64-character name was shortened: %q", v.value)
		}
	}
}

// X-Road 7.4.2 src/packages/src/xroad/ubuntu/generic/xroad-base.preinst
// writes LC_ALL=en_US.UTF-8 into /etc/environment unless an LC_ALL=...UTF-8
// is there: every X-Road service then runs in en_US.UTF-8, whatever the
// profile's locale. The locale step makes it too.
func TestLocaleAlwaysGeneratesEnUS(t *testing.T) {
	p := testProfile(t)
	p.Locale = "ru_RU.UTF-8"
	steps, err := Plan(p, report(), options())
	if err != nil {
		t.Fatal(err)
	}
	lc := step(t, steps, "locale")
	for _, want := range []string{"'en_US.UTF-8 UTF-8'", "'ru_RU.UTF-8 UTF-8'", "locale-gen 'ru_RU.UTF-8' 'en_US.UTF-8'", "update-locale 'LANG=ru_RU.UTF-8'"} {
		if !strings.Contains(lc.Apply, want) {
			t.Errorf("locale apply lacks %s:\n%s", want, lc.Apply)
		}
	}
	if !strings.Contains(lc.Check, "'en_us.utf8'") || !strings.Contains(lc.Check, "'ru_ru.utf8'") {
		t.Errorf("locale check does not look for both:\n%s", lc.Check)
	}
	var locale string
	for _, it := range Summary(p, options()) {
		if strings.HasPrefix(it.Key, "installer.summary.locale") {
			locale = it.Text("en")
		}
	}
	if !strings.Contains(locale, "ru_RU.UTF-8") || !strings.Contains(locale, "en_US.UTF-8") || !strings.Contains(locale, "X-Road") {
		t.Errorf("summary: %q", locale)
	}
	// The profile's own en_US.UTF-8 is made once.
	p.Locale = "en_US.UTF-8"
	steps, _ = Plan(p, report(), options())
	if a := step(t, steps, "locale").Apply; !strings.Contains(a, "locale-gen 'en_US.UTF-8'\n") {
		t.Errorf("en_US twice or not at all:\n%s", a)
	}
}
