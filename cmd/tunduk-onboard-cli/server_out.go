package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/backup"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure/renew"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

// serverOut prints a subcommand's progress and result: lines as they
// come in text, one JSON object at the end with --format json.
type serverOut struct {
	o      *serverOpts
	verb   string
	stdout io.Writer
	stderr io.Writer
	doc    map[string]any
	steps  []configure.Progress // reported as "steps" in JSON
	// connect: the verb is one of the connect flow's, whose errors
	// xroad/connect explains; renew: of the renewal (xroad/configure/renew).
	connect, renew bool
	// stepPrefix is where a progress id's name is in the report
	// catalogue ("" is configure's, configure.step.).
	stepPrefix string
}

func newServerOut(o *serverOpts, verb string, stdout, stderr io.Writer) *serverOut {
	return &serverOut{o: o, verb: verb, stdout: stdout, stderr: stderr,
		doc: map[string]any{"schema": "tunduk-onboard.server/v1", "command": verb}}
}

func (w *serverOut) text() bool { return w.o.format == "text" }

// progress is the flows' progress callback.
func (w *serverOut) progress(s configure.Progress) {
	w.steps = append(w.steps, s)
	if w.text() && s.State != configure.StateRunning {
		prefix := w.stepPrefix
		if prefix == "" {
			prefix = "configure.step."
		}
		fmt.Fprintln(w.stdout, i18n.T(w.o.lang, "cli.server.step", map[string]any{
			"Step":  i18n.T(w.o.lang, prefix+s.ID, nil),
			"State": i18n.T(w.o.lang, "cli.server.state."+s.State, nil),
		}))
	}
}

// line prints a translated line in text mode. Its values are mostly the
// admin API's (token names, ids, hashes): each is shown as one clean line.
func (w *serverOut) line(key string, data map[string]any) {
	if w.text() {
		for k, v := range data {
			if s, ok := v.(string); ok {
				data[k] = i18n.Line(s, i18n.MaxLine)
			}
		}
		fmt.Fprintln(w.stdout, i18n.T(w.o.lang, key, data))
	}
}

func (w *serverOut) set(k string, v any) { w.doc[k] = v }

// cannot: could not start (usage, connection, login): exit 2.
func (w *serverOut) cannot(err error) error { return w.finish(err, exitCannot) }

// failed: the flow refused or the server did: exit 1.
func (w *serverOut) failed(err error) error { return w.finish(err, exitFailed) }

func (w *serverOut) ok() error { return w.finish(nil, exitOK) }

// waiting: nothing failed, the work waits for someone else and goes on
// when run again: exit 4.
func (w *serverOut) waiting() error { return w.finish(nil, exitWaiting) }

// finish ends the run: in text the error is returned to be told; with
// --format json the one JSON document says it (and its exit code).
func (w *serverOut) finish(err error, code int) error {
	var ue *userError
	jsonKey, jsonLead := "", ""
	if err != nil {
		ue = &userError{code: code, lang: w.o.lang, err: err}
		var ce *configure.Error
		var be *backup.Error
		var told *userError
		switch {
		case errors.As(err, &told):
			ue.text = told.message()
		case errors.As(err, &be):
			// Before configure's: a backup's failure may hold one of
			// configure's (a PIN refused after a restore) as its cause.
			var data map[string]any
			jsonLead, jsonKey, data = backup.Explain(w.o.lang, err)
			ue.text = backupText(w.o.lang, jsonLead, jsonKey, data)
		case errors.As(err, &ce):
			jsonKey = ce.Key
			ue.as(configure.Explain(err))
		case w.connect:
			if key, data, ok := connect.Explain(err); ok {
				jsonKey = key
				ue.as(key, data)
			}
		case w.renew && !errors.As(err, new(teller)):
			// The flow's and the server's errors; the CLI's own (a flag,
			// a file) tell themselves.
			key, data, _ := renew.Explain(err)
			jsonKey = key
			ue.as(key, data)
		}
	}
	if w.text() {
		if ue == nil {
			return reported(code)
		}
		return ue
	}
	steps := []map[string]string{}
	for _, s := range w.steps {
		steps = append(steps, map[string]string{"id": s.ID, "state": s.State})
	}
	w.doc["steps"] = steps
	w.doc["exit_code"] = code
	if ue != nil {
		e := map[string]string{"key": jsonKey, "text": ue.message()}
		if jsonLead != "" {
			e["lead"] = jsonLead
		}
		w.doc["error"] = e
	}
	enc := json.NewEncoder(w.stdout)
	enc.SetIndent("", "  ")
	if werr := enc.Encode(w.doc); werr != nil {
		return cannot(w.o.lang, werr)
	}
	return reported(code)
}

// backupText is a backup's failure told: where it came (lead: nothing
// changed, or the restore is done) and why, each with the CLI's hint.
func backupText(lang, lead, key string, data map[string]any) string {
	s := told(lang, key, data)
	if lead != "" {
		s = i18n.T(lang, lead, nil) + " " + s
		if hk := "cli.hint." + lead; i18n.T("en", hk, nil) != hk {
			s += " " + i18n.T(lang, hk, nil)
		}
	}
	return s
}

// writeFileAtomic writes data to path through a synced temporary file in
// the same folder, renamed over path: never half a file. Its error names
// path, not the temporary file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := atomicfile.Write(path, data, perm); err != nil {
		return &fileErr{op: "write", path: path, err: err}
	}
	return nil
}
