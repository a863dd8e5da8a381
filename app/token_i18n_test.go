package app

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// TestTokenTranslations checks every token./cert. key of the Token and
// Certificates steps: present and non-empty in en, ru and ky, with the
// same placeholders, and really translated (Cyrillic in ru and ky).
func TestTokenTranslations(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`"((?:token|cert)\.[a-z0-9_.]+)"`)
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
	if len(used) < 100 {
		t.Fatalf("only %d token/cert keys found: the scan is broken", len(used))
	}
	en := loadCatalog(t, "en")
	for _, code := range Languages {
		cat := loadCatalog(t, code)
		for key := range used {
			v := cat[key]
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s.json lacks %q", code, key)
				continue
			}
			if placeholders(v) != placeholders(en[key]) {
				t.Errorf("%s.json %q: placeholders %s, en %s", code, key, placeholders(v), placeholders(en[key]))
			}
			if code != "en" && !hasCyrillic(v) {
				t.Errorf("%s.json %q is not translated: %q", code, key, v)
			}
		}
	}
}

func hasCyrillic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}
