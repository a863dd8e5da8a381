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

// message is the error in its language.
func (e *userError) message() string {
	switch {
	case e.key != "":
		return i18n.T(e.lang, e.key, e.data)
	case e.text != "":
		return e.text
	case e.err != nil:
		return e.err.Error()
	}
	return ""
}

func (e *userError) Error() string { return e.message() }
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
		c, msg, msgLang := exitCannot, e.Error(), lang
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
