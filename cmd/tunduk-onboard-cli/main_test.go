package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

const (
	softhsmLib = "/usr/lib/softhsm/libsofthsm2.so"
	testSO     = "so-secret-4711"
	testUser   = "user-secret-0815"
	// The Rutoken factory PINs (../shared/REQUIREMENTS.md), given to the
	// "factory" test token: SoftHSM2 has no factory PINs of its own.
	factorySO   = "87654321"
	factoryUser = "12345678"
)

// softhsmConf is the SoftHSM2 configuration of this test binary. SoftHSM2
// reads SOFTHSM2_CONF once per process and the CLI tests run in-process,
// so it is set once here for every test; tests tell tokens apart by label.
var softhsmConf string

// testDir is testMain's scratch directory, removed when the tests end.
var testDir string

// softTokens are the labels of the tokens testMain made: one per test.
var softTokens = map[string]bool{}

// prepareTokens initialises the tests' tokens with softhsm2-util before
// any test loads the module: SoftHSM2 sees only the tokens present when
// the process initialised it.
func prepareTokens() error {
	if _, err := os.Stat(softhsmLib); err != nil {
		return nil // tests skip
	}
	for _, label := range []string{"list", "flow", "wrongpin", "init", "pins", "prepare", "prepare-pins", "prepare-undo", "factory", "outdir"} {
		so, user := testSO, testUser
		if label == "factory" { // as a Rutoken leaves the factory
			so, user = factorySO, factoryUser
		}
		cmd := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", so, "--pin", user)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("softhsm2-util --init-token %s: %v\n%s", label, err, out)
		}
		softTokens[label] = true
	}
	return nil
}

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	testDir = dir
	tokdir := filepath.Join(dir, "softhsm-tokens")
	if err := os.Mkdir(tokdir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	softhsmConf = filepath.Join(dir, "softhsm2.conf")
	conf := "directories.tokendir = " + tokdir + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
	if err := os.WriteFile(softhsmConf, []byte(conf), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Setenv("SOFTHSM2_CONF", softhsmConf)
	if err := prepareTokens(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Logs of every verb go to a throwaway config dir, not the real home.
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	// No test may wait on the terminal of whoever runs it.
	openTTY = func() (*os.File, error) { return nil, errors.New("no terminal in tests") }
	return m.Run()
}

// upperFirst capitalises a Cyrillic first letter whole (a byte slice of it
// would break the UTF-8).
func TestUpperFirst(t *testing.T) {
	for in, want := range map[string]string{"колдонуучунун PIN-коду": "Колдонуучунун PIN-коду", "user PIN": "User PIN", "": "", "ё": "Ё"} {
		if got := upperFirst(in); got != want {
			t.Errorf("upperFirst(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExitMapping walks verbs through run, the one place that maps an
// error to the exit code and tells it: a bad flag, bad input and a refused
// connection (2, told in ru), and success (0, nothing on stderr).
func TestExitMapping(t *testing.T) {
	store := t.TempDir()
	ru := func(key string, data map[string]any) string { return i18n.T("ru", key, data) }
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"check", "--bogus", "--lang", "ru"}, exitCannot, ru("cli.flag.unknown", map[string]any{"Flag": "--bogus"})},
		{[]string{"install", "--bogus", "--lang", "ru"}, exitCannot, ru("cli.flag.unknown", map[string]any{"Flag": "--bogus"})},
		{[]string{"submit", "list", "--store", store, "--format", "xml", "--lang", "ru"}, exitCannot,
			ru("cli.error_word", nil) + ": " + ru("cli.submit.err_format", map[string]any{"Format": "xml"})},
		{[]string{"check", "--ssh", "u@127.0.0.1:1", "--format", "json", "--lang", "ru"}, exitCannot, ru("cli.error_word", nil) + ": u@127.0.0.1:1: "},
		{[]string{"server", "status", "--bogus", "--lang", "ru"}, exitCannot, ru("cli.flag.unknown", map[string]any{"Flag": "--bogus"})},
		{[]string{"nonsense", "--lang", "ru"}, exitCannot, ru("cli.unknown_command", map[string]any{"Word": "nonsense", "Cmd": "tunduk-onboard-cli"})},
		{[]string{"submit", "list", "--store", store, "--lang", "ru"}, exitOK, ""},
		{[]string{"version"}, exitOK, ""},
	} {
		code, _, errOut := cli(t, "", c.args...)
		if code != c.code || (c.want == "" && errOut != "") || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d, stderr with %q", c.args, code, errOut, c.code, c.want)
		}
	}
}
