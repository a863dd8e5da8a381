//go:build !cgo

package main

import "io"

// A build without cgo (the static CLI) has no PKCS#11: the token and csr
// verbs say so instead of failing to link.
var errNoPKCS11 = errKey("cli.token.err.no_pkcs11", nil)

func runToken(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return cannot(langOf(args), errNoPKCS11)
}

func runCSR(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return cannot(langOf(args), errNoPKCS11)
}
