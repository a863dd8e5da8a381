package profile

import (
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
)

// TestParseExplainsTheFileInOneLine: a BOM, text after the JSON, a value
// of the wrong type and broken syntax are each one line naming the field
// (or the file) and what is wrong.
func TestParseExplainsTheFileInOneLine(t *testing.T) {
	good, err := assets.FS.ReadFile("profiles/tunduk.json")
	if err != nil {
		t.Fatal(err)
	}
	typed := strings.Replace(string(good), `"min_cores": 2`, `"min_cores": "2"`, 1)
	if typed == string(good) {
		t.Fatal("the embedded profile has no \"min_cores\": 2 to change")
	}
	for _, c := range []struct {
		name, data, field, problem string
	}{
		{"bom", "\xef\xbb\xbf" + string(good), "(file)", "byte order mark"},
		{"trailing", string(good) + "\n{}", "(file)", "more after the JSON object"},
		{"trailing garbage", string(good) + " x", "(file)", "more after the JSON object"},
		{"wrong type", typed, "thresholds.min_cores", "want a whole number, got a string"},
		{"syntax", `{"name": }`, "(file)", "not valid JSON at line 1"},
		{"cut", `{"name": "x"`, "(file)", "ends before"},
	} {
		_, err := Parse([]byte(c.data), "p.json")
		pe, ok := err.(*Error)
		if !ok {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if pe.Field != c.field || !strings.Contains(pe.Problem, c.problem) || strings.Contains(pe.Error(), "\n") {
			t.Errorf("%s: %q", c.name, pe.Error())
		}
	}
	if _, err := Parse(append(good, "\n\n"...), "p.json"); err != nil {
		t.Errorf("trailing blank lines: %v", err)
	}
}
