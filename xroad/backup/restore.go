package backup

import (
	"context"
	"sort"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// Listing is a server's backups: on the server and on this computer,
// each newest first.
type Listing struct {
	Server   string         `json:"server,omitempty"` // "" when not initialised
	OnServer []xroad.Backup `json:"on_server"`
	Local    []Local        `json:"local"`
}

// List reads the server's backups and this computer's copies of them.
func List(ctx context.Context, c *xroad.Client, st Store) (Listing, error) {
	var l Listing
	var err error
	if l.Server, err = Server(ctx, c); err != nil {
		return l, err
	}
	if l.OnServer, err = c.Backups(ctx); err != nil {
		return l, err
	}
	sortNewest(l.OnServer)
	if l.Server != "" {
		if l.Local, err = LocalBackups(st, l.Server); err != nil {
			return l, writeErr(st.ServerFolder(l.Server), err)
		}
	}
	return l, nil
}

// Find is the backup named name on the server.
func Find(ctx context.Context, c *xroad.Client, name string) (xroad.Backup, error) {
	all, err := c.Backups(ctx)
	if err != nil {
		return xroad.Backup{}, err
	}
	for _, b := range all {
		if b.Filename == name {
			return b, nil
		}
	}
	return xroad.Backup{}, &Error{Key: "backup.err.not_found", Data: map[string]any{"Name": name}}
}

// Confirmed is nil when typed is the backup's name exactly (no space
// trimmed, no case folded), else backup.err.confirm: what the user typed
// to say yes to a restore.
func Confirmed(name, typed string) error {
	if typed == "" || typed != name {
		return &Error{Key: "backup.err.confirm", Data: map[string]any{"Name": name}}
	}
	return nil
}

// Newest is the server's newest backup (backup.err.none when it has
// none).
func Newest(ctx context.Context, c *xroad.Client) (xroad.Backup, error) {
	all, err := c.Backups(ctx)
	if err != nil {
		return xroad.Backup{}, err
	}
	if len(all) == 0 {
		return xroad.Backup{}, &Error{Key: "backup.err.none"}
	}
	sortNewest(all)
	return all[0], nil
}

// sortNewest orders backups newest first (the API sends a set, in no
// order), by the time the server gives, then by name.
func sortNewest(all []xroad.Backup) {
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if !a.Created().Equal(b.Created()) {
			return a.Created().After(b.Created())
		}
		return a.Filename > b.Filename
	})
}

// PINs are the tokens' PINs by token ID, to log them in after a restore.
type PINs map[string]string

// Restored is what a restore did.
type Restored struct {
	Name string `json:"filename"`
	// HSMLoggedOut is the API's hsm_tokens_logged_out: the server had
	// hardware tokens.
	HSMLoggedOut bool `json:"hsm_tokens_logged_out"`
	// LoggedIn are the tokens logged in again (those logged in before).
	LoggedIn []string `json:"logged_in"`
}

// Restore replaces the server's configuration with the backup name, then
// logs in again every token that was logged in before.
//
// Only when typed is name exactly (the user typed the backup's file
// name): anything else is backup.err.confirm before anything is sent.
// Each token logged in now needs its PIN in pins (backup.err.pin_needed,
// before the restore): X-Road 7.4.2's restore logs every token out.
// _restore_xroad.sh removes the PINs the signer keeps in shared memory
// (clear_shared_memory; PasswordStore.java) and stops and starts the
// units of /etc/xroad/backup.d, xroad-signer among them; the API's
// hsm_tokens_logged_out says only whether hardware tokens were there
// (BackupsApiController.java). guess: a real server shows the software
// token logged out after a restore as well.
//
// The restore brings back the database, so the session's API key may be
// gone (configure.Session.Rekey says why): the session gets a new one
// before the logins. A login that fails after the restore is an error
// whose lead (Explain) is "backup.lead.after_restore": the restore is
// done.
func Restore(ctx context.Context, s *configure.Session, name, typed string, pins PINs, progress func(configure.Progress)) (Restored, error) {
	r := Restored{Name: name}
	if err := Confirmed(name, typed); err != nil {
		return r, err
	}
	c := s.API()
	if _, err := Find(ctx, c, name); err != nil {
		return r, err
	}
	toks, err := c.Tokens(ctx)
	if err != nil {
		return r, err
	}
	var again []xroad.Token
	for _, t := range toks {
		if !t.LoggedIn {
			continue
		}
		if pins[t.ID] == "" {
			return r, &Error{Key: "backup.err.pin_needed", Data: map[string]any{"Token": t.Name, "Hardware": t.Type != xroad.TokenTypeSoftware}}
		}
		again = append(again, t)
	}
	out, err := c.RestoreBackup(ctx, name)
	switch {
	case apiCode(err, xroad.CodeRestoreFailed):
		return r, &Error{Key: "backup.err.restore", Data: map[string]any{"Name": name}, Err: err}
	case apiCode(err, xroad.CodeBackupNotFound):
		return r, &Error{Key: "backup.err.not_found", Data: map[string]any{"Name": name}, Err: err}
	case err != nil:
		return r, err
	}
	r.HSMLoggedOut = out.HSMTokensLoggedOut
	if err := s.Rekey(ctx); err != nil {
		return r, &Error{Key: "backup.err.after_restore", Err: err}
	}
	for _, t := range again {
		if err := s.LogIn(ctx, t.ID, pins[t.ID], progress); err != nil {
			return r, &Error{Key: "backup.err.after_restore", Err: err}
		}
		r.LoggedIn = append(r.LoggedIn, t.ID)
	}
	return r, nil
}
