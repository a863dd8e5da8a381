// Package vendorstest reads /etc/xroad/devices.ini the way X-Road
// 7.4.2's signer does, for the tests of what writes it (tokens/vendors,
// the installer's hwtokens step).
package vendorstest

import (
	"fmt"
	"regexp"
	"strings"
)

// ParseDevicesINI reads devices.ini as X-Road 7.4.2's signer does
// (ModuleConf.java reload/parseSection over Apache Commons
// INIConfiguration): "[uid]" sections; "name = value" (or "name: value");
// lines starting with ";" or "#" are comments, and so is the rest of a
// value from a ";" or "#" after a blank; a line ending in "\" continues.
// It returns the modules the signer would load: uid -> parameters, or an
// error for what the signer refuses or skips.
func ParseDevicesINI(text string) (map[string]map[string]string, error) {
	sections := map[string]map[string]string{}
	var order []string
	cur := ""
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == ';' || line[0] == '#':
			continue
		case strings.HasSuffix(line, `\`):
			return nil, fmt.Errorf("line %d continues onto the next", n+1)
		case line[0] == '[':
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("line %d: unclosed section", n+1)
			}
			cur = strings.TrimSpace(line[1 : len(line)-1])
			if _, dup := sections[cur]; dup {
				// parseSection: "Module information already defined ... skipping".
				return nil, fmt.Errorf("section %q twice", cur)
			}
			sections[cur] = map[string]string{}
			order = append(order, cur)
		default:
			i := strings.IndexAny(line, "=:")
			if i < 0 || cur == "" {
				return nil, fmt.Errorf("line %d: not a parameter of a section: %q", n+1, line)
			}
			val := strings.TrimSpace(line[i+1:])
			if m := regexp.MustCompile(`\s[;#]`).FindStringIndex(val); m != nil {
				val = strings.TrimSpace(val[:m[0]])
			}
			sections[cur][strings.TrimSpace(line[:i])] = val
		}
	}
	for _, uid := range order {
		s := sections[uid]
		switch {
		case strings.TrimSpace(uid) == "":
			return nil, fmt.Errorf("a section without a uid")
		case strings.EqualFold(uid, "softToken"):
			continue // the software token's own switch
		case strings.TrimSpace(s["library"]) == "":
			return nil, fmt.Errorf("[%s]: no library (the signer skips the module)", uid)
		}
		for name, val := range s {
			switch name {
			case "enabled", "library_cant_create_os_threads", "os_locking_ok", "sign_verify_pin", "batch_signing_enabled", "read_only":
				// getBoolean: PropertyConverter.toBoolean.
				switch strings.ToLower(val) {
				case "true", "false", "yes", "no", "on", "off", "y", "n", "t", "f":
				default:
					return nil, fmt.Errorf("[%s] %s = %q is not a boolean", uid, name, val)
				}
			case "sign_mechanism":
				// SUPPORTED_SIGN_MECHANISMS.
				if val != "CKM_RSA_PKCS" && val != "CKM_RSA_PKCS_PSS" {
					return nil, fmt.Errorf("[%s] sign_mechanism %q is not supported", uid, val)
				}
			}
		}
	}
	return sections, nil
}

// PackagedINI is a devices.ini as the xroad-signer package leaves it:
// comments only (our own stand-in for its commented example,
// src/packages/src/xroad/default-configuration/devices.ini).
const PackagedINI = `; This configuration file defines the available Secure Signature
; Creation Devices (SSCD).
;[smartcard]
;library = opensc-pkcs11.so
`
