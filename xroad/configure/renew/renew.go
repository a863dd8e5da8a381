// Package renew renews an installed security server's certificates
// before they lapse, through its admin API (a configure.Session), and
// never leaves the server without a pair in service: new keys and CSRs
// (the authentication key on the software token, the signing key where
// the profile allows it on the server), the CSRs sent to the CA as the
// first ones were (enroll), the CA's certificates imported, the new
// authentication certificate registered and approved, both new ones
// active with a good OCSP response, and only then the old ones disabled
// and the old authentication certificate unregistered; the old keys are
// deleted only when asked.
//
// A renewal is a plan of steps, each with a check on the server's state
// and an apply. The state is read again before every step, so a run cut
// anywhere (the SSH connection, the program) carries on when run again;
// the CA and the central server answer when they do, so a run leaves
// while it waits and a later one goes on. The server itself remembers
// which certificate a new key replaces: the key's label names it
// (LabelPrefix), and the submission of the new CSRs is found in the
// enroll store by the CSRs alone.
//
// Invariant: at every moment the server holds an authentication
// certificate that is registered and active and a signing certificate
// that is active, each with a good OCSP response (as far as it held them
// before). The order of the steps keeps it, and each step that takes an
// old certificate out of service checks, just before, on a fresh read,
// that its successor is in service.
package renew

