package installer

import (
	"encoding/json"
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

const distinctivePW = "Zq7-unique-Adm1n-Pa55"

func testProfile(t *testing.T) *profile.Profile {
	t.Helper()
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func report(failing ...string) *checks.Report {
	rep := &checks.Report{Facts: &checks.Facts{
		Hostname:   "ss1.example.kg",
		Interfaces: []checks.Interface{{Name: "lo0"}, {Name: "eth0", Addresses: []string{"fe80::1/64", "203.0.113.7/24"}, DefaultRoute: true}},
	}}
	rep.Results = append(rep.Results, checks.Result{ID: "ok", Status: checks.Pass})
	for _, id := range failing {
		rep.Results = append(rep.Results, checks.Result{ID: id, Status: checks.Fail, Title: i18n.Text{EN: "title of " + id}})
	}
	return rep
}

func options() Options {
	return Options{AdminUser: "xrdadmin", AdminPassword: distinctivePW, AdminNetwork: "10.1.0.0/24", ISNetwork: "10.2.0.0/16"}
}

func ids(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.ID)
	}
	return out
}

func step(t *testing.T, steps []Step, id string) Step {
	t.Helper()
	for _, s := range steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no step %q in %v", id, ids(steps))
	return Step{}
}

func TestPlanOrder(t *testing.T) {
	steps, err := Plan(testProfile(t), report(), options())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"preflight", "locale", "apt-prerequisites", "firewall", "flat-repository", "debconf", "postgresql", "admin-user", "xroad-package", "admin-groups", "verify"}
	if got := ids(steps); !reflect.DeepEqual(got, want) {
		t.Errorf("steps %v\nwant  %v", got, want)
	}
	for _, s := range steps {
		if s.Title.EN == "" || s.Title.RU == "" || s.Title.KY == "" || s.Check == "" || s.Apply == "" {
			t.Errorf("step %s is incomplete: %+v", s.ID, s)
		}
	}

	opt := options()
	opt.PackagesDir = "/home/op/debs"
	opt.TokenOnServer = true
	steps, err = Plan(testProfile(t), report(), opt)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"preflight", "locale", "local-repository", "apt-prerequisites", "firewall", "debconf", "postgresql", "admin-user", "xroad-package", "admin-groups", "hwtokens", "verify"}
	if got := ids(steps); !reflect.DeepEqual(got, want) {
		t.Errorf("offline with token: steps %v\nwant  %v", got, want)
	}
	local := step(t, steps, "local-repository")
	if local.Upload == nil || local.Upload.From != "/home/op/debs" || !strings.Contains(local.Apply, "[trusted=yes] file:"+LocalRepoDir) {
		t.Errorf("local repository step: %+v", local)
	}
	if pre := step(t, steps, "apt-prerequisites"); strings.Contains(pre.Apply, "curl") {
		t.Error("offline prerequisites must not need curl (no key to download)")
	}
}

func TestPreflightRefusesFailuresUnlessForced(t *testing.T) {
	p := testProfile(t)
	_, err := Plan(p, report("os.version", "ram"), options())
	var pe *PreflightError
	if !errors.As(err, &pe) || len(pe.Failed) != 2 || !strings.Contains(err.Error(), "os.version") || !strings.Contains(err.Error(), "override") {
		t.Fatalf("got %v, want a PreflightError naming the failures and the override", err)
	}
	if _, err := Plan(p, nil, options()); err == nil {
		t.Error("a plan without a readiness report must need --force")
	}

	opt := options()
	opt.Force = true
	steps, err := Plan(p, report("os.version", "ram"), opt)
	if err != nil {
		t.Fatal(err)
	}
	if n := steps[0].Note.EN; !strings.Contains(n, "OVERRIDDEN by the user's choice") || !strings.Contains(n, "os.version") || !strings.Contains(n, "title of ram") {
		t.Errorf("override not recorded: %q", n)
	}
	dry := DryRun(steps, "en")
	if !strings.Contains(dry, "OVERRIDDEN by the user's choice") || !strings.Contains(dry, "os.version") {
		t.Errorf("dry run does not show the override:\n%s", dry)
	}
	if ru := DryRun(steps, "ru"); !strings.Contains(ru, "ПРОПУЩЕНО по решению пользователя") {
		t.Error("the Russian dry run does not show the override")
	}
	if clean, _ := Plan(p, report(), options()); clean[0].Note.EN != "" {
		t.Errorf("a passing report needs no note: %q", clean[0].Note.EN)
	}
}

