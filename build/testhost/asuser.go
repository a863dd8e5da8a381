package testhost

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// SudoUser creates a throwaway local user (AddUser) who may become root
// through sudo with its password, never without: a sudoers.d file, removed
// in t.Cleanup. Skips without root or sudo.
func SudoUser(t testing.TB) (name, password string) {
	t.Helper()
	if _, err := exec.LookPath("sudo"); err != nil {
		t.Skip("testhost: sudo not installed (build/deps.sh installs it)")
	}
	name, password = AddUser(t)
	sudoers := "/etc/sudoers.d/tunduk-test-" + name
	if err := os.WriteFile(sudoers, []byte(name+" ALL=(ALL:ALL) ALL\n"), 0o440); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(sudoers) })
	return name, password
}

// AsUserEnv is set in the environment of a test run again by RunTestAs:
// the test runs its part for that user.
const AsUserEnv = "TUNDUK_TEST_AS_USER"

// RunTestAs runs the test named test again, in a copy of this test
// binary, as the local user name (runuser, no terminal), with AsUserEnv
// set, env added and stdin on its standard input. It returns what the
// run printed and its error. Secrets go on stdin, never in env.
func RunTestAs(t testing.TB, name, test string, env []string, stdin string) (string, error) {
	t.Helper()
	runuser, err := exec.LookPath("runuser")
	if err != nil {
		t.Skip("testhost: runuser (util-linux) not installed")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// go test's own directory is root's alone: the user runs a copy.
	dir, err := os.MkdirTemp("", "as-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, filepath.Base(self))
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(runuser, "-u", name, "--", bin, "-test.run", "^"+test+"$", "-test.v", "-test.count=1",
		"-test.timeout", (2 * time.Minute).String())
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
		AsUserEnv + "=" + name}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// RootOnlyFile writes data to a file named name, mode 0660, in a
// directory of mode 0750, both root's: a user made by AddUser or SudoUser
// cannot read it without sudo, as X-Road 7.4.2 keeps its TLS certificates
// from other users (/etc/xroad/ssl 0750 and proxy-ui-api.crt 0660,
// xroad:xroad: src/packages/src/xroad/ubuntu/generic/xroad-base.postinst,
// src/packages/src/xroad/common/base/usr/share/xroad/scripts/generate_certificate.sh).
// Removed in t.Cleanup.
func RootOnlyFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "root-only-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	inner := filepath.Join(dir, "ssl")
	if err := os.Mkdir(inner, 0o750); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(inner, name)
	if err := os.WriteFile(path, data, 0o660); err != nil {
		t.Fatal(err)
	}
	return path
}
