package app

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

func TestSubjectTextOneFieldPerLine(t *testing.T) {
	got := subjectText(`SERIALNUMBER=70000001,CN=Жаңы Өкмөт\, ЖЧК,O=GOV,C=KG`)
	want := "SERIALNUMBER=70000001\nCN=Жаңы Өкмөт\\, ЖЧК\nO=GOV\nC=KG"
	if got != want {
		t.Errorf("subjectText:\n%s\nwant\n%s", got, want)
	}
}

// A Kyrgyz subject in a narrow column (as Configure shows it at 1024 px):
// every line of the label ends at a field or between two words, never
// inside one.
func TestSubjectWrapsAtWords(t *testing.T) {
	test.NewTempApp(t)
	dn := "SERIALNUMBER=70000001,CN=Кыргыз Республикасынын Санариптик өнүктүрүү жана инновациялык технологиялар министрлиги,C=KG"
	var words []string
	for _, f := range strings.Split(subjectText(dn), "\n") {
		words = append(words, strings.Fields(f)...)
	}
	l := subjectLabel(dn)
	w := test.NewTempWindow(t, l)
	w.Resize(fyne.NewSize(260, 600))
	var rows []string
	for _, o := range test.LaidOutObjects(l) {
		if txt, ok := o.(*canvas.Text); ok && strings.TrimSpace(txt.Text) != "" {
			rows = append(rows, txt.Text)
		}
	}
	if len(rows) < 5 {
		t.Fatalf("the subject did not wrap at 260 px: %q", rows)
	}
	for _, r := range rows {
		for _, word := range strings.Fields(r) {
			if !slices.Contains(words, word) {
				t.Errorf("a line breaks inside a word: %q (of %q)", word, rows)
			}
		}
	}
}
