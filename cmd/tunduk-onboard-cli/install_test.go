package main

import (
	"encoding/json"
	ob "github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/installer/installertest"
)

const installTestPW = "Xy9-never-Show-Me-42"

// Tests never ask a terminal, even when run from one.
func init() { promptTTY = func(string) (string, error) { return "", errNoTTY } }

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

	// A real run needs the admin password: without a terminal to ask it,
	// it says how to give it, before connecting.
	code, _, errOut = cli(t, "", base...)
	if code != exitCannot || !strings.Contains(errOut, "--admin-password-stdin") || strings.Contains(errOut, "readiness") {
		t.Errorf("without --dry-run or a password: exit %d, %q", code, errOut)
	}
	// A bad network is refused with the reason.
	code, _, errOut = cli(t, "", append(base, "--dry-run", "--force", "--admin-network", "0.0.0.0/0")...)
	if code != exitCannot || !strings.Contains(errOut, "whole internet") {
		t.Errorf("open admin network: exit %d, %q", code, errOut)
	}
	// The plan's own validation, in --lang: a reserved admin user, and an
	// open network at once.
	code, out, errOut = cli(t, "", append(base, "--dry-run", "--force", "--admin-user", "root", "--is-network", "0.0.0.0/0", "--lang", "ky")...)
	for _, want := range []string{
		i18n.T("ky", "installer.opt.admin_user.reserved", map[string]any{"User": "root"}),
		i18n.T("ky", "installer.opt.is_network.internet", map[string]any{"Value": "0.0.0.0/0"}),
	} {
		if code != exitCannot || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("reserved admin user: exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
		}
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

// A sudo that refuses the password stops the run before any step, changes
// nothing, says so in the user's language, and echoes no secret. The
// throwaway user is not in sudoers at all, so even a runner bug could not
// change this machine.
func TestInstallSudoRefused(t *testing.T) {
	h := testhost.StartSSHD(t, testhost.Options{PasswordAuth: true})
	user, sshPW := testhost.AddUser(t)
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	const sudoPW = "Wrong-sudo-Pw-77"
	stdin := sshPW + "\n" + sudoPW + "\n" + installTestPW + "\n"
	args := []string{"install", "--ssh", h.TargetAs(user).String(), "--known-hosts", kh, "--force",
		"--password-stdin", "--sudo-password-stdin", "--admin-password-stdin"}
	recPath := filepath.Join(t.TempDir(), "onboarding.json")
	t.Setenv(envRecord, recPath)
	code, out, errOut := cli(t, stdin, append(args, "--lang", "ru")...)
	if code != exitCannot || !strings.Contains(errOut, "не принял пароль") || !strings.Contains(errOut, "ничего не изменено") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	// The run is in the onboarding record the wizard reads: the server,
	// its readiness (the fails overridden by --force) and the install
	// stopped before its first step, and why.
	rec, err := ob.Read(recPath)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Server == nil || rec.Server.Host != h.IP || rec.Server.User != user || rec.Readiness == nil ||
		(rec.Readiness.Fail > 0) != rec.Readiness.FailsOverridden {
		t.Errorf("record: server %+v, readiness %+v", rec.Server, rec.Readiness)
	}
	if in := rec.Install; in == nil || in.Outcome != ob.OutcomeFailed || in.Reason != "installer.err.sudo_refused" ||
		in.StepsDone != 0 || in.StepsTotal == 0 || in.Finished.IsZero() {
		t.Errorf("record: install %+v", rec.Install)
	}
	if st := rec.StepState(ob.StepInstall); st != ob.Failed {
		t.Errorf("the wizard would show the install %s", st)
	}
	for _, pw := range []string{sshPW, sudoPW, installTestPW} {
		if b, _ := os.ReadFile(recPath); strings.Contains(string(b), pw) {
			t.Fatal("a password is in the onboarding record")
		}
	}
	for _, pw := range []string{sshPW, sudoPW, installTestPW} {
		if strings.Contains(out+errOut, pw) {
			t.Fatalf("a password appears in the output: %s%s", out, errOut)
		}
	}
	code, out, _ = cli(t, stdin, append(args, "--format", "json")...)
	var res installResult
	if err := json.Unmarshal([]byte(lastLine(out)), &res); err != nil || code != exitCannot || res.Status != "error" || len(res.Steps) != 0 || res.ErrorKey != "installer.err.sudo_refused" {
		t.Fatalf("json: exit %d, %v, %+v\n%s", code, err, res, out)
	}
	if strings.Contains(out, sudoPW) {
		t.Fatal("the sudo password appears in the JSON result")
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
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
	if !strings.Contains(errOut, "[FAIL]") || !strings.Contains(errOut, i18n.T("en", "cli.installer.err.readiness.todo", nil)) {
		t.Errorf("the refusal lists no failed rule or lacks the CLI's advice:\n%s", errOut)
	}
	code, out, errOut = cli(t, "", append(args, "--force")...)
	if code != exitOK || !strings.Contains(out, "OVERRIDDEN by the user's choice") {
		t.Fatalf("forced: exit %d: %s\n%s", code, errOut, out)
	}
}

// Every install error is told as installer.Explain says (the same key as
// the wizard), with the CLI's own advice in every language, the host's
// text cleaned, and the JSON status the key implies.
func TestInstallErrorsExplained(t *testing.T) {
	status := map[string]string{"step": "failed", "step_killed": "failed", "api": "failed", "cancelled": "cancelled"}
	for name, err := range installertest.Errors() {
		key, data := installer.Explain(err)
		for _, lang := range i18n.Languages {
			m := explainInstall(lang, err)
			if m.key != key {
				t.Errorf("%s: the CLI tells %q, installer.Explain says %q", name, m.key, key)
			}
			text := m.text()
			if !strings.Contains(text, i18n.T(lang, key, data)) {
				t.Errorf("%s %s: %q lacks the installer's text", name, lang, text)
			}
			if m.todo == "cli."+key+".todo" || strings.Contains(text, "<no value>") || strings.ContainsRune(text, 0x1b) {
				t.Errorf("%s %s: %q", name, lang, text)
			}
		}
		want := status[name]
		if want == "" {
			want = "error"
		}
		if got, code := installStatus(key); got != want || (code == exitCannot) != (want == "error") {
			t.Errorf("%s: status %s (exit %d), want %s", name, got, code, want)
		}
	}
	// The CLI's override of a failed readiness check is its flag.
	for _, lang := range i18n.Languages {
		if m := explainInstall(lang, installertest.Errors()["readiness"]); !strings.Contains(m.todo, "--force") {
			t.Errorf("%s: %q does not name --force", lang, m.todo)
		}
	}
	m := explainInstall("en", installertest.Errors()["step"])
	if !strings.Contains(m.text(), "    | E: Unable to locate package postgresql") || !strings.Contains(m.todo, installer.DefaultLogDir) {
		t.Errorf("a failed step's message lacks its output or the logs' place:\n%s", m.text())
	}
}
