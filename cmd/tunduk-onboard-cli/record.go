package main

// record print: the onboarding record the wizard keeps, printed for
// people. The status report (for the user's manager: what is done, what
// is awaited from whom, with dates) or the application to the operator
// (заявка на подключение) for the head of the organisation to sign, as
// HTML or PDF. It reads the same file the wizard writes and changes
// nothing in it.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/internal/logging"
	ob "github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding/printout"
)

// envRecord is the wizard's variable for another record file
// (app/record.go): the CLI reads the same one.
const envRecord = "TUNDUK_ONBOARD_RECORD"

type recordPrintOpts struct {
	doc, format, output, record, profile, lang string
	verbose                                    bool
}

func (o *recordPrintOpts) flags(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("record print", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&o.doc, "doc", "status", "what to print: status (the status report for a manager) or application (the application to the operator, for the head to sign)")
	fs.StringVar(&o.format, "format", "", "html or pdf (default: by the --output file's extension, else html)")
	fs.StringVar(&o.output, "output", "", "write the page to `FILE` (- for standard output, html only)")
	fs.StringVar(&o.record, "record", "", "the onboarding record `FILE` (default: the wizard's, or $"+envRecord+")")
	fs.StringVar(&o.profile, "profile", "", "operator profile `FILE` (default: the embedded Tunduk profile)")
	fs.StringVar(&o.lang, "lang", defaultLang(), "language of the page and the messages: en, ru or ky (the application: ru or ky)")
	fs.BoolVar(&o.verbose, "verbose", false, "log debug details to standard error too")
	fs.Usage = verbHelp(w, fs, "tunduk-onboard-cli record print [--doc status|application] [--format html|pdf] --output FILE [FLAGS]")
	return fs
}

func runRecord(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return dispatchGroup("record", map[string]func([]string, io.Reader, io.Writer, io.Writer) error{
		"print": func(args []string, _ io.Reader, stdout, stderr io.Writer) error {
			return runRecordPrint(args, stdout, stderr)
		},
	}, recordUsage, args, stdin, stdout, stderr)
}

// recordUsage is the help of record, in lang.
func recordUsage(w io.Writer, lang string) {
	printUsage(w, lang, "tunduk-onboard-cli record print [FLAGS]", "cli.help.record")
}

func runRecordPrint(args []string, stdout, stderr io.Writer) error {
	var o recordPrintOpts
	fs := o.flags(stderr)
	fail := func(err error) *userError { return cannot(o.lang, err) }
	if err := parseFlags(fs, args, "secrets"); err != nil {
		return flagErr(err, func(err error) error { return fail(err) })
	}
	if err := checkLang(o.lang); err != nil {
		return fail(err)
	}
	if o.format == "" {
		o.format = printout.FormatOf(o.output)
		if o.format == "" {
			o.format = printout.FormatHTML
		}
	}
	switch {
	case !oneOf(o.format, printout.FormatHTML, printout.FormatPDF):
		return fail(fmt.Errorf("--format %q", o.format)).as("cli.record.err_format", map[string]any{"Format": o.format})
	case !oneOf(o.doc, "status", "application"):
		return fail(fmt.Errorf("--doc %q", o.doc)).as("cli.record.err_doc", map[string]any{"Doc": o.doc})
	case strings.TrimSpace(o.output) == "" || o.output == "-" && o.format == printout.FormatPDF:
		return fail(errors.New("no --output")).as("cli.record.err_output", nil)
	case o.doc == "application" && !oneOf(o.lang, printout.ApplicationLanguages...):
		return fail(printout.ErrApplicationLanguage).as("cli.record.err_app_lang", nil)
	}
	_, closeLog, err := logging.Setup("cli", o.verbose)
	if err != nil {
		fmt.Fprintln(stderr, "warning: no log file:", err)
	}
	defer closeLog()
	prof, err := loadProfile(o.profile)
	if err != nil {
		return fail(err)
	}
	path, err := recordFile(o.record)
	if err != nil {
		return recordErr(o.lang, err)
	}
	rec, err := ob.Read(path)
	if err != nil {
		return recordErr(o.lang, err)
	}

	var doc printout.Doc
	if o.doc == "application" {
		var org ob.Organisation
		if rec.Organisation != nil {
			org = *rec.Organisation
		}
		doc, err = printout.Application(org, prof, o.lang)
		var me *printout.MissingError
		if errors.As(err, &me) {
			var lines []string
			for _, m := range me.Missing {
				lines = append(lines, "  - "+m.Text(o.lang))
			}
			return fail(err).as("cli.record.err_missing", map[string]any{"Missing": strings.Join(lines, "\n")})
		}
		if err != nil {
			return fail(err)
		}
	} else {
		doc = printout.Status(rec, prof, o.lang, time.Now())
	}
	if err := writeTo(o.output, stdout, func(w io.Writer) error { return printout.Write(w, doc, o.format) }); err != nil {
		return fail(err)
	}
	logrus.WithFields(logrus.Fields{"doc": o.doc, "format": o.format, "file": o.output}).Info("record printed")
	if o.output != "-" {
		wrote(stderr, o.lang, "cli.record.written", o.output)
	}
	return nil
}

// recordErr is an error of reading the record, in lang (with the CLI's
// hint where it has one: cli.hint.onboarding.err.*).
// recordFile is the onboarding record: the flag's file, else
// $TUNDUK_ONBOARD_RECORD, else the wizard's (onboarding.DefaultPath).
func recordFile(flagValue string) (string, error) {
	if p := strings.TrimSpace(flagValue); p != "" {
		return p, nil
	}
	if p := strings.TrimSpace(os.Getenv(envRecord)); p != "" {
		return p, nil
	}
	return ob.DefaultPath()
}

func recordErr(lang string, err error) error {
	var oe *ob.Error
	if errors.As(err, &oe) && oe.Key == "onboarding.err.open" && !errors.Is(oe.Err, os.ErrNotExist) {
		// There but not readable (a folder, a device, too large, no
		// permission): the reason, which the record's message lacks.
		return cannot(lang, &fileErr{op: "read", path: oe.Data["File"].(string), err: oe.Err})
	}
	if errors.As(err, &oe) {
		return cannot(lang, err).as(oe.Key, oe.Data)
	}
	return cannot(lang, err)
}
