package backup_test

import (
	"regexp"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n/i18ntest"
)

// TestKeysTranslated: every backup.* key the package uses exists in en,
// ru and ky with English's fields.
func TestKeysTranslated(t *testing.T) {
	keys := i18ntest.SourceKeys(t, regexp.MustCompile(`"(backup\.(?:err|lead)\.[a-z_]+)"`))
	i18ntest.CheckKeys(t, keys, 18, map[string]any{"Name": "conf_backup_20261201-100000.gpg", "Path": "/p", "Reason": "r",
		"Limit": 1024, "Got": "g", "Want": "w", "Token": "softToken-0", "Hardware": false})
}
