package secrets

import (
	"errors"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// On Windows (and under wine in build/test-package.sh) the Credential
// Manager itself: a secret of exactly MaxSecretBytes round-trips, and
// go-keyring's own check agrees with ours one byte later.
func TestCredentialManager(t *testing.T) {
	full := strings.Repeat("ж", MaxSecretBytes/2)
	if err := Set("test/limit", full); err != nil {
		t.Fatalf("Set at the limit: %v", err)
	}
	t.Cleanup(func() { Delete("test/limit") })
	if got, err := Get("test/limit"); err != nil || got != full {
		t.Fatalf("Get = %d bytes, %v", len(got), err)
	}
	if err := keyring.Set(Service, "test/over", full+"x"); !errors.Is(err, keyring.ErrSetDataTooBig) {
		t.Errorf("go-keyring took %d bytes: %v; MaxSecretBytes is out of date", len(full)+1, err)
	}
	if err := Set("test/over", full+"x"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Set over the limit: %v", err)
	}
	if err := Delete("test/limit"); err != nil {
		t.Fatal(err)
	}
	if _, err := Get("test/limit"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v", err)
	}
}
