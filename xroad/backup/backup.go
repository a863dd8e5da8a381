// Package backup is the security server's configuration backups through
// its admin API (issue 17): one made on the server, downloaded to this
// computer and checked, before every change the product makes (connect,
// configure, renew); the newest few kept here; the server's and this
// computer's listed; a restore only after the user typed the backup's
// name, and the tokens logged in again after it. Both front ends call
// it; it has no UI of its own.
//
// What X-Road 7.4.2 puts in a backup (src/packages/src/xroad/common/base/usr/share/xroad/scripts/_backup_xroad.sh):
// /etc/xroad and the serverconf database dump, without
// /etc/xroad/gpghome (the server's gpg key that signs backups),
// /etc/xroad/postgresql, /etc/xroad/services/*.conf and
// /etc/xroad/xroad.properties. The message log and its archive are not
// in it either.
package backup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// Store is where this computer keeps backups: Dir holds a folder per
// server (its ID, ServerFolder), each with the newest Keep backups and a
// NAME.sha256 beside each (sha256sum's format: `sha256sum -c` checks it).
type Store struct {
	Dir  string
	Keep int // the profile's backups.keep
}

// DefaultDir is the user's configuration folder's tunduk-onboard/backups.
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "tunduk-onboard", "backups"), nil
}

// MaxSize bounds a download. guess: a security server's backup is its
// configuration and serverconf dump, kilobytes to a few MiB; 1 GiB is
// far past any, and the API itself takes back no more than 10 MiB
// (xroad.MaxUpload).
const MaxSize = 1 << 30

// ShortID is the server ID as X-Road writes it in a backup's label
// (XRoadId.toShortString: INSTANCE/CLASS/CODE/SERVER) from the API's
// (INSTANCE:CLASS:CODE:SERVER).
func ShortID(apiID string) string { return strings.ReplaceAll(apiID, ":", "/") }

// ServerFolder is the folder of one server's backups under Dir: its ID
// with anything but letters, digits, dot, dash and underscore made "_".
func (st Store) ServerFolder(apiID string) string {
	safe := strings.Map(func(r rune) rune {
		if r < 128 && (r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return r
		}
		return '_'
	}, apiID)
	if strings.Trim(safe, ".") == "" {
		safe = "_" + safe
	}
	return filepath.Join(st.Dir, safe)
}

// Error is a failure the user must read: Key a translation key
// (backup.err.*) of assets/translations/report, Data its template data,
// Err the cause.
type Error = i18n.KeyError[room]

type room struct{}

func (room) LogsData() bool { return true }

// apiCode says whether err is the API's answer with code.
func apiCode(err error, code string) bool {
	var ae *xroad.Error
	return errors.As(err, &ae) && ae.HasCode(code)
}
