package renew

import (
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// LabelPrefix is the start of the label of a renewal's new key of usage;
// the rest is the first 16 hex digits of the certificate it replaces. So
// the server remembers the renewal: a later run (another day, another
// computer) finds which certificate goes once the new one serves.
func LabelPrefix(usage string) string { return "tunduk-" + usage + "-renews-" }

// hashPart is how much of the old certificate's hash a label carries.
const hashPart = 16

func label(usage, oldHash string) string {
	h := strings.ToUpper(oldHash)
	if len(h) > hashPart {
		h = h[:hashPart]
	}
	return LabelPrefix(usage) + h
}

// apiUsage is X-Road's name of a usage.
func apiUsage(usage string) string {
	if usage == Auth {
		return xroad.UsageAuthentication
	}
	return xroad.UsageSigning
}

// held is a key as read: its plain form, the API's, and every
// certificate on it.
type held struct {
	Key
	api   xroad.Key
	certs []Cert
}

// inventory is the keys of each usage the renewal looks at: the
// authentication keys of the software token (X-Road uses no other), and
// the owner member's signing keys on any token. A key without a usage
// counts when its label is a renewal's.
func inventory(toks []xroad.Token, p configure.Params) map[string][]*held {
	member := p.Instance + ":" + p.MemberClass + ":" + p.MemberCode
	out := map[string][]*held{}
	for _, t := range toks {
		for _, k := range t.Keys {
			h := &held{Key: Key{ID: k.ID, Label: k.Label, TokenID: t.ID}, api: k}
			if len(k.CSRs) > 0 {
				h.csrID = k.CSRs[len(k.CSRs)-1].ID
			}
			for _, c := range k.Certificates {
				h.certs = append(h.certs, certOf(c))
			}
			if len(h.certs) > 0 {
				h.Cert = &h.certs[0]
			}
			switch {
			case t.ID == xroad.SoftwareTokenID && (k.Usage == xroad.UsageAuthentication || (k.Usage == "" && strings.HasPrefix(k.Label, LabelPrefix(Auth)))):
				out[Auth] = append(out[Auth], h)
			case (k.Usage == xroad.UsageSigning || (k.Usage == "" && strings.HasPrefix(k.Label, LabelPrefix(Sign)))) && (p.MemberCode == "" || owned(k, member)):
				out[Sign] = append(out[Sign], h)
			}
		}
	}
	return out
}

// owned says whether one of k's CSRs or certificates is member's (or k
// has none yet: a renewal's key before its CSR).
func owned(k xroad.Key, member string) bool {
	if len(k.CSRs) == 0 && len(k.Certificates) == 0 {
		return true
	}
	for _, c := range k.CSRs {
		if c.OwnerID == member {
			return true
		}
	}
	for _, c := range k.Certificates {
		if c.OwnerID == member {
			return true
		}
	}
	return false
}

func certOf(c xroad.TokenCertificate) Cert {
	na, _ := time.Parse(time.RFC3339, c.Details.NotAfter)
	return Cert{Hash: strings.ToUpper(c.Details.Hash), Status: c.Status, Active: c.Active, OCSP: c.OCSPStatus,
		NotAfter: na, Subject: c.Details.SubjectDN}
}

// serving: the certificate can be in service (registered and active).
func serving(c *Cert) bool { return c != nil && c.Active && c.Status == xroad.CertRegistered }

// inService: it is, with a good OCSP response.
func inService(c *Cert) bool { return serving(c) && c.OCSP == xroad.OCSPGood }

// registering: its registration was asked for (or granted).
func registering(status string) bool {
	return status == xroad.CertRegistrationInProgress || status == xroad.CertRegistered
}

// retired: out of service (inactive; an authentication certificate
// unregistered too).
func retired(usage string, c *Cert) bool {
	return !c.Active && (usage == Sign || !registering(c.Status))
}

func daysLeft(notAfter, now time.Time) int {
	return int(math.Floor(notAfter.Sub(now).Hours() / 24))
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Options) wants(usage string) bool {
	return o.Usages == nil || slices.Contains(o.Usages, usage)
}

func (o *Options) pin(token string) string {
	if token == xroad.SoftwareTokenID {
		return o.SoftPIN
	}
	return o.HWPIN
}

func read(ctx context.Context, s *configure.Session, o *Options) (*Plan, error) {
	api := s.API()
	toks, err := api.Tokens(ctx)
	if err != nil {
		return nil, err
	}
	pl := &Plan{At: o.now()}
	inv := inventory(toks, o.Params)
	for _, u := range []string{Auth, Sign} {
		if !o.wants(u) {
			pl.Notes = append(pl.Notes, Note{Usage: u, Why: WhySkipped})
			continue
		}
		r, note, err := o.choose(inv[u], u, toks, pl.At)
		if err != nil {
			return nil, err
		}
		if r == nil {
			pl.Notes = append(pl.Notes, note)
			continue
		}
		if u == Auth {
			pl.Auth = r
		} else {
			pl.Sign = r
		}
	}
	if err := readCSRs(ctx, s, pl, inv, toks, o.DeleteOld); err != nil {
		return nil, err
	}
	if err := o.findSubmission(pl); err != nil {
		return nil, err
	}
	pl.Steps = steps(pl, o)
	return pl, nil
}

// choose is usage's renewal: one begun (a key labelled for a
// certificate still in service, or not yet deleted when the old keys are
// to go), else the certificate in service that ends last, when it ends
// within ExpiryDays or the usage is forced. nil and a note otherwise.
func (o *Options) choose(keys []*held, usage string, toks []xroad.Token, now time.Time) (*Renewal, Note, error) {
	for _, k := range keys {
		part, ok := strings.CutPrefix(k.Label, LabelPrefix(usage))
		if !ok || part == "" {
			continue
		}
		for _, old := range keys {
			if old == k {
				continue
			}
			for i := range old.certs {
				c := &old.certs[i]
				if !strings.HasPrefix(c.Hash, strings.ToUpper(part)) || (retired(usage, c) && !o.DeleteOld) {
					continue
				}
				oldKey := old.Key
				oldKey.Cert = c
				nk := k.Key
				return &Renewal{Usage: usage, Why: WhyResumed, DaysLeft: daysLeft(c.NotAfter, now), Old: oldKey, New: &nk, Token: k.TokenID}, Note{}, nil
			}
		}
	}
	var best *held
	var bestCert *Cert
	for _, k := range keys {
		for i := range k.certs {
			if c := &k.certs[i]; serving(c) && (bestCert == nil || c.NotAfter.After(bestCert.NotAfter)) {
				best, bestCert = k, c
			}
		}
	}
	if best == nil {
		return nil, Note{Usage: usage, Why: WhyNone}, nil
	}
	days := daysLeft(bestCert.NotAfter, now)
	why := WhyExpiry
	if slices.Contains(o.Force, usage) {
		why = WhyForced
	} else if days >= o.ExpiryDays {
		return nil, Note{Usage: usage, Why: WhyFresh, DaysLeft: days, NotAfter: bestCert.NotAfter, Hash: bestCert.Hash}, nil
	}
	old := best.Key
	old.Cert = bestCert
	r := &Renewal{Usage: usage, Why: why, DaysLeft: days, Old: old, Token: xroad.SoftwareTokenID}
	if usage == Sign {
		tok, place, err := o.signToken(old, toks)
		if err != nil {
			return nil, Note{}, err
		}
		if tok == "" {
			return nil, Note{Usage: usage, Why: WhyManual, DaysLeft: days, NotAfter: bestCert.NotAfter, Hash: bestCert.Hash, Place: place}, nil
		}
		r.Token = tok
	}
	return r, Note{}, nil
}

// signToken is the token a new signing key goes on: where the old one is
// when the profile allows that place on the server, else the other
// place on the server it allows (SignOn chooses). "" and the old key's
// place when the profile allows neither: the key is made at the user's
// computer, not here.
func (o *Options) signToken(old Key, toks []xroad.Token) (string, string, error) {
	here := profile.PlacementServerHWToken
	if old.TokenID == xroad.SoftwareTokenID {
		here = profile.PlacementServerSoftToken
	}
	place := o.SignOn
	if place == "" {
		place = here
		if !o.SigningKey.Allows(place) {
			place = profile.PlacementServerSoftToken
			if here == place {
				place = profile.PlacementServerHWToken
			}
		}
	}
	if !o.SigningKey.Allows(place) {
		if o.SignOn != "" {
			return "", "", &configure.Error{Key: "configure.err.sign_not_allowed", Data: map[string]any{"Place": place, "Allowed": strings.Join(o.SigningKey.Offered(), ", ")}}
		}
		return "", here, nil
	}
	if place == profile.PlacementServerSoftToken {
		return xroad.SoftwareTokenID, "", nil
	}
	id := o.HWTokenID
	if id == "" && old.TokenID != xroad.SoftwareTokenID {
		id = old.TokenID
	}
	var infos []configure.TokenInfo
	for _, t := range toks {
		infos = append(infos, configure.TokenInfo{ID: t.ID, Name: t.Name})
	}
	t, err := configure.Status{Tokens: infos}.HardwareToken(id)
	if err != nil {
		if o.SignOn == "" && old.TokenID == xroad.SoftwareTokenID {
			return "", here, nil // no hardware token to move to
		}
		return "", "", err
	}
	return t.ID, "", nil
}

// readCSRs fills each new key's CSR while it has no certificate, and
// the tokens a step needs logged in that are not: where a new key is
// made, where an old key is deleted (KeyService.deleteKey: DELETE only on
// an active token). X-Road makes a CSR again to download it, which a
// logged-out token refuses (409): the CSR then stays unknown until the
// token is logged in.
func readCSRs(ctx context.Context, s *configure.Session, pl *Plan, inv map[string][]*held, toks []xroad.Token, deleteOld bool) error {
	loggedIn := map[string]bool{}
	for _, t := range toks {
		loggedIn[t.ID] = t.LoggedIn
	}
	need := func(tok string) {
		if !loggedIn[tok] && !slices.Contains(pl.LoggedOut, tok) {
			pl.LoggedOut = append(pl.LoggedOut, tok)
		}
	}
	for _, r := range pl.Renewals() {
		if deleteOld {
			need(r.Old.TokenID)
		}
		if r.New == nil {
			need(r.Token)
			continue
		}
		if r.New.Cert != nil {
			continue
		}
		for _, k := range inv[r.Usage] {
			if k.ID != r.New.ID || k.csrID == "" {
				continue
			}
			ks, err := s.KeyCSR(ctx, k.TokenID, k.api)
			var ae *xroad.Error
			if errors.As(err, &ae) && ae.Status == http.StatusConflict {
				need(k.TokenID)
				break
			}
			if err != nil {
				return err
			}
			r.CSR = ks.CSR
		}
	}
	return nil
}

// findSubmission is the application in the store holding the new CSRs.
func (o *Options) findSubmission(pl *Plan) error {
	var csrs [][]byte
	for _, r := range pl.Renewals() {
		if r.CSR != nil {
			csrs = append(csrs, r.CSR)
		}
	}
	if o.Store == nil || len(csrs) == 0 {
		return nil
	}
	rec, ok, err := o.Store.Holding(csrs)
	if err != nil || !ok {
		return err
	}
	pl.Submission = &Submission{ID: rec.ID, Stage: rec.Stage}
	return nil
}
