package enroll

import (
	"errors"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets"
)

// The SMTP password a user asked to remember lives in the OS keyring
// under one name, the same for the wizard and the command line, so a
// password saved by one is found by the other.

// keyring is the OS keyring (internal/secrets); tests put a map there.
var keyring = struct {
	get func(account string) (string, error)
	set func(account, secret string) error
	del func(account string) error
}{secrets.Get, secrets.Set, secrets.Delete}

// SMTPAccount names the keyring entry of the password of user at the SMTP
// server host: "smtp:user@host", spaces around either trimmed.
func SMTPAccount(user, host string) string {
	return "smtp:" + strings.TrimSpace(user) + "@" + strings.TrimSpace(host)
}

// legacySMTPAccount is the name the command line used before the two
// front ends shared one ("smtp/user@host"); read once, then moved.
func legacySMTPAccount(user, host string) string {
	return "smtp/" + strings.TrimSpace(user) + "@" + strings.TrimSpace(host)
}

// LoadSMTPPassword returns the remembered password of user at host, or
// secrets.ErrNotFound. A password found only under the command line's old
// name is saved again under SMTPAccount and the old entry removed; should
// that fail, the password is still returned and the old entry kept, so it
// is found again next time. Errors never hold the password.
func LoadSMTPPassword(user, host string) (string, error) {
	pw, err := keyring.get(SMTPAccount(user, host))
	if err == nil || !errors.Is(err, secrets.ErrNotFound) {
		return pw, err
	}
	old := legacySMTPAccount(user, host)
	pw, err = keyring.get(old)
	if err != nil {
		return "", err
	}
	if keyring.set(SMTPAccount(user, host), pw) == nil {
		keyring.del(old)
	}
	return pw, nil
}

// SaveSMTPPassword remembers pw for user at host (after the server took
// it, so a typo is not remembered).
func SaveSMTPPassword(user, host, pw string) error {
	return keyring.set(SMTPAccount(user, host), pw)
}

// ForgetSMTPPassword removes the remembered password of user at host,
// under the old name too; nothing remembered is no error.
func ForgetSMTPPassword(user, host string) error {
	return errors.Join(keyring.del(SMTPAccount(user, host)), keyring.del(legacySMTPAccount(user, host)))
}
