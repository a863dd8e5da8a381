package configure_test

import (
	"regexp"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n/i18ntest"
)

// TestKeysTranslated: every configure.err.* key the package uses and
// every step name exists in en, ru and ky.
func TestKeysTranslated(t *testing.T) {
	keys := i18ntest.SourceKeys(t, regexp.MustCompile(`"(configure\.err\.[a-z_]+)"`))
	for _, id := range []string{"anchor", "init", "tsa", "login", "auth_csr", "hw_login", "sign_csr", "import", "register", "approve", "activate"} {
		keys["configure.step."+id] = true
	}
	i18ntest.CheckKeys(t, keys, 30, map[string]any{"Address": "a", "Allowed": "a", "Call": "c", "Class": "GOV", "Classes": "GOV, COM",
		"Code": "c", "Error": "e", "Fields": "f", "Given": "g", "Got": "g", "Jar": "j", "Min": 3, "Minutes": 5, "Names": "n", "Ours": "o",
		"Path": "/p", "Place": "p", "Said": "s", "Serial": "1", "Server": "s", "ServerID": "id", "Status": 409, "Subject": "CN=x",
		"Token": "t", "Tokens": "t", "User": "u", "Want": "w", "Warnings": "w"})
}
