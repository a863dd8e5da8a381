package health

import (
	"context"
	"fmt"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// Options shape one Gather.
type Options struct {
	// Name is the server as the user named it (Report.Host).
	Name string
	// Anchor is the configuration anchor (XML) whose central servers the
	// network path tries; nil: the server's own anchor is not read and
	// only the diagnostics' and the profile's addresses are tried.
	Anchor []byte
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time
	// History is the archive sizes of earlier runs (read only): with it,
	// the archive's growth a day and the days its disk lasts at that
	// rate are a finding ("archive.growth"); nil: none.
	History *History
}

// Gather looks at one installed server through its admin API session
// (api: a key with the system administrator's DIAGNOSTICS authority and
// the security officer's token view) and one bounded exec on h (units,
// clock, free space, the message log archive, the network path). It
// never fails: what could not be looked at is a finding of status
// Unknown. ctx bounds the whole look; the exec gets what is left.
func Gather(ctx context.Context, api *xroad.Client, h remote.Host, p *profile.Profile, o Options) Report {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	r := Report{Schema: Schema, Host: o.Name, CheckedAt: now().UTC()}
	g := &gatherer{api: api, p: p, th: p.Health, now: now, name: o.Name, history: o.History}
	if len(g.th.CertExpiryDays) == 0 {
		g.th = profile.DefaultHealth()
	}
	if srv, err := api.CurrentServer(ctx); err == nil {
		r.ServerID = i18n.Line(srv.ID, 200)
	}
	g.fromAPI(ctx)
	g.fromHost(ctx, h, o.Anchor)
	r.Findings = g.out
	return r
}

// Failed is the report of a server that could not be looked at at all.
func Failed(name string, at time.Time, err error) Report {
	return Report{Schema: Schema, Host: name, CheckedAt: at.UTC(), Err: i18n.Line(err.Error(), i18n.MaxLine)}
}

type gatherer struct {
	api     *xroad.Client
	p       *profile.Profile
	th      profile.Health
	now     func() time.Time
	name    string
	history *History
	out     []Finding

	ocspURLs, tsaURLs []string // for the network path
}

func (g *gatherer) add(f Finding) { g.out = append(g.out, f) }

// mk is a finding whose texts are the report catalogue's
// health.<kind>.title, health.<kind>.<obs> and, unless it is OK,
// health.<kind>.why and .fix. data holds host text already cleaned.
func mk(id string, st Status, kind, obs string, data map[string]any) Finding {
	f := Finding{ID: id, Status: st, Title: i18n.TT("health."+kind+".title", data),
		Observed: i18n.TT("health."+kind+"."+obs, data)}
	if st != OK {
		f.Why = i18n.TT("health."+kind+".why", data)
		f.Fix = i18n.TT("health."+kind+".fix", data)
	}
	return f
}

// withValue sets a finding's number for metrics.
func withValue(f Finding, v float64, metric string, labels map[string]string) Finding {
	f.Value, f.Metric, f.Labels = &v, metric, labels
	return f
}

// unknown is a look that could not be made: err's text cleaned.
func unknown(id, what string, err error) Finding {
	return mk(id, Unknown, "unchecked", "observed", map[string]any{"What": what, "Err": clean(err.Error())})
}

// clean is host text made fit to show: one line, escapes removed.
func clean(s string) string { return i18n.Line(s, 200) }

func days(d time.Duration) float64 { return float64(d) / float64(24*time.Hour) }

func fmtDays(d float64) string { return fmt.Sprintf("%.0f", d) }
