package main

// Golden tests: what a newcomer reads from the CLI, in each language, as
// files under testdata/golden (one per case and language). A change in
// the words or the layout shows up as a diff there; regenerate after a
// deliberate change with
//
//	go test ./cmd/tunduk-onboard-cli -run TestGolden -update
//
// The output is normalised first: temporary folders, times, a token's
// serial number and slot, and the PKCS#11 library's path differ from
// machine to machine and run to run, and the profile's version.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from this run")

// goldenCase is one command line, run once per language with --lang.
type goldenCase struct {
	name  string
	args  func(tmp string) []string
	skip  func() string       // why the case cannot run here, or ""
	clean func(string) string // the case's own normalisation, after the common one
}

var (
	reTime = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}( ?(UTC|Z|[+-]\d{2}:?\d{2}|[A-Z]{3,5}))?`)
	reWide = regexp.MustCompile(`  +`)
)

func goldenCases() []goldenCase {
	fixed := func(a ...string) func(string) []string { return func(string) []string { return a } }
	return []goldenCase{
		{name: "help", args: fixed("-h")},
		{name: "mistyped-verb", args: fixed("chek")},
		{name: "mistyped-subverb", args: fixed("server", "regster")},
		{name: "unknown-verb", args: fixed("frobnicate")},
		// A server verb's help: its secrets on standard input, in the
		// order every verb reads them (install's: SSH, sudo, admin).
		{name: "server-status-help", args: fixed("server", "status", "-h")},
		// The readiness check of a fixed machine (testdata/probe-golden.txt):
		// the marks in the language, the table of a failed rule.
		{name: "check", args: fixed("check")},
		{name: "check-output", args: func(tmp string) []string {
			return []string{"check", "--format", "json", "--output", filepath.Join(tmp, "report.json")}
		}},
		// A file error names the user's path, never the temporary file
		// written beside it, and says why in the user's words.
		{name: "file-error", args: func(tmp string) []string {
			return []string{"check", "--output", filepath.Join(tmp, "no-such-folder", "report.txt")}
		}},
		// An anchor whose SHA-224 is not the one typed: refused before
		// anything is asked or dialled, both hashes as X-Road shows them.
		{name: "anchor-hash", args: func(tmp string) []string {
			anchor := filepath.Join(tmp, "anchor.xml")
			os.WriteFile(anchor, []byte(`<?xml version="1.0" encoding="UTF-8"?><tns:conf xmlns:tns="http://x-road.eu/xsd/xroad.xsd"><instanceIdentifier>central-server</instanceIdentifier></tns:conf>`), 0o644)
			return []string{"server", "init", "--local", "--anchor", anchor, "--anchor-hash", strings.Repeat("ab", 28),
				"--member-class", "GOV", "--member-code", "70000001", "--server-code", "SS1"}
		}},
		{name: "token-list", args: fixed("token", "list", "--module", softhsmLib, "--token", "list"), skip: func() string {
			if len(tokenHelpArgs) == 0 {
				return "built without cgo"
			}
			if _, err := os.Stat(softhsmLib); err != nil {
				return "no SoftHSM2"
			}
			return ""
		}, clean: cleanTokenList},
	}
}

// reTokenRow is the start of a row of token list: the slot and the
// serial number SoftHSM2 picks anew for every token it makes; reBits is
// the RSA key sizes it supports, which its version decides.
var (
	reTokenRow = regexp.MustCompile(`(?m)^\d+ +[0-9a-f]{16} +`)
	reBits     = regexp.MustCompile(` \d{3,5}-\d{4,5} `)
)

// cleanTokenList replaces the list token's slot, serial number and key
// sizes and squeezes the columns their width moves.
func cleanTokenList(s string) string {
	s = reTokenRow.ReplaceAllString(s, "<SLOT>  <SERIAL>  ")
	s = reBits.ReplaceAllString(s, " <BITS> ")
	s = strings.ReplaceAll(s, softhsmLib, "<MODULE>")
	return reWide.ReplaceAllString(s, "  ")
}

// fixedFacts are the facts of testdata/probe-golden.txt, for check.
func fixedFacts(t *testing.T) checks.Collector {
	data, err := os.ReadFile("testdata/probe-golden.txt")
	if err != nil {
		t.Fatal(err)
	}
	return func(context.Context) (*checks.Facts, error) { return checks.ParseProbe(data) }
}

func TestGolden(t *testing.T) {
	old := collectLocal
	collectLocal = fixedFacts(t)
	t.Cleanup(func() { collectLocal = old })
	t.Setenv("NO_COLOR", "1")
	for _, c := range goldenCases() {
		for _, lang := range i18n.Languages {
			t.Run(c.name+"."+lang, func(t *testing.T) {
				if c.skip != nil {
					if why := c.skip(); why != "" {
						t.Skip(why)
					}
				}
				tmp := t.TempDir()
				args := append(c.args(tmp), "--lang", lang)
				code, out, errOut := cli(t, "", args...)
				got := fmt.Sprintf("$ tunduk-onboard-cli %s\nexit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(args, " "), code, out, errOut)
				got = normalise(got, tmp)
				if c.clean != nil {
					got = c.clean(got)
				}
				file := filepath.Join("testdata", "golden", c.name+"."+lang+".txt")
				if *update {
					if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run with -update to write it)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from this run (rerun with -update if the change is meant):\n--- want\n%s\n--- got\n%s", file, want, got)
				}
			})
		}
	}
}

// normalise takes out of s what differs between machines and runs (the
// test's temporary folder, times) and the profile's version, which a new
// profile changes without changing a word of the CLI.
func normalise(s, tmp string) string {
	s = strings.ReplaceAll(s, tmp, "<TMP>")
	if p, err := profile.Default(); err == nil {
		s = strings.ReplaceAll(s, p.Name+" "+p.Version, "<PROFILE>")
	}
	return reTime.ReplaceAllString(s, "<TIME>")
}

// TestGoldenClean: the golden files hold no path of the machine that
// wrote them and no time.
func TestGoldenClean(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txt")
	if err != nil || len(files) < 3*7 {
		t.Fatalf("%d golden files (%v)", len(files), err)
	}
	home, _ := os.UserHomeDir()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, bad := range []string{os.TempDir() + "/", home + "/", softhsmLib} {
			if bad != "/" && strings.Contains(s, bad) {
				t.Errorf("%s holds %q", f, bad)
			}
		}
		if reTime.MatchString(s) {
			t.Errorf("%s holds a time: %q", f, reTime.FindString(s))
		}
	}
}
