package main

// ansible export: the install plan of each server written as an Ansible
// project (installer/ansible), for operators who run fleets with Ansible.
// The plans are the install verb's, made here from the same inputs; the
// readiness check moves into the project's first play, on each host.

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/installer/ansible"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

func runAnsible(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return dispatchGroup("ansible", map[string]func([]string, io.Reader, io.Writer, io.Writer) error{
		"export": func(args []string, _ io.Reader, stdout, stderr io.Writer) error {
			return runAnsibleExport(args, stdout, stderr)
		},
	}, ansibleUsage, args, stdin, stdout, stderr)
}

// ansibleUsage is the help of ansible, in lang.
func ansibleUsage(w io.Writer, lang string) {
	printUsage(w, lang, "tunduk-onboard-cli ansible export --out DIR --ssh USER@HOST[:PORT] | --hosts FILE [FLAGS]", "cli.help.ansible")
}

type ansibleOpts struct {
	ssh           sshFlags
	out           string
	cli           string
	packagesDir   string
	profile       string
	adminUser     string
	adminNetwork  string
	isNetwork     string
	tokenOnServer bool
	memberClass   string
	memberCode    string
	serverCode    string
	hostname      string
	address       string
	lang          string
	verbose       bool
}

func (o *ansibleOpts) flags(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("ansible export", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Var(&o.ssh.targets, "ssh", "a security server `USER@HOST[:PORT]` of the fleet (repeatable)")
	fs.StringVar(&o.ssh.hostsFile, "hosts", "", "read the servers from `FILE`, one a line: USER@HOST[:PORT], then any of class=CLASS member=CODE server=CODE hostname=NAME address=IP name=INVENTORY_NAME (# comments)")
	fs.Var(&o.ssh.identity, "identity", "private key `FILE` Ansible logs in with")
	fs.StringVar(&o.ssh.jump, "jump", "", "reach the hosts through the jump host `USER@HOST[:PORT]`")
	fs.StringVar(&o.ssh.knownHosts, "known-hosts", "", "known_hosts `FILE` Ansible checks the servers' keys against (default ~/.ssh/known_hosts)")
	fs.StringVar(&o.out, "out", "", "write the Ansible project into `DIR` (new or empty)")
	fs.StringVar(&o.cli, "cli", "", "the static tunduk-onboard-cli `FILE` the project copies to each server (default: this program)")
	fs.StringVar(&o.packagesDir, "packages-dir", "", "local `DIR` of .deb files to upload and use as the repository (servers without internet)")
	fs.StringVar(&o.profile, "profile", "", "operator profile `FILE` (default: the embedded Tunduk profile)")
	fs.StringVar(&o.adminUser, "admin-user", "xrdadmin", "`NAME` of the X-Road admin user made at install")
	fs.StringVar(&o.adminNetwork, "admin-network", "", "`CIDR` allowed to reach the admin UI on 4000 (default: closed; use an SSH tunnel)")
	fs.StringVar(&o.isNetwork, "is-network", "", "`CIDR` of the information systems allowed to reach 8080/8443 (default: closed)")
	fs.BoolVar(&o.tokenOnServer, "token-on-server", false, "install hardware token support (Rutoken) on the server")
	fs.StringVar(&o.memberClass, "member-class", "", "the organisation's member `CLASS` (for every server without class= on its line; the configure play needs it)")
	fs.StringVar(&o.memberCode, "member-code", "", "the organisation's member `CODE` (for every server without member= on its line)")
	fs.StringVar(&o.serverCode, "server-code", "", "the security server's `CODE` (for a server without server= on its line)")
	fs.StringVar(&o.hostname, "hostname", "", "the server's host `NAME` in its TLS certificates (for a server without hostname=; default: the HOST of a name)")
	fs.StringVar(&o.address, "address", "", "the server's `IP` address in its TLS certificates (for a server without address=; default: the HOST of an address)")
	fs.StringVar(&o.lang, "lang", defaultLang(), "language of the help, prompts, messages and text output: en, ru or ky")
	fs.BoolVar(&o.verbose, "verbose", false, "log debug details to standard error too")
	fs.Usage = verbHelp(w, fs, "tunduk-onboard-cli ansible export --out DIR --ssh USER@HOST[:PORT] | --hosts FILE [FLAGS]")
	return fs
}

func runAnsibleExport(args []string, stdout, stderr io.Writer) error {
	var o ansibleOpts
	fs := o.flags(stderr)
	fail := func(err error) error { return cannot(o.lang, err) }
	if err := parseFlags(fs, args, "secrets"); err != nil {
		return flagErr(err, fail)
	}
	if err := checkLang(o.lang); err != nil {
		return fail(err)
	}
	_, closeLog := setupLog(o.verbose, o.lang, stderr)
	defer closeLog()
	if strings.TrimSpace(o.out) == "" {
		return fail(errKey("cli.err.ansible_out", nil))
	}
	if err := absPackagesDir(&o.packagesDir); err != nil {
		return fail(err)
	}
	if o.cli == "" {
		exe, err := os.Executable()
		if err != nil {
			return fail(err)
		}
		o.cli = exe
	}
	prof, err := loadProfile(o.profile)
	if err != nil {
		return fail(err)
	}
	hosts, err := o.fleet()
	if err != nil {
		return fail(err)
	}
	var jump *remote.Target
	if o.ssh.jump != "" {
		jt, err := remote.ParseTarget(o.ssh.jump)
		if err != nil {
			return fail(badTarget("--jump", o.ssh.jump, err))
		}
		jump = &jt
	}
	// The plans are made with a stand-in for the admin password, which
	// the project asks for (vars_prompt, or a vault) and gives on stdin.
	standIn := make([]byte, 16)
	rand.Read(standIn)
	pw := "tunduk-secret-" + hex.EncodeToString(standIn)
	for i := range hosts {
		h := &hosts[i]
		opt := installer.Options{AdminUser: o.adminUser, AdminPassword: pw, AdminNetwork: o.adminNetwork, ISNetwork: o.isNetwork,
			PackagesDir: o.packagesDir, TokenOnServer: o.tokenOnServer, Force: true, Hostname: h.Hostname, Address: h.Address, SSHPort: h.Target.Port}
		if errs := installer.ValidateOptions(opt, nil); len(errs) > 0 {
			var all []error
			for _, e := range errs {
				all = append(all, cannot(o.lang, nil).saying(h.Name+": "+told(o.lang, e.Key, e.Data)))
			}
			return errors.Join(all...)
		}
		if h.Steps, err = installer.Plan(prof, nil, opt); err != nil {
			return cannot(o.lang, err).saying(h.Name + ": " + explainInstall(o.lang, err).text())
		}
	}
	// The configure play runs this program on the control node (it
	// may be another build than the static --cli for the servers).
	control, _ := os.Executable()
	p := ansible.Project{Hosts: hosts, CLI: o.cli, Profile: o.profile, PackagesDir: o.packagesDir,
		ControlCLI: abs(control), AdminUser: o.adminUser,
		KnownHosts: abs(o.ssh.knownHosts), Jump: jump, Secrets: map[string]string{pw: ansible.AdminPasswordVar}}
	if len(o.ssh.identity) > 0 {
		p.IdentityFile = abs(o.ssh.identity[0])
	}
	if err := ansible.Export(o.out, p); err != nil {
		return fail(err)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", o.out)
	return err
}

func abs(p string) string {
	if p == "" {
		return ""
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// fleet reads the servers of --ssh and --hosts with their own fields.
func (o *ansibleOpts) fleet() ([]ansible.Host, error) {
	lines, err := o.ssh.targetLines()
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, errKey("cli.err.ansible_no_hosts", nil)
	}
	var out []ansible.Host
	for _, l := range lines {
		f := strings.Fields(l)
		t, err := remote.ParseTarget(f[0])
		if err != nil {
			return nil, badTarget("--hosts", f[0], err)
		}
		if t.Port == 0 {
			t.Port = 22
		}
		h := ansible.Host{Target: t, MemberClass: o.memberClass, MemberCode: o.memberCode, ServerCode: o.serverCode, Hostname: o.hostname, Address: o.address}
		if _, err := netip.ParseAddr(t.Host); err == nil {
			h.Address = or(h.Address, t.Host)
		} else {
			h.Hostname = or(h.Hostname, t.Host)
		}
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			field := map[string]*string{"class": &h.MemberClass, "member": &h.MemberCode, "server": &h.ServerCode, "hostname": &h.Hostname, "address": &h.Address, "name": &h.Name}[k]
			if field == nil || v == "" {
				return nil, errKey("cli.err.ansible_field", map[string]any{"Field": kv, "Line": l})
			}
			*field = v
		}
		h.Name = or(h.Name, or(h.Hostname, t.Host))
		out = append(out, h)
	}
	return out, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
