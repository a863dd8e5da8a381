// Package printout turns the onboarding record into pages to print: the
// status report for the user's manager (what is done, what is awaited
// from whom, with dates) and the application to the operator (заявка на
// подключение, step 1 of joining) for the head of the organisation to
// sign. Each is built once as a Doc, in one language, and written as a
// self-contained HTML page or as a PDF with an embedded font; both front
// ends (the wizard's Summary step, `tunduk-onboard-cli record print`)
// call the same functions.
//
// Every value from the record (typed by the user, or read from a host)
// is made one printable line here (i18n.Line) and escaped by the HTML
// template; the PDF draws it as text, nothing in it is interpreted.
package printout

import (
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// Formats a Doc is written in.
const (
	FormatHTML = "html"
	FormatPDF  = "pdf"
)

// FormatOf is the format a file name asks for by its extension, "" when
// it names neither.
func FormatOf(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".html", ".htm":
		return FormatHTML
	case ".pdf":
		return FormatPDF
	}
	return ""
}

// Doc is a page to print: what the HTML and the PDF both say.
type Doc struct {
	Lang     string
	Title    string
	Subtitle string
	// To is the addressee block at the top right (the application).
	To     []string
	Blocks []Block
	Footer string
}

// Kind is what a Block draws.
type Kind int

// The kinds of block.
const (
	Heading   Kind = iota // Text as a section heading
	Para                  // Text as a paragraph
	Fields                // Rows of label and value
	Table                 // Header and Rows, one cell per column
	Signature             // Sign: the head's lines to sign and stamp
	Note                  // Text in small print
)

// String names the kind (the HTML template tells kinds apart by it).
func (k Kind) String() string {
	switch k {
	case Heading:
		return "heading"
	case Para:
		return "para"
	case Fields:
		return "fields"
	case Table:
		return "table"
	case Signature:
		return "signature"
	case Note:
		return "note"
	}
	return "unknown"
}

// Block is one part of a Doc.
type Block struct {
	Kind   Kind
	Text   string
	Header []string
	Rows   [][]string
	// Widths are the columns' shares of the line (Table), summing to 1;
	// nil shares it equally.
	Widths []float64
	Sign   *Sign
}

// Sign is the signature block: the head's position and name around the
// line to sign, the place of the stamp and the line for the date.
type Sign struct {
	Position, Name string
	Caption        string // under the signature line: "(подпись)"
	Stamp          string // "М.П."
	Date           string // "«___» ____________ 20___ г."
}

// Write writes d in format (FormatHTML or FormatPDF) to w.
func Write(w io.Writer, d Doc, format string) error {
	if format == FormatPDF {
		return writePDF(w, d)
	}
	return writeHTML(w, d)
}

// value is a value from the record as one printable line: no control
// characters or escapes, bounded. An empty one prints as a dash.
func value(s string, max int) string {
	s = i18n.Line(strings.Map(noBidi, s), max)
	if s == "" {
		return "—"
	}
	return s
}

// noBidi drops the controls that reorder text as it is shown (a name
// that reads otherwise on paper than it is stored).
func noBidi(r rune) rune {
	if r >= 0x200e && r <= 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
		return -1
	}
	return r
}

// date is t in the local zone, as a person in lang writes it.
func date(t time.Time, lang string) string {
	if t.IsZero() {
		return ""
	}
	t = t.Local()
	if lang == "en" {
		return t.Format("2 Jan 2006 15:04")
	}
	return t.Format("02.01.2006 15:04")
}
