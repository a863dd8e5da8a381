package testhost_test

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// The OpenSSH client accepts the host, the generated client key and the
// known_hosts lines (plain and hashed) this package and remote write.
func TestOpenSSHClientAgainstTestHost(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("ssh client not installed")
	}
	h := testhost.StartSSHD(t, testhost.Options{HostKeyTypes: []string{"ed25519", "rsa"}})
	dir := t.TempDir()
	// An empty file rather than /dev/null, which a broken machine may
	// have replaced with a regular file.
	empty := filepath.Join(dir, "empty")
	testhost.WriteKnownHostsFile(t, empty)
	for name, line := range map[string]string{
		"plain":  h.KnownHostsLine(),
		"rsa":    h.KnownHostsLineFor("rsa"),
		"hashed": remote.KnownHostsLine(h.Addr(), h.HostKeys[0], true),
	} {
		t.Run(name, func(t *testing.T) {
			kh := filepath.Join(dir, name)
			testhost.WriteKnownHostsFile(t, kh, line)
			out, err := exec.Command("ssh", "-F", empty, "-p", strconv.Itoa(h.Port), "-i", h.ClientKeyPath,
				"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile="+kh,
				"-o", "GlobalKnownHostsFile="+empty, "-o", "IdentitiesOnly=yes",
				h.User+"@"+h.IP, "echo ok").CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "ok" {
				t.Fatalf("ssh: %v: %s\n--- sshd log ---\n%s", err, out, h.Log())
			}
		})
	}
}

func TestStopIsIdempotent(t *testing.T) {
	h := testhost.StartSSHD(t, testhost.Options{})
	h.Stop()
	h.Stop()
}
