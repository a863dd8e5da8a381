package enroll

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/i18n/i18ntest"
)

// Every key this package (or its letter) uses exists in en, ru and ky,
// and renders without a missing value.
func TestEveryKeyTranslated(t *testing.T) {
	used := i18ntest.SourceKeys(t, regexp.MustCompile(`"(enroll\.(err|letter|notice|stage|via|source)\.[a-z_]*[a-z])"`))
	// Keys built from values: stages, vias and the CSR lines.
	for _, s := range Stages {
		used["enroll.stage."+string(s)] = true
	}
	for _, v := range []Via{ViaEmail, ViaSMTP, ViaHTTPS, ViaFolder} {
		used["enroll.via."+string(v)] = true
	}
	used["enroll.letter.csr_auth"], used["enroll.letter.csr_sign"] = true, true
	used["enroll.letter.follows_auth"], used["enroll.letter.follows_sign"] = true, true
	data := map[string]any{"Field": "x", "Count": 3, "MiB": 16, "KiB": 1024, "Usage": "auth", "Other": "sign", "Dir": "/d", "File": "f", "Address": "a@b",
		"Server": "s:587", "User": "u", "Reply": 550, "URL": "https://x", "Status": 503, "Reason": "r", "Key": "k", "Stage": "s",
		"ID": "id", "Via": "fax", "From": "sent", "To": "prepared", "Name": "n", "MemberClass": "GOV", "MemberCode": "1", "ServerCode": "SS1",
		"DER": "a.der", "PEM": "a.pem", "Source": "src", "Subject": "CN=x", "Tool": "t", "Error": "e",
		"Part": 2, "Awaited": "auth", "Format": "xml", "Date": "2026-12-01", "Max": 100}
	i18ntest.CheckKeys(t, used, 40, data)
	for k := range used {
		if i18n.T("ru", k, data) == i18n.T("en", k, data) && !strings.HasPrefix(k, "enroll.stage.") && k != "enroll.err.other" {
			t.Errorf("%s: Russian is the English text", k)
		}
	}
}
