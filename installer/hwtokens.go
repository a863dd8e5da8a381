package installer

import (
	"fmt"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/tokens/vendors"
)

// serverToken is the hardware token the install prepares the server for:
// its vendor (Options.TokenVendor, else the profile's
// signing_key.token_vendor) and where its library comes from. For the
// Rutoken the profile's install.rutoken_library and rutoken_package win
// over the table (the operator corrects them there).
type serverToken struct {
	v                vendors.Vendor
	library, pkgName string
}

func tokenFor(p *profile.Profile, opt Options) (serverToken, error) {
	id := opt.TokenVendor
	if id == "" {
		id = p.SigningKey.Vendor()
	}
	v, ok := vendors.ByID(id)
	if !ok || v.TestOnly {
		// Options.validate and the profile's loader refuse such an id first.
		return serverToken{}, fmt.Errorf("no hardware token %q", id)
	}
	t := serverToken{v: v, library: v.Server.Library, pkgName: v.Server.Package}
	if v.ID == "rutoken" {
		t.library, t.pkgName = p.Install.RutokenLibrary, p.Install.RutokenPackage
	}
	return t, nil
}

// name is the token's name in every language.
func (t serverToken) name() i18n.Text {
	name := func(lang string) string { return i18n.T(lang, "handover.vendor."+t.v.ID, nil) }
	return i18n.Text{EN: name("en"), RU: name("ru"), KY: name("ky")}
}

// title is "Hardware token support (Rutoken ECP 2.0)" in every language.
func (t serverToken) title() i18n.Text {
	n := t.name()
	return i18n.Text{EN: "Hardware token support (" + n.EN + ")", RU: "Поддержка аппаратного токена (" + n.RU + ")",
		KY: "Аппараттык токенди колдоо (" + n.KY + ")"}
}

// hwtokens lets the signer use the token on this server: X-Road's
// hardware token add-on, the smart card service, the vendor's PKCS#11
// library, and its section in /etc/xroad/devices.ini (the file X-Road
// 7.4.2's signer reads: src/packages/src/xroad/default-configuration/signer.ini
// device-configuration-file; the section as vendors.DevicesINI writes it,
// one per module, "library" its only required parameter:
// src/signer/.../tokenmanager/module/ModuleConf.java), then the signer's
// restart (installation guide 2.10). The library's path is quoted: the
// profile's is checked shell-safe at load, the table's are constants.
func (b *builder) hwtokens(t serverToken) Step {
	in := b.p.Install
	lib, section := t.library, t.v.Server.Section
	head := fmt.Sprintf(`\[%s\]`, section)
	return Step{
		ID:    "hwtokens",
		Title: t.title(),
		Check: installed(in.HWTokensPackage, "pcscd") + fmt.Sprintf(` && [ -e %s ] && systemctl is-active --quiet pcscd.socket && grep -qx %s %s && grep -qx %s %s`,
			q(lib), q(head), devicesINI, q("library = "+lib), devicesINI),
		Apply: shellHead + fmt.Sprintf(`%[1]s install %[2]s pcscd
if [ ! -e %[3]s ]; then
  %[1]s install %[4]s || true
fi
if [ ! -e %[3]s ]; then
  echo "the %[8]s PKCS#11 library "%[3]s" is missing: put %[9]s's %[4]s .deb into the packages directory, or install it, then run again" >&2
  exit 1
fi
systemctl enable --now pcscd.socket
if [ ! -e %[5]s ]; then
  install -m 0644 /dev/null %[5]s
fi
if ! grep -qx %[7]s %[5]s; then
  printf '\n[%[10]s]\nlibrary = %%s\n' %[3]s >> %[5]s
elif ! grep -qx %[6]s %[5]s; then
  echo "%[5]s already has a [%[10]s] section with another library: set its line to 'library = "%[3]s"' (the signer reads that section), then run again" >&2
  exit 1
fi
systemctl restart xroad-signer`, aptGet, q(in.HWTokensPackage), q(lib), q(t.pkgName), devicesINI, q("library = "+lib), q(head),
			t.v.Name, t.v.Maker, section),
		Long: true,
	}
}
