package tokens

import (
	"fmt"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// ServerRutokenLibrary is where the Rutoken PKCS#11 library lives on the
// security server (Ubuntu), whatever OS the token was prepared on.
const ServerRutokenLibrary = "/usr/lib/librtpkcs11ecp.so"

// DevicesINI returns the [rutoken] section of /etc/xroad/devices.ini that
// makes the security server's signer load the token. libraryPath is the
// library's path on the server (ServerRutokenLibrary when empty; never the
// path of the desktop the token was prepared on).
func DevicesINI(libraryPath, tokenSerial string) string {
	if libraryPath == "" {
		libraryPath = ServerRutokenLibrary
	}
	var b strings.Builder
	b.WriteString("[rutoken]\n")
	if s := oneLine(tokenSerial); s != "" {
		fmt.Fprintf(&b, "# Rutoken serial number %s (signing key)\n", s)
	}
	fmt.Fprintf(&b, "library = %s\n", oneLine(libraryPath))
	return b.String()
}

// oneLine keeps a value from breaking out of its INI line.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s))
}

// HandoverStep is one step of moving the token to the security server;
// Block, when set, is text to copy verbatim (the devices.ini section).
type HandoverStep struct {
	Text  string `json:"text"`
	Block string `json:"block,omitempty"`
}

// HandoverTitle is the heading of the handover steps in lang.
func HandoverTitle(lang string) string { return i18n.T(lang, "handover.title", nil) }

// HandoverSteps returns, in lang (en, ru, ky), the steps to move the
// prepared token to the security server. libraryPath and tokenSerial are
// those of DevicesINI.
func HandoverSteps(lang, libraryPath, tokenSerial string) []HandoverStep {
	if libraryPath == "" {
		libraryPath = ServerRutokenLibrary
	}
	data := map[string]any{"Library": oneLine(libraryPath), "Serial": oneLine(tokenSerial)}
	return []HandoverStep{
		{Text: i18n.T(lang, "handover.install", data)},
		{Text: i18n.T(lang, "handover.plug", data)},
		{Text: i18n.T(lang, "handover.devices", data), Block: DevicesINI(libraryPath, tokenSerial)},
		{Text: i18n.T(lang, "handover.restart", data)},
		{Text: i18n.T(lang, "handover.login", data)},
		{Text: i18n.T(lang, "handover.auth_note", data)},
	}
}

// HandoverText renders the title and numbered steps as plain text.
func HandoverText(lang, libraryPath, tokenSerial string) string {
	var b strings.Builder
	b.WriteString(HandoverTitle(lang) + "\n")
	for i, s := range HandoverSteps(lang, libraryPath, tokenSerial) {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s.Text)
		for _, l := range strings.Split(strings.TrimRight(s.Block, "\n"), "\n") {
			if l != "" {
				b.WriteString("     " + l + "\n")
			}
		}
	}
	return b.String()
}
