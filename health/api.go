package health

import (
	"context"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// apiTime reads the API's date-time (UTC, milliseconds).
func apiTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

func (g *gatherer) fromAPI(ctx context.Context) {
	g.version(ctx)
	g.globalConf(ctx)
	g.ocsp(ctx)
	g.tsa(ctx)
	g.addOn(ctx)
	g.tokens(ctx)
	g.clients(ctx)
	g.backups(ctx)
}

// version: the installed X-Road against the profile's. GET /system/version
// answers "7.4.2-1.gita30be58..." (X-Road 7.4.2 SystemApiController.java,
// getSystemVersion: Version.XROAD_VERSION).
func (g *gatherer) version(ctx context.Context) {
	v, err := g.api.Version(ctx)
	if err != nil {
		g.add(unknown("version", "GET /system/version", err))
		return
	}
	got, want := clean(v.Info), g.p.XRoad.Version
	d := map[string]any{"Got": got, "Want": want}
	if got == want || strings.HasPrefix(got, want+"-") || strings.HasPrefix(got, want+" ") {
		g.add(mk("version", OK, "version", "observed", d))
		return
	}
	g.add(mk("version", Warning, "version", "observed", d))
}

// globalConf: the confclient's last download, its status and age.
func (g *gatherer) globalConf(ctx context.Context) {
	c, err := g.api.GlobalConfDiagnostics(ctx)
	if err != nil {
		g.add(unknown("globalconf", "GET /diagnostics/globalconf", err))
		return
	}
	prev, ok := apiTime(c.PrevUpdateAt)
	age := g.now().Sub(prev)
	d := map[string]any{"Code": clean(c.StatusCode), "Age": shortDur(age)}
	st := OK
	switch {
	case c.StatusClass == xroad.DiagFail:
		st = Critical
	case !ok, c.StatusClass == xroad.DiagWaiting:
		st = Warning
	case age >= time.Duration(g.th.GlobalConfCriticalSeconds)*time.Second:
		st = Critical
	case age >= time.Duration(g.th.GlobalConfWarnSeconds)*time.Second:
		st = Warning
	}
	f := mk("globalconf", st, "globalconf", "observed", d)
	if ok {
		f = withValue(f, age.Seconds(), "tunduk_onboard_globalconf_age_seconds", nil)
	}
	g.add(f)
}

// diagStatus is a diagnostics class as a finding's status: WAITING is
// a service not asked yet (after a restart), FAIL one that did not answer.
func diagStatus(class string) Status {
	switch class {
	case xroad.DiagOK:
		return OK
	case xroad.DiagWaiting:
		return Warning
	}
	return Critical
}

func up(st Status) float64 {
	if st == OK {
		return 1
	}
	return 0
}

func (g *gatherer) ocsp(ctx context.Context) {
	cas, err := g.api.OCSPDiagnostics(ctx)
	if err != nil {
		g.add(unknown("ocsp", "GET /diagnostics/ocsp-responders", err))
		return
	}
	for _, ca := range cas {
		for _, r := range ca.Responders {
			st := diagStatus(r.StatusClass)
			url := clean(r.URL)
			g.ocspURLs = append(g.ocspURLs, r.URL)
			f := mk("ocsp."+url, st, "ocsp", "observed", map[string]any{"URL": url, "CA": clean(ca.DistinguishedName), "Code": clean(r.StatusCode)})
			g.add(withValue(f, up(st), "tunduk_onboard_ocsp_responder_up", map[string]string{"url": url}))
		}
	}
}

func (g *gatherer) tsa(ctx context.Context) {
	ts, err := g.api.TimestampingDiagnostics(ctx)
	if err != nil {
		g.add(unknown("tsa", "GET /diagnostics/timestamping-services", err))
		return
	}
	if len(ts) == 0 {
		// Without a time-stamping service the message log cannot
		// time-stamp, and X-Road 7.4.2 then stops sending messages once
		// timestamp-records-limit is reached (MessageLogProperties.java).
		g.add(mk("tsa", Critical, "tsa_none", "observed", nil))
		return
	}
	for _, t := range ts {
		st := diagStatus(t.StatusClass)
		url := clean(t.URL)
		g.tsaURLs = append(g.tsaURLs, t.URL)
		f := mk("tsa."+url, st, "tsa", "observed", map[string]any{"URL": url, "Code": clean(t.StatusCode)})
		g.add(withValue(f, up(st), "tunduk_onboard_tsa_up", map[string]string{"url": url}))
	}
}

// addOn: the message log, which the operator's agreement needs kept for
// three years.
func (g *gatherer) addOn(ctx context.Context) {
	a, err := g.api.AddOnDiagnostics(ctx)
	if err != nil {
		g.add(unknown("messagelog", "GET /diagnostics/addon-status", err))
		return
	}
	if a.MessageLogEnabled {
		g.add(mk("messagelog", OK, "messagelog", "on", nil))
		return
	}
	g.add(mk("messagelog", Warning, "messagelog", "off", nil))
}

// backups: the newest backup's age (BackupsApiController.java, getBackups).
func (g *gatherer) backups(ctx context.Context) {
	bs, err := g.api.Backups(ctx)
	if err != nil {
		g.add(unknown("backup", "GET /backups", err))
		return
	}
	var newest time.Time
	for _, b := range bs {
		if t, ok := apiTime(b.CreatedAt); ok && t.After(newest) {
			newest = t
		}
	}
	if newest.IsZero() {
		g.add(mk("backup", Critical, "backup", "none", nil))
		return
	}
	age := g.now().Sub(newest)
	st := OK
	switch {
	case days(age) >= float64(g.th.BackupCriticalDays):
		st = Critical
	case days(age) >= float64(g.th.BackupWarnDays):
		st = Warning
	}
	f := mk("backup", st, "backup", "observed", map[string]any{"Age": shortDur(age)})
	g.add(withValue(f, age.Seconds(), "tunduk_onboard_backup_age_seconds", nil))
}

// clients: each subsystem's registration (members left out: the owner
// member is registered with the authentication certificate).
func (g *gatherer) clients(ctx context.Context) {
	internal, members := true, false
	cs, err := g.api.FindClients(ctx, xroad.ClientQuery{InternalSearch: &internal, ShowMembers: &members})
	if err != nil {
		g.add(unknown("clients", "GET /clients", err))
		return
	}
	for _, c := range cs {
		if c.SubsystemCode == "" {
			continue
		}
		id := clean(xroad.ClientID(c.InstanceID, c.MemberClass, c.MemberCode, c.SubsystemCode))
		st := OK
		switch c.Status {
		case xroad.ClientRegistered:
		case xroad.ClientSaved, xroad.ClientRegistrationInProgress:
			st = Warning
		default: // DELETION_IN_PROGRESS, GLOBAL_ERROR
			st = Critical
		}
		f := mk("client."+id, st, "client", "observed", map[string]any{"ID": id, "State": clean(c.Status)})
		g.add(withValue(f, up(st), "tunduk_onboard_subsystem_registered", map[string]string{"subsystem": id}))
	}
}

// shortDur is a duration as people read it: 45s, 12m, 3h, 5d.
func shortDur(d time.Duration) string {
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	case d < 48*time.Hour:
		return strings.TrimSuffix(strings.TrimSuffix(d.Round(time.Hour).String(), "0s"), "0m")
	}
	return fmtDays(days(d)) + "d"
}
