// Command tunduk-onboard-cli is the headless face of Tunduk Onboard: the
// offline readiness self-check on the server itself and every scriptable
// action for operator engineers. It must never import Fyne: it runs on
// servers with no display.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/internal/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the verb and is the one place that turns its error into the
// exit code and prints it (errors.go).
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return exitWith(dispatch(args, stdin, stdout, stderr), langOf(args), stderr)
}

// verbs are the top-level commands.
var verbs = map[string]func([]string, io.Reader, io.Writer, io.Writer) error{
	"check": runCheck, "install": runInstall, "token": runToken, "csr": runCSR,
	"submit": runSubmit, "server": runServer, "record": runRecord,
	"client": runClient, "service": runService, "connect": runConnect, "call": runCall,
	"status":         runStatus,
	"renew":          runRenew,
	"backup":         runBackup,
	"support-bundle": runBundle,
	"ansible":        runAnsible,
	"journal":        runJournal,
}

func dispatch(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	args = langLast(args)
	if len(args) == 0 {
		usage(stderr, defaultLang())
		return errUsage
	}
	if f, ok := verbs[args[0]]; ok {
		return f(args[1:], stdin, stdout, stderr)
	}
	switch args[0] {
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "tunduk-onboard-cli", version.String())
		return nil
	case "help", "-h", "--help":
		usage(stdout, langOf(args))
		return nil
	}
	if strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, flagErrorText(langOf(args), fmt.Errorf("flag provided but not defined: %s", args[0])))
		fmt.Fprintln(stderr)
		usage(stderr, langOf(args))
		return errUsage
	}
	return unknownVerb(stderr, langOf(args), "", args[0], func(w io.Writer) { usage(w, langOf(args)) })
}

// langLast moves a --lang given before the command after it, where the
// command's flags take it: "--lang ky check" runs "check --lang ky".
func langLast(args []string) []string {
	if len(args) == 0 {
		return args
	}
	name, _, hasVal := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
	if !strings.HasPrefix(args[0], "-") || name != "lang" {
		return args
	}
	n := 1
	if !hasVal && len(args) > 1 {
		n = 2
	}
	return append(append([]string(nil), args[n:]...), args[:n]...)
}
