package secrets_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets"
	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets/secretstest"
)

func TestRealKeyring(t *testing.T) {
	secretstest.StartKeyring(t)

	// Exactly the limit, in two-byte Cyrillic letters, round-trips.
	full := strings.Repeat("ж", secrets.MaxSecretBytes/2)
	if err := secrets.Set("ssh/admin@203.0.113.10", full); err != nil {
		t.Fatalf("secrets.Set at the limit: %v", err)
	}
	got, err := secrets.Get("ssh/admin@203.0.113.10")
	if err != nil || got != full {
		t.Fatalf("secrets.Get = %d bytes, %v; want the %d bytes stored", len(got), err, len(full))
	}

	// One byte over is refused with a clear error, and the old value stays.
	over := full + "x"
	err = secrets.Set("ssh/admin@203.0.113.10", over)
	var se *secrets.SizeError
	if !errors.As(err, &se) || !errors.Is(err, secrets.ErrTooLarge) || se.Bytes != secrets.MaxSecretBytes+1 || se.What != "secret" {
		t.Fatalf("secrets.Set over the limit: %v", err)
	}
	if strings.Contains(err.Error(), "ж") {
		t.Fatal("the error carries the secret")
	}
	if !strings.Contains(err.Error(), "2561") || !strings.Contains(err.Error(), "2560") {
		t.Errorf("error does not tell the sizes: %q", err)
	}
	if got, _ := secrets.Get("ssh/admin@203.0.113.10"); got != full {
		t.Error("a refused secrets.Set changed the stored secret")
	}

	// Replace, delete, and delete again.
	if err := secrets.Set("ssh/admin@203.0.113.10", "new"); err != nil {
		t.Fatal(err)
	}
	if got, _ := secrets.Get("ssh/admin@203.0.113.10"); got != "new" {
		t.Fatalf("after replace: %q", got)
	}
	if err := secrets.Delete("ssh/admin@203.0.113.10"); err != nil {
		t.Fatal(err)
	}
	if _, err := secrets.Get("ssh/admin@203.0.113.10"); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("secrets.Get after secrets.Delete: %v, want secrets.ErrNotFound", err)
	}
	if err := secrets.Delete("ssh/admin@203.0.113.10"); err != nil {
		t.Fatalf("second secrets.Delete: %v", err)
	}
}

func TestLimitsWithoutKeyring(t *testing.T) {
	// Refused before any keyring is asked, so these hold with none running.
	long := strings.Repeat("a", secrets.MaxNameBytes)
	var se *secrets.SizeError
	if err := secrets.Set(long, "x"); !errors.As(err, &se) || se.What != "name" {
		t.Errorf("long name: %v", err)
	}
	if err := secrets.Set("", "x"); err == nil {
		t.Error("empty account accepted")
	}
	if _, err := secrets.Get(long); !errors.Is(err, secrets.ErrTooLarge) {
		t.Errorf("secrets.Get long name: %v", err)
	}
	if err := secrets.Set("a", strings.Repeat("b", secrets.MaxSecretBytes+100)); !errors.Is(err, secrets.ErrTooLarge) {
		t.Errorf("oversized secret: %v", err)
	}
}