import (
	"context"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// Usages of a renewal, as the rest of the product names them.
const (
	Auth = "auth"
	Sign = "sign"
)

// Step ids, in the order a renewal runs them. Each is
// configure.renew.step.<id> in the report catalogue.
const (
	StepAuthKey     = "auth_key"     // the new authentication key and its CSR
	StepSignKey     = "sign_key"     // the new signing key and its CSR
	StepSubmit      = "submit"       // the CSRs sent to the CA (enroll)
	StepImport      = "import"       // the CA's certificates on the server
	StepRegister    = "register"     // the new authentication certificate's registration request
	StepApprove     = "approve"      // the central server's approval: followed, never done by us
	StepActivate    = "activate"     // the new certificates active
	StepOCSP        = "ocsp"         // their OCSP responses good: followed
	StepDisableAuth = "disable_auth" // the old authentication certificate disabled
	StepUnregister  = "unregister"   // its deletion request to the central server
	StepDisableSign = "disable_sign" // the old signing certificate disabled
	StepDeleteAuth  = "delete_auth"  // the old authentication key deleted (Options.DeleteOld)
	StepDeleteSign  = "delete_sign"  // the old signing key deleted (Options.DeleteOld)
)

// A step's state on the server.
const (
	StateDone = "done" // in place already
	StateTodo = "todo" // Apply will do it
	StateWait = "wait" // waits for someone else: the user's submission, the CA, the central server, OCSP
)

// Why a certificate is renewed, or why a usage is not.
const (
	WhyExpiry  = "expiry"  // it ends within the profile's first expiry threshold
	WhyForced  = "forced"  // the user asked (Options.Force)
	WhyResumed = "resumed" // a renewal begun earlier, found on the server
	WhyFresh   = "fresh"   // not renewed: it ends later than the threshold
	WhyNone    = "none"    // not renewed: no certificate of this usage is in service
	WhyManual  = "manual"  // not renewed here: the profile allows no place on the server for the key
	WhySkipped = "skipped" // not renewed: the user left this usage out (Options.Usages)
)

// Options are one renewal's inputs. Secrets (the PINs) go to the server
// only, never into a plan, an error or progress.
type Options struct {
	Params configure.Params
	// ExpiryDays: a certificate ending in fewer days is renewed; the
	// profile's health.cert_expiry_days[0], where health starts to warn.
	ExpiryDays int
	// Force renews these usages (Auth, Sign) whatever their expiry.
	Force []string
	// Usages limits the renewal to these usages; nil: both.
	Usages []string
	// SigningKey is the profile's word on where a signing key may live.
	// A new signing key is made where the old one is when the profile
	// allows that place on the server, else in the other place it allows
	// there; SignOn (a profile.Placement* of the server) overrides.
	SigningKey profile.SigningKey
	SignOn     string
	// HWTokenID is the hardware token for a new signing key there: ""
	// is the old key's token, else the server's only hardware token.
	HWTokenID string
	// SoftPIN and HWPIN log a token in when a step needs it logged in.
	SoftPIN, HWPIN string
	// Certs are the CA's certificates (DER or PEM) to import; each must
	// answer a CSR of a new key (configure.err.cert_no_csr).
	Certs [][]byte
	// Address is where the central server registers the new
	// authentication certificate: "" is the address global configuration
	// has for the server (its first registration's).
	Address string
	// Store is where the submission of the new CSRs is found (and its
	// stage advanced); nil: the submission step waits until the
	// certificates are given.
	Store *enroll.Store
	// Submit, when set, sends the new CSRs to the CA (the wizard's
	// delivery); nil: the user sends them (the command line's submit)
	// and the step waits until the store holds them as sent.
	Submit func(ctx context.Context, csrs []enroll.CSR) error
	// DeleteOld deletes the old keys (with their certificates) once they
	// are out of service.
	DeleteOld bool
	// BeforeChange is called once per run before the first change to the
	// server (a backup); its error stops the run with nothing changed.
	// nil: none.
	BeforeChange func(ctx context.Context) error
	// Wait bounds how long one run follows the central server's approval
	// and the OCSP responses (0: it looks once); Poll is how often it
	// asks (0: 30 s).
	Wait, Poll time.Duration
	// Progress gets each step as it runs (running, done, failed, waiting).
	Progress func(configure.Progress)
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// StateWaiting is a step left waiting by a run (configure.Progress.State).
const StateWaiting = "waiting"

// Cert is a certificate on the server.
type Cert struct {
	Hash     string    `json:"hash"`
	Status   string    `json:"status"`
	Active   bool      `json:"active"`
	OCSP     string    `json:"ocsp_status,omitempty"`
	NotAfter time.Time `json:"not_after"`
	Subject  string    `json:"subject"`
}

// Key is a key on the server with its first certificate.
type Key struct {
	ID      string `json:"id"`
	Label   string `json:"label"`
	TokenID string `json:"token"`
	Cert    *Cert  `json:"certificate,omitempty"`
	csrID   string
}

// Renewal is one usage's renewal: the key in service being replaced and
// its successor.
type Renewal struct {
	Usage    string `json:"usage"`
	Why      string `json:"why"`
	DaysLeft int    `json:"days_left"` // of Old's certificate
	Old      Key    `json:"old"`
	// New is nil until its key is made; Token is where it is (or goes).
	New   *Key   `json:"new,omitempty"`
	Token string `json:"token"`
	// CSR is New's CSR (DER) while it has no certificate and the token
	// let it be read.
	CSR []byte `json:"-"`
}

// Note says why a usage is not renewed.
type Note struct {
	Usage    string    `json:"usage"`
	Why      string    `json:"why"`
	DaysLeft int       `json:"days_left,omitempty"`
	NotAfter time.Time `json:"not_after,omitzero"`
	Hash     string    `json:"hash,omitempty"`
	Place    string    `json:"place,omitempty"` // WhyManual: where the old key is
}

// Submission is the application in the store holding the new CSRs.
type Submission struct {
	ID    string       `json:"id"`
	Stage enroll.Stage `json:"stage"`
}

// Step is one step of a plan and its state.
type Step struct {
	ID    string `json:"id"`
	State string `json:"state"`
}

// Plan is where a renewal stands on the server now.
type Plan struct {
	At         time.Time   `json:"at"`
	Auth       *Renewal    `json:"auth,omitempty"`
	Sign       *Renewal    `json:"sign,omitempty"`
	Notes      []Note      `json:"notes,omitempty"`
	Submission *Submission `json:"submission,omitempty"`
	Steps      []Step      `json:"steps"`
	// LoggedOut are the tokens a step needs logged in that are not.
	LoggedOut []string `json:"logged_out,omitempty"`
}

// Renewals are the plan's renewals, authentication first.
func (p *Plan) Renewals() []*Renewal {
	var out []*Renewal
	for _, r := range []*Renewal{p.Auth, p.Sign} {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

// Next is the first step not done, or nil when there is none.
func (p *Plan) Next() *Step {
	for i := range p.Steps {
		if p.Steps[i].State != StateDone {
			return &p.Steps[i]
		}
	}
	return nil
}

// Read reads the server and says what a renewal would do now: the
// renewals begun or due, the usages left as they are and why, and each
// step's state. It changes nothing.
func Read(ctx context.Context, s *configure.Session, o Options) (*Plan, error) {
	return read(ctx, s, &o)
}

// Result is how a run ended: every step done (Waiting empty), or left
// at a step that waits (Waiting is its id: StepSubmit, StepImport,
// StepApprove, StepOCSP). Plan is the server's state at the end.
type Result struct {
	Plan    *Plan
	Waiting string
	// Changed: the run changed the server (BeforeChange was called).
	Changed bool
}

// Apply runs the renewal: each step not done, in order, the server read
// again before each one, until all are done or one waits. A second run
// on a renewed server changes nothing.
func Apply(ctx context.Context, s *configure.Session, o Options) (Result, error) {
	return apply(ctx, s, &o)
}
