package main

// The check's output. Where a person watches (a text report on standard
// output, one HTML page per server), each server's result is written the
// moment that server is done, in the order they finish: a server that
// stalls until --timeout holds no other, and with dozens of servers the
// first reports are there in seconds. The table at the end lists every
// server in the order given, so the overview reads the same run after
// run. A single document (JSON, a text or HTML file) is written whole at
// the end, as one valid document: each server is bounded by --timeout, so
// that end is too.

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// checkOutput takes each host's result as it completes (host) and the
// whole run at the end (end).
type checkOutput struct {
	o              *checkOpts
	stdout, stderr io.Writer
	many           bool // more than one host
	stream         bool // text reports on standard output, as each host completes
	pages          bool // one HTML page per host into the folder --output, as each completes
	colour         bool

	mu      sync.Mutex
	printed int   // reports streamed so far
	err     error // the first write that failed while streaming
}

// newCheckOutput decides how the reports of hosts targets (0: this
// computer) go out; the folder for HTML pages is made before any host is
// checked, so a bad --output costs no connection.
func newCheckOutput(o *checkOpts, hosts int, stdout, stderr io.Writer) (*checkOutput, error) {
	c := &checkOutput{o: o, stdout: stdout, stderr: stderr, many: hosts > 1}
	switch {
	case o.format == "text" && (o.output == "" || o.output == "-"):
		c.stream, c.colour = true, isTerminal(stdout)
	case o.format == "html" && c.many:
		c.pages = true
		if err := os.MkdirAll(o.output, 0o755); err != nil {
			return nil, &fileErr{op: "mkdir", path: o.output, err: err}
		}
	}
	return c, nil
}

// finish sets r's JSON error: the English, cleaned (a host's words may be
// in it).
func finish(r *hostResult) {
	if r.Err != nil {
		r.Error = i18n.Line(r.Err.Error(), i18n.MaxLine)
	}
}

// host writes r now, where the output streams.
func (c *checkOutput) host(r hostResult) {
	if !c.stream && !c.pages {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	finish(&r)
	var err error
	if c.stream {
		err = c.textBlock(c.stdout, r, c.printed == 0, c.colour)
		c.printed++
	} else if r.Err == nil {
		name := filepath.Join(c.o.output, safeName(r.Host)+".html")
		if err = writeTo(name, nil, func(w io.Writer) error { return r.Report.WriteHTML(w, c.o.lang) }); err == nil {
			wrote(c.stderr, c.o.lang, "cli.report_written", name)
		}
	}
	if c.err == nil {
		c.err = err
	}
}

// end writes what is written at the end: the table of many hosts, or the
// whole document.
func (c *checkOutput) end(results []hostResult) error {
	for i := range results {
		finish(&results[i])
	}
	switch {
	case c.stream:
		if c.many {
			writeTable(c.stdout, results, c.o.lang)
		}
		return c.err
	case c.pages:
		writeTable(c.stdout, results, c.o.lang)
		return c.err
	case c.o.format == "html":
		return c.writeHTML(results[0])
	}
	if err := c.writeDocument(results); err != nil {
		return err
	}
	if c.o.output != "" && c.o.output != "-" {
		wrote(c.stderr, c.o.lang, "cli.report_written", c.o.output)
	}
	return nil
}

// writeDocument writes the JSON document, or the text reports into a
// file, in the order the hosts were given.
func (c *checkOutput) writeDocument(results []hostResult) error {
	o := c.o
	switch {
	case o.format == "json" && len(results) == 1 && results[0].Err == nil:
		return writeTo(o.output, c.stdout, results[0].Report.WriteJSON)
	case o.format == "json":
		return writeTo(o.output, c.stdout, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"schema": "tunduk-onboard.readiness-batch/v1", "hosts": results})
		})
	}
	return writeTo(o.output, c.stdout, func(out io.Writer) error {
		for i, r := range results {
			if err := c.textBlock(out, r, i == 0, false); err != nil {
				return err
			}
		}
		if c.many {
			writeTable(out, results, o.lang)
		}
		return nil
	})
}

// textBlock is one host's text report, or why it could not be checked,
// after a rule unless it comes first.
func (c *checkOutput) textBlock(out io.Writer, r hostResult, first, colour bool) error {
	if !first {
		fmt.Fprintln(out, strings.Repeat("─", 60))
	}
	if r.Err != nil {
		_, err := fmt.Fprintf(out, "%s: %s\n", r.Host, explain(r.Err, c.o.lang))
		return err
	}
	return r.Report.WriteText(out, c.o.lang, colour)
}

// writeHTML writes the one host's page; a host that could not be checked
// has none (runCheck tells why).
func (c *checkOutput) writeHTML(r hostResult) error {
	if r.Err != nil {
		return nil
	}
	if err := writeTo(c.o.output, c.stdout, func(w io.Writer) error { return r.Report.WriteHTML(w, c.o.lang) }); err != nil {
		return err
	}
	if c.o.output != "" && c.o.output != "-" {
		wrote(c.stderr, c.o.lang, "cli.report_written", c.o.output)
	}
	return nil
}

// writeTable prints one line per host: the overview for many servers.
func writeTable(out io.Writer, results []hostResult, lang string) {
	fmt.Fprintf(out, "\n%s\n", i18n.T(lang, "cli.summary_title", nil))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", i18n.T(lang, "cli.host", nil), checks.Mark(lang, checks.Pass),
		checks.Mark(lang, checks.Warn), checks.Mark(lang, checks.Fail), checks.Mark(lang, checks.Unknown))
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t%s\n", r.Host, i18n.T(lang, "cli.error", nil))
			continue
		}
		s := r.Report.Summary
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", r.Host, s.Pass, s.Warn, s.Fail, s.Unknown)
	}
	tw.Flush()
}
