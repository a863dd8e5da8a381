// Package installer plans and runs the install of
// the X-Road Security Server on a remote Ubuntu host over SSH.
//
// A plan is an ordered list of Steps. Each step is plain POSIX sh: a Check
// that exits 0 when the step is already done, and an Apply, run as root,
// that is safe to run again. The order follows the X-Road ansible role
// (nordic-institute/X-Road ansible/roles/xroad-ss): PostgreSQL, debconf
// preseeding, then the packages, hardware tokens last.
package installer

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// Step is one idempotent action of the install.
type Step struct {
	ID    string    `json:"id"`
	Title i18n.Text `json:"title"`
	// Note tells the operator something about this step in this plan: a
	// readiness override, an unpinned key, a port left closed.
	Note i18n.Text `json:"note,omitempty"`
	// Check is POSIX sh; exit 0 means the step is already done.
	Check string `json:"check"`
	// Apply is POSIX sh, run as root; running it again is harmless.
	Apply string `json:"apply"`
	// Stdin is what the runner writes to Apply's standard input (after the
	// sudo password line, when sudo -S is used). Secrets travel only here,
	// never in a command line, so no `ps` on the host can see them.
	Stdin string `json:"stdin,omitempty"`
	// Upload, when set, is a local directory whose .deb files the runner
	// copies to the host before Apply.
	Upload *Upload `json:"upload,omitempty"`
	// Long steps (apt installs, waiting for services) run detached on the
	// host so a dropped connection does not kill them.
	Long bool `json:"long,omitempty"`
	// Secrets are values that must never be shown or logged.
	Secrets []string `json:"-"`
}

// Upload copies the .deb files of From (on the operator's machine) into To
// (on the host).
type Upload struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Options are the operator's inputs to a plan.
type Options struct {
	AdminUser     string
	AdminPassword string
	// AdminNetwork may reach the admin UI/API on 4000; empty keeps 4000
	// closed (reach it through an SSH tunnel).
	AdminNetwork string
	// ISNetwork (the information systems) may reach 8080/8443; empty keeps
	// them closed to everything but the host itself.
	ISNetwork string
	// PackagesDir is a local folder of .deb files used as the repository
	// instead of the network one (servers without internet).
	PackagesDir string
	// TokenOnServer installs hardware token support (Rutoken) on the host.
	TokenOnServer bool
	// Force goes on although the readiness check failed; the override is
	// recorded in the preflight step's note.
	Force bool
	// Hostname and Address (the server's primary/public IP) go into the TLS
	// subjects; empty takes them from the report's facts.
	Hostname string
	Address  string
	// SSHPort is the port the installer's own SSH connection uses: the
	// firewall allows it (and 22) before it is enabled. 0 means 22.
	SSHPort int
	// DryRun plans for review only: the admin password may be absent.
	DryRun bool
}

// Masked is what a dry run shows in place of every secret.
const Masked = "********"

// PreflightError refuses a plan for a server that failed readiness rules.
type PreflightError struct {
	Failed []checks.Result
}

func (e *PreflightError) Error() string {
	ids := make([]string, len(e.Failed))
	for i, r := range e.Failed {
		ids[i] = r.ID
	}
	return fmt.Sprintf("the readiness check failed (%s): fix the server, or go on with --force at your own risk", strings.Join(ids, ", "))
}

