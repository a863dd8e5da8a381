package main

// journal record: the exported Ansible role (installer/ansible) keeps the
// install journal on the server through this, with the runner's own
// entries (installer.RecordStep), so a server half installed by Ansible
// is finished by install, and the other way round. It runs on the server.

import (
	"flag"
	"fmt"
	"io"
	"regexp"

	"github.com/tunduk-onboard/tunduk-onboard/installer"
)

func runJournal(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return dispatchGroup("journal", map[string]func([]string, io.Reader, io.Writer, io.Writer) error{
		"record": func(args []string, _ io.Reader, stdout, stderr io.Writer) error {
			return runJournalRecord(args, stdout, stderr)
		},
	}, journalUsage, args, stdin, stdout, stderr)
}

// journalUsage is the help of journal, in lang.
func journalUsage(w io.Writer, lang string) {
	printUsage(w, lang, "tunduk-onboard-cli journal record --step ID --apply-sha256 HEX [--applied] [FLAGS]", "cli.help.journal")
}

type journalOpts struct {
	file, step, sha, lang string
	applied, verbose      bool
}

func (o *journalOpts) flags(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("journal record", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&o.file, "file", installer.DefaultJournalPath, "the install journal `FILE` on this server")
	fs.StringVar(&o.step, "step", "", "the plan step's `ID`")
	fs.StringVar(&o.sha, "apply-sha256", "", "the SHA-256 `HEX` of the step's apply script")
	fs.BoolVar(&o.applied, "applied", false, "the step's apply ran and succeeded (else: its check passed)")
	fs.StringVar(&o.lang, "lang", defaultLang(), "language of the help, prompts, messages and text output: en, ru or ky")
	fs.BoolVar(&o.verbose, "verbose", false, "log debug details to standard error too")
	fs.Usage = verbHelp(w, fs, "tunduk-onboard-cli journal record --step ID --apply-sha256 HEX [--applied] [FLAGS]")
	return fs
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// runJournalRecord prints "recorded" when it wrote the journal,
// "unchanged" when the journal already said so.
func runJournalRecord(args []string, stdout, stderr io.Writer) error {
	var o journalOpts
	fs := o.flags(stderr)
	fail := func(err error) error { return cannot(o.lang, err) }
	if err := parseFlags(fs, args, "secrets"); err != nil {
		return flagErr(err, fail)
	}
	if err := checkLang(o.lang); err != nil {
		return fail(err)
	}
	if o.step == "" || !sha256Hex.MatchString(o.sha) {
		return fail(errKey("cli.err.journal_args", nil))
	}
	changed, err := installer.RecordStep(o.file, o.step, o.sha, o.applied)
	if err != nil {
		return cannot(o.lang, err).saying(explainInstall(o.lang, err).text())
	}
	if o.verbose {
		// No log file: the role runs this once a step, on the server.
		fmt.Fprintf(stderr, "journal %s: step %s, applied %v, changed %v\n", o.file, o.step, o.applied, changed)
	}
	word := "unchanged"
	if changed {
		word = "recorded"
	}
	_, err = fmt.Fprintln(stdout, word)
	return err
}
