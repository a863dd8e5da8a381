// Package configure is the flow that takes an installed X-Road security
// server to a registered one through its Admin API, reached over the
// installer's SSH connection (or directly, on the server itself): initialisation (anchor, owner, server code,
// software token PIN, timestamping), keys and CSRs, certificate import,
// registration and activation. The CLI (`server ...`) and the wizard
// call it; it has no UI of its own.
//
// Every step is checked on the server first and skipped when done, so a
// run interrupted anywhere is resumed by running it again. Secrets (the
// admin password, PINs, the API key) never reach an error, a log line or
// progress.
package configure

import (
	"context"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// Credentials are the X-Road admin user's, made at install, and the
// login user's sudo password for a host where sudo asks for one (a
// non-root login: X-Road keeps the admin API's certificate readable by
// root and xroad only). SudoPassword is a secret like Password: it goes
// to the host on standard input only, to read that certificate at Open,
// and is never kept in the Session, logged or put in an error.
type Credentials struct{ User, Password, SudoPassword string }

// Session is an API key made through the SSH tunnel (or on the server
// itself); Close revokes it.
type Session struct {
	c     *xroad.Client
	cr    Credentials
	id    int64    // the API key's id, to revoke it
	roles []string // its roles, for Rekey

	// TSAWait bounds the wait for global configuration to offer an
	// approved timestamping service; TSAPoll is how often it is asked.
	// Open sets 3 minutes and 5 seconds.
	TSAWait, TSAPoll time.Duration

	// h is the host the session was opened through; jar is where on it
	// Params.ProfileClass is looked for (xroad.AdminAPI.Jar).
	h   remote.Host
	jar string

	// BeforeChange, when set, is called once before the session's first
	// change to the server (a part of a flow that runs, an import, a
	// registration, an activation), not at all when everything is done
	// already; its error stops the flow with nothing changed. A caller
	// takes its backup there: a run that changes nothing makes none.
	BeforeChange func(ctx context.Context) error
}

// Open reads the admin API's certificate on h (an SSH connection, or this
// computer: remote.Local), opens the API through h with TLS pinned to it,
// and creates an API key with the roles the flow needs under the admin
// user's basic auth. A wrong password is an *Error with key
// configure.err.admin_login.
func Open(ctx context.Context, h remote.Host, a xroad.AdminAPI, cr Credentials) (*Session, error) {
	return OpenWith(ctx, h, a, cr, roles)
}

// OpenWith is Open with an API key of other roles: another flow's (the
// connect flow's xroad/connect.Roles), whose calls go through API.
func OpenWith(ctx context.Context, h remote.Host, a xroad.AdminAPI, cr Credentials, roles []string) (*Session, error) {
	s, err := open(ctx, h, a, cr, roles)
	if s != nil {
		s.h, s.jar = h, a.Jar()
	}
	return s, err
}

// API is the session's admin API client, for flows of their own rooms
// (xroad/connect) that share its key, tunnel and revocation.
func (s *Session) API() *xroad.Client { return s.c }

// Close revokes the session's API key.
func (s *Session) Close(ctx context.Context) error { return s.close(ctx) }

// Rekey gives the session a new API key of the same roles, the old one
// revoked when it is still there. A restore of a backup brings back the
// server's database, API keys included (X-Road 7.4.2 apikey.hbm.xml:
// table APIKEY of serverconf), so a key made after that backup is gone.
func (s *Session) Rekey(ctx context.Context) error { return s.rekey(ctx) }

// LogIn logs token id in with pin unless it is logged in, as Initialize
// and MakeCSRs do (the same refusals: configure.err.pin_needed,
// pin_wrong, pin_wrong_hw, pin_final_try, pin_locked), reporting
// progress as part "login" (the software token) or "hw_login".
func (s *Session) LogIn(ctx context.Context, id, pin string, progress func(Progress)) error {
	part := "hw_login"
	if id == xroad.SoftwareTokenID {
		part = "login"
	}
	return s.ensureLogin(ctx, id, pin, progress, part)
}

// Params are the participant's identifiers and the profile's CA.
type Params struct {
	Instance, MemberClass, MemberCode, ServerCode, OrgName string
	CAName                                                 string // profile ca.name; matched against the server's CAs
	// PINMin is the profile's identifiers.software_token_pin_min; 0
	// means DefaultPINMin.
	PINMin int
	// ProfileClass is the profile's install.profile_class: the
	// certificate profile class the CA's CSRs need on the server. Empty:
	// not checked.
	ProfileClass string
	// AnchorSHA224 is the anchor's hash as the operator publishes it (the
	// profile's anchor.sha224), AnchorSHA224Given as the user typed it;
	// empty is unknown. The anchor file must match each one given
	// (configure.err.anchor_hash_profile, _typed), checked before it is
	// uploaded.
	AnchorSHA224, AnchorSHA224Given string
}

// DefaultPINMin is Tunduk's minimum software token PIN length.
const DefaultPINMin = 15

// KeyState is one key of the flow on the server.
type KeyState struct {
	TokenID, KeyID, Label, CSRID string
	CSR                          []byte                  // DER, when a CSR exists
	Cert                         *xroad.TokenCertificate // nil until imported
}

// Status is where the server stands.
type Status struct {
	Init              xroad.InitializationStatus
	TSAConfigured     bool
	SoftTokenLoggedIn bool
	Auth, Sign        *KeyState   // nil when no such key yet
	Tokens            []TokenInfo // every token the server sees, software token first
}

// TokenInfo is one token as the server sees it: what a user needs to pick
// a hardware token (its ID) and to know whether a PIN will be asked.
type TokenInfo struct {
	ID, Name, Type, Status, Serial string
	LoggedIn, Available            bool
}

// LoggedIn says whether the token id is logged in on the server.
func (st Status) LoggedIn(id string) bool {
	t, err := st.Token(id)
	return err == nil && t.LoggedIn
}

// Token is the token id, or configure.err.token_missing naming the
// tokens the server has.
func (st Status) Token(id string) (TokenInfo, error) {
	var have []string
	for _, t := range st.Tokens {
		if t.ID == id {
			return t, nil
		}
		have = append(have, t.ID+" ("+t.Name+")")
	}
	return TokenInfo{}, missingToken(id, have)
}

// CheckPIN is the profile's software token PIN policy (at least p.PINMin
// characters, configure.err.pin_short), for a caller that checks before
// it connects.
func CheckPIN(p Params, pin string) error { return checkPIN(p, pin) }

// Status reads the server's state without changing anything.
func (s *Session) Status(ctx context.Context, p Params) (Status, error) { return s.status(ctx, p) }

// AnchorInfo is what an anchor says of itself.
type AnchorInfo struct{ Instance, Hash, Created string }

// ReadAnchor reads an anchor locally: its instance from the XML, its
// hash (SHA-224 of the file in upper-case hex, as X-Road's API and
// central server show it) and creation time.
func ReadAnchor(data []byte) (AnchorInfo, error) { return readAnchor(data) }

// CheckAnchorHash compares an anchor's hash with the published ones of p
// (configure.err.anchor_hash_profile, _typed; a typed value that is no
// SHA-224: configure.err.anchor_hash_bad), for a caller that checks
// before it connects.
func CheckAnchorHash(p Params, info AnchorInfo) error { return checkAnchorHash(p, info) }

// PreviewAnchor checks an anchor locally and on the server without saving
// it; an anchor of another instance than p.Instance is refused (*Error
// configure.err.anchor_instance), one whose hash is not the published one
// too, and the server must read the same hash as the file's
// (configure.err.anchor_hash_server).
func (s *Session) PreviewAnchor(ctx context.Context, p Params, data []byte) (AnchorInfo, error) {
	return s.previewAnchor(ctx, p, data)
}

// Progress is the state of one part of the flow, reported as it goes (a
// plan's step is installer.Step; this is not a step but news of one part).
// ID: anchor|init|tsa|login|auth_csr|hw_login|sign_csr|import|register|approve|activate;
// State: skipped|running|done|failed.
type Progress struct{ ID, State string }

// Progress states.
const (
	StateSkipped = "skipped"
	StateRunning = "running"
	StateDone    = "done"
	StateFailed  = "failed"
)

// Initialize uploads the anchor, initialises the server (owner, server
// code, software token PIN), adds an approved timestamping service and
// logs the software token in. Resumable: every part is checked first and
// skipped when done. A given PIN must have at least p.PINMin characters
// (configure.err.pin_short), checked before anything is sent; an empty one
// is enough for a server already initialised and logged in, and refused
// (configure.err.pin_new_needed) before the initialisation otherwise.
func (s *Session) Initialize(ctx context.Context, p Params, anchor []byte, softPIN string, progress func(Progress)) error {
	return s.initialize(ctx, p, anchor, softPIN, progress)
}

// CSROptions say where the keys are made.
type CSROptions struct {
	SoftPIN      string // to log the software token in when needed
	SignOnServer bool   // make the signing key+CSR on a hardware token at the server
	// HWTokenID is that token's ID as the server lists it (GET /tokens);
	// empty: the server's only hardware token (Status.HardwareToken).
	HWTokenID string
	HWPIN     string
	// SignOnSoftToken makes the signing key+CSR on the server's software
	// token, beside the authentication key (not with SignOnServer).
	SignOnSoftToken bool
}

// CSRs are the flow's CSRs; Sign is nil unless SignOnServer or
// SignOnSoftToken.
type CSRs struct{ Auth, Sign *KeyState }

// MakeCSRs first checks that the server's X-Road holds p.ProfileClass
// (configure.err.profile_class_* when not: NIIS packages in place of the
// operator's), then makes the authentication key and CSR on the software token
// and, with SignOnServer, the signing key and CSR on the hardware token
// (a key already there without a CSR gets one), or with SignOnSoftToken
// on the software token. Resumable: an existing key of that usage with a
// CSR is reused and its CSR downloaded again. Subject fields come from
// the CA's csr-subject-fields.
func (s *Session) MakeCSRs(ctx context.Context, p Params, o CSROptions, progress func(Progress)) (CSRs, error) {
	return s.makeCSRs(ctx, p, o, progress)
}

// Imported is a certificate now on the server.
type Imported struct {
	Hash  string
	Usage string // xroad.UsageAuthentication or UsageSigning
	Cert  xroad.TokenCertificate
	New   bool // imported by this call (false: it was there already)
}

// Import puts a certificate (DER or PEM) on the server. Its public key
// must be that of one of csrs (DER), checked before anything is sent
// (configure.err.cert_no_csr). A certificate already there is not an
// error: it is returned as it is.
func (s *Session) Import(ctx context.Context, certDER []byte, csrs [][]byte) (Imported, error) {
	return s.importCert(ctx, certDER, csrs)
}

// Register asks the central server to register the authentication
// certificate hash for the server at address (public IP or DNS name).
// Already registered or in progress: nothing is sent.
func (s *Session) Register(ctx context.Context, hash, address string) error {
	return s.register(ctx, hash, address)
}

// WaitRegistered polls the certificate every `every` until the central
// server has approved its registration or ctx ends; seen gets each state.
func (s *Session) WaitRegistered(ctx context.Context, hash string, every time.Duration, seen func(xroad.TokenCertificate)) error {
	return s.waitRegistered(ctx, hash, every, seen)
}

// Activate activates the certificate (nothing sent when it is active).
func (s *Session) Activate(ctx context.Context, hash string) error { return s.activate(ctx, hash) }
