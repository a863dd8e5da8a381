package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// The rooms and their arrows (docs/MAP.md): front ends -> flows ->
// transport and tokens -> profile, i18n. Each room may import only the
// rooms listed for it; a new import that breaks the order fails here.
var allowed = map[string][]string{
	"assets":                       {},
	"internal/version":             {},
	"internal/logging":             {},
	"internal/secrets":             {},
	"internal/secrets/secretstest": {"internal/secrets"},
	"internal/srcdir":              {},
	"internal/testcert":            {},
	"internal/atomicfile":          {},
	"internal/readcap":             {},
	"i18n":                         {"assets", "internal/readcap"},
	"i18n/i18ntest":                {"i18n"},
	"tokens/vendors":               {},
	"tokens/vendors/vendorstest":   {},
	"profile":                      {"assets", "i18n", "internal/readcap", "tokens/vendors"},
	"remote":                       {"i18n", "internal/readcap"},
	"tokens":                       {"assets", "i18n", "profile", "internal/atomicfile", "internal/readcap", "tokens/vendors"},
	"xroad":                        {"remote", "i18n"},
	"xroad/xroadtest":              {"xroad", "internal/srcdir"},
	"checks":                       {"assets", "i18n", "profile", "remote", "internal/readcap"},
	"checks/checkstest":            {},
	"enroll":                       {"i18n", "profile", "internal/version", "internal/secrets", "internal/atomicfile", "internal/readcap"},
	"enroll/enrolltest":            {"internal/testcert"},
	"onboarding":                   {"i18n", "internal/atomicfile", "internal/readcap"},
	"onboarding/printout":          {"onboarding", "i18n", "profile"},
	"installer":                    {"checks", "i18n", "profile", "remote", "xroad", "internal/atomicfile", "internal/readcap", "tokens/vendors"},
	"installer/installertest":      {"checks", "installer", "remote"},
	"xroad/configure":              {"i18n", "profile", "remote", "xroad", "internal/readcap"},
	"xroad/connect":                {"i18n", "profile", "remote", "xroad", "internal/readcap"},
	"cmd/tunduk-onboard-cli":       {"*"},
	"app":                          {"*"},
	".":                            {"app", "internal/version"},

	// The first real call (issue 15): a flow beside xroad/configure.
	"xroad/metaservice":                 {"remote", "i18n"},
	"xroad/metaservice/metaservicetest": {"xroad/metaservice", "internal/testcert"},

	// The Catalogue export of what connect read: the one adapter of the
	// two flows, for both front ends.
	"xroad/connect/catalogue": {"xroad/connect", "enroll"},

	// Renewal (issue 17): configure's room for certificates after the
	// first ones; the new CSRs go to the CA as the first ones did (enroll).
	"xroad/configure/renew": {"i18n", "profile", "enroll", "xroad", "xroad/configure"},

	// Keeping it running (issue 16): a flow beside checks.
	// Alerts send by the submission's SMTP code (enroll) and read a bot
	// token from the OS keyring (internal/secrets).
	"health": {"i18n", "profile", "remote", "xroad", "enroll", "internal/atomicfile", "internal/readcap", "internal/secrets"},
	// Backups (issue 17): a flow that logs the tokens in after a restore
	// through configure's session, as configure itself does.
	"xroad/backup": {"i18n", "xroad", "xroad/configure", "internal/atomicfile", "internal/readcap"},
	// The support bundle: files in, secrets out, one archive.
	// The bundle gathers the server's logs through the health room's
	// readers and the same SSH host (both front ends call it).
	"health/bundle": {"health", "remote", "internal/atomicfile", "internal/readcap", "internal/version"},
	// The Bot API stand-in the tests of health and the CLI share.
	"health/healthtest": {},
	// Fleets on Ansible (issue 18): the install plan written as an
	// Ansible project, derived from installer's plan and nothing else.
	"installer/ansible": {"installer", "remote"},
	// Tests read a bundle back file by file.
	"health/bundle/bundletest": {},
}

const module = "github.com/tunduk-onboard/tunduk-onboard"

type listed struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func goList(t *testing.T, args ...string) []listed {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-json"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listed
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func rel(path string) string {
	if path == module {
		return "."
	}
	return strings.TrimPrefix(path, module+"/")
}

func TestRoomsImportOnlyDownwards(t *testing.T) {
	for _, p := range goList(t, "-tags", "migrated_fynedo", "./...") {
		room := rel(p.ImportPath)
		if strings.HasPrefix(room, "build/") {
			continue // test rigs may reach anything but app (checked below)
		}
		ok, known := allowed[room]
		if !known {
			t.Errorf("%s is a room the map does not know: add it to allowed and docs/MAP.md", room)
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			dep := rel(imp)
			if len(ok) == 1 && ok[0] == "*" && dep != "app" {
				continue
			}
			found := false
			for _, a := range ok {
				found = found || a == dep
			}
			if !found {
				t.Errorf("%s imports %s: against the arrows", room, dep)
			}
		}
	}
}

func TestNothingImportsTheWizard(t *testing.T) {
	for _, p := range goList(t, "-tags", "migrated_fynedo", "-test", "./...") {
		// "pkg [pkg.test]" and "pkg.test" are pkg's test builds
		room := rel(strings.TrimSuffix(strings.Fields(p.ImportPath)[0], ".test"))
		if room == "." || room == "app" {
			continue // the wizard's own command, and the wizard itself
		}
		for _, imp := range p.Imports {
			if imp == module+"/app" {
				t.Errorf("%s imports app: nothing may, the wizard is a front end", p.ImportPath)
			}
		}
	}
}

func TestCLILinksNoGUI(t *testing.T) {
	for _, p := range goList(t, "./cmd/tunduk-onboard-cli") {
		for _, d := range p.Deps {
			if strings.HasPrefix(d, "fyne.io/") || strings.Contains(d, "go-gl/") {
				t.Errorf("the CLI links %s: it must run on a server with no display libraries", d)
			}
		}
	}
}