var (
	userRE     = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)
	hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$`)
	reserved   = map[string]bool{"root": true, "xroad": true, "postgres": true, "daemon": true, "nobody": true, "admin": true}
)

// HostFacts picks the host name and the primary address (the first IPv4
// address of the default-route interface, else its first address) from a
// readiness check's facts.
func HostFacts(f *checks.Facts) (hostname, address string) {
	if f == nil {
		return "", ""
	}
	hostname = f.Hostname
	if ifc := f.DefaultInterface(); ifc != nil {
		for _, a := range ifc.Addresses {
			p, err := netip.ParsePrefix(a)
			if err != nil {
				continue
			}
			if p.Addr().Is4() {
				return hostname, p.Addr().String()
			}
			if address == "" && !p.Addr().IsLinkLocalUnicast() {
				address = p.Addr().String()
			}
		}
	}
	return hostname, address
}

// validate checks the options and fills the defaults; errors name the flag.
func (o *Options) validate(rep *checks.Report) error {
	var errs []error
	if !userRE.MatchString(o.AdminUser) {
		errs = append(errs, fmt.Errorf("admin user %q: use 1-32 lower-case letters, digits, _ or -, starting with a letter", o.AdminUser))
	} else if reserved[o.AdminUser] {
		errs = append(errs, fmt.Errorf("admin user %q is reserved on the server; choose another name", o.AdminUser))
	}
	if o.AdminPassword == "" && !o.DryRun {
		errs = append(errs, errors.New("the admin password is empty (give it on standard input)"))
	}
	if strings.ContainsAny(o.AdminPassword, "\n\r:") {
		errs = append(errs, errors.New("the admin password must not contain a line break or ':'"))
	}
	for _, n := range []struct{ flag, value, ports string }{
		{"admin network", o.AdminNetwork, "4000"},
		{"information systems' network", o.ISNetwork, "8080 and 8443"},
	} {
		if n.value == "" {
			continue
		}
		p, err := netip.ParsePrefix(n.value)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s %q is not a CIDR network (like 10.0.0.0/24)", n.flag, n.value))
		case p.Bits() == 0:
			errs = append(errs, fmt.Errorf("%s %q is the whole internet: ports %s must never be open to it", n.flag, n.value, n.ports))
		case p.Masked() != p:
			errs = append(errs, fmt.Errorf("%s %q has host bits set: did you mean %s?", n.flag, n.value, p.Masked()))
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
	if !hostnameRE.MatchString(o.Hostname) || len(o.Hostname) > 253 {
		errs = append(errs, fmt.Errorf("host name %q is not a valid DNS name", o.Hostname))
	}
	if a, err := netip.ParseAddr(o.Address); err != nil || a.Zone() != "" {
		errs = append(errs, fmt.Errorf("server address %q is not an IP address", o.Address))
	}
	if o.SSHPort == 0 {
		o.SSHPort = 22
	}
	if o.SSHPort < 1 || o.SSHPort > 65535 {
		errs = append(errs, fmt.Errorf("SSH port %d is not 1-65535", o.SSHPort))
	}
	if strings.ContainsAny(o.PackagesDir, "\n\r") {
		errs = append(errs, errors.New("the packages directory name contains a line break"))
	}
	return errors.Join(errs...)
}

// Plan builds the ordered steps that install the security server described
// by the profile on the host the report is about. A report with failed
// rules refuses the plan (*PreflightError) unless opt.Force.
func Plan(p *profile.Profile, rep *checks.Report, opt Options) ([]Step, error) {
	if p == nil {
		return nil, errors.New("no operator profile")
	}
	if err := opt.validate(rep); err != nil {
		return nil, err
	}
	pre, err := preflight(rep, opt.Force)
	if err != nil {
		return nil, err
	}
	b := builder{p: p, opt: opt}
	steps := []Step{pre, b.locale()}
	// Without internet the uploaded packages must be a repository before
	// anything is installed, the prerequisites included.
	if opt.PackagesDir != "" {
		steps = append(steps, b.localRepository(), b.prerequisites())
	} else {
		steps = append(steps, b.prerequisites(), b.networkRepository())
	}
	steps = append(steps, b.debconf(), b.postgresql(), b.adminUser(), b.xroadPackage(), b.adminGroups())
	if opt.TokenOnServer {
		steps = append(steps, b.hwtokens())
	}
	steps = append(steps, b.firewall(), b.verify())
	for i := range steps {
		if opt.AdminPassword != "" {
			steps[i].Secrets = append(steps[i].Secrets, opt.AdminPassword)
		}
	}
	return steps, nil
}

// preflight turns the readiness verdict into the first step. Its check
// confirms, on the host at run time, what every later step takes for
// granted: root, apt and dpkg.
func preflight(rep *checks.Report, force bool) (Step, error) {
	s := Step{
		ID:    "preflight",
		Title: i18n.Text{EN: "Preflight: readiness and prerequisites", RU: "Предварительная проверка: готовность и условия", KY: "Алдын ала текшерүү: даярдык жана шарттар"},
		Check: `[ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1`,
		Apply: `echo "preflight: the steps must run as root on a Debian/Ubuntu host with apt-get and dpkg" >&2
exit 1`,
	}
	var failed []checks.Result
	if rep != nil {
		for _, r := range rep.Results {
			if r.Status == checks.Fail {
				failed = append(failed, r)
			}
		}
	}
	switch {
	case rep == nil && !force:
		return s, errors.New("no readiness report: run the readiness check first, or go on with --force")
	case rep == nil:
		s.Note = i18n.Text{
			EN: "No readiness check was run; overridden with --force.",
			RU: "Проверка готовности не выполнялась; продолжено с --force.",
			KY: "Даярдык текшерүүсү аткарылган жок; --force менен улантылды.",
		}
	case len(failed) > 0 && !force:
		return s, &PreflightError{Failed: failed}
	case len(failed) > 0:
		var en, ru, ky []string
		for _, r := range failed {
			en = append(en, r.ID+" ("+r.Title.In("en")+")")
			ru = append(ru, r.ID+" ("+r.Title.In("ru")+")")
			ky = append(ky, r.ID+" ("+r.Title.In("ky")+")")
		}
		s.Note = i18n.Text{
			EN: "OVERRIDDEN with --force: the readiness check failed: " + strings.Join(en, "; "),
			RU: "ПРОПУЩЕНО с --force: проверка готовности не пройдена: " + strings.Join(ru, "; "),
			KY: "--force менен ЭСКЕ АЛЫНБАДЫ: даярдык текшерүүсү өтпөдү: " + strings.Join(ky, "; "),
		}
	}
	return s, nil
}
