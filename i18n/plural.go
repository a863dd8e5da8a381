package i18n

// Plural forms after a number. A message that counts something names the
// forms of its noun in its own language with the template function
// plural, in the order PluralForms gives for that language:
//
//	en: "{{.Count}} {{plural .Count "warning" "warnings"}}"
//	ru: "{{.Count}} {{plural .Count "предупреждение" "предупреждения" "предупреждений"}}"
//	ky: "{{.Count}} эскертүү" (a Kyrgyz noun does not change after a numeral)
//
// One key per message in every language, as for any other message; the
// rules are CLDR's cardinal rules for integers.

import (
	"strings"
	"text/template"
)

// Plural categories (CLDR's names).
const (
	PluralOne   = "one"
	PluralFew   = "few"
	PluralMany  = "many"
	PluralOther = "other"
)

// PluralForms are the categories a language's plural call lists, in
// order. Kyrgyz has one: the noun after a numeral stays singular.
func PluralForms(lang string) []string {
	switch lang {
	case "ru":
		return []string{PluralOne, PluralFew, PluralMany}
	case "ky":
		return []string{PluralOther}
	}
	return []string{PluralOne, PluralOther}
}

// PluralCategory is the form a count n takes in lang (CLDR, integers).
func PluralCategory(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	switch lang {
	case "ru":
		switch d, h := n%10, n%100; {
		case d == 1 && h != 11:
			return PluralOne
		case d >= 2 && d <= 4 && (h < 12 || h > 14):
			return PluralFew
		}
		return PluralMany
	case "ky":
		return PluralOther
	}
	if n == 1 {
		return PluralOne
	}
	return PluralOther
}

// Plural picks, of forms given in PluralForms(lang) order, the one for n;
// a form missing from the list falls back to the last one given.
func Plural(lang string, n int, forms ...string) string {
	if len(forms) == 0 {
		return ""
	}
	c := PluralCategory(lang, n)
	for i, f := range PluralForms(lang) {
		if f == c && i < len(forms) {
			return forms[i]
		}
	}
	return forms[len(forms)-1]
}

// pluralFuncs are the template functions of lang's messages.
func pluralFuncs(lang string) template.FuncMap {
	return template.FuncMap{"plural": func(n any, forms ...string) string {
		return Plural(lang, toInt(n), forms...)
	}}
}

// toInt reads a count a message was given (any integer type; 0 else).
func toInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case int32:
		return int(n)
	case uint:
		return int(n)
	case uint64:
		return int(n)
	case uint32:
		return int(n)
	case float64:
		return int(n)
	}
	return 0
}

// Render fills the message text (in lang) with data, plural forms
// included; a text that does not parse or run is returned as it is. The
// wizard renders its messages that count with it (Fyne's lang package
// knows no plural function); id names the text in the template cache.
func Render(lang, id, text string, data map[string]any) string {
	t, err := parsed(lang+"\x00"+id, lang, text)
	if err != nil {
		return text
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return text
	}
	return b.String()
}
