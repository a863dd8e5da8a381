package printout

// The PDF: github.com/signintech/gopdf draws the text with DejaVu Sans
// embedded as a subset (only the glyphs used, with a ToUnicode map, so
// the text can be searched and copied). This file lays the Doc out on A4:
// lines wrapped at word boundaries, tables whose rows move to the next
// page whole, with the header repeated there.

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io"
	"strings"
	"sync"

	"github.com/signintech/gopdf"
)

//go:embed font/DejaVuSans.ttf.gz font/DejaVuSans-Bold.ttf.gz
var fontFS embed.FS

// fonts are the TTFs unpacked once per process (gzip halves what each
// binary carries: 0.7 MB instead of 1.5 MB).
var fonts = sync.OnceValues(func() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, f := range []struct{ name, file string }{{fontRegular, "DejaVuSans"}, {fontBold, "DejaVuSans-Bold"}} {
		gz, err := fontFS.ReadFile("font/" + f.file + ".ttf.gz")
		if err != nil {
			return nil, err
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			return nil, err
		}
		ttf, err := io.ReadAll(zr)
		if err != nil {
			return nil, err
		}
		out[f.name] = ttf
	}
	return out, nil
})

const (
	fontRegular = "dejavu"
	fontBold    = "dejavu-bold"

	mm = 72 / 25.4 // points in a millimetre

	sizeText  = 10
	sizeTable = 9
	sizeSmall = 8
	sizeH1    = 14
	sizeH2    = 11
	leading   = 1.3 // line height over font size
	cellPad   = 2.5 // points inside a table cell
)

// A4, and the margins a Kyrgyz or Russian official letter keeps (wider
// on the left for the binding).
var (
	pageW, pageH                       = gopdf.PageSizeA4.W, gopdf.PageSizeA4.H
	marginL, marginR, marginT, marginB = 25 * mm, 15 * mm, 20 * mm, 20 * mm
	contentW                           = pageW - marginL - marginR
	bottom                             = pageH - marginB
)

type pdfDoc struct {
	gp   *gopdf.GoPdf
	y    float64
	font string
	size float64
	err  error // the first error; later calls do nothing
}

func writePDF(w io.Writer, d Doc) error {
	ttf, err := fonts()
	if err != nil {
		return err
	}
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	gp.SetCompressLevel(9)
	gp.SetInfo(gopdf.PdfInfo{Title: d.Title, Creator: "Tunduk Onboard", Producer: "Tunduk Onboard"})
	opt := gopdf.TtfOption{OnGlyphNotFoundSubstitute: func(rune) rune { return '?' }}
	for _, name := range []string{fontRegular, fontBold} {
		if err := gp.AddTTFFontDataWithOption(name, ttf[name], opt); err != nil {
			return err
		}
	}
	p := &pdfDoc{gp: gp}
	p.newPage()
	p.render(d)
	if p.err != nil {
		return p.err
	}
	return gp.Write(w)
}

func (p *pdfDoc) newPage() {
	p.gp.AddPage()
	p.y = marginT
	if p.font != "" {
		p.setFont(p.font, p.size) // a new page starts without one
	}
}

func (p *pdfDoc) setFont(name string, size float64) {
	p.font, p.size = name, size
	if p.err == nil {
		p.err = p.gp.SetFont(name, "", size)
	}
}

func (p *pdfDoc) lineH() float64 { return p.size * leading }

// fits starts a new page unless h more points fit on this one.
func (p *pdfDoc) fits(h float64) {
	if p.y+h > bottom && p.y > marginT {
		p.newPage()
	}
}

func (p *pdfDoc) width(s string) float64 {
	w, err := p.gp.MeasureTextWidth(s)
	if err != nil && p.err == nil {
		p.err = err
	}
	return w
}

// printable keeps s to what the PDF's text can hold: the font's glyphs
// are addressed by 16-bit codes, so a rune beyond the Basic Multilingual
// Plane (an emoji) would come out as another letter; it prints as "?".
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 0xffff {
			return '?'
		}
		return r
	}, s)
}

// wrap breaks s into lines no wider than w in the current font: at
// spaces, and inside a word only when the word alone is wider.
func (p *pdfDoc) wrap(s string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(printable(s), "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if p.width(try) <= w {
				line = try
				continue
			}
			if line != "" {
				lines = append(lines, line)
			}
			line = ""
			for p.width(word) > w { // a word wider than the line: cut it
				cut := len([]rune(word)) - 1
				for cut > 1 && p.width(string([]rune(word)[:cut])) > w {
					cut--
				}
				lines = append(lines, string([]rune(word)[:cut]))
				word = string([]rune(word)[cut:])
			}
			line = word
		}
		lines = append(lines, line)
	}
	return lines
}

// text draws one line with its top at y, from x (align left), ending at
// x (right) or centred on x.
func (p *pdfDoc) text(s string, x, y float64, align byte) {
	if p.err != nil || s == "" {
		return
	}
	switch align {
	case 'r':
		x -= p.width(s)
	case 'c':
		x -= p.width(s) / 2
	}
	p.gp.SetXY(x, y)
	if err := p.gp.Cell(nil, s); err != nil && p.err == nil {
		p.err = err
	}
}

// para draws s wrapped over the content width, in font and size.
func (p *pdfDoc) para(s, font string, size float64, align byte, before, after float64) {
	p.setFont(font, size)
	lines := p.wrap(s, contentW)
	p.y += before
	for _, l := range lines {
		p.fits(p.lineH())
		x := marginL
		switch align {
		case 'c':
			x = marginL + contentW/2
		case 'r':
			x = marginL + contentW
		}
		p.text(l, x, p.y, align)
		p.y += p.lineH()
	}
	p.y += after
}

