package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
)

// TestAnsibleExportThroughJumpHost: an export with --jump reaches the
// server only through the jump host. Debian's ansible pings the server
// (a real sshd) through it, the jump host's key checked against the
// export's known_hosts as strictly as the server's, and the jump host's
// sshd logs the forwarding to the server's port; with the jump host's key
// missing from known_hosts, the ping fails. The configure play hands the
// same jump host to the CLI (--jump).
func TestAnsibleExportThroughJumpHost(t *testing.T) {
	needAnsible(t, "ansible")
	jump := testhost.StartSSHD(t, testhost.Options{LogLevel: "DEBUG1"})
	server := testhost.StartSSHD(t, testhost.Options{})
	server.AuthorizeKey(jump.ClientSigner.PublicKey()) // one key for both, as an operator has
	export := func(knownHosts string) string {
		t.Helper()
		dir := filepath.Join(t.TempDir(), "fleet")
		code, out, errOut := cli(t, "", "ansible", "export", "--out", dir, "--ssh", server.Target().String(),
			"--jump", jump.Target().String(), "--identity", jump.ClientKeyPath, "--known-hosts", knownHosts,
			"--cli", os.Args[0], "--member-code", "70000001", "--server-code", "SS1", "--hostname", "ss1.example.kg", "--lang", "en")
		if code != exitOK {
			t.Fatalf("export: exit %d: %s %s", code, out, errOut)
		}
		return dir
	}
	ping := func(dir string) (string, error) {
		cmd := exec.Command("ansible", "all", "-m", "ansible.builtin.ping")
		cmd.Dir = dir
		cp := t.TempDir()
		cmd.Env = append(ansibleEnv(t), "ANSIBLE_SSH_CONTROL_PATH_DIR="+cp, "ANSIBLE_NOCOLOR=1")
		b, err := cmd.CombinedOutput()
		return string(b), err
	}

	dir := export(testhost.WriteKnownHosts(t, jump.KnownHostsLine(), server.KnownHostsLine()))
	out, err := ping(dir)
	if err != nil || !strings.Contains(out, `"ping": "pong"`) {
		t.Fatalf("ping through the jump host: %v\n%s", err, out)
	}
	log, _ := os.ReadFile(jump.LogPath)
	if !strings.Contains(string(log), "direct-tcpip") || !strings.Contains(string(log), "port "+strconv.Itoa(server.Port)) {
		t.Errorf("the jump host logged no forwarding to the server's port %d:\n%s", server.Port, tailOf(string(log), 3000))
	}
	inv, _ := os.ReadFile(filepath.Join(dir, "hosts.yml"))
	play, _ := os.ReadFile(filepath.Join(dir, "configure.yml"))
	if !strings.Contains(string(inv), "tunduk_jump: "+jump.Target().String()) || !strings.Contains(string(play), "'--jump', tunduk_jump") {
		t.Errorf("the configure play is not given the jump host:\n%s", inv)
	}

	// The jump host's key unknown: refused, as the server's would be.
	dir = export(testhost.WriteKnownHosts(t, server.KnownHostsLine()))
	if out, err := ping(dir); err == nil || strings.Contains(out, `"ping": "pong"`) {
		t.Errorf("a jump host whose key is not in known_hosts was used:\n%s", out)
	}
}
