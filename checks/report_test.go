package checks

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

func sampleReport(t *testing.T, mutate func(*Facts)) *Report {
	t.Helper()
	p, _ := profile.Default()
	f := goodFacts()
	if mutate != nil {
		mutate(f)
	}
	var streamed []string
	rep, err := Check(context.Background(), Target{Host: "admin@ss1:22"},
		func(context.Context) (*Facts, error) { return f, nil }, p, Options{}, func(r Result) { streamed = append(streamed, r.ID) })
	if err != nil {
		t.Fatal(err)
	}
	if len(streamed) != len(rep.Results) {
		t.Fatalf("streamed %d results, report has %d", len(streamed), len(rep.Results))
	}
	return rep
}

// The JSON report has exactly the fields of tunduk-onboard.readiness/v1.
func TestJSONSchema(t *testing.T) {
	rep := sampleReport(t, func(f *Facts) { f.Memory.TotalBytes = 2 << 30 })
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["schema"] != "tunduk-onboard.readiness/v1" {
		t.Errorf("schema %v", doc["schema"])
	}
	mustHave := func(obj any, path string, keys ...string) {
		m, ok := obj.(map[string]any)
		if !ok {
			t.Fatalf("%s is not an object: %v", path, obj)
		}
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks %q", path, k)
			}
		}
	}
	mustHave(doc, "", "target", "checked_at", "duration_ms", "profile", "facts", "results", "summary")
	mustHave(doc["target"], "target", "host", "local")
	mustHave(doc["profile"], "profile", "name", "version")
	facts := doc["facts"]
	mustHave(facts, "facts", "os", "arch", "cpu", "memory", "disks", "interfaces", "time_synced", "locales", "listening", "usb_tokens")
	mustHave(facts.(map[string]any)["os"], "facts.os", "id", "version_id", "pretty_name")
	mustHave(facts.(map[string]any)["cpu"], "facts.cpu", "model", "cores", "aes")
	mustHave(facts.(map[string]any)["memory"], "facts.memory", "total_bytes")
	mustHave(facts.(map[string]any)["disks"].([]any)[0], "facts.disks[0]", "mount", "total_bytes", "free_bytes")
	mustHave(facts.(map[string]any)["interfaces"].([]any)[0], "facts.interfaces[0]", "name", "addresses", "speed_mbps", "addressing", "default_route")
	mustHave(facts.(map[string]any)["listening"].([]any)[0], "facts.listening[0]", "port", "proto", "process")
	res := doc["results"].([]any)[0]
	mustHave(res, "results[0]", "id", "status", "observed", "required", "why", "fix")
	mustHave(res.(map[string]any)["why"], "results[0].why", "en", "ru", "ky")
	mustHave(doc["summary"], "summary", "pass", "warn", "fail", "unknown")
	if s := doc["summary"].(map[string]any); s["fail"].(float64) != 1 {
		t.Errorf("summary %v, want one fail (RAM)", s)
	}
}

func TestHTMLIsSelfContainedAndTranslated(t *testing.T) {
	rep := sampleReport(t, func(f *Facts) { f.CPU.AES = ptr(false); f.OS.PrettyName = "<script>alert(1)</script>" })
	for _, lang := range i18n.Languages {
		var buf bytes.Buffer
		if err := rep.WriteHTML(&buf, lang); err != nil {
			t.Fatal(err)
		}
		page := buf.String()
		if regexp.MustCompile(`(?i)(src|href)\s*=\s*"?(https?:)?//`).MatchString(page) {
			t.Errorf("%s: the page loads something from outside", lang)
		}
		if strings.Contains(page, "<script>alert") {
			t.Errorf("%s: remote text was not escaped", lang)
		}
		if !strings.Contains(page, i18n.T(lang, "report.title", nil)) || !strings.Contains(page, html.EscapeString(i18n.T(lang, "rule.cpu_aes.fix", nil))) {
			t.Errorf("%s: title or the AES fix missing", lang)
		}
	}
	var ru bytes.Buffer
	rep.WriteHTML(&ru, "ru")
	if !strings.Contains(ru.String(), "Поддержка AES инструкций") {
		t.Error("Russian report lacks the operator's term for AES support")
	}
}

