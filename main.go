// Command tunduk-onboard is the desktop wizard that takes an organisation
// through joining Tunduk (Kyrgyzstan's X-Road). The headless counterpart is
// cmd/tunduk-onboard-cli.
package main

import "github.com/tunduk-onboard/tunduk-onboard/app"

func main() {
	app.Run()
}
