package i18n

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
)

func TestPluralCategory(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"ru", 1, PluralOne}, {"ru", 2, PluralFew}, {"ru", 5, PluralMany}, {"ru", 21, PluralOne},
		{"ru", 0, PluralMany}, {"ru", 4, PluralFew}, {"ru", 11, PluralMany}, {"ru", 12, PluralMany},
		{"ru", 14, PluralMany}, {"ru", 22, PluralFew}, {"ru", 25, PluralMany}, {"ru", 101, PluralOne},
		{"ru", 111, PluralMany}, {"ru", 112, PluralMany}, {"ru", 1004, PluralFew},
		{"en", 1, PluralOne}, {"en", 0, PluralOther}, {"en", 2, PluralOther}, {"en", 21, PluralOther},
		{"ky", 1, PluralOther}, {"ky", 2, PluralOther}, {"ky", 5, PluralOther},
	} {
		if got := PluralCategory(c.lang, c.n); got != c.want {
			t.Errorf("PluralCategory(%s, %d) = %s, want %s", c.lang, c.n, got, c.want)
		}
	}
}

func TestPluralRendered(t *testing.T) {
	ru := `{{.Count}} {{plural .Count "предупреждение" "предупреждения" "предупреждений"}}`
	for n, want := range map[int]string{1: "1 предупреждение", 2: "2 предупреждения", 5: "5 предупреждений", 21: "21 предупреждение"} {
		if got := Render("ru", "test.ru", ru, map[string]any{"Count": n}); got != want {
			t.Errorf("ru %d: %q, want %q", n, got, want)
		}
	}
	// The catalogue's own messages: no "1 warnings" in English.
	for n, want := range map[int]string{1: "1 passed, 1 warning, 0 failed, 0 unknown", 2: "1 passed, 2 warnings, 0 failed, 0 unknown"} {
		if got := T("en", "cli.counts", map[string]any{"Pass": 1, "Warn": n, "Fail": 0, "Unknown": 0}); got != want {
			t.Errorf("cli.counts with %d warnings: %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int]string{2: "2 части", 5: "5 частей", 21: "21 часть"} {
		if got := T("ru", "enroll.err.too_many_parts", map[string]any{"ID": "X", "Count": n}); !strings.Contains(got, "уже "+want+":") {
			t.Errorf("ru enroll.err.too_many_parts with %d: %q, want %q", n, got, want)
		}
	}
}

// Every plural call in every catalogue (the wizard's and the reports')
// lists exactly the forms its language has, and renders.
func TestPluralCallsMatchTheLanguage(t *testing.T) {
	call := regexp.MustCompile(`\{\{plural \.\w+((?: "[^"]*")*)\}\}`)
	arg := regexp.MustCompile(`"[^"]*"`)
	seen := 0
	for _, lang := range Languages {
		for _, file := range []string{"translations/" + lang + ".json", "translations/report/" + lang + ".json"} {
			data, err := assets.FS.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]string
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			for k, v := range m {
				if !strings.Contains(v, "{{plural") {
					continue
				}
				calls := call.FindAllStringSubmatch(v, -1)
				if len(calls) != strings.Count(v, "{{plural") {
					t.Errorf("%s %s: a plural call not of the form {{plural .Count \"form\" ...}}: %q", file, k, v)
				}
				for _, c := range calls {
					seen++
					if n := len(arg.FindAllString(c[1], -1)); n != len(PluralForms(lang)) {
						t.Errorf("%s %s: %d forms, %s has %d (%v): %q", file, k, n, lang, len(PluralForms(lang)), PluralForms(lang), c[0])
					}
				}
				if got := Render(lang, "check\x00"+file+k, v, map[string]any{}); strings.Contains(got, "{{") {
					t.Errorf("%s %s does not render: %q", file, k, got)
				}
			}
		}
	}
	if seen < 10 {
		t.Errorf("only %d plural calls found: the scan is broken", seen)
	}
}
