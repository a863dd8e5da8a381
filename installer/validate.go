package installer

// The operator's inputs, checked before anything is planned. Each problem
// is keyed (installer.opt.<field>.<problem> in assets/translations/report)
// so the front ends show it in the user's language, the wizard under the
// field it concerns, the CLI as a line naming the option.

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/tokens/vendors"
)

// The fields of Options an OptionError can concern.
const (
	FieldAdminUser     = "admin_user"
	FieldAdminPassword = "admin_password"
	FieldAdminNetwork  = "admin_network"
	FieldISNetwork     = "is_network"
	FieldHostname      = "hostname"
	FieldAddress       = "address"
	FieldSSHPort       = "ssh_port"
	FieldPackagesDir   = "packages_dir"
	FieldTokenVendor   = "token_vendor"
)

// OptionError is one option Plan refuses: Field (Field*) is the option,
// Key (installer.opt.*) and Data the message in the report catalogue.
// Data never holds a password; values that came from the host (its name,
// its address) are cleaned with i18n.Line. Error is the English text, for
// logs.
type OptionError struct {
	Field string
	Key   string
	Data  map[string]any
}

func (e OptionError) Error() string { return i18n.T("en", e.Key, e.Data) }

// OptionErrors is every problem of the options, in the order of the
// fields; Plan returns it as its error.
type OptionErrors []OptionError

func (es OptionErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// The patterns are compiled when first used: every run of the CLI (one
// binary for all verbs) paid for them at start, `token prepare` too, and
// the host name's counted repetitions make a large program.
var (
	userRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`) })
	hostnameRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$`)
	})
	reserved = map[string]bool{"root": true, "xroad": true, "postgres": true, "daemon": true, "nobody": true, "admin": true}
)

// ValidUserName says whether name is a user name the plan accepts in form
// (the reserved names are one too: a login another install made may use
// them, the plan only refuses to make them).
func ValidUserName(name string) bool { return userRE().MatchString(name) }

// ValidateOptions checks o as Plan does, the host name and address taken
// from rep's facts when o has none, and returns every problem (nil when
// there is none). A form calls it to say, field by field, what Plan would
// refuse.
func ValidateOptions(o Options, rep *checks.Report) []OptionError {
	return o.validate(rep)
}

// optErr is an OptionError whose string data are cleaned for display.
func optErr(field, problem string, data map[string]any) OptionError {
	for k, v := range data {
		if s, ok := v.(string); ok {
			data[k] = i18n.Line(s, 200)
		}
	}
	return OptionError{Field: field, Key: "installer.opt." + field + "." + problem, Data: data}
}

// validate checks the options and fills the defaults.
func (o *Options) validate(rep *checks.Report) []OptionError {
	var errs []OptionError
	add := func(field, problem string, data map[string]any) {
		errs = append(errs, optErr(field, problem, data))
	}
	if !userRE().MatchString(o.AdminUser) {
		add(FieldAdminUser, "invalid", map[string]any{"User": o.AdminUser})
	} else if reserved[o.AdminUser] {
		add(FieldAdminUser, "reserved", map[string]any{"User": o.AdminUser})
	}
	if o.AdminPassword == "" && !o.DryRun {
		add(FieldAdminPassword, "empty", map[string]any{})
	}
	if strings.ContainsAny(o.AdminPassword, "\n\r:") {
		add(FieldAdminPassword, "chars", map[string]any{})
	}
	for _, n := range []struct{ field, value string }{
		{FieldAdminNetwork, o.AdminNetwork},
		{FieldISNetwork, o.ISNetwork},
	} {
		if n.value == "" {
			continue
		}
		p, err := netip.ParsePrefix(n.value)
		switch {
		case err != nil:
			add(n.field, "not_cidr", map[string]any{"Value": n.value})
		case p.Bits() == 0:
			add(n.field, "internet", map[string]any{"Value": n.value})
		case p.Masked() != p:
			add(n.field, "host_bits", map[string]any{"Value": n.value, "Masked": p.Masked().String()})
		}
	}
	if o.Hostname == "" || o.Address == "" {
		var h, a string
		if rep != nil {
			h, a = HostFacts(rep.Facts)
		}
		if o.Hostname == "" {
			o.Hostname = h
		}
		if o.Address == "" {
			o.Address = a
		}
	}
	if !hostnameRE().MatchString(o.Hostname) || len(o.Hostname) > 253 {
		add(FieldHostname, "invalid", map[string]any{"Hostname": o.Hostname})
	}
	if a, err := netip.ParseAddr(o.Address); err != nil || a.Zone() != "" {
		add(FieldAddress, "invalid", map[string]any{"Address": o.Address})
	}
	if o.SSHPort == 0 {
		o.SSHPort = 22
	}
	if o.SSHPort < 1 || o.SSHPort > 65535 {
		add(FieldSSHPort, "range", map[string]any{"Port": o.SSHPort})
	}
	if strings.ContainsAny(o.PackagesDir, "\n\r") {
		add(FieldPackagesDir, "line_break", map[string]any{})
	}
	if o.TokenVendor != "" && !slices.Contains(vendors.IDs(false), o.TokenVendor) {
		add(FieldTokenVendor, "unknown", map[string]any{"Value": i18n.Line(o.TokenVendor, 40), "Known": strings.Join(vendors.IDs(false), ", ")})
	}
	return errs
}
