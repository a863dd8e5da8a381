// Command tunduk-onboard-cli is the headless face of Tunduk Onboard: the
// offline readiness self-check on the server itself and every scriptable
// action for operator engineers. It must never import Fyne: it runs on
// servers with no display.
package main

import (
	"fmt"
	"io"
	"os"

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

func dispatch(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr, defaultLang())
		return errUsage
	}
	switch args[0] {
	case "check":
		return runCheck(args[1:], stdin, stdout, stderr)
	case "install":
		return runInstall(args[1:], stdin, stdout, stderr)
	case "token":
		return runToken(args[1:], stdin, stdout, stderr)
	case "csr":
		return runCSR(args[1:], stdin, stdout, stderr)
	case "submit":
		return runSubmit(args[1:], stdin, stdout, stderr)
	case "server":
		return runServer(args[1:], stdin, stdout, stderr)
	case "record":
		return runRecord(args[1:], stdin, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "tunduk-onboard-cli", version.String())
		return nil
	case "help", "-h", "--help":
		usage(stdout, langOf(args))
		return nil
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n", args[0])
	usage(stderr, langOf(args))
	return errUsage
}

// usage is the top-level help, in lang.
func usage(w io.Writer, lang string) {
	printUsage(w, lang, "tunduk-onboard-cli COMMAND [FLAGS]", "cli.help.main")
}
