package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// recordOut is a submission in the JSON output, with its outbox items.
type recordOut struct {
	enroll.Record
	Outbox []enroll.Pending `json:"outbox,omitempty"`
}

// flushOut is one outbox result in the JSON output.
type flushOut struct {
	ID             string `json:"id"`
	IdempotencyKey string `json:"idempotency_key"`
	URL            string `json:"url"`
	Delivered      bool   `json:"delivered"`
	AlreadyThere   bool   `json:"already_there,omitempty"`
	Permanent      bool   `json:"permanent,omitempty"`
	Attempts       int    `json:"attempts"`
	Error          string `json:"error,omitempty"`
}

// submitSubSynopsis is the command syntax of each sub-command.
var submitSubSynopsis = map[string]string{
	"list":    "tunduk-onboard-cli submit list [FLAGS]",
	"status":  "tunduk-onboard-cli submit status [ID] [FLAGS]",
	"flush":   "tunduk-onboard-cli submit flush [--tls-ca FILE] [FLAGS]",
	"advance": "tunduk-onboard-cli submit advance ID STAGE [--note TEXT] [FLAGS]",
}

// submitSubFlags is the flag set of "submit name", its help written to w.
func submitSubFlags(name string, c *submitCommon, note, tlsCA *string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("submit "+name, flag.ContinueOnError)
	fs.SetOutput(w)
	c.register(fs)
	if name == "advance" {
		fs.StringVar(note, "note", "", "a note kept in the history (e.g. how the certificates came)")
	}
	if name == "flush" {
		fs.StringVar(tlsCA, "tls-ca", "", "PEM `FILE` of extra CA certificates to trust for the HTTPS intake")
	}
	fs.Usage = verbHelp(w, fs, submitSubSynopsis[name])
	return fs
}

// runSubmitSub runs "submit list|status|flush|advance". Positional
// arguments (ID, STAGE) may come before or after the flags.
func runSubmitSub(name string, args []string, stdout, stderr io.Writer) error {
	var c submitCommon
	var note, tlsCA string
	fs := submitSubFlags(name, &c, &note, &tlsCA, stderr)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err // the help, or a usage error printed
	}
	if err := checkLang(c.lang); err != nil {
		return cannot(defaultLang(), err)
	}
	r := &submitRun{lang: c.lang, json: c.format == "json", stdout: stdout, stderr: stderr}
	if !oneOf(c.format, "text", "json") {
		r.json = false
		return r.fail(exitCannot, badInput("cli.submit.err_format", map[string]any{"Format": c.format}))
	}
	want := map[string][2]int{"list": {0, 0}, "status": {0, 1}, "flush": {0, 0}, "advance": {2, 2}}[name]
	if len(pos) < want[0] || len(pos) > want[1] {
		return r.fail(exitCannot, badInput("cli.submit.err_args", map[string]any{"Command": "submit " + name}))
	}
	// --profile is checked though these read nothing of it: a flag given
	// is never ignored, and a bad file is said before anything is done.
	if _, err := loadProfile(c.profile); err != nil {
		return r.fail(exitCannot, err)
	}
	_, closeLog := setupLog(c.verbose, c.lang, stderr)
	defer closeLog()
	store, err := openSubmitStore(c.store)
	if err != nil {
		return r.fail(exitCannot, err)
	}
	ob, err := store.Outbox()
	if err != nil {
		return r.fail(exitCannot, err)
	}
	switch name {
	case "list":
		return submitList(r, store, ob)
	case "status":
		return submitStatus(r, store, ob, pos)
	case "advance":
		rec, err := store.Advance(pos[0], enroll.Stage(pos[1]), "", note)
		if err != nil {
			return r.fail(exitCannot, err)
		}
		r.out.ID, r.out.Stage = rec.ID, rec.Stage
		r.say("cli.submit.advanced", map[string]any{"ID": rec.ID, "Stage": stageName(r.lang, rec.Stage)})
		r.flush()
		return nil
	}
	return submitFlush(r, store, ob, tlsCA)
}

func stageName(lang string, s enroll.Stage) string {
	return i18n.T(lang, "enroll.stage."+string(s), nil)
}

