package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// keyPrefixes are the first segments of the wizard's translation keys.
var keyPrefixes = []string{"app", "header", "lang", "about", "dialog", "step", "nav", "welcome", "org", "server",
	"readiness", "summary", "status", "err", "hostkey", "record"}

var (
	literalRe     = regexp.MustCompile(`"([A-Za-z_]+(?:\.[A-Za-z_]+)+)"`)
	placeholderRe = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
)

func loadCatalog(t *testing.T, code string) map[string]string {
	t.Helper()
	data, err := translationFile(code)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s.json: %v", code, err)
	}
	return m
}

// keysInCode finds every translation key written as a literal in the
// package's non-test sources (T("...") calls and key fields alike).
func keysInCode(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string][]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literalRe.FindAllStringSubmatch(string(src), -1) {
			first := strings.SplitN(m[1], ".", 2)[0]
			for _, p := range keyPrefixes {
				if first == p {
					keys[m[1]] = append(keys[m[1]], f)
				}
			}
		}
	}
	return keys
}

func TestTranslationKeys(t *testing.T) {
	used := keysInCode(t)
	if len(used) < 100 {
		t.Fatalf("found only %d keys in the code: the scan is broken", len(used))
	}
	en := loadCatalog(t, "en")
	for _, code := range Languages {
		cat := loadCatalog(t, code)
		for key, files := range used {
			v, ok := cat[key]
			if !ok {
				t.Errorf("%s.json lacks %q (used in %v)", code, key, files)
			} else if strings.TrimSpace(v) == "" {
				t.Errorf("%s.json: %q is empty", code, key)
			}
		}
		for key, v := range cat {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s.json: %q is empty", code, key)
			}
			if _, ok := en[key]; !ok {
				t.Errorf("%s.json has %q, which en.json lacks", code, key)
			}
			if got, want := placeholders(v), placeholders(en[key]); got != want {
				t.Errorf("%s.json %q has placeholders %s, en.json %s", code, key, got, want)
			}
		}
		for key := range en {
			if _, ok := cat[key]; !ok {
				t.Errorf("%s.json lacks %q", code, key)
			}
		}
	}
	// Keys nobody uses are only reported: fyne's own keys are listed on purpose.
	var unused []string
	for key := range en {
		if _, ok := used[key]; !ok && strings.Contains(key, ".") && !strings.HasPrefix(key, "file.") {
			unused = append(unused, key)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Logf("keys not found in the code: %v", unused)
	}
}

func placeholders(s string) string {
	var names []string
	for _, m := range placeholderRe.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

// The report texts in translations/report/ are not the wizard's: they must
// not be loaded into fyne, and their presence must not break loading.
func TestOnlyTopLevelTranslationsLoaded(t *testing.T) {
	_ = test.NewTempApp(t)
	for _, code := range Languages {
		if err := SetLanguage(code); err != nil {
			t.Fatalf("%s: %v", code, err)
		}
	}
	if err := SetLanguage("xx"); err != nil || CurrentLanguage() != "en" {
		t.Errorf("unknown language: %v, now %q", err, CurrentLanguage())
	}
	if T("nav.next") != "Next" {
		t.Errorf("nav.next = %q", T("nav.next"))
	}
	if T("summary.fail", map[string]any{"Count": 3}) != "3 failed" {
		t.Errorf("template: %q", T("summary.fail", map[string]any{"Count": 3}))
	}
}

// Counts take the noun's plural form (i18n/plural.go): the wizard renders
// those messages itself, Fyne's lang package knows no plural function.
func TestCountsPlural(t *testing.T) {
	_ = test.NewTempApp(t)
	t.Cleanup(func() { _ = SetLanguage("en") })
	if err := SetLanguage("en"); err != nil {
		t.Fatal(err)
	}
	for n, want := range map[int]string{1: "1 warning", 2: "2 warnings", 0: "0 warnings"} {
		if got := T("summary.warn", map[string]any{"Count": n}); got != want {
			t.Errorf("summary.warn %d: %q, want %q", n, got, want)
		}
	}
	got := T("summary.readiness_fail", map[string]any{"Date": "today", "Pass": 20, "Warn": 1, "Fail": 1})
	if !strings.Contains(got, "1 requirement is not met") || !strings.Contains(got, "1 warning)") || !strings.Contains(got, "Fix it ") {
		t.Errorf("summary.readiness_fail with one fail and one warning: %q", got)
	}
	if err := SetLanguage("ru"); err != nil {
		t.Fatal(err)
	}
	if got := T("summary.warn", map[string]any{"Count": 21}); got != "предупреждений: 21" {
		t.Errorf("ru summary.warn: %q", got)
	}
}