func TestTextColourOnlyWhenAsked(t *testing.T) {
	rep := sampleReport(t, func(f *Facts) { f.TimeSynced = ptr(false) })
	var plain, colour bytes.Buffer
	rep.WriteText(&plain, "ky", false)
	rep.WriteText(&colour, "ky", true)
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("plain text has escape sequences")
	}
	if !strings.Contains(colour.String(), "[\x1b[31m"+marks("ky")[Fail]+"\x1b[0m]") {
		t.Error("a failed rule is not red on a terminal")
	}
	if !strings.Contains(plain.String(), "Убакытты шайкештирүү") || !strings.Contains(plain.String(), i18n.T("ky", "report.verdict_fail", nil)) {
		t.Errorf("Kyrgyz text lacks the time rule or the verdict:\n%s", plain.String())
	}
}

func TestCatalogComplete(t *testing.T) {
	en, err := i18n.CatalogKeys("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ru", "ky"} {
		m, _ := i18n.CatalogKeys(lang)
		for k := range en {
			if strings.TrimSpace(m[k]) == "" {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				t.Errorf("%s has %q that English lacks", lang, k)
			}
		}
	}
}

// TestEnum: every value the 7.4.2 API defines for the enums we show has a
// text; a value it may add later is shown as it came.
func TestEnum(t *testing.T) {
	for prefix, values := range map[string][]string{
		"xroad.cert_status.": {"SAVED", "REGISTRATION_IN_PROGRESS", "REGISTERED", "DELETION_IN_PROGRESS", "GLOBAL_ERROR"},
		"xroad.token_init.":  {"INITIALIZED", "NOT_INITIALIZED", "UNKNOWN"},
	} {
		for _, v := range values {
			for _, lang := range i18n.Languages {
				if got := i18n.Enum(lang, prefix, v); got == v || got == "" {
					t.Errorf("%s%s has no %s text", prefix, v, lang)
				}
			}
		}
	}
	if got := i18n.Enum("ru", "xroad.cert_status.", "REGISTERED"); got != "зарегистрирован" {
		t.Errorf("ru REGISTERED = %q", got)
	}
	if got := i18n.Enum("ky", "xroad.cert_status.", "SOMETHING_NEW"); got != "SOMETHING_NEW" {
		t.Errorf("unknown value = %q", got)
	}
}

// TestCatalogNoDuplicateKeys: a key written twice in a catalogue file
// silently keeps its last text when decoded; every file of the GUI and
// report catalogues is scanned token by token for that.
func TestCatalogNoDuplicateKeys(t *testing.T) {
	files, _ := filepath.Glob("../assets/translations/*.json")
	more, _ := filepath.Glob("../assets/translations/report/*.json")
	files = append(files, more...)
	if len(files) < 6 {
		t.Fatalf("found %d catalogue files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("%s: not an object", f)
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			key, _ := tok.(string)
			if seen[key] {
				t.Errorf("%s: %q twice", f, key)
			}
			seen[key] = true
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
	}
}

// TestMarks: the text report's marks are in the report's language, one
// width per language (the titles after them line up), and the JSON keeps
// the status word whatever the language.
func TestMarks(t *testing.T) {
	rep := sampleReport(t, func(f *Facts) { f.TimeSynced = ptr(false) })
	for _, lang := range i18n.Languages {
		width := -1
		for st, m := range marks(lang) {
			if n := utf8.RuneCountInString(m); width >= 0 && n != width {
				t.Errorf("%s: mark of %s is %d wide, others %d", lang, st, n, width)
			} else {
				width = n
			}
		}
		var b bytes.Buffer
		rep.WriteText(&b, lang, false)
		if !strings.Contains(b.String(), "["+marks(lang)[Fail]+"] ") {
			t.Errorf("%s: no failed mark %q in:\n%s", lang, marks(lang)[Fail], b.String())
		}
	}
	if Mark("ru", Fail) == Mark("en", Fail) || Mark("ky", Pass) == Mark("en", Pass) {
		t.Errorf("marks not translated: ru %q, ky %q", Mark("ru", Fail), Mark("ky", Pass))
	}
	var js bytes.Buffer
	rep.WriteJSON(&js)
	if !strings.Contains(js.String(), `"status": "fail"`) {
		t.Error("the JSON report lost the status word")
	}
}
