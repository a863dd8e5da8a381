package app

import (
	"encoding/json"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// Languages the wizard speaks, in the order the language selector lists them.
var Languages = []string{"en", "ru", "ky"}

var (
	langMu      sync.Mutex
	currentLang = "en"
	// countingMsgs are the current language's messages that name plural
	// forms (i18n/plural.go): T renders them itself, as Fyne's lang
	// package knows no plural function.
	countingMsgs map[string]string
)

// T returns the translation of key in the current language. data, when
// given, fills the Go template placeholders ({{.Name}}) of the message.
// Every key passed to T must exist in assets/translations/{en,ru,ky}.json
// (TestTranslationKeys checks the literal calls).
func T(key string, data ...map[string]any) string {
	if len(data) > 0 {
		langMu.Lock()
		msg, counting := countingMsgs[key]
		code := currentLang
		langMu.Unlock()
		if counting {
			return i18n.Render(code, "wizard\x00"+key, msg, data[0])
		}
		return lang.X(key, key, data[0])
	}
	return lang.X(key, key)
}

// countingMessages picks the messages of a catalogue file that name
// plural forms.
func countingMessages(data []byte) (map[string]string, error) {
	var all map[string]string
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range all {
		if strings.Contains(v, "{{plural ") {
			out[k] = v
		}
	}
	return out, nil
}

// translationFile returns the wizard's own messages for code (the top-level
// translations/<code>.json only: translations/report/ belongs to checks).
func translationFile(code string) ([]byte, error) {
	return assets.FS.ReadFile("translations/" + code + ".json")
}

// supported reports whether code is one of Languages.
func supported(code string) bool {
	for _, l := range Languages {
		if l == code {
			return true
		}
	}
	return false
}

// DefaultLanguage is the OS language when the wizard speaks it, else English.
func DefaultLanguage() string {
	code := strings.ToLower(lang.SystemLocale().LanguageString())
	if i := strings.IndexAny(code, "-_"); i >= 0 {
		code = code[:i]
	}
	if supported(code) {
		return code
	}
	return "en"
}

// CurrentLanguage is the language last passed to SetLanguage.
func CurrentLanguage() string {
	langMu.Lock()
	defer langMu.Unlock()
	return currentLang
}

// SetLanguage makes code the language of every following T call.
//
// fyne's lang package picks its localizer once from the OS locale and has
// no API to change it. go-i18n merges messages added for a tag over the
// ones it already holds, so the chosen language's file is registered under
// every tag the localizer can resolve to: the OS locale (en-US), its
// language (en) and English, the bundle's fallback. All three files carry
// the same keys, so each switch overwrites every message of the last one.
func SetLanguage(code string) error {
	if !supported(code) {
		code = "en"
	}
	data, err := translationFile(code)
	if err != nil {
		return err
	}
	counting, err := countingMessages(data)
	if err != nil {
		return err
	}
	for _, tag := range localizerTags() {
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(tag)); err != nil {
			return err
		}
	}
	langMu.Lock()
	currentLang, countingMsgs = code, counting
	langMu.Unlock()
	return nil
}

func localizerTags() []string {
	sys := lang.SystemLocale()
	tags := []string{sys.String(), sys.LanguageString()}
	if i := strings.Index(sys.String(), "-"); i > 0 {
		tags = append(tags, sys.String()[:i])
	}
	tags = append(tags, "en")
	seen := map[string]bool{}
	var out []string
	for _, t := range tags {
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// languageName is the language's own name, the same in every UI language.
func languageName(code string) string {
	switch code {
	case "ru":
		return T("lang.ru")
	case "ky":
		return T("lang.ky")
	}
	return T("lang.en")
}
