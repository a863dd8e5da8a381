//go:build cgo

package main

import (
	"flag"
	"io"

	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// tokenFlagSets builds the flag sets of the token and csr verbs, in the
// order of tokenHelpArgs.
func tokenFlagSets() []*flag.FlagSet {
	c := &tokenCmd{stdout: io.Discard, stderr: io.Discard}
	return []*flag.FlagSet{
		c.listFlags(),
		c.initFlags(new(initOpts)),
		c.pinFlags("change-user"),
		c.pinFlags("change-so"),
		c.pinFlags("unblock"),
		c.keygenFlags(new(int), new(string), new(tokens.Participant)),
		c.prepareFlags(new(initOpts), new(csrOpts), new(int), new(string)),
		c.csrSignFlags(new(string), new(csrOpts)),
	}
}

// tokenHelpArgs are the token and csr verbs as -h runs them.
var tokenHelpArgs = [][]string{
	{"token", "list"}, {"token", "init"}, {"token", "pin", "change-user"}, {"token", "pin", "change-so"},
	{"token", "pin", "unblock"}, {"token", "keygen"}, {"token", "prepare"}, {"csr", "sign"},
}