func TestFirewallAllowsSSHFirstAndRestricts(t *testing.T) {
	opt := options()
	opt.SSHPort = 2222
	steps, err := Plan(testProfile(t), report(), opt)
	if err != nil {
		t.Fatal(err)
	}
	fw := step(t, steps, "firewall").Apply
	ssh, ssh2, enable := strings.Index(fw, "ufw allow 22/tcp"), strings.Index(fw, "ufw allow 2222/tcp"), strings.Index(fw, "ufw --force enable")
	if ssh < 0 || ssh2 < 0 || enable < 0 || ssh > enable || ssh2 > enable {
		t.Fatalf("SSH must be allowed before ufw is enabled:\n%s", fw)
	}
	if first := strings.Index(fw, "ufw "); first != ssh {
		t.Errorf("the first ufw command must allow SSH:\n%s", fw)
	}
	for _, want := range []string{
		"ufw allow 5500/tcp", "ufw allow 5577/tcp",
		"ufw allow from 10.1.0.0/24 to any port 4000 proto tcp",
		"ufw allow from 10.2.0.0/16 to any port 8080 proto tcp",
		"ufw allow from 10.2.0.0/16 to any port 8443 proto tcp",
		"ufw default deny incoming",
	} {
		if !strings.Contains(fw, want+"\n") {
			t.Errorf("missing %q:\n%s", want, fw)
		}
	}
	for _, bad := range []string{"ufw allow 4000", "ufw allow 8080", "ufw allow 8443"} {
		if strings.Contains(fw, bad) {
			t.Errorf("4000/8080/8443 opened to everyone: %q", bad)
		}
	}
	if strings.Contains(fw, "from 10.2.0.0/16 to any port 4000") || strings.Contains(fw, "from 10.1.0.0/24 to any port 80") {
		t.Error("networks mixed up")
	}

	// No networks given: the ports stay closed, and the plan says so.
	opt = options()
	opt.AdminNetwork, opt.ISNetwork = "", ""
	steps, _ = Plan(testProfile(t), report(), opt)
	fwStep := step(t, steps, "firewall")
	if strings.Contains(fwStep.Apply, "port 4000") || !strings.Contains(fwStep.Note.EN, "4000 stays closed") {
		t.Errorf("without an admin network 4000 must stay closed: %+v", fwStep)
	}
}

func TestOptionErrors(t *testing.T) {
	p := testProfile(t)
	cases := []struct {
		name   string
		change func(*Options)
		want   string
	}{
		{"bad cidr", func(o *Options) { o.AdminNetwork = "10.1.0.0/33" }, "is not a CIDR"},
		{"address not cidr", func(o *Options) { o.ISNetwork = "10.2.0.1" }, "is not a CIDR"},
		{"internet", func(o *Options) { o.AdminNetwork = "0.0.0.0/0" }, "whole internet"},
		{"host bits", func(o *Options) { o.AdminNetwork = "10.1.0.5/24" }, "did you mean 10.1.0.0/24"},
		{"bad user", func(o *Options) { o.AdminUser = "Admin User" }, "admin user"},
		{"shell user", func(o *Options) { o.AdminUser = "a;reboot" }, "admin user"},
		{"reserved user", func(o *Options) { o.AdminUser = "root" }, "reserved"},
		{"no password", func(o *Options) { o.AdminPassword = "" }, "password is empty"},
		{"colon password", func(o *Options) { o.AdminPassword = "a:b" }, "':'"},
		{"bad hostname", func(o *Options) { o.Hostname = "ss1;reboot" }, "host name"},
		{"bad address", func(o *Options) { o.Address = "somewhere" }, "not an IP address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt := options()
			c.change(&opt)
			_, err := Plan(p, report(), opt)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
			if opt.AdminPassword != "" && strings.Contains(err.Error(), opt.AdminPassword) {
				t.Errorf("the error echoes the password: %v", err)
			}
		})
	}
	opt := options()
	opt.AdminPassword, opt.DryRun = "", true
	if _, err := Plan(p, report(), opt); err != nil {
		t.Errorf("a dry run needs no password: %v", err)
	}
}

func TestDryRunMasksThePassword(t *testing.T) {
	steps, err := Plan(testProfile(t), report(), options())
	if err != nil {
		t.Fatal(err)
	}
	user := step(t, steps, "admin-user")
	if user.Stdin != "xrdadmin:"+distinctivePW+"\n" || strings.Contains(user.Apply, distinctivePW) || !strings.Contains(user.Apply, "chpasswd") {
		t.Fatalf("the password must travel on stdin only: %+v", user)
	}
	for _, lang := range i18n.Languages {
		dry := DryRun(steps, lang)
		if strings.Contains(dry, distinctivePW) {
			t.Fatalf("%s dry run shows the password", lang)
		}
		if !strings.Contains(dry, "xrdadmin:"+Masked) {
			t.Errorf("%s dry run does not show the masked stdin", lang)
		}
	}
	js, _ := json.Marshal(MaskSteps(steps))
	if strings.Contains(string(js), distinctivePW) || !strings.Contains(string(js), Masked) {
		t.Error("masked JSON leaks the password")
	}
	if steps[5].Secrets == nil {
		t.Error("MaskSteps must not change the plan it masks")
	}
	// A dry run without a password shows the mask too.
	opt := options()
	opt.AdminPassword, opt.DryRun = "", true
	steps, _ = Plan(testProfile(t), report(), opt)
	if !strings.Contains(DryRun(steps, "en"), "xrdadmin:"+Masked) {
		t.Error("a dry run without a password must show ********")
	}
	if got := Mask("a-secret-b secret", []string{"secret", "a-secret-b"}); got != Masked+" "+Masked {
		t.Errorf("Mask: %q", got)
	}
}

