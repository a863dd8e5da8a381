package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/logging"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestServerSudoPassword: server status --local as a user who is not root
// and whose sudo asks for a password, the admin API's certificate kept
// from that user as X-Road keeps it (testhost.RootOnlyFile). Without
// --sudo-password-stdin: the flow's message and the CLI's hint naming the
// flag, in each language; with it, on standard input in install's order
// (sudo password, then admin password): the session opens; a wrong one:
// refused, never asked again; without the flag but with a terminal: asked
// there once. The password is in nothing printed or logged.
func TestServerSudoPassword(t *testing.T) {
	if os.Getenv(testhost.AsUserEnv) != "" {
		serverSudoAsUser(t)
		return
	}
	f := xroadtest.StartWith(t, xroadtest.Options{})
	api := f.AdminAPI()
	testhost.RunAsSudoUserWithAPI(t, "TestServerSudoPassword", api.Addr, api.CertPath)
	if len(f.LiveKeys()) != 0 {
		t.Fatal("an API key outlived its session")
	}
}

func serverSudoAsUser(t *testing.T) {
	pw, addr, cert := testhost.SudoAPIChild(t)
	base := []string{"server", "status", "--local", "--admin-user", xroadtest.AdminUser, "--admin-password-stdin",
		"--admin-api", addr, "--admin-api-cert", cert}
	admin := xroadtest.AdminPassword + "\n"
	var printed []string
	run := func(stdin string, args ...string) (int, string) {
		t.Helper()
		code, out, errOut := cli(t, stdin, args...)
		printed = append(printed, out, errOut)
		dir, err := logging.Dir()
		if err != nil {
			t.Fatal(err)
		}
		logs, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, name := range logs {
			data, _ := os.ReadFile(name)
			printed = append(printed, string(data))
		}
		return code, out + errOut
	}
	asked := 0
	prompt := promptTTY
	t.Cleanup(func() { promptTTY = prompt })
	promptTTY = func(string) (string, error) { asked++; return "", errNoTTY }

	for _, lang := range i18n.Languages {
		code, out := run(admin, append(base, "--lang", lang)...)
		want := i18n.T(lang, "configure.err.sudo_password", map[string]any{"Path": cert})
		hint := i18n.T(lang, "cli.hint.configure.err.sudo_password", nil)
		if code != exitCannot || !strings.Contains(out, want) || !strings.Contains(out, hint) {
			t.Errorf("%s without the sudo password: exit %d\n%s", lang, code, out)
		}
	}
	if asked != len(i18n.Languages) {
		t.Errorf("the terminal was asked %d times, want once a run", asked)
	}

	code, out := run(pw+"\n"+admin, append(base, "--sudo-password-stdin", "--lang", "en")...)
	if code != exitOK {
		t.Errorf("with --sudo-password-stdin: exit %d\n%s", code, out)
	}

	asked = 0
	code, out = run(pw+"-wrong\n"+admin, append(base, "--sudo-password-stdin", "--lang", "ru")...)
	if code != exitCannot || !strings.Contains(out, "sudo на сервере не принял пароль") || asked != 0 {
		t.Errorf("a wrong sudo password: exit %d, asked %d times\n%s", code, asked, out)
	}

	promptTTY = func(string) (string, error) { asked++; return pw, nil }
	code, out = run(admin, append(base, "--lang", "en")...)
	if code != exitOK || asked != 1 {
		t.Errorf("asked on the terminal: exit %d, asked %d times\n%s", code, asked, out)
	}

	for _, p := range printed {
		if strings.Contains(p, pw) {
			t.Fatal("the sudo password was printed or logged")
		}
	}
}
