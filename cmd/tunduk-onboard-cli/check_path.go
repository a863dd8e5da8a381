package main

import (
	"context"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// addPath adds to a readiness report, when the user gave an anchor, the
// network path from the server to the anchor's central servers and the
// profile's addresses (health.Path): "registration fails" explained
// before it happens. The front end dials; checks stays off the network.
func addPath(ctx context.Context, rep *checks.Report, h remote.Host, anchor []byte, p *profile.Profile) {
	if len(anchor) == 0 {
		return
	}
	for _, f := range health.Path(ctx, h, anchor, p.Health) {
		rep.Add(checks.Result{ID: f.ID, Status: pathStatus[f.Status], Title: f.Title, Observed: f.Observed,
			Required: i18n.TT("health.path.required", nil), Why: f.Why, Fix: f.Fix})
	}
}

var pathStatus = map[health.Status]checks.Status{health.OK: checks.Pass, health.Warning: checks.Warn,
	health.Critical: checks.Fail, health.Unknown: checks.Unknown}
