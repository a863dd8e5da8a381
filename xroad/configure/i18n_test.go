package configure_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// TestKeysTranslated: every configure.err.* key the package uses and
// every step name exists in en, ru and ky (i18n.T returns the key
// itself for a missing one).
func TestKeysTranslated(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`"(configure\.err\.[a-z_]+)"`)
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
	for _, id := range []string{"anchor", "init", "tsa", "login", "auth_csr", "hw_login", "sign_csr", "import", "register", "approve", "activate"} {
		keys["configure.step."+id] = true
	}
	if len(keys) < 30 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for k := range keys {
		for _, lang := range i18n.Languages {
			if got := i18n.T(lang, k, map[string]any{}); got == k || got == "" {
				t.Errorf("%s missing in %s", k, lang)
			}
		}
	}
}
