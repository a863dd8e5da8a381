package tokens

import (
	"fmt"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/tokens/vendors"
)

// handoverVendor is the vendor whose token goes to the server: a
// production vendor of tokens/vendors by ID, else the Rutoken (a trial on
// SoftHSM2 still shows what the real token will need).
func handoverVendor(id string) vendors.Vendor {
	if v, ok := vendors.ByID(id); ok && !v.TestOnly {
		return v
	}
	v, _ := vendors.ByID(vendors.Default)
	return v
}

// HandoverVendor is the vendor whose token goes to the server after a key
// is made with library li: li's vendor when it is a production token's
// (tokens/vendors), else fallback (the profile's signing_key.token_vendor:
// a trial on SoftHSM2 or OpenSC).
func (li LibraryInfo) HandoverVendor(fallback string) string {
	if v, ok := vendors.ByID(li.Kind.Vendor()); ok && !v.TestOnly {
		return v.ID
	}
	return fallback
}

// DevicesINI returns the section of /etc/xroad/devices.ini that makes the
// security server's signer load the token of vendor (a tokens/vendors ID;
// "" or a test token: the Rutoken). libraryPath is the library's path on
// the server (the vendor's when empty; never the path of the desktop the
// token was prepared on).
func DevicesINI(vendor, libraryPath, tokenSerial string) string {
	v := handoverVendor(vendor)
	comment := ""
	if s := oneLine(tokenSerial); s != "" {
		comment = fmt.Sprintf("%s serial number %s (signing key)", v.Name, s)
	}
	return v.DevicesINI(libraryPath, comment)
}

// oneLine keeps a value from breaking out of its INI line.
func oneLine(s string) string { return vendors.OneLine(s) }

// HandoverStep is one step of moving the token to the security server;
// Block, when set, is text to copy verbatim (the devices.ini section).
type HandoverStep struct {
	Text  string `json:"text"`
	Block string `json:"block,omitempty"`
}

// HandoverTitle is the heading of the handover steps in lang.
func HandoverTitle(lang string) string { return i18n.T(lang, "handover.title", nil) }

// HandoverSteps returns, in lang (en, ru, ky), the steps to move the
// prepared token to the security server. vendor, libraryPath and
// tokenSerial are those of DevicesINI.
func HandoverSteps(lang, vendor, libraryPath, tokenSerial string) []HandoverStep {
	v := handoverVendor(vendor)
	if libraryPath == "" {
		libraryPath = v.Server.Library
	}
	data := map[string]any{"Library": oneLine(libraryPath), "Serial": oneLine(tokenSerial),
		"Token": i18n.T(lang, "handover.vendor."+v.ID, nil), "Maker": i18n.T(lang, "handover.maker."+v.ID, nil),
		"Package": v.Server.Package, "USB": v.USBVendor, "USBName": v.Maker}
	return []HandoverStep{
		{Text: i18n.T(lang, "handover.install", data)},
		{Text: i18n.T(lang, "handover.plug", data)},
		{Text: i18n.T(lang, "handover.devices", data), Block: DevicesINI(v.ID, libraryPath, tokenSerial)},
		{Text: i18n.T(lang, "handover.restart", data)},
		{Text: i18n.T(lang, "handover.login", data)},
		{Text: i18n.T(lang, "handover.auth_note", data)},
	}
}

// HandoverText renders the title and numbered steps as plain text.
func HandoverText(lang, vendor, libraryPath, tokenSerial string) string {
	var b strings.Builder
	b.WriteString(HandoverTitle(lang) + "\n")
	for i, s := range HandoverSteps(lang, vendor, libraryPath, tokenSerial) {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s.Text)
		for _, l := range strings.Split(strings.TrimRight(s.Block, "\n"), "\n") {
			if l != "" {
				b.WriteString("     " + l + "\n")
			}
		}
	}
	return b.String()
}
