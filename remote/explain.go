package remote

import (
	"context"
	"errors"
	"net"
	"syscall"
)

// Kind names the class of a connection error, so that each front end can
// tell it in the user's language and in its own terms (the wizard says
// "press Check", the CLI names a flag).
type Kind string

// The kinds of connection errors people are told apart.
const (
	KindCancelled      Kind = "cancelled"
	KindHostKeyChanged Kind = "hostkey_changed"
	KindHostKeyRevoked Kind = "hostkey_revoked"
	KindHostKeyUnknown Kind = "hostkey_refused"
	KindAuth           Kind = "auth"
	KindRefused        Kind = "refused"
	KindDNS            Kind = "dns"
	KindUnreachable    Kind = "unreachable"
	KindTimeout        Kind = "timeout"
	KindOther          Kind = "other"
)

// Classify says what kind of error err is, with the values a message about
// it needs (Host, File, Line, Fingerprint; After for a host that stalled),
// raw: callers bound and clean them before showing.
func Classify(err error) (Kind, map[string]any) {
	data := map[string]any{}
	var changed *HostKeyChangedError
	var unknown *HostKeyUnknownError
	var revoked *HostKeyRevokedError
	var auth *AuthError
	var dnsErr *net.DNSError
	var netErr net.Error
	var stalled *StalledError
	switch {
	case errors.Is(err, context.Canceled):
		return KindCancelled, data
	case errors.As(err, &changed):
		data["Host"], data["File"], data["Line"], data["Fingerprint"] = changed.Host, changed.KnownHostsFile, changed.Line, changed.Fingerprint
		return KindHostKeyChanged, data
	case errors.As(err, &revoked):
		data["Host"], data["File"], data["Line"], data["Fingerprint"] = revoked.Host, revoked.KnownHostsFile, revoked.Line, revoked.Fingerprint
		return KindHostKeyRevoked, data
	case errors.As(err, &unknown):
		data["Host"], data["Fingerprint"] = unknown.Host, unknown.Fingerprint
		return KindHostKeyUnknown, data
	case errors.As(err, &auth):
		data["Host"], data["User"] = auth.Host, auth.User
		return KindAuth, data
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused, data
	case errors.As(err, &dnsErr):
		data["Host"] = dnsErr.Name
		return KindDNS, data
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return KindUnreachable, data
	case errors.As(err, &stalled):
		data["After"] = Duration(stalled.After)
		return KindTimeout, data
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout, data
	}
	return KindOther, data
}
