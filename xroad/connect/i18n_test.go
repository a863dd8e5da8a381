package connect_test

import (
	"regexp"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n/i18ntest"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

// TestKeysTranslated: every connect.err.* key the package uses and every
// connection type's explanation exists in en, ru and ky.
func TestKeysTranslated(t *testing.T) {
	keys := i18ntest.SourceKeys(t, regexp.MustCompile(`"(connect\.(err|conn)\.[a-z_]+)"`))
	for _, k := range connect.ConnectionKeys {
		keys[k] = true
	}
	i18ntest.CheckKeys(t, keys, 25, map[string]any{"Subsystem": "crm", "Service": "x", "Subject": "s", "Detail": "d", "URL": "u", "Code": "c", "Status": 409,
		"Pattern": "p", "What": "w", "Got": "g", "Group": "g"})
}
