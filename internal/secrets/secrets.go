// Package secrets keeps the secrets a user asks us to remember (an SSH
// password, an API key; never a PIN) in the OS keyring: Secret Service on
// Linux, Credential Manager on Windows, Keychain on macOS, via go-keyring.
//
// Windows refuses a secret over 2560 bytes and a target name over 512
// bytes. The same limits apply here on every OS, so a secret saved on
// Linux is one Windows can hold too, and the error says what to do rather
// than go-keyring's "data passed to Set was too big". Errors never carry
// the secret itself.
package secrets

import (
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"
)

// Service names our entries in the keyring (the app ID).
const Service = "kg.tunduk.onboard"

// MaxSecretBytes is Windows Credential Manager's blob limit
// (CRED_MAX_CREDENTIAL_BLOB_SIZE, 5*512 bytes).
const MaxSecretBytes = 2560

// MaxNameBytes bounds "service:account", the credential's target name on
// Windows (go-keyring refuses 512 and above).
const MaxNameBytes = 511

var (
	// ErrNotFound: nothing is stored under that account.
	ErrNotFound = errors.New("secrets: nothing stored in the OS keyring under this name")
	// ErrTooLarge is wrapped by the errors of oversized secrets and names.
	ErrTooLarge = errors.New("secrets: too large for the OS keyring")
)

// SizeError says which limit a Set broke and by how much.
type SizeError struct {
	What  string // "secret" or "name"
	Bytes int
	Max   int
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("secrets: the %s is %d bytes, but the OS keyring holds at most %d (Windows Credential Manager's limit); it was not saved",
		e.What, e.Bytes, e.Max)
}

func (e *SizeError) Unwrap() error { return ErrTooLarge }

func checkName(account string) error {
	if account == "" {
		return errors.New("secrets: empty account name")
	}
	if n := len(Service) + 1 + len(account); n > MaxNameBytes {
		return &SizeError{What: "name", Bytes: n, Max: MaxNameBytes}
	}
	return nil
}

// Set stores secret under account, replacing what was there. Sizes are
// counted in bytes of UTF-8: 2560 Latin letters, about half as many
// Cyrillic ones.
func Set(account, secret string) error {
	if err := checkName(account); err != nil {
		return err
	}
	if len(secret) > MaxSecretBytes {
		return &SizeError{What: "secret", Bytes: len(secret), Max: MaxSecretBytes}
	}
	return wrap(keyring.Set(Service, account, secret))
}

// Get returns the secret stored under account, or ErrNotFound.
func Get(account string) (string, error) {
	if err := checkName(account); err != nil {
		return "", err
	}
	s, err := keyring.Get(Service, account)
	return s, wrap(err)
}

// Delete removes account's secret; deleting nothing is not an error.
func Delete(account string) error {
	if err := checkName(account); err != nil {
		return err
	}
	if err := keyring.Delete(Service, account); err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return wrap(err)
	}
	return nil
}

// wrap maps go-keyring's errors to ours: a missing keyring (no Secret
// Service on a bare Linux desktop) reads differently from a missing entry.
func wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("%w: refused by the keyring", ErrTooLarge)
	}
	return fmt.Errorf("secrets: the OS keyring is not available: %w", err)
}
