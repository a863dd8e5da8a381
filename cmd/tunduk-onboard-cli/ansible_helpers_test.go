package main

// What the Ansible tests and the Ansible bench share: Ansible's presence,
// an export for booted hosts with the test's own inventory beside it, and
// a look for secrets in the files a run left.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/installer/ansible"
)

// needAnsible skips the test without prog (Debian's ansible), or fails
// it in CI, where build/deps.sh installs it.
func needAnsible(t *testing.T, prog string) {
	t.Helper()
	if _, err := exec.LookPath(prog); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s missing (build/deps.sh installs ansible)", prog)
		}
		t.Skipf("%s missing (apt-get install ansible)", prog)
	}
}

// hostFleet is an export for booted hosts and what a run of it needs.
type hostFleet struct {
	dir     string   // the exported project
	inv     string   // the test's inventory beside the export's
	vars    string   // the admin password, as a vault would give it
	secrets []string // the admin password and each host's sudo password
}

// exportHosts exports the stand-in install plan for hs, named names. What
// the export cannot know goes into an inventory of the test's beside the
// export's (a real fleet has one key and a vault): each host's own key
// and sudo password, and the readiness override where override says so.
func exportHosts(t *testing.T, hs []*targethost.Host, names []string, override func(i int) bool, debs, prof, adminPW string) hostFleet {
	t.Helper()
	tmp := t.TempDir()
	f := hostFleet{dir: filepath.Join(tmp, "fleet"), secrets: []string{adminPW}}
	var lines, known []string
	extra := map[string]map[string]any{}
	for i, h := range hs {
		lines = append(lines, fmt.Sprintf("%s member=7000000%d server=SS-%d hostname=%s address=%s name=%s", h.Target(), i, i, h.Hostname, h.IP, names[i]))
		known = append(known, h.KnownHostsLines()...)
		extra[names[i]] = map[string]any{"ansible_ssh_private_key_file": h.KeyPath, "ansible_become_password": h.Password,
			"tunduk_readiness_override": override(i)}
		f.secrets = append(f.secrets, h.Password)
	}
	write := func(name, s string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hosts := write("hosts", strings.Join(lines, "\n")+"\n")
	knownHosts := write("known_hosts", strings.Join(known, "\n")+"\n")
	b, _ := yaml.Marshal(map[string]any{"all": map[string]any{"hosts": extra}})
	f.inv = write("test-inventory.yml", string(b))
	b, _ = json.Marshal(map[string]string{ansible.AdminPasswordVar: adminPW})
	f.vars = write("secrets.json", string(b))
	code, out, errOut := cli(t, "", "ansible", "export", "--out", f.dir, "--hosts", hosts, "--known-hosts", knownHosts,
		"--packages-dir", debs, "--profile", prof, "--admin-user", "ssadmin", "--admin-network", targethost.Subnet,
		"--cli", staticCLI(t), "--lang", "en")
	if code != exitOK {
		t.Fatalf("export: exit %d: %s %s", code, out, errOut)
	}
	return f
}

// noSecretFiles fails the test for each file under roots that holds one
// of secrets.
func noSecretFiles(t *testing.T, secrets []string, roots ...string) {
	t.Helper()
	for _, root := range roots {
		filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				b, _ := os.ReadFile(p)
				for _, s := range secrets {
					if strings.Contains(string(b), s) {
						t.Errorf("%s holds a secret", p)
					}
				}
			}
			return nil
		})
	}
}
