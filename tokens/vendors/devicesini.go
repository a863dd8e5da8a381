package vendors

import (
	"fmt"
	"strings"
)

// DevicesINI is the section of /etc/xroad/devices.ini that makes X-Road's
// signer load the vendor's library at library (v.Server.Library when
// empty), with comment (one line, may be empty) above its parameters.
//
// The format is the signer's (X-Road 7.4.2
// src/signer/src/main/java/ee/ria/xroad/signer/tokenmanager/module/ModuleConf.java,
// reload and parseSection; Apache Commons INIConfiguration): "[uid]" opens
// a module's section, "name = value" lines follow, lines starting with ";"
// or "#" are comments; "library" is the only required parameter (a
// section without it is skipped); the uid "softToken" is the software
// token's and never a library's; a second section with the same uid is
// skipped. The file the signer reads is /etc/xroad/devices.ini
// (src/packages/src/xroad/default-configuration/signer.ini:
// device-configuration-file), made from the package's commented example
// by xroad-signer.postinst.
func (v Vendor) DevicesINI(library, comment string) string {
	if library == "" {
		library = v.Server.Library
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[%s]\n", v.Server.Section)
	if c := OneLine(comment); c != "" {
		fmt.Fprintf(&b, "# %s\n", c)
	}
	fmt.Fprintf(&b, "library = %s\n", OneLine(library))
	return b.String()
}

// OneLine keeps a value from breaking out of its INI line: control
// characters become spaces, and the ends are trimmed.
func OneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s))
}
