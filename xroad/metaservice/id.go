// Package metaservice makes the first real call through a security
// server, as the information system would: a REST metaservice
// (listMethods, allowedMethods) sent to the server's client-side port
// (X-Road Message Protocol for REST, doc/Protocols/pr-rest_*.md and
// pr-mrest_*.md of X-Road 7.4.2), the answer parsed within bounds, and a
// failure explained with what to do next.
package metaservice

import (
	"net/url"
	"strings"
)

// ID is a subsystem's identifier: INSTANCE/CLASS/MEMBER/SUBSYSTEM, the
// form of the X-Road-Client header and of the request path.
type ID struct {
	Instance, MemberClass, MemberCode, Subsystem string
}

// String is the identifier as the X-Road-Client header writes it.
func (id ID) String() string {
	return strings.Join([]string{id.Instance, id.MemberClass, id.MemberCode, id.Subsystem}, "/")
}

// path is the identifier as path segments of a request URI, each
// escaped (RestRequest.decodeIdentifiers percent-decodes each segment).
func (id ID) path() string {
	var segs []string
	for _, s := range []string{id.Instance, id.MemberClass, id.MemberCode, id.Subsystem} {
		segs = append(segs, url.PathEscape(s))
	}
	return strings.Join(segs, "/")
}

// ParseID reads "INSTANCE/CLASS/MEMBER/SUBSYSTEM". Every part must be
// non-empty and of the characters pr-rest 4.8 allows in identifiers
// (A-Z a-z 0-9 ' ( ) + , - . = ?): the server refuses any other.
func ParseID(s string) (ID, error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) != 4 {
		return ID{}, &Error{Key: "call.err.id", Data: map[string]any{"ID": s}}
	}
	for _, p := range parts {
		if !identifier(p) {
			return ID{}, &Error{Key: "call.err.id", Data: map[string]any{"ID": s}}
		}
	}
	return ID{parts[0], parts[1], parts[2], parts[3]}, nil
}

// identifier: pr-rest 4.8 "Identifier Character Restrictions".
func identifier(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case strings.ContainsRune("'()+,-.=?", r):
		default:
			return false
		}
	}
	return true
}
