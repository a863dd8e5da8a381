package secrets

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// realKeyring starts gnome-keyring's Secret Service on the session bus
// that build/test.sh (dbus-run-session) provides, unlocked with a throwaway
// password, its keyrings under the test's own XDG_DATA_HOME.
func realKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("no session bus: run through build/test.sh")
	}
	bin, err := exec.LookPath("gnome-keyring-daemon")
	if err != nil {
		t.Skip("gnome-keyring-daemon not installed (build/deps.sh installs it)")
	}
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	cmd := exec.Command(bin, "--foreground", "--unlock", "--components=secrets")
	cmd.Stdin = strings.NewReader("test-keyring-password")
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
		err := Set("probe", "x")
		if err == nil {
			Delete("probe")
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Secret Service did not come up: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestRealKeyring(t *testing.T) {
	realKeyring(t)

	// Exactly the limit, in two-byte Cyrillic letters, round-trips.
	full := strings.Repeat("ж", MaxSecretBytes/2)
	if err := Set("ssh/admin@203.0.113.10", full); err != nil {
		t.Fatalf("Set at the limit: %v", err)
	}
	got, err := Get("ssh/admin@203.0.113.10")
	if err != nil || got != full {
		t.Fatalf("Get = %d bytes, %v; want the %d bytes stored", len(got), err, len(full))
	}

	// One byte over is refused with a clear error, and the old value stays.
	over := full + "x"
	err = Set("ssh/admin@203.0.113.10", over)
	var se *SizeError
	if !errors.As(err, &se) || !errors.Is(err, ErrTooLarge) || se.Bytes != MaxSecretBytes+1 || se.What != "secret" {
		t.Fatalf("Set over the limit: %v", err)
	}
	if strings.Contains(err.Error(), "ж") {
		t.Fatal("the error carries the secret")
	}
	if !strings.Contains(err.Error(), "2561") || !strings.Contains(err.Error(), "2560") {
		t.Errorf("error does not tell the sizes: %q", err)
	}
	if got, _ := Get("ssh/admin@203.0.113.10"); got != full {
		t.Error("a refused Set changed the stored secret")
	}

	// Replace, delete, and delete again.
	if err := Set("ssh/admin@203.0.113.10", "new"); err != nil {
		t.Fatal(err)
	}
	if got, _ := Get("ssh/admin@203.0.113.10"); got != "new" {
		t.Fatalf("after replace: %q", got)
	}
	if err := Delete("ssh/admin@203.0.113.10"); err != nil {
		t.Fatal(err)
	}
	if _, err := Get("ssh/admin@203.0.113.10"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
	}
	if err := Delete("ssh/admin@203.0.113.10"); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

func TestLimitsWithoutKeyring(t *testing.T) {
	// Refused before any keyring is asked, so these hold with none running.
	long := strings.Repeat("a", MaxNameBytes)
	var se *SizeError
	if err := Set(long, "x"); !errors.As(err, &se) || se.What != "name" {
		t.Errorf("long name: %v", err)
	}
	if err := Set("", "x"); err == nil {
		t.Error("empty account accepted")
	}
	if _, err := Get(long); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Get long name: %v", err)
	}
	if err := Set("a", strings.Repeat("b", MaxSecretBytes+100)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized secret: %v", err)
	}
}
