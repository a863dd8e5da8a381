package renew

import (
	"context"

	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// Retire runs the check that guards every step taking an old
// certificate out of service, with a step that does nothing, for usage
// of pl.
func Retire(ctx context.Context, s *configure.Session, o Options, pl *Plan, usage string) error {
	rn := pl.Auth
	if usage == Sign {
		rn = pl.Sign
	}
	return (&runner{s: s, o: &o, pl: pl}).retire(ctx, rn, func() error { return nil })
}
