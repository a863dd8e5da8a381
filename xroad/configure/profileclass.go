package configure

// The CSR flow stops on a server whose X-Road lacks the operator's
// certificate profile class: its admin API cannot fill the CA's subject
// fields, and a CSR made some other way would not be what the CA takes.
// The check itself is xroad.HasClass, the one the installer runs after an
// install.

import (
	"context"
	"errors"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

func (s *Session) checkProfileClass(ctx context.Context, p Params) error {
	if p.ProfileClass == "" || s.h == nil {
		return nil
	}
	class := p.ProfileClass[strings.LastIndex(p.ProfileClass, ".")+1:]
	data := map[string]any{"Class": class, "Jar": s.jar}
	ok, err := xroad.HasClass(ctx, s.h, s.jar, p.ProfileClass)
	var ee *remote.ExitError
	switch {
	case errors.Is(err, xroad.ErrNoJar):
		return &Error{Key: "configure.err.profile_class_nojar", Data: data, Err: err}
	case errors.As(err, &ee) || (err != nil && ctx.Err() == nil && !isConn(err)):
		return &Error{Key: "configure.err.profile_class_unread", Data: data, Err: err}
	case err != nil:
		return err
	case !ok:
		return &Error{Key: "configure.err.profile_class_missing", Data: data}
	}
	return nil
}

// isConn says err is the connection's (told as such by explain), not the
// file's.
func isConn(err error) bool {
	key, _ := explain(err)
	return key == "configure.err.tunnel" || key == "configure.err.cancelled"
}
