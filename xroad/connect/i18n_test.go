package connect_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

// TestKeysTranslated: every connect.err.* key the package uses and every
// connection type's explanation exists in en, ru and ky.
func TestKeysTranslated(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`"(connect\.(err|conn)\.[a-z_]+)"`)
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
	for _, k := range connect.ConnectionKeys {
		keys[k] = true
	}
	if len(keys) < 25 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for k := range keys {
		for _, lang := range i18n.Languages {
			got := i18n.T(lang, k, map[string]any{"Subsystem": "crm", "Service": "x", "Subject": "s", "Detail": "d", "URL": "u", "Code": "c", "Status": 409,
				"Pattern": "p", "What": "w", "Got": "g", "Group": "g"})
			if got == k || got == "" || strings.Contains(got, "<no value>") {
				t.Errorf("%s missing or incomplete in %s: %q", k, lang, got)
			}
		}
	}
}
