package printout

import (
	_ "embed"
	"html/template"
	"io"
	"sync"
)

//go:embed page.html.tmpl
var pageHTML string

// page is parsed once, when first printed (not at every CLI start):
// html/template escapes every value it puts in, by its context (text,
// attribute), so a name like <script> prints as text.
var page = sync.OnceValue(func() *template.Template { return template.Must(template.New("page").Parse(pageHTML)) })

// writeHTML writes d as one self-contained page (no file, script or font
// fetched from anywhere) that prints on A4.
func writeHTML(w io.Writer, d Doc) error {
	return page().Execute(w, d)
}
