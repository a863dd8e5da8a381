//go:build !cgo

package main

import "flag"

// Without cgo there are no token and csr verbs.
func tokenFlagSets() []*flag.FlagSet { return nil }

var tokenHelpArgs [][]string
