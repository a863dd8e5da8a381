package remote

// Root through sudo, shared by the installer's runner and the configure
// flows: how a login that is not root learns whether sudo wants a password,
// checks one, and runs a command as root. The password travels only as
// the first line of the command's standard input, never in a command line
// or an environment.

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Sudo is how a login gets root on a host.
type Sudo int

// The ways to root.
const (
	SudoAsRoot     Sudo = iota // logged in as root: no sudo
	SudoNoPassword             // passwordless sudo (sudo -n)
	SudoPassword               // sudo -S with the password on standard input
)

// Wrap is the command line that runs cmd as root in mode m. The password
// is never part of it: sudo -S reads it as the first line of standard
// input, an empty -p prompt prints nothing, -k ignores cached credentials
// so that sudo always consumes that line (it must never reach cmd).
func (m Sudo) Wrap(cmd string) string {
	switch m {
	case SudoNoPassword:
		return "sudo -n sh -c " + Quote(cmd)
	case SudoPassword:
		return "sudo -k -S -p '' sh -c " + Quote(cmd)
	}
	return cmd
}

// Input is the standard input of a command Wrap made: in SudoPassword
// mode the password line first, then stdin.
func (m Sudo) Input(password, stdin string) string {
	if m == SudoPassword {
		return password + "\n" + stdin
	}
	return stdin
}

// SudoRefusedError is sudo refusing a password (a wrong one, or a user
// sudo does not let become root). Said is sudo's last line of error
// output, raw from the host: clean it (i18n) and mask the password before
// showing it.
type SudoRefusedError struct{ Said string }

func (e *SudoRefusedError) Error() string { return "sudo did not accept the password" }

// SudoOf asks the host how its login gets root: `id -u`, then, for a user
// who is not root, `sudo -k -n true` (-k: cached credentials do not count;
// -n: sudo never asks). A failing sudo (it wants a password, the user may
// not use it, or it is missing) is SudoPassword: CheckSudoPassword then
// says which. Nothing secret is sent.
func SudoOf(ctx context.Context, h Host) (Sudo, error) {
	out, _, err := h.Run(ctx, "id -u", nil)
	if err != nil {
		return 0, fmt.Errorf("asking the host who we are: %w", err)
	}
	if strings.TrimSpace(string(out)) == "0" {
		return SudoAsRoot, nil
	}
	_, _, err = h.Run(ctx, "sudo -k -n true", nil)
	if err == nil {
		return SudoNoPassword, nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return SudoPassword, nil
	}
	return 0, fmt.Errorf("running sudo on the host: %w", err)
}

// CheckSudoPassword makes sudo check pw once (sudo -v, the password on
// standard input, an empty prompt: validates, changes nothing, one PAM
// attempt). A refusal is *SudoRefusedError; any other failure is the
// connection's.
func CheckSudoPassword(ctx context.Context, h Host, pw string) error {
	_, errb, err := h.Run(ctx, "sudo -k -S -p '' -v", strings.NewReader(pw+"\n"))
	if err == nil {
		return nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return &SudoRefusedError{Said: lastLine(string(errb))}
	}
	return fmt.Errorf("running sudo on the host: %w", err)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "\n"); i >= 0 {
		s = s[i+1:]
	}
	return s
}
