package health

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// tokens: every token logged in or not, and every certificate on it:
// registration, OCSP status, days to expiry.
func (g *gatherer) tokens(ctx context.Context) {
	ts, err := g.api.Tokens(ctx)
	if err != nil {
		g.add(unknown("tokens", "GET /tokens", err))
		return
	}
	for _, t := range ts {
		g.token(t)
		for _, k := range t.Keys {
			for _, c := range k.Certificates {
				g.cert(k, c)
			}
		}
	}
}

// holds says which certificates in use a token carries.
func holds(t xroad.Token) (sign, auth bool) {
	for _, k := range t.Keys {
		if len(k.Certificates) == 0 {
			continue
		}
		switch k.Usage {
		case xroad.UsageSigning:
			sign = true
		case xroad.UsageAuthentication:
			auth = true
		}
	}
	return
}

// token: logged out, a token holding a key in use stops the server: the
// signer cannot sign messages (signing key) or open connections to other
// servers (authentication key). X-Road before 7.8 does not log a hardware
// token in again after the signer restarts (the autologin covers the
// software token only: xroad-autologin, src/packages .../autologin).
func (g *gatherer) token(t xroad.Token) {
	name := clean(t.Name)
	id := "token." + clean(t.ID)
	d := map[string]any{"Name": name, "Type": clean(t.Type), "State": clean(t.Status)}
	sign, auth := holds(t)
	switch {
	case t.Status == xroad.TokenStatusPINLocked:
		g.add(withValue(mk(id, Critical, "token_locked", "observed", d), 0, "tunduk_onboard_token_logged_in", map[string]string{"token": name}))
	case !t.LoggedIn && (sign || auth):
		kind := "token_out_auth"
		if sign {
			kind = "token_out_sign"
		}
		g.add(withValue(mk(id, Critical, kind, "observed", d), 0, "tunduk_onboard_token_logged_in", map[string]string{"token": name}))
	case !t.LoggedIn:
		g.add(withValue(mk(id, Warning, "token_out", "observed", d), 0, "tunduk_onboard_token_logged_in", map[string]string{"token": name}))
	default:
		g.add(withValue(mk(id, OK, "token", "observed", d), 1, "tunduk_onboard_token_logged_in", map[string]string{"token": name}))
	}
}

// cert: three findings per certificate, each alerted on its own.
func (g *gatherer) cert(k xroad.Key, c xroad.TokenCertificate) {
	hash := clean(c.Details.Hash)
	short := hash
	if len(short) > 12 {
		short = short[:12]
	}
	usage := strings.ToLower(clean(k.Usage))
	labels := map[string]string{"usage": usage, "cert": short}
	d := map[string]any{"Usage": usage, "Subject": clean(c.Details.SubjectCommonName), "Hash": short,
		"State": clean(c.Status), "OCSP": clean(c.OCSPStatus)}
	base := "cert." + hash

	// Registration: an authentication certificate must be registered
	// with the central server (and active) for the server to talk to
	// others; a signing certificate is REGISTERED on import.
	st := OK
	switch {
	case c.Status == xroad.CertRegistered && c.Active:
	case c.Status == xroad.CertRegistered, c.Status == xroad.CertRegistrationInProgress, c.Status == xroad.CertSaved:
		st = Warning
	default: // DELETION_IN_PROGRESS, GLOBAL_ERROR
		st = Critical
	}
	g.add(mk(base+".registration", st, "cert_registration", "observed", d))

	// OCSP: X-Road signs and authenticates only with a certificate whose
	// OCSP response is good (the signer's OcspClientWorker).
	switch c.OCSPStatus {
	case xroad.OCSPGood:
		st = OK
	case xroad.OCSPDisabled:
		st = Warning // an inactive certificate: the registration finding says why
	case xroad.OCSPUnknown:
		st = Critical
	default: // revoked, suspended, expired
		st = Critical
	}
	g.add(withValue(mk(base+".ocsp", st, "cert_ocsp", "observed", d), up(st), "tunduk_onboard_cert_ocsp_good", labels))

	// Expiry: warning below the first threshold, critical below the
	// later ones; the stage says which point was crossed, so an alert goes
	// out again at 7 days after the one at 14 (both critical), and at the
	// reminders and after expiry (expiryStage).
	na, ok := apiTime(c.Details.NotAfter)
	if !ok {
		g.add(unknown(base+".expiry", "not_after", errText("unreadable date "+clean(c.Details.NotAfter))))
		return
	}
	left := days(na.Sub(g.now()))
	d["Days"] = int(math.Floor(left))
	d["Date"] = na.UTC().Format("2006-01-02")
	st, crossed := OK, 0
	for i, th := range g.th.CertExpiryDays {
		if left < float64(th) {
			crossed = th
			st = Warning
			if i > 0 {
				st = Critical
			}
		}
	}
	obs := "observed"
	if crossed > 0 {
		d["Threshold"] = crossed
	}
	if left <= 0 {
		st, obs = Critical, "observed_expired"
		d["Ago"] = int(math.Floor(-left))
	}
	l := map[string]string{"usage": usage, "cert": short}
	// Seconds, not days: promtool refuses a metric not in base units.
	f := withValue(mk(base+".expiry", st, "cert_expiry", obs, d), left*86400, "tunduk_onboard_cert_expiry_seconds", l)
	f.Stage = expiryStage(left, crossed)
	g.add(f)
}

// expiryReminders are the days left at which a certificate not yet
// renewed is told again below the profile's last threshold (30, 14, 7 in
// Tunduk's): 3 days before, when there is still time for a CSR, the
// CA's answer and the import, and 1 day before, the last working day.
// Each is a stage of its own ("3d", "1d"), so each is sent once.
var expiryReminders = []int{3, 1}

// expiredReminderDays: once expired ("expired"), the alert is told again
// each day for this many days ("expired+1d" ... "expired+7d"), as an on-call
// operator expects of a server that cannot sign or authenticate; then no
// more. A certificate left expired a week is someone's decision (a server
// retired, a renewal waiting for the CA) and nagging forever would teach
// the channel to be ignored; the report and the exit code still say
// critical on every run.
const expiredReminderDays = 7

// expiryStage is the point an expiry has reached, a day count left
// (fractional, negative once expired) and crossed the profile's lowest
// threshold passed (0: none): "" above every threshold; "Nd" for the
// lowest threshold or reminder below which it lies; "expired" on the day
// it expired and "expired+Nd" for the N-th day after, up to
// expiredReminderDays. Each point is crossed once as the days pass, so
// the alerts of one certificate are bounded: one per profile threshold,
// two reminders, 1+expiredReminderDays after expiry.
func expiryStage(left float64, crossed int) string {
	if left <= 0 {
		ago := min(int(math.Floor(-left)), expiredReminderDays)
		if ago == 0 {
			return "expired"
		}
		return fmt.Sprintf("expired+%dd", ago)
	}
	if crossed == 0 {
		return ""
	}
	point := crossed
	for _, r := range expiryReminders {
		if r < point && left < float64(r) {
			point = r
		}
	}
	return fmt.Sprintf("%dd", point)
}

type errText string

func (e errText) Error() string { return string(e) }
