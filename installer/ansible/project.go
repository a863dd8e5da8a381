// Package ansible writes the install plan as an Ansible project, for
// operators who look after fleets with Ansible (issue 18). Nothing here
// decides what the install does: every task's script is a step's Check or
// Apply, byte for byte (the host_vars hold them, tagged !unsafe so Ansible
// never templates them), and the journal on the host is the runner's own,
// kept by the CLI copied there (installer.RecordStep), so a server half
// installed by one engine is finished by the other.
package ansible

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// Host is one security server of the fleet and its own plan.
type Host struct {
	Name        string // the inventory's name for it
	Target      remote.Target
	MemberClass string
	MemberCode  string
	ServerCode  string
	Hostname    string
	Address     string
	Steps       []installer.Step
}

// Project is what Export writes.
type Project struct {
	Hosts []Host
	// CLI is the static tunduk-onboard-cli copied into the project and
	// from there onto each host (readiness, the journal).
	CLI string
	// Profile is the operator profile file the plans were made with; ""
	// is the embedded one.
	Profile string
	// PackagesDir is the local .deb folder of an offline install (the
	// default of tunduk_packages_dir).
	PackagesDir string
	// IdentityFile and KnownHosts are the SSH key and known_hosts the
	// inventory names ("" leaves them to ssh's defaults).
	IdentityFile string
	KnownHosts   string
	// Jump, when set, is the jump host every login goes through: Ansible's
	// (a ProxyCommand with the same key and known_hosts, so the jump
	// host's key is checked as strictly) and the configure play's CLI
	// (--jump).
	Jump *remote.Target
	// ControlCLI is the tunduk-onboard-cli the configure play runs on the
	// control node (the default of tunduk_control_cli; "" is the one on
	// PATH); AdminUser the X-Road admin user the plans make.
	ControlCLI string
	AdminUser  string
	// Secrets maps each stand-in value the plans were made with to the
	// variable the user supplies in its place (vars_prompt or a vault):
	// Stdin gets "{{ name }}", and a stand-in anywhere else is refused.
	Secrets map[string]string
}

// Layout of the project.
const (
	RoleName   = "tunduk_security_server"
	CLIFile    = "files/tunduk-onboard-cli"
	ProfileDir = "files"
	TasksFile  = "roles/" + RoleName + "/tasks/main.yml"
	// HostCLI is where the play puts the CLI on each host.
	HostCLI = "/usr/local/lib/tunduk-onboard/tunduk-onboard-cli"
	// HostProfile is where the play puts the profile on each host.
	HostProfile = installer.StateDir + "/profile.json"
	// ReadinessRecord is the file on the host that records a readiness
	// override.
	ReadinessRecord = installer.StateDir + "/readiness-override.json"
)

// Export writes the project into dir (created; it must be empty or
// absent, so a stale file of another export never lingers).
func Export(dir string, p Project) error {
	if len(p.Hosts) == 0 {
		return errors.New("ansible: no hosts")
	}
	if p.CLI == "" {
		return errors.New("ansible: no CLI to copy to the hosts")
	}
	if err := checkSamePlan(p.Hosts); err != nil {
		return err
	}
	for _, h := range p.Hosts {
		for _, st := range h.Steps {
			if err := p.checkSecrets(st); err != nil {
				return err
			}
		}
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return fmt.Errorf("ansible: %s is not empty", dir)
	}
	files := map[string][]byte{
		"ansible.cfg": []byte(ansibleCfg),
		"site.yml":    site(p),
		"hosts.yml":   inventory(p),
		TasksFile:     tasks(p),
		"roles/" + RoleName + "/defaults/main.yml": roleDefaults(p),
		// The readiness play needs them too. Not as vars_files: those
		// would outrank the inventory, and an operator could not set
		// tunduk_readiness_override for one server there.
		"group_vars/all.yml":                   groupVars(p),
		ConfigureFile:                          configurePlay(),
		"roles/" + RoleName + "/meta/main.yml": []byte(roleMeta),
		"library/tunduk_readiness.py":          []byte(readinessModule),
		HoldScript:                             []byte(holdScript()),
		"README.md":                            readme(p),
		"README.ky.md":                         readmeKy(p),
	}
	for _, h := range p.Hosts {
		b, err := hostVars(h)
		if err != nil {
			return err
		}
		files["host_vars/"+h.Name+".yml"] = b
	}
	for name, b := range files {
		if err := write(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	if err := copyFile(p.CLI, filepath.Join(dir, CLIFile), 0o755); err != nil {
		return err
	}
	if p.Profile != "" {
		if err := copyFile(p.Profile, filepath.Join(dir, ProfileDir, "profile.json"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// checkSamePlan: one role serves every host, so their plans must have the
// same steps in the same order (their scripts may differ: host names,
// addresses, SSH ports).
func checkSamePlan(hosts []Host) error {
	seen := map[string]bool{}
	for _, h := range hosts {
		if !nameRE.MatchString(h.Name) || seen[h.Name] {
			return fmt.Errorf("ansible: host name %q is not a usable inventory name, or is there twice", h.Name)
		}
		seen[h.Name] = true
		if len(h.Steps) != len(hosts[0].Steps) {
			return fmt.Errorf("ansible: the plans of %s and %s differ in their steps", hosts[0].Name, h.Name)
		}
		for i, st := range h.Steps {
			a := hosts[0].Steps[i]
			if st.ID != a.ID || st.Long != a.Long || st.Stdin != a.Stdin || (st.Upload == nil) != (a.Upload == nil) ||
				(st.Upload != nil && *st.Upload != *a.Upload) {
				return fmt.Errorf("ansible: the plans of %s and %s differ at step %s", hosts[0].Name, h.Name, st.ID)
			}
		}
	}
	return nil
}

// checkSecrets refuses a step whose Check or Apply holds a secret's
// stand-in (they are written in clear), or whose Stdin would be templated
// beyond the secrets' variables.
func (p Project) checkSecrets(st installer.Step) error {
	for stand := range p.Secrets {
		if strings.Contains(st.Check, stand) || strings.Contains(st.Apply, stand) {
			return fmt.Errorf("ansible: step %s holds a secret in its script", st.ID)
		}
	}
	if strings.Contains(st.Stdin, "{{") || strings.Contains(st.Stdin, "{%") || strings.Contains(st.Stdin, "{#") {
		return fmt.Errorf("ansible: step %s's input would be templated", st.ID)
	}
	return nil
}

// StdinTemplate is st's Stdin as the task gives it: each secret's
// stand-in replaced by its variable, the final newline left to the shell
// module (stdin_add_newline).
func (p Project) StdinTemplate(st installer.Step) string {
	s := strings.TrimSuffix(st.Stdin, "\n")
	for stand, name := range p.Secrets {
		s = strings.ReplaceAll(s, stand, "{{ "+name+" }}")
	}
	return s
}

func write(path string, b []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, mode)
}

// copyFile streams src (the CLI is tens of MiB) into dst.
func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
