package printout

// A reader of the PDFs this package writes, for the tests: enough of the
// format to check the file's frame (header, cross-reference table,
// trailer), count its pages and read its text back through the font's
// ToUnicode map, so a test sees what a PDF viewer would show and copy.

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

type pdfFile struct {
	pages int
	// lines are the text runs in drawing order, one per Cell.
	lines []string
}

var (
	reObj       = regexp.MustCompile(`(?s)(\d+) 0 obj(.*?)endobj`)
	reStream    = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	reFontRes   = regexp.MustCompile(`/(F\d+) (\d+) 0 R`)
	reToUnicode = regexp.MustCompile(`/ToUnicode (\d+) 0 R`)
	reBfRange   = regexp.MustCompile(`<([0-9A-Fa-f]+)><([0-9A-Fa-f]+)><([0-9A-Fa-f]+)>`)
	// In a content stream: a font chosen, or a run of glyphs drawn.
	reTextOp    = regexp.MustCompile(`/(F\d+) [0-9.]+ Tf|\[<([0-9A-Fa-f]*)>\] TJ`)
	rePage      = regexp.MustCompile(`/Type /Page\s`)
	reStartXref = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
)

// readPDF checks data's frame and reads its pages and text.
func readPDF(t *testing.T, data []byte) pdfFile {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("%PDF-1.")) {
		t.Fatalf("no PDF header: %q", data[:min(len(data), 16)])
	}
	m := reStartXref.FindSubmatch(data)
	if m == nil {
		t.Fatalf("no startxref/%%%%EOF trailer at the end")
	}
	off, _ := strconv.Atoi(string(m[1]))
	if off <= 0 || off >= len(data) || !bytes.HasPrefix(data[off:], []byte("xref")) {
		t.Fatalf("startxref %d does not point at the cross-reference table", off)
	}
	if !bytes.Contains(data, []byte("trailer")) || !bytes.Contains(data, []byte("/Root")) {
		t.Fatal("no trailer with /Root")
	}

	// Every object, and the stream of those that have one (inflated).
	dicts, streams := map[string][]byte{}, map[string][]byte{}
	var order []string
	for _, o := range reObj.FindAllSubmatch(data, -1) {
		id := string(o[1])
		order = append(order, id)
		dicts[id] = o[2]
		if s := reStream.FindSubmatch(o[2]); s != nil {
			raw := s[1]
			if zr, err := zlib.NewReader(bytes.NewReader(raw)); err == nil {
				if plain, err := io.ReadAll(zr); err == nil {
					raw = plain
				}
			}
			streams[id] = raw
		}
	}
	// Font resource name (F1) -> its ToUnicode map: glyph id -> text.
	fonts := map[string]map[uint16]string{}
	for _, o := range order {
		for _, r := range reFontRes.FindAllSubmatch(dicts[o], -1) {
			tu := reToUnicode.FindSubmatch(dicts[string(r[2])])
			if tu == nil {
				t.Fatalf("font %s (object %s) has no ToUnicode map: its text cannot be read back", r[1], r[2])
			}
			fonts[string(r[1])] = cmap(streams[string(tu[1])])
		}
	}
	if len(fonts) == 0 {
		t.Fatal("no fonts")
	}
	f := pdfFile{pages: len(rePage.FindAll(data, -1))}
	for _, o := range order {
		s, ok := streams[o]
		if !ok || bytes.Contains(s, []byte("beginbfrange")) {
			continue
		}
		var font map[uint16]string
		for _, op := range reTextOp.FindAllSubmatch(s, -1) {
			if op[1] != nil {
				font = fonts[string(op[1])]
				continue
			}
			codes, _ := hex.DecodeString(string(op[2]))
			var b strings.Builder
			for i := 0; i+1 < len(codes); i += 2 {
				g := uint16(codes[i])<<8 | uint16(codes[i+1])
				if txt, ok := font[g]; ok {
					b.WriteString(txt)
				} else {
					fmt.Fprintf(&b, "<%04x>", g)
				}
			}
			f.lines = append(f.lines, b.String())
		}
	}
	return f
}

// cmap reads a ToUnicode map's bfrange entries (the writer maps one
// glyph per entry).
func cmap(s []byte) map[uint16]string {
	out := map[uint16]string{}
	for _, r := range reBfRange.FindAllSubmatch(s, -1) {
		lo, _ := strconv.ParseUint(string(r[1]), 16, 16)
		hi, _ := strconv.ParseUint(string(r[2]), 16, 16)
		dst, _ := hex.DecodeString(string(r[3]))
		if lo != hi || len(dst)%2 != 0 {
			continue
		}
		var u []uint16
		for i := 0; i < len(dst); i += 2 {
			u = append(u, uint16(dst[i])<<8|uint16(dst[i+1]))
		}
		out[uint16(lo)] = string(utf16.Decode(u))
	}
	return out
}

// text is every line of f, one per line.
func (f pdfFile) text() string { return strings.Join(f.lines, "\n") }
