//go:build !cgo

package main

import (
	"errors"
	"io"
)

// A build without cgo (the static CLI) has no PKCS#11: the token and csr
// verbs say so instead of failing to link.
var errNoPKCS11 = errors.New("this build of tunduk-onboard-cli has no PKCS#11 support (built without cgo); use the standard build for token and csr commands")

func runToken(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return cannot(langOf(args), errNoPKCS11)
}

func runCSR(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return cannot(langOf(args), errNoPKCS11)
}
