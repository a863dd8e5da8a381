// Package i18ntest checks, from a room's tests, that the report texts the
// room uses exist in every language: the flows' errors and words are
// shown by both front ends, and a key missing in one language falls back
// to English without a sound (i18n.T).
package i18ntest

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// SourceKeys is every key re's first group finds in the non-test Go
// files of the current directory (a test runs in its package's folder).
func SourceKeys(t testing.TB, re *regexp.Regexp) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = true
		}
	}
	return keys
}

// CheckKeys fails the test unless each key passes CheckKey with data.
// Fewer than min keys means the scan that found them is broken.
func CheckKeys(t testing.TB, keys map[string]bool, min int, data map[string]any) {
	t.Helper()
	if len(keys) < min {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for k := range keys {
		CheckKey(t, k, data)
	}
}

// CheckKey fails the test unless key is in each language's report
// catalogue, not blank, with the template fields English's text has, each
// of which data fills, and renders with data to a text of its own (not
// the key, no "<no value>", no template left).
func CheckKey(t testing.TB, key string, data map[string]any) {
	t.Helper()
	en, err := i18n.CatalogKeys("en")
	if err != nil {
		t.Fatal(err)
	}
	want := fields(en[key])
	for _, l := range i18n.Languages {
		cat, err := i18n.CatalogKeys(l)
		if err != nil {
			t.Fatal(err)
		}
		text, ok := cat[key]
		if !ok || strings.TrimSpace(text) == "" {
			t.Errorf("%s lacks %q", l, key)
			continue
		}
		got := fields(text)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s %q has fields %v, English %v", l, key, got, want)
		}
		for _, f := range got {
			if _, ok := data[f]; !ok {
				t.Errorf("%s %q uses .%s, which the test's data lacks: %v", l, key, f, data)
			}
		}
		if s := i18n.T(l, key, data); s == key || strings.Contains(s, "<no value>") || strings.Contains(s, "{{") {
			t.Errorf("%s %q renders as %q", l, key, s)
		}
	}
}

var (
	actionRe = regexp.MustCompile(`\{\{[^}]*\}\}`)
	fieldRe  = regexp.MustCompile(`\.([A-Za-z]\w*)`)
)

// fields are the names a text's template actions read ({{.Name}},
// {{if .Name}}, {{plural .Count ...}}), sorted, each once.
func fields(text string) []string {
	seen := map[string]bool{}
	for _, a := range actionRe.FindAllString(text, -1) {
		for _, m := range fieldRe.FindAllStringSubmatch(a, -1) {
			seen[m[1]] = true
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
