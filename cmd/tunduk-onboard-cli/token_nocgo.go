//go:build !cgo

package main

import (
	"fmt"
	"io"
)

// A build without cgo (the static CLI) has no PKCS#11: the token and csr
// verbs say so instead of failing to link.
const noPKCS11 = "this build of tunduk-onboard-cli has no PKCS#11 support (built without cgo); use the standard build for token and csr commands"

func runToken(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "error:", noPKCS11)
	return exitCannot
}

func runCSR(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "error:", noPKCS11)
	return exitCannot
}
