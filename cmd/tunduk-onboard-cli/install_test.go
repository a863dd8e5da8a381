package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
)

const installTestPW = "Xy9-never-Show-Me-42"

func TestInstallDryRunOverSSH(t *testing.T) {
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	base := []string{"install", "--ssh", h.Target().String(), "--identity", h.ClientKeyPath, "--known-hosts", kh,
		"--admin-user", "ssadmin", "--admin-network", "10.10.0.0/24", "--is-network", "10.20.0.0/16", "--lang", "en"}

	code, out, errOut := cli(t, installTestPW+"\n", append(base, "--dry-run", "--force", "--admin-password-stdin")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out+errOut, installTestPW) {
		t.Fatal("the admin password appears in the output")
	}
	for _, want := range []string{"[preflight]", "[debconf]", "[firewall]", "[verify]", "ufw allow 22/tcp",
		"ufw allow from 10.10.0.0/24 to any port 4000 proto tcp", "ssadmin:" + installer.Masked, "chpasswd"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}

	// JSON: the same plan for machines, secrets masked.
	code, out, errOut = cli(t, installTestPW+"\n", append(base, "--dry-run", "--force", "--admin-password-stdin", "--format", "json")...)
	if code != exitOK {
		t.Fatalf("json: exit %d: %s", code, errOut)
	}
	if strings.Contains(out, installTestPW) {
		t.Fatal("the admin password appears in the JSON plan")
	}
	var plan struct {
		Schema string           `json:"schema"`
		Steps  []installer.Step `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || plan.Schema != "tunduk-onboard.install-plan/v1" || len(plan.Steps) < 10 || plan.Steps[0].ID != "preflight" {
		t.Fatalf("json plan: %v\n%s", err, out)
	}

	// No runner yet: saying so honestly, before connecting.
	code, _, errOut = cli(t, "", base...)
	if code != exitCannot || !strings.Contains(errOut, "the installer runner is not built yet; use --dry-run") {
		t.Errorf("without --dry-run: exit %d, %q", code, errOut)
	}
	// A bad network is refused with the reason.
	code, _, errOut = cli(t, "", append(base, "--dry-run", "--force", "--admin-network", "0.0.0.0/0")...)
	if code != exitCannot || !strings.Contains(errOut, "whole internet") {
		t.Errorf("open admin network: exit %d, %q", code, errOut)
	}
}

// The SSH password comes first on stdin, the admin password on the next line.
func TestInstallReadsBothSecretsInOrder(t *testing.T) {
	h := testhost.StartSSHD(t, testhost.Options{PasswordAuth: true})
	user, sshPW := testhost.AddUser(t)
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	target := h.TargetAs(user).String()
	code, out, errOut := cli(t, sshPW+"\n"+installTestPW+"\n", "install", "--ssh", target, "--known-hosts", kh,
		"--password-stdin", "--admin-password-stdin", "--dry-run", "--force", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out+errOut, installTestPW) || strings.Contains(out+errOut, sshPW) {
		t.Fatal("a password appears in the output")
	}
}

func TestInstallUsageErrors(t *testing.T) {
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "readme.txt"), []byte("x"), 0o600)
	for _, args := range [][]string{
		{"install", "--dry-run"},
		{"install", "--dry-run", "--ssh", "a@b", "--ssh", "c@d"},
		{"install", "--dry-run", "--ssh", "a@b", "--format", "html"},
		{"install", "--dry-run", "--ssh", "a@b", "--packages-dir", empty},
		{"install", "--dry-run", "--ssh", "a@b", "secret"},
	} {
		if code, _, _ := cli(t, "", args...); code != exitCannot {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// A server failing the readiness check gets no plan without --force (exit 1).
func TestInstallPreflightRefusal(t *testing.T) {
	good, err := os.ReadFile("../../assets/profiles/tunduk.json")
	if err != nil {
		t.Fatal(err)
	}
	strict := strings.Replace(string(good), `"min_cores": 2`, `"min_cores": 100000`, 1)
	prof := filepath.Join(t.TempDir(), "strict.json")
	os.WriteFile(prof, []byte(strict), 0o600)
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	args := []string{"install", "--ssh", h.Target().String(), "--identity", h.ClientKeyPath, "--known-hosts", kh, "--profile", prof, "--dry-run", "--lang", "en"}
	code, out, errOut := cli(t, "", args...)
	if code != exitFailed || !strings.Contains(errOut, "--force") || out != "" {
		t.Fatalf("failing server: exit %d, stdout %q, stderr %q; want 1, no plan, a hint at --force", code, out, errOut)
	}
	code, out, errOut = cli(t, "", append(args, "--force")...)
	if code != exitOK || !strings.Contains(out, "OVERRIDDEN with --force") {
		t.Fatalf("forced: exit %d: %s\n%s", code, errOut, out)
	}
}
