package installer_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/i18n/i18ntest"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/installer/installertest"
)

// checkText: key is in every language with English's fields, each of
// which data fills, reads as itself once rendered (i18ntest.CheckKey),
// and is translated.
func checkText(t *testing.T, key string, data map[string]any) {
	t.Helper()
	i18ntest.CheckKey(t, key, data)
	if ru, ky := i18n.T("ru", key, data), i18n.T("ky", key, data); ru == i18n.T("en", key, data) || ky == i18n.T("en", key, data) || ru == ky {
		t.Errorf("%q is not translated: ru %q, ky %q", key, ru, ky)
	}
}

// Every kind of error Explain returns has its text in en, ru and ky, and
// every key Explain may return is met by one of the shared samples.
func TestExplainKeysInEveryLanguage(t *testing.T) {
	seen := map[string]bool{}
	for name, err := range installertest.Errors() {
		key, data := installer.Explain(err)
		if key != "installer.err."+name {
			t.Errorf("%s: Explain gives %q", name, key)
			continue
		}
		seen[key] = true
		checkText(t, key, data)
		for k, v := range data {
			if s, ok := v.(string); ok && strings.ContainsRune(s, 0x1b) {
				t.Errorf("%s: data %s holds a control sequence: %q", name, k, s)
			}
		}
	}
	for _, key := range installer.ExplainKeys() {
		if !seen[key] {
			t.Errorf("Explain may return %q, but no sample error gives it (installertest.Errors)", key)
		}
	}
	if len(seen) != len(installer.ExplainKeys()) {
		t.Errorf("the samples give %d keys, ExplainKeys lists %d", len(seen), len(installer.ExplainKeys()))
	}
	if key, data := installer.Explain(nil); key != "" || data != nil {
		t.Errorf("Explain(nil) = %q, %v", key, data)
	}
}

func TestExplainData(t *testing.T) {
	errs := installertest.Errors()
	_, data := installer.Explain(errs["step"])
	if data["ID"] != "postgresql" || data["Code"] != 100 || data["Tail"] != "Reading package lists...\nE: Unable to locate package postgresql" {
		t.Errorf("step data %q", data)
	}
	if _, data := installer.Explain(errs["readiness"]); data["Failed"] != "os.version, ram" || data["Count"] != 2 {
		t.Errorf("readiness data %v", data)
	}
	if _, data := installer.Explain(errs["auth"]); data["Host"] != "ss1" || data["User"] != "op" || data["Detail"] == "" {
		t.Errorf("auth data %v", data)
	}
	// The readiness refusal names no front end's override.
	for _, l := range i18n.Languages {
		if text := i18n.T(l, "installer.err.readiness", map[string]any{"Failed": "ram"}); strings.Contains(text, "--force") {
			t.Errorf("%s: %q names the CLI's flag", l, text)
		}
	}
}

// optionCases make every problem ValidateOptions knows, by key.
var optionCases = map[string]func(*installer.Options){
	"installer.opt.admin_user.invalid":      func(o *installer.Options) { o.AdminUser = "Admin User" },
	"installer.opt.admin_user.reserved":     func(o *installer.Options) { o.AdminUser = "postgres" },
	"installer.opt.admin_password.empty":    func(o *installer.Options) { o.AdminPassword = "" },
	"installer.opt.admin_password.chars":    func(o *installer.Options) { o.AdminPassword = "a:b" },
	"installer.opt.admin_network.not_cidr":  func(o *installer.Options) { o.AdminNetwork = "10.1.0.0/33" },
	"installer.opt.admin_network.internet":  func(o *installer.Options) { o.AdminNetwork = "0.0.0.0/0" },
	"installer.opt.admin_network.host_bits": func(o *installer.Options) { o.AdminNetwork = "10.1.0.5/24" },
	"installer.opt.is_network.not_cidr":     func(o *installer.Options) { o.ISNetwork = "10.2.0.1" },
	"installer.opt.is_network.internet":     func(o *installer.Options) { o.ISNetwork = "::/0" },
	"installer.opt.is_network.host_bits":    func(o *installer.Options) { o.ISNetwork = "10.2.3.0/16" },
	"installer.opt.hostname.invalid":        func(o *installer.Options) { o.Hostname = "ss1;reboot" + installertest.Hostile },
	"installer.opt.address.invalid":         func(o *installer.Options) { o.Address = "somewhere" },
	"installer.opt.ssh_port.range":          func(o *installer.Options) { o.SSHPort = 70000 },
	"installer.opt.packages_dir.line_break": func(o *installer.Options) { o.PackagesDir = "/tmp/a\nb" },
	"installer.opt.token_vendor.unknown":    func(o *installer.Options) { o.TokenVendor = "softhsm" },
}