func TestEveryScriptParses(t *testing.T) {
	dash, err := exec.LookPath("dash")
	if err != nil {
		t.Skip("dash not installed")
	}
	opt := options()
	opt.TokenOnServer = true
	opt.Force = true
	online, err := Plan(testProfile(t), report("x"), opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.PackagesDir = "/tmp/debs"
	opt.AdminNetwork, opt.ISNetwork = "", ""
	offline, err := Plan(testProfile(t), report(), opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append(online, offline...) {
		for kind, script := range map[string]string{"check": s.Check, "apply": s.Apply} {
			cmd := exec.Command(dash, "-n")
			cmd.Stdin = strings.NewReader(script)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s %s does not parse: %v %s\n%s", s.ID, kind, err, out, script)
			}
		}
	}
}

func TestDebconfFromHostAndAddress(t *testing.T) {
	steps, err := Plan(testProfile(t), report(), options())
	if err != nil {
		t.Fatal(err)
	}
	dc := step(t, steps, "debconf")
	for _, want := range []string{
		"'xroad-base xroad-common/username string xrdadmin'",
		"'xroad-proxy xroad-common/database-host string 127.0.0.1:5432'",
		"'xroad-proxy xroad-common/service-subject string /CN=ss1.example.kg'",
		"'xroad-proxy xroad-common/service-altsubject string IP:203.0.113.7,DNS:ss1.example.kg'",
		"'xroad-proxy-ui-api xroad-common/proxy-ui-api-subject string /CN=ss1.example.kg'",
		"'xroad-proxy-ui-api xroad-common/proxy-ui-api-altsubject string IP:203.0.113.7,DNS:ss1.example.kg'",
		"'xroad-addon-messagelog xroad-addon-messagelog/enable-messagelog boolean true'",
	} {
		if !strings.Contains(dc.Apply, want) {
			t.Errorf("debconf apply lacks %s:\n%s", want, dc.Apply)
		}
	}
	if !strings.Contains(dc.Check, "'0 IP:203.0.113.7,DNS:ss1.example.kg'") {
		t.Errorf("debconf check does not compare the values:\n%s", dc.Check)
	}
	// Explicit options win over the facts.
	opt := options()
	opt.Hostname, opt.Address = "ss2.gov.kg", "198.51.100.9"
	steps, _ = Plan(testProfile(t), report(), opt)
	if a := step(t, steps, "debconf").Apply; !strings.Contains(a, "IP:198.51.100.9,DNS:ss2.gov.kg") {
		t.Errorf("options ignored:\n%s", a)
	}
}

func TestTokenOnServer(t *testing.T) {
	p := testProfile(t)
	steps, _ := Plan(p, report(), options())
	for _, s := range steps {
		if s.ID == "hwtokens" || strings.Contains(s.Apply, "devices.ini") {
			t.Fatal("hardware token support planned without --token-on-server")
		}
	}
	opt := options()
	opt.TokenOnServer = true
	steps, _ = Plan(p, report(), opt)
	hw := step(t, steps, "hwtokens")
	for _, want := range []string{"xroad-addon-hwtokens", "pcscd", "/etc/xroad/devices.ini", `printf '\n[rutoken]\nlibrary = %s\n' '/usr/lib/librtpkcs11ecp.so'`, "systemctl restart xroad-signer"} {
		if !strings.Contains(hw.Apply, want) {
			t.Errorf("hwtokens apply lacks %q:\n%s", want, hw.Apply)
		}
	}
	if !strings.Contains(hw.Check, "'library = /usr/lib/librtpkcs11ecp.so'") {
		t.Errorf("hwtokens check does not look for the section:\n%s", hw.Check)
	}
}

func TestHostFacts(t *testing.T) {
	h, a := HostFacts(report().Facts)
	if h != "ss1.example.kg" || a != "203.0.113.7" {
		t.Errorf("got %q %q", h, a)
	}
	if h, a := HostFacts(nil); h != "" || a != "" {
		t.Error("nil facts")
	}
}
