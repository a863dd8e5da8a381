package enroll

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// Every key this package (or its letter) uses exists in en, ru and ky,
// and renders without a missing value.
func TestEveryKeyTranslated(t *testing.T) {
	re := regexp.MustCompile(`"(enroll\.(err|letter|notice|stage|via|source)\.[a-z_]*[a-z])"`)
	files, _ := filepath.Glob("*.go")
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	// Keys built from values: stages, vias and the CSR lines.
	for _, s := range Stages {
		used["enroll.stage."+string(s)] = true
	}
	for _, v := range []Via{ViaEmail, ViaSMTP, ViaHTTPS, ViaFolder} {
		used["enroll.via."+string(v)] = true
	}
	used["enroll.letter.csr_auth"], used["enroll.letter.csr_sign"] = true, true
	used["enroll.letter.follows_auth"], used["enroll.letter.follows_sign"] = true, true
	if len(used) < 40 {
		t.Fatalf("found only %d keys: the scan is broken", len(used))
	}
	data := map[string]any{"Field": "x", "Count": 3, "MiB": 16, "KiB": 1024, "Usage": "auth", "Other": "sign", "Dir": "/d", "File": "f", "Address": "a@b",
		"Server": "s:587", "User": "u", "Reply": 550, "URL": "https://x", "Status": 503, "Reason": "r", "Key": "k", "Stage": "s",
		"ID": "id", "Via": "fax", "From": "sent", "To": "prepared", "Name": "n", "MemberClass": "GOV", "MemberCode": "1", "ServerCode": "SS1",
		"DER": "a.der", "PEM": "a.pem", "Source": "src", "Subject": "CN=x", "Tool": "t", "Error": "e",
		"Part": 2, "Awaited": "auth", "Format": "xml", "Date": "2026-12-01", "Max": 100}
	for k := range used {
		for _, l := range i18n.Languages {
			s := i18n.T(l, k, data)
			if s == k || strings.Contains(s, "<no value>") || strings.Contains(s, "{{") {
				t.Errorf("%s/%s: %q", l, k, s)
			}
		}
		if i18n.T("ru", k, data) == i18n.T("en", k, data) && !strings.HasPrefix(k, "enroll.stage.") && k != "enroll.err.other" {
			t.Errorf("%s: Russian is the English text", k)
		}
	}
}
