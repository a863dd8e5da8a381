package main

// One user-facing error and one place that tells it: every verb returns
// an error, and run (main.go) alone turns it into the exit code and prints
// it, once, in the verb's language.

import (
	"errors"
	"fmt"
	"io"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// Exit codes shared by every verb.
const (
	exitOK     = 0 // done, nothing failed
	exitFailed = 1 // done, and something failed (a readiness rule, a step)
	exitCannot = 2 // could not do it: usage, connection, host key, bad input
	// exitNoProfileClass: install finished, but the X-Road installed lacks
	// the operator's certificate profile class (NIIS packages in place of
	// the operator's), so its CSRs will be refused: not a success.
	exitNoProfileClass = 3
	// exitWaiting: nothing failed, and the work waits for someone else
	// (the CA, the central server, the OCSP responder): run it again
	// later (renew).
	exitWaiting = 4
)

// userError is what a verb tells the user when it stops: the exit code,
// the message in the verb's language and the cause.
type userError struct {
	code int    // exitFailed or exitCannot
	lang string // the verb's --lang; "" is the one among the arguments
	// The message: a report-catalogue key and its data, else text (a
	// message already told in lang: several catalogue lines, a flow's
	// explanation with its detail), else the cause's own text (errors
	// made from catalogue lines, flag and file problems).
	key  string
	data map[string]any
	text string
	err  error // the cause: for the log, --verbose and errors.Is/As
}

// cannot is "could not do it" (exit 2): usage, connection, host key, bad
// input. err's text is the message unless the caller says otherwise.
func cannot(lang string, err error) *userError {
	return &userError{code: exitCannot, lang: lang, err: err}
}

// failed is "done, and something failed" (exit 1).
func failed(lang string, err error) *userError {
	return &userError{code: exitFailed, lang: lang, err: err}
}

// saying sets the message, already told in the error's language.
func (e *userError) saying(text string) *userError {
	e.text = text
	return e
}

// as sets the message to a report-catalogue key and its data.
func (e *userError) as(key string, data map[string]any) *userError {
	e.key, e.data = key, data
	return e
}

// message is the error in its language, with no control or escape
// sequence: an error nobody translated may carry a host's or the admin
// API's words, and this is what stderr and a JSON "error" show.
func (e *userError) message() string {
	switch {
	case e.key != "":
		return i18n.Sanitize(told(e.lang, e.key, e.data))
	case e.text != "":
		return i18n.Sanitize(e.text)
	case e.err != nil:
		return i18n.Sanitize(tellIn(e.lang, e.err))
	}
	return ""
}

// teller is an error that tells itself in a language: the CLI's keyed
// errors and file errors. Its Error is the English, for the log.
type teller interface {
	error
	In(lang string) string
}

// tellIn is err in lang: a teller's own words, else its text (an error
// of a flow already told in lang, or one nobody translated yet).
func tellIn(lang string, err error) string {
	var t teller
	if errors.As(err, &t) {
		return t.In(lang)
	}
	return err.Error()
}

// told is the report catalogue's key in lang and, after it, the CLI's own
// hint for it (cli.hint.<key>) when there is one: the flows' messages are
// shared with the wizard and name no command-line flag; the CLI adds the
// flag or the command that helps.
func told(lang, key string, data map[string]any) string {
	s := i18n.T(lang, key, data)
	if hk := "cli.hint." + key; i18n.T("en", hk, nil) != hk {
		s += " " + i18n.T(lang, hk, data)
	}
	return s
}

// keyErr is a CLI error as a report-catalogue key (cli.*) and its data,
// and the error behind it, if any, for the log.
type keyErr struct {
	key  string
	data map[string]any
	err  error
}

// errKey is the error key with data, told in the user's language.
func errKey(key string, data map[string]any) error { return &keyErr{key: key, data: data} }

func (e *keyErr) Error() string         { return i18n.T("en", e.key, e.data) }
func (e *keyErr) In(lang string) string { return told(lang, e.key, e.data) }
func (e *keyErr) Unwrap() error         { return e.err }

// textErr is a message already told in the user's language.
type textErr string

func (e textErr) Error() string         { return string(e) }
func (e textErr) In(lang string) string { return string(e) }

// fileErr is a file the user named that could not be read, written or
// made: the message names the user's path and says why in the user's
// words (i18n.FileReason); the OS error, which may name a temporary file
// beside it, stays in err for the log.
type fileErr struct {
	op   string // read, write, mkdir (keys cli.file.<op>)
	path string
	err  error
}

func (e *fileErr) Error() string { return fmt.Sprintf("cannot %s %s: %v", e.op, e.path, e.err) }
func (e *fileErr) Unwrap() error { return e.err }
func (e *fileErr) In(lang string) string {
	return i18n.T(lang, "cli.file."+e.op, map[string]any{"Path": i18n.Line(e.path, i18n.MaxLine), "Reason": i18n.FileReason(lang, e.err)})
}

func (e *userError) Error() string { return e.message() }

// In is the message in lang when the error has no language of its own
// (one verb's error inside another's).
func (e *userError) In(lang string) string {
	if e.lang == "" {
		e.lang = lang
	}
	return e.message()
}
func (e *userError) Unwrap() error { return e.err }

var (
	// errStop: -h was asked and the help is printed (exit 0).
	errStop = errors.New("stop")
	// errUsage: what was wrong with the command line is printed (exit 2).
	errUsage = errors.New("usage")
	// errReported: done, something failed, and the verb's own output
	// (a report with FAIL rows, a JSON document with its error) already
	// says why (exit 1, nothing more printed).
	errReported = errors.New("reported")
)

// reported is errReported with another exit code: the output already
// says why the verb could not do it (a host that could not be checked).
func reported(code int) error {
	if code == exitOK {
		return nil
	}
	return &userError{code: code, err: errReported}
}

// exitWith prints err (each error of an errors.Join on its own line),
// "error: " and its message in its language (lang when it has none), and
// returns its exit code. It is the only place that does.
func exitWith(err error, lang string, stderr io.Writer) int {
	if err == nil || errors.Is(err, errStop) {
		return exitOK
	}
	code := exitOK
	for _, e := range unjoin(err) {
		c, msg, msgLang := exitCannot, i18n.Sanitize(tellIn(lang, e)), lang
		var ue *userError
		if errors.As(e, &ue) {
			if ue.lang == "" {
				ue.lang = lang
			}
			c, msg, msgLang = ue.code, ue.message(), ue.lang
		} else if errors.Is(e, errReported) {
			c = exitFailed
		}
		if !errors.Is(e, errUsage) && !errors.Is(e, errReported) {
			fmt.Fprintln(stderr, errorLine(msgLang, msg))
		}
		code = max(code, c)
	}
	return code
}

// errorLine is "error: " and msg, the word in lang.
func errorLine(lang, msg string) string {
	return i18n.T(lang, "cli.error_word", nil) + ": " + msg
}

// unjoin is the errors an errors.Join holds, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// flagErr is a parseFlags error as the verb returns it: the help or the
// usage error already printed as they are, anything else (a stray
// argument) through fail.
func flagErr(err error, fail func(error) error) error {
	if errors.Is(err, errStop) || errors.Is(err, errUsage) {
		return err
	}
	return fail(err)
}