func when(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05 MST") }

func submitList(r *submitRun, store *enroll.Store, ob *enroll.Outbox) error {
	recs, err := store.List()
	if err != nil {
		return r.fail(exitCannot, err)
	}
	for _, rec := range recs {
		r.out.Records = append(r.out.Records, recordOut{Record: rec})
	}
	code := exitOK
	if r.damaged(store, ob) {
		code = exitFailed
	}
	if r.json {
		r.flush()
		return reported(code)
	}
	if len(recs) == 0 {
		r.say("cli.submit.none", nil)
		r.flush()
		return reported(code)
	}
	tw := tabwriter.NewWriter(r.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", i18n.T(r.lang, "cli.submit.col_id", nil), i18n.T(r.lang, "cli.submit.col_stage", nil),
		i18n.T(r.lang, "cli.submit.col_changed", nil), i18n.T(r.lang, "cli.submit.col_org", nil))
	for _, rec := range recs {
		last := rec.Created()
		if n := len(rec.History); n > 0 {
			last = rec.History[n-1].At
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", rec.ID, stageName(r.lang, rec.Stage), when(last), i18n.Line(rec.Participant.Name, i18n.MaxLine))
	}
	tw.Flush()
	r.flush() // the damaged files, after the table
	return reported(code)
}

func submitStatus(r *submitRun, store *enroll.Store, ob *enroll.Outbox, pos []string) error {
	var rec enroll.Record
	var err error
	if len(pos) == 1 {
		rec, err = store.Get(pos[0])
	} else {
		var ok bool
		if rec, ok, err = store.Latest(); err == nil && !ok {
			r.say("cli.submit.none", nil)
			code := exitOK
			if r.damaged(store, ob) {
				code = exitFailed
			}
			r.flush()
			return reported(code)
		}
	}
	if err != nil {
		if len(pos) == 0 {
			r.damaged(store, ob)
		}
		return r.fail(exitCannot, err)
	}
	out := recordOut{Record: rec}
	pend, _ := ob.Pending()
	for _, it := range pend {
		if it.ID == rec.ID {
			out.Outbox = append(out.Outbox, it)
		}
	}
	r.out.Records = []recordOut{out}
	r.out.ID, r.out.Stage, r.out.Via, r.out.Dir = rec.ID, rec.Stage, rec.Via, rec.Dir
	p := rec.Participant
	r.say("cli.submit.status_title", map[string]any{"ID": rec.ID, "Stage": stageName(r.lang, rec.Stage)})
	r.say("cli.submit.participant", map[string]any{"Name": i18n.Line(p.Name, i18n.MaxLine), "Class": p.MemberClass, "Code": p.MemberCode,
		"Server": p.ServerCode, "Address": p.ServerAddress})
	if rec.Via != "" {
		r.say("cli.submit.via", map[string]any{"Via": i18n.T(r.lang, "enroll.via."+string(rec.Via), nil)})
	}
	r.say("cli.submit.dir", map[string]any{"Dir": rec.Dir})
	// An application sent in parts: each part, and what is still to come.
	for _, pt := range rec.Parts {
		d := map[string]any{"Part": pt.N, "CSRs": csrNames(r.lang, pt.CSRs), "At": when(pt.SentAt)}
		if pt.SentAt.IsZero() {
			r.say("cli.submit.part_unsent", d)
		} else {
			r.say("cli.submit.part_sent", d)
		}
	}
	for _, u := range rec.Awaited() {
		r.say("cli.submit.follows_"+string(u), map[string]any{"ID": rec.ID})
	}
	r.say("cli.submit.history", nil)
	for _, e := range rec.History {
		line := "  " + when(e.At) + "  " + stageName(r.lang, e.Stage)
		if e.Part > 0 {
			line += ", " + i18n.T(r.lang, "cli.submit.part_of", map[string]any{"Part": e.Part})
		}
		if e.Note != "" {
			line += " (" + i18n.Line(e.Note, i18n.MaxLine) + ")"
		}
		r.out.Messages = append(r.out.Messages, line)
	}
	for _, it := range out.Outbox {
		if it.Permanent {
			r.say("cli.submit.outbox_permanent", map[string]any{"Error": i18n.Line(it.LastError, i18n.MaxLine), "Key": it.IdempotencyKey})
		} else {
			r.say("cli.submit.outbox_item", map[string]any{"Attempts": it.Attempts, "Next": when(it.NextAttempt),
				"Error": i18n.Line(it.LastError, i18n.MaxLine), "Key": it.IdempotencyKey})
		}
	}
	code := exitOK
	if len(pos) == 0 && r.damaged(store, ob) {
		// The latest might be one of them.
		code = exitFailed
	}
	r.flush()
	return reported(code)
}

func submitFlush(r *submitRun, store *enroll.Store, ob *enroll.Outbox, tlsCA string) error {
	pool, err := caPool(tlsCA)
	if err != nil {
		return r.fail(exitCannot, err)
	}
	hc := poolClient(pool, time.Minute)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// Every package delivered is recorded sent; a record that cannot be
	// written comes back in err.
	results, err := store.FlushOutbox(ctx, ob, hc)
	code := exitOK
	var fails []error // told on stderr: every failure in text, the store's first in JSON
	if len(results) == 0 && err == nil {
		r.say("cli.submit.flush_none", nil)
	}
	if r.damaged(store, ob) {
		code = exitFailed
	}
	for _, res := range results {
		fo := flushOut{ID: res.ID, IdempotencyKey: res.IdempotencyKey, URL: res.URL, Delivered: res.Delivered,
			AlreadyThere: res.AlreadyThere, Permanent: res.Permanent, Attempts: res.Attempts}
		if res.Delivered {
			r.say("cli.submit.flush_delivered", map[string]any{"ID": res.ID, "URL": res.URL})
		} else {
			code = exitFailed
			_, msg := explainSubmit(r.lang, res.Err)
			fo.Error = msg
			if !r.json {
				fails = append(fails, failed(r.lang, res.Err).saying(res.ID+": "+msg))
			}
		}
		r.out.Results = append(r.out.Results, fo)
	}
	if err != nil {
		code = exitFailed
		for i, e := range unjoin(err) {
			key, msg := explainSubmit(r.lang, e)
			if !r.json {
				fails = append(fails, failed(r.lang, e).saying(msg))
			} else if i == 0 {
				r.out.Error = &submitErrJSON{Key: key, Message: msg}
				fails = append(fails, failed(r.lang, e).saying(msg))
			}
		}
	}
	r.flush()
	if len(fails) > 0 {
		return errors.Join(fails...)
	}
	return reported(code)
}

// csrNames names the CSRs of a part in lang: "the signing CSR".
func csrNames(lang string, us []enroll.Usage) string {
	var names []string
	for _, u := range us {
		names = append(names, i18n.T(lang, "cli.submit.csr."+string(u), nil))
	}
	return strings.Join(names, ", ")
}
