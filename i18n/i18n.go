// Package i18n holds the product's words in en, ru and ky: the Text type
// and the catalogues the CLI and the reports read without Fyne.
package i18n

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"text/template"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
)

// Languages the product speaks, in the order reports list them.
var Languages = []string{"en", "ru", "ky"}

// The report texts (rule titles, why, fix, report headings) live in
// assets/translations/report/{en,ru,ky}.json. They are read here without
// Fyne so the headless CLI can print them; the GUI's own strings are in
// assets/translations/*.json and go through fyne's lang package.
//
// Each language's file is parsed the first time a text in that language
// is asked for: a CLI run speaks one language, and parsing all three cost
// it several milliseconds of its start (build/bench-start.sh).
type catalogFile struct {
	once sync.Once
	m    map[string]string
	err  error
}

var catalogs = func() map[string]*catalogFile {
	c := make(map[string]*catalogFile, len(Languages))
	for _, l := range Languages {
		c[l] = &catalogFile{}
	}
	return c
}()

// catalog is lang's texts (nil for a language the product does not speak).
func catalog(lang string) (map[string]string, error) {
	c, ok := catalogs[lang]
	if !ok {
		return nil, nil
	}
	c.once.Do(func() {
		data, err := assets.FS.ReadFile("translations/report/" + lang + ".json")
		if err != nil {
			c.err = err
			return
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			c.err = fmt.Errorf("translations/report/%s.json: %w", lang, err)
			return
		}
		c.m = m
	})
	return c.m, c.err
}

// T returns the report text for key in lang (English when the language
// lacks it, the key itself when English lacks it too), with data filled
// into its {{.Name}} placeholders.
func T(lang, key string, data map[string]any) string {
	m, _ := catalog(lang)
	s, ok := m[key]
	if !ok {
		en, _ := catalog("en")
		if s, ok = en[key]; !ok {
			return key
		}
	}
	if !strings.Contains(s, "{{") {
		return s
	}
	return Render(lang, key, s, data)
}

// Enum is the text of an API enum value (key prefix + the value in lower
// case), or the value as it came when the catalog has no text for it (a
// value a later API version adds).
func Enum(lang, prefix, value string) string {
	key := prefix + strings.ToLower(value)
	if t := T(lang, key, nil); t != key {
		return t
	}
	return value
}

// TT returns key in every language.
func TT(key string, data map[string]any) Text {
	return Text{EN: T("en", key, data), RU: T("ru", key, data), KY: T("ky", key, data)}
}

// templates caches parsed texts: a report renders each about 3 times per
// language, and parsing dominated the cost of building one.
var templates sync.Map

func parsed(id, lang, text string) (*template.Template, error) {
	if t, ok := templates.Load(id); ok {
		return t.(*template.Template), nil
	}
	t, err := template.New(id).Option("missingkey=zero").Funcs(pluralFuncs(lang)).Parse(text)
	if err != nil {
		return nil, err
	}
	templates.Store(id, t)
	return t, nil
}

// CatalogKeys lists the keys of one language, for completeness tests.
func CatalogKeys(lang string) (map[string]string, error) {
	return catalog(lang)
}
