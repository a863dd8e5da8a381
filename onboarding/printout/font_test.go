package printout

import (
	"encoding/binary"
	"strings"
	"testing"
)

// The embedded fonts have no composite glyph made of another composite:
// the PDF library's subsets keep only one level of components, and the
// inner part of such a letter went missing on paper (bold Ы printed as
// "Ь "). build/font-flatten.py draws those glyphs out; this fails if a
// font is replaced by one it did not go through.
func TestFontsHaveNoNestedComposites(t *testing.T) {
	ttf, err := fonts()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range ttf {
		tables := map[string][]byte{}
		n := int(binary.BigEndian.Uint16(data[4:]))
		for i := 0; i < n; i++ {
			rec := data[12+16*i:]
			off, size := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
			tables[string(rec[:4])] = data[off : off+size]
		}
		long := binary.BigEndian.Uint16(tables["head"][50:]) == 1
		glyphs := int(binary.BigEndian.Uint16(tables["maxp"][4:]))
		loca := func(g int) int {
			if long {
				return int(binary.BigEndian.Uint32(tables["loca"][4*g:]))
			}
			return 2 * int(binary.BigEndian.Uint16(tables["loca"][2*g:]))
		}
		glyf := tables["glyf"]
		composite := func(g int) bool {
			return loca(g+1) > loca(g) && int16(binary.BigEndian.Uint16(glyf[loca(g):])) < 0
		}
		composites, nested := 0, 0
		for g := 0; g < glyphs; g++ {
			if !composite(g) {
				continue
			}
			composites++
			p := loca(g) + 10
			for {
				flags, comp := binary.BigEndian.Uint16(glyf[p:]), int(binary.BigEndian.Uint16(glyf[p+2:]))
				if composite(comp) {
					nested++
				}
				p += 4 + 2
				if flags&1 != 0 { // arguments are words
					p += 2
				}
				switch {
				case flags&8 != 0:
					p += 2
				case flags&0x40 != 0:
					p += 4
				case flags&0x80 != 0:
					p += 8
				}
				if flags&0x20 == 0 {
					break
				}
			}
		}
		if composites == 0 || nested > 0 {
			t.Errorf("%s: %d composite glyphs, %d components that are composites themselves (want some, and none)", name, composites, nested)
		}
	}
}

// Every letter of Russian and Kyrgyz, in both faces, prints and reads
// back as itself: none is missing from the font or replaced.
func TestFontsPrintEveryLetter(t *testing.T) {
	var letters []string
	for r := 'А'; r <= 'я'; r++ {
		letters = append(letters, string(r))
	}
	abc := strings.Join(letters, "") + "ЁёӨөҮүҢң№«»—"
	d := Doc{Lang: "ky", Title: abc, Blocks: []Block{{Kind: Para, Text: abc}, {Kind: Heading, Text: abc}}}
	f := readPDF(t, render(t, d, FormatPDF))
	if got := strings.Join(f.lines, ""); got != abc+abc+abc { // wider than the page: cut
		t.Errorf("read back %q, want %q three times", got, abc)
	}
}
