package i18n

import "testing"

// A text in one language parses that language's catalogue only: the CLI
// speaks one language per run, and the other two files cost its start.
func TestCatalogParsedPerLanguage(t *testing.T) {
	saved := catalogs
	t.Cleanup(func() { catalogs = saved })
	catalogs = map[string]*catalogFile{"en": {}, "ru": {}, "ky": {}}

	if got := T("ru", "cli.verb.check", nil); got == "" || got == "cli.verb.check" {
		t.Fatalf("T(ru, cli.verb.check) = %q, want the Russian text", got)
	}
	if catalogs["ru"].m == nil {
		t.Error("the Russian catalogue was not parsed")
	}
	for _, l := range []string{"en", "ky"} {
		if catalogs[l].m != nil {
			t.Errorf("the %s catalogue was parsed for a Russian text", l)
		}
	}
	// A key the language lacks falls back to English, which is parsed then.
	if got := T("ky", "no.such.key", nil); got != "no.such.key" {
		t.Errorf("T(ky, no.such.key) = %q, want the key", got)
	}
	if catalogs["en"].m == nil || catalogs["ky"].m == nil {
		t.Error("a missing key did not look in its language and English")
	}
	if m, err := CatalogKeys("xx"); m != nil || err != nil {
		t.Errorf("CatalogKeys(xx) = %v, %v; want nothing", m, err)
	}
}
