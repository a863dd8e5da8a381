package configure

import "strings"

// checkIDs refuses empty identifiers before anything is sent; their form
// is the profile's business (the CLI and the wizard check it).
func (p Params) checkIDs() error {
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"instance", p.Instance}, {"member_class", p.MemberClass},
		{"member_code", p.MemberCode}, {"server_code", p.ServerCode},
	} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return &Error{Key: "configure.err.params", Data: map[string]any{"Fields": strings.Join(missing, ", ")}}
	}
	return nil
}

// memberID is INSTANCE:CLASS:CODE, the owner of a signing key.
func (p Params) memberID() string { return p.Instance + ":" + p.MemberClass + ":" + p.MemberCode }
