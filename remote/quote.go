package remote

import "strings"

// Quote makes s one word for the host's POSIX shell, whatever it holds:
// every command built from a user's or a profile's value goes through it.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
