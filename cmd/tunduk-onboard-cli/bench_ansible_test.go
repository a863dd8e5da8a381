package main

// Ansible against our own runner, measured by build/bench-ansible.sh
// (TUNDUK_BENCH_ANSIBLE=1, make bench): the same plan installed on three
// fresh booted Debian hosts by the exported playbook (ansible-playbook,
// forks) and on three more by our runner (three `install` processes at
// once, as an operator would start them), one after the other so each
// has the machine; then Ansible's fact gathering (`-m setup`) against
// our readiness module (`-m tunduk_readiness`) on the same hosts.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
)

func TestBenchAnsible(t *testing.T) {
	if os.Getenv("TUNDUK_BENCH_ANSIBLE") != "1" {
		t.Skip("a benchmark: build/bench-ansible.sh (make bench)")
	}
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Fatal("ansible-playbook missing (build/deps.sh installs ansible)")
	}
	var hs []*targethost.Host
	for range 6 {
		hs = append(hs, targethost.Start(t, targethost.Options{}))
	}
	debs := targethost.StandinDebs(t)
	prof := targethost.StandinProfile(t, debs)
	bin := staticCLI(t)
	const adminPW = "Bench-ansible-admin-pw-7"

	// Our runner: three installs at once.
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, h := range hs[3:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "install", "--ssh", h.Target().String(), "--identity", h.KeyPath, "--known-hosts", h.KnownHostsFile(),
				"--packages-dir", debs, "--profile", prof, "--force", "--token-on-server", "--admin-user", "ssadmin",
				"--admin-network", targethost.Subnet, "--lang", "en", "--sudo-password-stdin", "--admin-password-stdin", "--format", "json")
			home := t.TempDir()
			cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), envRecord+"="+filepath.Join(home, "rec.json"))
			cmd.Stdin = strings.NewReader(h.Password + "\n" + adminPW + "\n")
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("install on %s: %v\n%s", h.Hostname, err, tailOf(string(out), 2000))
			}
		}()
	}
	wg.Wait()
	runner := time.Since(start)
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	// The exported playbook on the other three. A container is not a
	// server: readiness fails, and the override lets the install go on,
	// as in the fleet test.
	names := []string{"ss0", "ss1", "ss2"}
	f := exportHosts(t, hs[:3], names, func(int) bool { return true }, debs, prof, adminPW)
	dir, inv, vars := f.dir, f.inv, f.vars
	env := ansibleEnv(t)
	run := func(name string, args ...string) (time.Duration, string) {
		t.Helper()
		cp, err := os.MkdirTemp("", "a18b")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(cp)
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(env, "ANSIBLE_SSH_CONTROL_PATH_DIR="+cp, "ANSIBLE_NOCOLOR=1")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, tailOf(string(out), 3000))
		}
		return time.Since(start), string(out)
	}
	playbook, out := run("ansible-playbook", "site.yml", "-i", "hosts.yml", "-i", inv, "-e", "@"+vars)
	for _, n := range names {
		if r := recap(t, out, n); r["failed"] != 0 || r["changed"] < 8 {
			t.Fatalf("%s: %v\n%s", n, r, tailOf(out, 3000))
		}
	}
	fmt.Printf("ansible-install  3 hosts: ansible-playbook %.1f s, our runner %.1f s, playbook/runner %.2fx\n",
		playbook.Seconds(), runner.Seconds(), playbook.Seconds()/runner.Seconds())

	// Facts: the median of five of each on the three hosts Ansible knows.
	median := func(args ...string) time.Duration {
		var d []time.Duration
		for range 5 {
			took, _ := run("ansible", append([]string{"all", "-i", "hosts.yml", "-i", inv}, args...)...)
			d = append(d, took)
		}
		slices.Sort(d)
		return d[2]
	}
	setup := median("-m", "ansible.builtin.setup")
	ours := median("-b", "-m", "tunduk_readiness")
	fmt.Printf("ansible-facts    3 hosts: -m setup %.0f ms, -m tunduk_readiness %.0f ms, readiness/setup %.2fx\n",
		ms(setup), ms(ours), ours.Seconds()/setup.Seconds())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
