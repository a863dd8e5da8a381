// Command tunduk-onboard is the desktop wizard that takes an organisation
// through joining Tunduk (Kyrgyzstan's X-Road). The headless counterpart is
// cmd/tunduk-onboard-cli.
package main

import (
	"fmt"
	"os"

	"github.com/tunduk-onboard/tunduk-onboard/app"
	"github.com/tunduk-onboard/tunduk-onboard/internal/version"
)

func main() {
	// Answered before any window or driver starts, so it works without a
	// display (packaging tests, support asking which version is installed).
	if len(os.Args) == 2 && (os.Args[1] == "--version" || os.Args[1] == "-version" || os.Args[1] == "version") {
		fmt.Println("tunduk-onboard", version.String())
		return
	}
	app.Run()
}
