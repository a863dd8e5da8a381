package configure

// Initialisation saves the owner and the server code once; a server
// initialised before (by hand, or for another organisation) keeps its
// own, and postInit sends only what is missing. So after it the flow
// asks the server who it is and stops where that is not the owner and
// server code of the record: the CSRs, the registration and the
// operator's application would all name the wrong server.

import (
	"context"
	"strings"
)

// checkServerID compares the server's identifier (GET /security-servers?current_server=true)
// with p: the owner first (configure.err.owner_differs), then the server
// code (configure.err.server_code_differs).
func (s *Session) checkServerID(ctx context.Context, p Params) error {
	id, err := s.c.CurrentServer(ctx)
	if err != nil {
		return err
	}
	same := func(a, b string) bool { return strings.TrimSpace(a) == strings.TrimSpace(b) }
	if !same(id.MemberClass, p.MemberClass) || !same(id.MemberCode, p.MemberCode) {
		return &Error{Key: "configure.err.owner_differs", Data: map[string]any{
			"Server": id.MemberClass + "/" + id.MemberCode, "Ours": p.MemberClass + "/" + p.MemberCode, "ServerID": id.ID}}
	}
	if !same(id.ServerCode, p.ServerCode) {
		return &Error{Key: "configure.err.server_code_differs", Data: map[string]any{
			"Server": id.ServerCode, "Ours": p.ServerCode, "ServerID": id.ID}}
	}
	return nil
}

// checkServerIDIfSet is checkServerID on a server whose owner and server
// code are saved; before that the server has no identifier to compare.
func (s *Session) checkServerIDIfSet(ctx context.Context, p Params) error {
	st, err := s.c.InitializationStatus(ctx)
	if err != nil {
		return err
	}
	if !st.ServerOwnerInitialized || !st.ServerCodeInitialized {
		return nil
	}
	return s.checkServerID(ctx, p)
}
