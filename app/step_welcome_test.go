package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// texts collects the text of every label and entry under o.
func texts(o fyne.CanvasObject) []string {
	var out []string
	walk(o, func(c fyne.CanvasObject) {
		switch w := c.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *widget.Entry:
			out = append(out, w.Text)
		}
	})
	return out
}

// The OS locale decides the first language: ru and ky when set, English
// for everything else, including the C locale.
func TestFirstRunLanguageFollowsOS(t *testing.T) {
	for _, c := range []struct{ env, want string }{
		{"ru_RU.UTF-8", "ru"}, {"ky_KG.UTF-8", "ky"}, {"ky_KG", "ky"}, {"en_GB.UTF-8", "en"},
		{"de_DE.UTF-8", "en"}, {"kk_KZ.UTF-8", "en"}, {"C", "en"},
	} {
		t.Setenv("LANGUAGE", "")
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LC_ALL", c.env)
		if got := startLanguage(mapPrefs{}); got != c.want {
			t.Errorf("LC_ALL=%s: first language %q, want %q", c.env, got, c.want)
		}
		// A language chosen before wins over the OS one.
		if got := startLanguage(mapPrefs{prefLanguage: "ky"}); got != "ky" {
			t.Errorf("LC_ALL=%s with ky chosen: %q", c.env, got)
		}
		// A stored value we do not speak (an old or edited file) is ignored.
		if got := startLanguage(mapPrefs{prefLanguage: "de"}); got != c.want {
			t.Errorf("LC_ALL=%s with de stored: %q, want %q", c.env, got, c.want)
		}
	}
}

// A first run in Kyrgyz opens on Welcome, which lists, in Kyrgyz, what to
// have at hand: the login, the Rutoken and the operator's anchor file.
func TestWelcomeListsWhatToHaveAtHand(t *testing.T) {
	for _, code := range Languages {
		t.Setenv("LANGUAGE", "")
		t.Setenv("LC_ALL", map[string]string{"en": "en_US.UTF-8", "ru": "ru_RU.UTF-8", "ky": "ky_KG.UTF-8"}[code])
		wz, _ := newTestWizard(t, nil)
		if err := SetLanguage(startLanguage(wz.prefs)); err != nil {
			t.Fatal(err)
		}
		wz.rebuild()
		if wz.stepID() != stepWelcome {
			t.Fatalf("%s: first step %q", code, wz.stepID())
		}
		cat := loadCatalog(t, code)
		shown := texts(wz.page)
		for _, n := range welcomeKeys {
			if !contains(shown, cat[n.key]) {
				t.Errorf("%s: Welcome lacks %s %q", code, n.key, cat[n.key])
			}
		}
		for _, k := range []string{"welcome.need.server", "welcome.need.rutoken", "welcome.need.anchor"} {
			if !contains(shown, cat[k]) {
				t.Errorf("%s: Welcome lacks %s", code, k)
			}
		}
	}
}

// The translations of the new items use the operator's words.
func TestWelcomeUsesGlossaryTerms(t *testing.T) {
	want := map[string][]string{
		"ru": {"Рутокен", "PIN-код", "оператор СМЭВ «Түндүк»"},
		"ky": {"Рутокен", "PIN-код", "«Түндүк» ВЭӨТ оператору"},
		"en": {"Rutoken", "PIN", "operator of Tunduk"},
	}
	for code, words := range want {
		cat := loadCatalog(t, code)
		both := cat["welcome.need.rutoken"] + " " + cat["welcome.need.anchor"]
		for _, w := range words {
			if !strings.Contains(both, w) {
				t.Errorf("%s: %q not in %q", code, w, both)
			}
		}
	}
}
