package main

import (
	"encoding/pem"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// derOf returns the DER inside a PEM block, or b itself.
func derOf(b []byte) []byte {
	if blk, _ := pem.Decode(b); blk != nil {
		return blk.Bytes
	}
	return b
}

func textOf(lang, key string) string { return i18n.T(lang, key, nil) }

// yesNo is yes or no in the run's language.
func (o *serverOpts) yesNo(b bool) string {
	if b {
		return textOf(o.lang, "cli.server.yes")
	}
	return textOf(o.lang, "cli.server.no")
}
