package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
)

// parseFlags parses a verb's flags and refuses stray arguments, which
// would most likely be a secret typed where it does not belong. It
// returns errStop for -h (exit 0) and a usage error otherwise.
func parseFlags(fs *flag.FlagSet, args []string, what string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errStop
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (%s are never taken from the command line; see -h)", fs.Arg(0), what)
	}
	return nil
}

var (
	errStop  = errors.New("stop")  // -h was asked: the flag package printed the help
	errUsage = errors.New("usage") // the flag package printed what was wrong
)

// flagExit maps a parseFlags error to an exit code, printing the message
// of an error the flag package did not print itself.
func flagExit(err error, fail func(error) int) int {
	switch {
	case errors.Is(err, errStop):
		return exitOK
	case errors.Is(err, errUsage):
		return exitCannot
	}
	return fail(err)
}

// checkLang refuses a --lang the product does not speak.
func checkLang(lang string) error {
	for _, l := range checks.Languages {
		if l == lang {
			return nil
		}
	}
	return fmt.Errorf("--lang %q: use en, ru or ky", lang)
}
