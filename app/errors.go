package app

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"unicode"

	"github.com/tunduk-onboard/tunduk-onboard/installer/ssh"
)

// Explanation is an error told to a person: what happened and what to do,
// both translation keys, plus the cleaned-up technical detail.
type Explanation struct {
	What, Todo string
	Data       map[string]any // template data for What and Todo
	Detail     string
}

// explain turns a connection or check error into a message the agency's IT
// staff can act on.
func explain(err error) Explanation {
	e := Explanation{What: "err.other", Todo: "err.other.todo", Detail: clean(err.Error(), 600), Data: map[string]any{}}
	var changed *ssh.HostKeyChangedError
	var unknown *ssh.HostKeyUnknownError
	var revoked *ssh.HostKeyRevokedError
	var auth *ssh.AuthError
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		e.What, e.Todo = "err.cancelled", "err.cancelled.todo"
	case errors.As(err, &changed):
		e.What, e.Todo = "err.hostkey_changed", "err.hostkey_changed.todo"
		e.Data["Host"], e.Data["File"], e.Data["Line"] = clean(changed.Host, 200), clean(changed.KnownHostsFile, 300), changed.Line
	case errors.As(err, &revoked):
		e.What, e.Todo = "err.hostkey_revoked", "err.hostkey_changed.todo"
		e.Data["Host"], e.Data["File"], e.Data["Line"] = clean(revoked.Host, 200), clean(revoked.KnownHostsFile, 300), revoked.Line
	case errors.As(err, &unknown):
		e.What, e.Todo = "err.hostkey_refused", "err.hostkey_refused.todo"
	case errors.As(err, &auth):
		e.What, e.Todo = "err.auth", "err.auth.todo"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.What, e.Todo = "err.refused", "err.refused.todo"
	case errors.As(err, &dnsErr):
		e.What, e.Todo = "err.dns", "err.dns.todo"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		e.What, e.Todo = "err.unreachable", "err.unreachable.todo"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		e.What, e.Todo = "err.timeout", "err.timeout.todo"
	}
	return e
}

// clean strips control characters (the remote host is not trusted) and
// bounds the length of text shown to the user.
func clean(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
