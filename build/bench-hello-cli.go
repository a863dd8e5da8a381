//go:build ignore

// bench-hello-cli is the floor build/bench-start.sh measures the CLI's
// start against: a Go program that prints one line, built with the CLI's
// flags. Its time is the Go runtime's start and exit on this machine.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stdout, "tunduk-onboard-cli bench")
}
