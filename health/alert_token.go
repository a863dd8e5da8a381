package health

import (
	"errors"
	"regexp"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/internal/secrets"
)

// TelegramAccount names the bot token's entry in the OS keyring.
const TelegramAccount = "telegram:bot"

// tokenShape is a bot token as @BotFather gives it: the bot's number,
// a colon, letters (core.telegram.org/bots/api "Authorizing your bot").
var tokenShape = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$`)

// keyringGet and keyringSet are the OS keyring (internal/secrets); tests
// put a map there.
var keyringGet, keyringSet = secrets.Get, secrets.Set

// SaveTelegramToken keeps tok in the OS keyring under TelegramAccount,
// where TelegramToken("") finds it. Its error never holds the token.
func SaveTelegramToken(tok string) error {
	if _, err := checkToken(tok, TelegramAccount); err != nil {
		return err
	}
	if err := keyringSet(TelegramAccount, tok); err != nil {
		return &AlertError{Key: "health.alert.err.token_keyring_save", Err: err}
	}
	return nil
}

// ParseTelegramToken checks that tok, read from where (a flag), is a
// bot token, without showing it.
func ParseTelegramToken(tok, where string) (string, error) {
	return checkToken(strings.TrimSpace(tok), where)
}

// TelegramToken reads the bot token: from file when one is named (a
// file only its owner, root or the user running us, may read: one that
// group or others may read is refused, as ssh refuses such a key), else
// from the OS keyring under TelegramAccount. Errors name the file, never
// what it holds.
func TelegramToken(file string) (string, error) {
	if file == "" {
		tok, err := keyringGet(TelegramAccount)
		if errors.Is(err, secrets.ErrNotFound) {
			return "", &AlertError{Key: "health.alert.err.token_missing", Data: map[string]any{"Account": TelegramAccount}}
		}
		if err != nil {
			return "", &AlertError{Key: "health.alert.err.token_keyring", Err: err}
		}
		return checkToken(tok, TelegramAccount)
	}
	f, err := readcap.Open(file)
	if err != nil {
		return "", &AlertError{Key: "health.alert.err.token_read", Data: map[string]any{"Path": file, "Reason": i18n.FileReason("en", err)}, Err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err == nil {
		err = privateFile(file, fi)
	}
	if err != nil {
		return "", err
	}
	b, err := readcap.ReadAll(f, file, readcap.Secret)
	if err != nil {
		return "", &AlertError{Key: "health.alert.err.token_read", Data: map[string]any{"Path": file, "Reason": i18n.FileReason("en", err)}, Err: err}
	}
	return checkToken(strings.TrimSpace(string(b)), file)
}

// checkToken refuses what is not a bot token, without showing it.
func checkToken(tok, where string) (string, error) {
	if !tokenShape.MatchString(tok) {
		return "", &AlertError{Key: "health.alert.err.token_shape", Data: map[string]any{"Path": where}}
	}
	return tok, nil
}