func validOptions() installer.Options {
	return installer.Options{AdminUser: "xrdadmin", AdminPassword: "Zq7-unique-Adm1n-Pa55", AdminNetwork: "10.1.0.0/24",
		ISNetwork: "10.2.0.0/16", Hostname: "ss1.example.kg", Address: "203.0.113.7"}
}

// Every problem of the options is keyed, names its field, is in every
// language, and keeps its English text for logs; the catalogue has no
// option text that validation cannot give.
func TestValidateOptionsKeyed(t *testing.T) {
	if errs := installer.ValidateOptions(validOptions(), nil); len(errs) != 0 {
		t.Fatalf("valid options refused: %v", errs)
	}
	en, err := i18n.CatalogKeys("en")
	if err != nil {
		t.Fatal(err)
	}
	for key, change := range optionCases {
		o := validOptions()
		change(&o)
		errs := installer.ValidateOptions(o, nil)
		if len(errs) != 1 || errs[0].Key != key {
			t.Errorf("%s: got %v", key, errs)
			continue
		}
		e := errs[0]
		if !strings.HasPrefix(key, "installer.opt."+e.Field+".") {
			t.Errorf("%s: field %q", key, e.Field)
		}
		checkText(t, key, e.Data)
		if e.Error() != i18n.T("en", key, e.Data) {
			t.Errorf("%s: Error() %q is not the English text", key, e.Error())
		}
		if strings.Contains(e.Error(), o.AdminPassword) && o.AdminPassword != "" {
			t.Errorf("%s: the error shows the password", key)
		}
		for k, v := range e.Data {
			if s, ok := v.(string); ok && strings.ContainsRune(s, 0x1b) {
				t.Errorf("%s: data %s holds a control sequence", key, k)
			}
		}
	}
	for key := range en {
		if _, ok := optionCases[key]; strings.HasPrefix(key, "installer.opt.") && !ok {
			t.Errorf("the catalogue has %q, which no case makes", key)
		}
	}
	// Several problems at once come in the order of the fields, and Plan
	// refuses with all of them.
	o := validOptions()
	o.AdminUser, o.ISNetwork, o.AdminPassword = "root", "0.0.0.0/0", ""
	errs := installer.ValidateOptions(o, nil)
	var fields []string
	for _, e := range errs {
		fields = append(fields, e.Field)
	}
	if strings.Join(fields, " ") != "admin_user admin_password is_network" {
		t.Errorf("fields %v", fields)
	}
}

// The form's readiness gate is Plan's.
func TestCheckReadiness(t *testing.T) {
	rep := &checks.Report{Results: []checks.Result{{ID: "ok", Status: checks.Pass}, {ID: "ram", Status: checks.Fail}}}
	var pe *installer.PreflightError
	if err := installer.CheckReadiness(rep, false); !errors.As(err, &pe) || len(pe.Failed) != 1 || pe.Failed[0].ID != "ram" {
		t.Errorf("failed report: %v", err)
	}
	if err := installer.CheckReadiness(rep, true); err != nil {
		t.Errorf("failed report, forced: %v", err)
	}
	rep.Results = rep.Results[:1]
	if err := installer.CheckReadiness(rep, false); err != nil {
		t.Errorf("passing report: %v", err)
	}
	if err := installer.CheckReadiness(nil, false); err != installer.ErrNoReadiness {
		t.Errorf("no report: %v", err)
	}
	if err := installer.CheckReadiness(nil, true); err != nil {
		t.Errorf("no report, forced: %v", err)
	}
}
