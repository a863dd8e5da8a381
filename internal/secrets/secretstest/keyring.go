// Package secretstest starts a real Secret Service for tests: the tests of
// internal/secrets, the CLI and the wizard all need one.
package secretstest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets"
)

// StartKeyring runs gnome-keyring's Secret Service on the session bus that
// build/test.sh (dbus-run-session) provides, unlocked with a throwaway
// password, its keyrings under the test's own XDG_DATA_HOME. It returns
// once a secret can be written. Without a session bus or the daemon the
// test is skipped, except under CI=true, where that is a broken setup.
func StartKeyring(t testing.TB) {
	t.Helper()
	missing := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		missing("no session bus: run through build/test.sh (dbus-run-session)")
	}
	bin, err := exec.LookPath("gnome-keyring-daemon")
	if err != nil {
		missing("gnome-keyring-daemon not installed (build/deps.sh installs it)")
	}
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	cmd := exec.Command(bin, "--foreground", "--unlock", "--components=secrets")
	cmd.Stdin = strings.NewReader("throwaway-keyring-password")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// The daemon claims org.freedesktop.secrets shortly after start. Until
	// it has, any call to the name makes D-Bus activate a second, locked
	// daemon ("failed to unlock correct collection"): ask the bus whether
	// the name has an owner, which activates nothing, before using it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := exec.Command("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
			"/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets").Output()
		if strings.Contains(string(out), "boolean true") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("gnome-keyring-daemon did not claim org.freedesktop.secrets")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for {
		err := secrets.Set("secretstest-probe", "x")
		if err == nil {
			secrets.Delete("secretstest-probe")
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Secret Service did not come up: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
