package app

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"

	"github.com/tunduk-onboard/tunduk-onboard/internal/srcdir"
)

// Every letter and sign of the product's own words (the wizard's and the
// reports' catalogues in three languages, the operator profile, the
// wizard's sources) is in the text fonts Fyne bundles. The wizard is built
// without Fyne's emoji font (-tags no_emoji: it was parsed once per text
// style, about 20 MB of the idle wizard, build/bench-start.sh), so a sign
// missing here would come from whatever system font has it, or show as a
// box. Add such a sign only with a font that has it.
func TestOwnWordsInBundledFonts(t *testing.T) {
	root, err := srcdir.Root()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, pattern := range []string{"assets/translations/*.json", "assets/translations/report/*.json", "assets/profiles/*.json", "app/*.go"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil || len(m) == 0 {
			t.Fatalf("no files for %s (%v)", pattern, err)
		}
		files = append(files, m...)
	}
	runes := map[rune]string{} // a rune and the first file it is in
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue // tests write what users never see
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range string(data) {
			if _, seen := runes[r]; !seen && r > 0x7e && unicode.IsPrint(r) {
				runes[r] = filepath.Base(f)
			}
		}
	}
	if len(runes) < 60 {
		t.Fatalf("only %d non-ASCII signs found: the catalogues were not read", len(runes))
	}
	for _, res := range []fyne.Resource{theme.DefaultTextFont(), theme.DefaultTextBoldFont(), theme.DefaultTextItalicFont(), theme.DefaultTextBoldItalicFont()} {
		face, err := font.ParseTTF(bytes.NewReader(res.Content()))
		if err != nil {
			t.Fatalf("%s: %v", res.Name(), err)
		}
		var missing []string
		for r, f := range runes {
			if _, ok := face.NominalGlyph(r); !ok {
				missing = append(missing, string(r)+" ("+f+")")
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s lacks %d signs of ours: %v", res.Name(), len(missing), missing)
		}
	}
}
