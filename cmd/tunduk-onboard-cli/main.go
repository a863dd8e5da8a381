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

// Exit codes shared by every verb.
const (
	exitOK     = 0 // done, nothing failed
	exitFailed = 1 // done, and something failed (a readiness rule, a step)
	exitCannot = 2 // could not do it: usage, connection, host key
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitCannot
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
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "tunduk-onboard-cli", version.String())
		return exitOK
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n", args[0])
	usage(stderr)
	return exitCannot
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage: tunduk-onboard-cli COMMAND [FLAGS]

Commands:
  check     check whether a server is ready for the X-Road Security Server
            (this machine, or remote hosts over SSH)
  install   install the X-Road Security Server on a host over SSH,
            resumable (--dry-run prints the plan)
  token     list, initialise and set the PINs of a Rutoken; generate the
            signing key on it; or all that and the CSR in one step
            (list|init|pin|keygen|prepare)
  csr       sign the certificate signing request with the token's key (sign)
  submit    send the CSRs and the readiness report to the certification
            authority: --via email|smtp|https|folder; list|status|flush|advance
  server    configure the installed security server through its admin API
            over SSH (init|csr|import|register|status)
  version   print the version

Run "tunduk-onboard-cli COMMAND -h" for the flags of a command.
Exit codes: 0 done (no check failed), 1 failed (a check failed),
2 could not be done (usage, connection, host key).
`)
}
