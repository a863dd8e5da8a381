package profile

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// The Catalogue's fields come from the profile; the operator's pages
// name none, so every field of Tunduk's says it is a guess.
func TestCatalogueFields(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if p.Catalogue.URL != "https://catalog.ordo.gov.kg" || len(p.Catalogue.Fields) < 5 || p.Operator.LetterLang() != "ru" {
		t.Fatalf("catalogue: %+v, lang %q", p.Catalogue, p.Operator.LetterLang())
	}
	for _, f := range p.Catalogue.Fields {
		if !strings.HasPrefix(f.Guess, "guess:") {
			t.Errorf("%s is not marked guess", f.Name)
		}
	}
	good, _ := os.ReadFile("../assets/profiles/tunduk.json")
	for _, c := range []struct{ name, from, to, field string }{
		{"unknown source", `"source": "service_title"`, `"source": "service_price"`, "catalogue.fields[10].source"},
		{"twice", `{"name": "member_code",`, `{"name": "instance",`, "catalogue.fields[2].name"},
		{"header unsafe", `{"name": "endpoints",`, `{"name": "end,points",`, "catalogue.fields[12].name"},
		{"guess unmarked", `"guess": "guess: as service_code"}`, `"guess": "maybe"}`, "catalogue.fields[9].guess"},
		{"no fields", `"fields": [`, `"fields": [], "x": [`, "x"},
		{"operator lang", `"lang": "ru"`, `"lang": "de"`, "operator.lang"},
	} {
		text := strings.Replace(string(good), c.from, c.to, 1)
		if text == string(good) {
			t.Fatalf("%s: fixture text %q not found", c.name, c.from)
		}
		_, err := Parse([]byte(text), "cat.json")
		var pe *Error
		if !errors.As(err, &pe) || pe.Field != c.field {
			t.Errorf("%s: got %v, want an error on %s", c.name, err, c.field)
		}
	}
}