func (p *pdfDoc) render(d Doc) {
	if len(d.To) > 0 {
		p.setFont(fontRegular, sizeText)
		x := marginL + contentW*0.55
		for _, l := range d.To {
			for _, line := range p.wrap(l, contentW*0.45) {
				p.text(line, x, p.y, 'l')
				p.y += p.lineH()
			}
		}
		p.y += 16
	}
	p.para(d.Title, fontBold, sizeH1, 'c', 0, 2)
	if d.Subtitle != "" {
		p.para(d.Subtitle, fontRegular, sizeText, 'c', 0, 8)
	}
	for _, b := range d.Blocks {
		switch b.Kind {
		case Heading:
			p.setFont(fontBold, sizeH2)
			p.fits(p.lineH() * 3) // never a heading alone at the foot of a page
			p.para(b.Text, fontBold, sizeH2, 'l', 6, 1)
		case Para:
			p.para(b.Text, fontRegular, sizeText, 'l', 2, 4)
		case Note:
			p.para(b.Text, fontRegular, sizeSmall, 'l', 2, 2)
		case Fields:
			p.table(nil, b.Rows, []float64{0.32, 0.68}, false)
		case Table:
			p.table(b.Header, b.Rows, b.Widths, true)
		case Signature:
			p.signature(b.Sign)
		}
	}
	if d.Footer != "" {
		p.para(d.Footer, fontRegular, sizeSmall, 'l', 10, 0)
	}
}

// table draws rows (and the header, bold on grey, again on each new
// page) in columns of the given shares of the width; grid draws every
// cell's border, else a rule under each row (a list of labels and
// values).
func (p *pdfDoc) table(header []string, rows [][]string, widths []float64, grid bool) {
	if len(rows) == 0 {
		return
	}
	cols := len(rows[0])
	if len(widths) != cols {
		widths = make([]float64, cols)
		for i := range widths {
			widths[i] = 1 / float64(cols)
		}
	}
	t := &pdfTable{p: p, header: header, widths: widths, grid: grid}
	p.y += 2
	if header != nil {
		t.row(header, true)
	}
	for _, r := range rows {
		t.row(r, false)
	}
	p.y += 4
}

type pdfTable struct {
	p      *pdfDoc
	header []string
	widths []float64
	grid   bool
}

// row draws one row, on the next page (after the header) when it does
// not fit on this one: a row is never split.
func (t *pdfTable) row(cells []string, head bool) {
	p := t.p
	font := fontRegular
	if head {
		font = fontBold
	}
	p.setFont(font, sizeTable)
	wrapped := make([][]string, len(t.widths))
	h := 0.0
	for i, share := range t.widths {
		cell := ""
		if i < len(cells) {
			cell = cells[i]
		}
		wrapped[i] = p.wrap(cell, share*contentW-2*cellPad)
		h = max(h, float64(len(wrapped[i]))*p.lineH()+2*cellPad)
	}
	if p.y+h > bottom && p.y > marginT {
		p.newPage()
		if !head && t.header != nil {
			t.row(t.header, true)
			p.setFont(font, sizeTable)
		}
	}
	if p.err != nil {
		return
	}
	x := marginL
	for i, share := range t.widths {
		w := share * contentW
		if t.grid && p.err == nil {
			style := "D"
			if head {
				p.gp.SetFillColor(235, 235, 235)
				style = "FD"
			}
			p.gp.SetStrokeColor(150, 150, 150)
			p.gp.SetLineWidth(0.5)
			p.err = p.gp.Rectangle(x, p.y, x+w, p.y+h, style, 0, 0)
			p.gp.SetFillColor(0, 0, 0) // text is painted with the fill colour
		}
		for j, line := range wrapped[i] {
			p.text(line, x+cellPad, p.y+cellPad+float64(j)*p.lineH(), 'l')
		}
		x += w
	}
	if !t.grid {
		p.gp.SetStrokeColor(200, 200, 200)
		p.gp.SetLineWidth(0.4)
		p.gp.Line(marginL, p.y+h, marginL+contentW, p.y+h)
	}
	p.y += h
}

// signature draws the head's position on the left, the line to sign in
// the middle with its caption under it, the head's name on the right;
// then the place of the stamp and the line for the date. It stays on
// one page.
func (p *pdfDoc) signature(s *Sign) {
	if s == nil {
		return
	}
	p.setFont(fontRegular, sizeText)
	colW := contentW / 3
	pos := p.wrap(s.Position, colW-6)
	name := p.wrap(s.Name, colW-6)
	lines := max(len(pos), len(name))
	h := float64(lines+5)*p.lineH() + 10 // what is drawn below
	p.y += 24
	p.fits(h)
	top := p.y
	// The signature line sits level with the last line of the position.
	lineY := top + float64(lines)*p.lineH()
	for i, l := range pos {
		p.text(l, marginL, top+float64(i)*p.lineH(), 'l')
	}
	for i, l := range name {
		p.text(l, marginL+contentW, top+float64(i)*p.lineH(), 'r')
	}
	if p.err == nil {
		p.gp.SetStrokeColor(0, 0, 0)
		p.gp.SetLineWidth(0.6)
		p.gp.Line(marginL+colW+6, lineY, marginL+2*colW-6, lineY)
	}
	p.setFont(fontRegular, sizeSmall)
	p.text(s.Caption, marginL+1.5*colW, lineY+2, 'c')
	p.setFont(fontRegular, sizeText)
	p.y = lineY + 2*p.lineH() + 10
	p.text(s.Stamp, marginL, p.y, 'l')
	p.y += 2 * p.lineH()
	p.text(s.Date, marginL, p.y, 'l')
	p.y += p.lineH()
}
