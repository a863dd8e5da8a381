package connect

import (
	"context"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// Status is a subsystem's registration status on the server, "" when the
// server has no such subsystem.
func Status(ctx context.Context, api *xroad.Client, p Params, code string) (string, error) {
	h, err := read(ctx, api, xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, code))
	if err != nil || h.client == nil {
		return "", err
	}
	return h.client.Status, nil
}

// WaitRegistered asks for the subsystem's status every `every` until the
// operator has approved its registration (REGISTERED) or ctx ends; seen
// gets each status. The approval takes minutes to days: a front end that
// stops waiting loses nothing, the request stays with the operator and
// Status (or a new plan) shows where it stands.
func WaitRegistered(ctx context.Context, api *xroad.Client, p Params, code string, every time.Duration, seen func(string)) error {
	id := xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, code)
	for {
		c, err := api.GetClient(ctx, id)
		if err != nil {
			return err
		}
		if seen != nil {
			seen(c.Status)
		}
		switch c.Status {
		case xroad.ClientRegistered:
			return nil
		case xroad.ClientSaved:
			return &Error{Key: "connect.err.not_registered", Data: map[string]any{"Subsystem": code}}
		case xroad.ClientGlobalError:
			return &Error{Key: "connect.err.global_error", Data: map[string]any{"Subsystem": code}}
		}
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// ConnectionKeys are the translation keys that explain a connection type
// to people (connect.conn.*): what the information system and the server
// check of each other. HTTPS is the one to recommend.
var ConnectionKeys = map[string]string{
	xroad.ConnHTTP:        "connect.conn.http",
	xroad.ConnHTTPS:       "connect.conn.https",
	xroad.ConnHTTPSNoAuth: "connect.conn.https_no_auth",
}

// Recommended is the connection type to propose.
const Recommended = xroad.ConnHTTPS
