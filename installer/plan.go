// Package installer plans and runs the install of
// the X-Road Security Server on a remote Ubuntu host over SSH.
//
// A plan is an ordered list of Steps. Each step is plain POSIX sh: a Check
// that exits 0 when the step is already done, and an Apply, run as root,
// that is safe to run again. The order follows the X-Road ansible role
// (nordic-institute/X-Road ansible/roles/xroad-ss): PostgreSQL, debconf
// preseeding, then the packages, hardware tokens last; the firewall is up
// before the first of them.
package installer

import (
	"errors"
	"fmt"
	"net/netip"
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
	// TokenOnServer installs hardware token support on the host, for the
	// token of TokenVendor (a tokens/vendors ID; "" the profile's
	// signing_key.token_vendor, the Rutoken by default).
	TokenOnServer bool
	TokenVendor   string
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
	// Local: the install runs on the server itself (remote.Local), not
	// over SSH. The steps are the same; the summary asks for the user's
	// own sudo password.
	Local bool
}

// Masked is what a dry run shows in place of every secret.
const Masked = "********"

// ErrNoReadiness refuses a plan made without a readiness report (unless
// forced). Its text is for logs; Explain keys it.
var ErrNoReadiness = errors.New("no readiness report: run the readiness check first, or override the check")

// PreflightError refuses a plan for a server that failed readiness rules.
// Its Error is English, for logs; Explain keys it (installer.err.readiness)
// and each front end names its own override.
type PreflightError struct {
	Failed []checks.Result
}

func (e *PreflightError) Error() string {
	ids := make([]string, len(e.Failed))
	for i, r := range e.Failed {
		ids[i] = r.ID
	}
	return fmt.Sprintf("the readiness check failed (%s): fix the server, or override the check at your own risk", strings.Join(ids, ", "))
}

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

// Plan builds the ordered steps that install the security server described
// by the profile on the host the report is about. A report with failed
// rules refuses the plan (*PreflightError) unless opt.Force.
func Plan(p *profile.Profile, rep *checks.Report, opt Options) ([]Step, error) {
	if p == nil {
		return nil, errors.New("no operator profile")
	}
	if errs := opt.validate(rep); len(errs) > 0 {
		return nil, OptionErrors(errs)
	}
	pre, err := preflight(rep, opt.Force)
	if err != nil {
		return nil, err
	}
	// A packages folder is checked against the pins here, on this
	// computer, so a refused file never reaches the server.
	if opt.PackagesDir != "" {
		if err := CheckPackages(opt.PackagesDir, &p.Install); err != nil {
			return nil, err
		}
	}
	b := builder{p: p, opt: opt}
	steps := []Step{pre, b.locale()}
	// Without internet the uploaded packages must be a repository before
	// anything is installed, the prerequisites included. The firewall
	// comes as soon as ufw is there, before any package that listens: the
	// admin UI/API's 4000 listens on every address once
	// xroad-proxy-ui-api starts (X-Road 7.4.2
	// src/security-server/admin-service/application/src/main/resources/common-application.yml
	// sets server.port 4000 and no server.address, Spring Boot's "all
	// addresses"), and PostgreSQL's package starts it too.
	if opt.PackagesDir != "" {
		steps = append(steps, b.localRepository(), b.prerequisites(), b.firewall())
	} else {
		repo := b.networkRepository
		if p.Install.FlatRepository != "" {
			repo = b.flatRepository
		}
		steps = append(steps, b.prerequisites(), b.firewall(), repo())
	}
	steps = append(steps, b.debconf(), b.postgresql(), b.adminUser(), b.xroadPackage(), b.adminGroups())
	if opt.TokenOnServer {
		t, err := tokenFor(p, opt)
		if err != nil {
			return nil, err
		}
		steps = append(steps, b.hwtokens(t))
	}
	steps = append(steps, b.verify())
	for i := range steps {
		if opt.AdminPassword != "" {
			steps[i].Secrets = append(steps[i].Secrets, opt.AdminPassword)
		}
	}
	return steps, nil
}

// CheckReadiness is Plan's readiness gate on its own, for a form that
// wants to say before planning why Plan would refuse: nil when rep passed
// (or force), a *PreflightError naming the failed rules, or ErrNoReadiness.
func CheckReadiness(rep *checks.Report, force bool) error {
	_, err := preflight(rep, force)
	return err
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
	failed := FailedRules(rep)
	switch {
	case rep == nil && !force:
		return s, ErrNoReadiness
	case rep == nil:
		// The notes name neither front end's control (the wizard's tick
		// box, the CLI's --force): both show them.
		s.Note = i18n.Text{
			EN: "No readiness check was run; the install goes on by the user's choice.",
			RU: "Проверка готовности не выполнялась; установка продолжена по решению пользователя.",
			KY: "Даярдык текшерүүсү аткарылган жок; орнотуу колдонуучунун чечими менен улантылды.",
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
			EN: "OVERRIDDEN by the user's choice: the readiness check failed: " + strings.Join(en, "; "),
			RU: "ПРОПУЩЕНО по решению пользователя: проверка готовности не пройдена: " + strings.Join(ru, "; "),
			KY: "Колдонуучунун чечими менен ЭСКЕ АЛЫНБАДЫ: даярдык текшерүүсү өтпөдү: " + strings.Join(ky, "; "),
		}
	}
	return s, nil
}
