package health_test

import (
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/i18n/i18ntest"
)

// TestGatherKeysTranslated: every health.* report text of the findings exists in en, ru and
// ky with English's fields (the keys are composed from a finding's
// kind, so the catalogue is walked rather than the source).
func TestGatherKeysTranslated(t *testing.T) {
	en, err := i18n.CatalogKeys("en")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for k := range en {
		// health.alert.* are the alerts' (their own test checks them).
		if strings.HasPrefix(k, "health.") && !strings.HasPrefix(k, "health.alert.") {
			keys[k] = true
		}
	}
	i18ntest.CheckKeys(t, keys, 90, map[string]any{"What": "w", "Err": "e", "Got": "7.4.1", "Want": "7.4.2", "Code": "SUCCESS",
		"Age": "3m", "URL": "http://x", "CA": "CN=ca", "ID": "i", "State": "s", "Name": "n", "Type": "SOFTWARE",
		"Subject": "s", "Usage": "signing", "Hash": "h", "OCSP": "o", "Days": 3, "Ago": 2, "Date": "2026-12-12", "Threshold": 14,
		"Unit": "xroad-proxy", "Offset": "+1.0", "Within": "0.2", "Path": "/var/lib/xroad", "Free": "1 GiB", "Min": "10 GiB",
		"Size": "1 MiB", "Addr": "a:1", "Purpose": "ocsp", "Rate": "5 MiB", "Span": "3d"})
}
