// Package onboarding is the one record of an organisation's way into
// Tunduk on the user's machine: what was entered, checked, installed,
// made and sent, with dates. The onboarding spans days (the CA answers
// when it answers), so the wizard writes this record at each milestone
// and reads it at start to show each step's true state and to reopen
// where the user left off.
//
// Secrets (passwords, PINs, passphrases) are never in it: its types have
// no field that could hold one. Submissions are the enroll store's; the
// record only names one by its ID.
package onboarding

import (
	"strings"
	"time"
)

// Version is the record's schema version. A file with a higher one was
// written by a newer wizard and is not read (Load keeps it aside).
const Version = 1

// Record is one onboarding, as onboarding.json holds it.
type Record struct {
	Version int       `json:"version"`
	Updated time.Time `json:"updated,omitzero"`
	// LastStep is the wizard's step (its id) shown last: it reopens there
	// when that is further than the first step not done.
	LastStep     string        `json:"last_step,omitempty"`
	Organisation *Organisation `json:"organisation,omitempty"`
	Server       *Server       `json:"server,omitempty"`
	Readiness    *Readiness    `json:"readiness,omitempty"`
	Install      *Install      `json:"install,omitempty"`
	Init         *Init         `json:"initialisation,omitempty"`
	// SignKey is the signing key made on a token (the Token step).
	SignKey *Key `json:"sign_key,omitempty"`
	// SignPlacement is where the user chose the signing key to live (the
	// Certificates step): a Place* word; empty before a choice.
	SignPlacement string        `json:"sign_placement,omitempty"`
	CSRs          []CSR         `json:"csrs,omitempty"`
	Submission    *Submission   `json:"submission,omitempty"`
	Certificates  []Certificate `json:"certificates,omitempty"`
	// Connect is the information system's connection (connect.go).
	Connect *Connect `json:"connect,omitempty"`
	// Health is the server's last health check (health.go).
	Health *Health `json:"health,omitempty"`
}

// Organisation is who joins. The first four fields name the member and
// its security server; the rest is what the application to the operator
// (заявка на подключение) holds besides: optional for the wizard, needed
// only to print that application.
type Organisation struct {
	MemberClass string `json:"member_class"`
	MemberCode  string `json:"member_code"`
	Name        string `json:"name"`
	ServerCode  string `json:"server_code"`

	// Address is the participant's postal address.
	Address string `json:"address,omitempty"`
	// Head is the head of the organisation, who signs the application.
	Head Person `json:"head,omitzero"`
	// Employees are the authorised employees responsible for the
	// information system and for the connection to Tunduk.
	Employees []Person `json:"employees,omitempty"`
	// System is the information system that joins.
	System InfoSystem `json:"information_system,omitzero"`
}

// Person is someone of the organisation as the application names them.
// Phone and Email are optional (the head's are not asked).
type Person struct {
	Name     string `json:"name"`
	Position string `json:"position"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
}

// Empty says whether nothing about the person is filled in.
func (p Person) Empty() bool {
	return strings.TrimSpace(p.Name+p.Position+p.Phone+p.Email) == ""
}

// InfoSystem is the participant's information system.
type InfoSystem struct {
	Name    string `json:"name"`
	Purpose string `json:"purpose,omitempty"`
}

// Complete says whether every field is filled in.
func (o *Organisation) Complete() bool {
	return o != nil && o.MemberClass != "" && o.MemberCode != "" && o.Name != "" && o.ServerCode != ""
}

// Identity is what makes it another onboarding when it changes: the CSRs,
// the initialisation and the submission name it.
func (o *Organisation) Identity() string {
	if o == nil {
		return ""
	}
	return o.MemberClass + "/" + o.MemberCode + "/" + o.ServerCode
}

// Server is the machine that becomes the security server. The way to log
// in (and any password) is not here: the form keeps it.
type Server struct {
	Local bool   `json:"local"`
	Host  string `json:"host,omitempty"`
	Port  int    `json:"port,omitempty"`
	User  string `json:"user,omitempty"`
}

// Identity is what makes it another server: the readiness result, the
// install and the initialisation belong to one. Another SSH port or login
// is the same machine reached another way.
func (s *Server) Identity() string {
	switch {
	case s == nil:
		return ""
	case s.Local:
		return "local"
	}
	return "host " + strings.ToLower(s.Host)
}

// Readiness is the latest readiness check's result.
type Readiness struct {
	At      time.Time `json:"at"`
	Pass    int       `json:"pass"`
	Warn    int       `json:"warn"`
	Fail    int       `json:"fail"`
	Unknown int       `json:"unknown"`
	// FailsOverridden: the user told the install to go on despite fails.
	FailsOverridden bool `json:"fails_overridden,omitempty"`
	// ReportFile is where the user saved the JSON report, if anywhere.
	ReportFile string `json:"report_file,omitempty"`
	// Kept is the whole report (JSON) kept beside the record, KeptSHA256
	// its hash (the file is checked against it): after a restart the
	// Install step plans from it while it is recent.
	Kept       string `json:"kept,omitempty"`
	KeptSHA256 string `json:"kept_sha256,omitempty"`
}

// Outcome is how a run ended.
type Outcome string

// Outcomes. A run started without an outcome was cut off (the wizard
// closed or crashed while it ran).
const (
	OutcomeOK      Outcome = "ok"
	OutcomeFailed  Outcome = "failed"
	OutcomeStopped Outcome = "stopped" // cancelled by the user
)

// Install is the latest install run.
type Install struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	Outcome  Outcome   `json:"outcome,omitempty"`
	// Reason is the installer's key for why it stopped (installer.err.*).
	Reason string `json:"reason,omitempty"`
	// The journal's position: the last plan step done, n of m.
	LastStepDone string `json:"last_step_done,omitempty"`
	StepsDone    int    `json:"steps_done"`
	StepsTotal   int    `json:"steps_total"`
	// XRoadVersion is the X-Road version a finished install put there:
	// the profile's, which the plan installs (the admin API answered at
	// the end; its version call needs a login the install does not have).
	XRoadVersion string `json:"xroad_version,omitempty"`
	// ProfileClass is what the finished install found of the operator's
	// certificate profile class in the installed X-Road: installer's
	// ClassPresent, ClassAbsent (NIIS's packages: the CA refuses the
	// CSRs, Configure stays closed), ClassUnknown; "" not checked.
	ProfileClass string `json:"profile_class,omitempty"`
}

// ClassAbsent is installer.ClassAbsent as the record keeps it.
const ClassAbsent = "absent"

// ProfileClassAbsent: the install finished, on an X-Road without the
// operator's certificate profile class.
func (in *Install) ProfileClassAbsent() bool {
	return in != nil && in.Outcome == OutcomeOK && in.ProfileClass == ClassAbsent
}

// Init is the server's initialisation (the Configure step).
type Init struct {
	At           time.Time `json:"at,omitzero"` // when it was seen initialised
	Owner        string    `json:"owner,omitempty"`
	ServerCode   string    `json:"server_code,omitempty"`
	TimeStamping bool      `json:"time_stamping,omitempty"`
	// Outcome is the last Initialise run's, or ok when the server was
	// found initialised.
	Outcome Outcome   `json:"outcome,omitempty"`
	Tried   time.Time `json:"tried,omitzero"` // the last Initialise run
}

// Done says whether the server is initialised.
func (i *Init) Done() bool { return i != nil && !i.At.IsZero() }

// Where a key lives (the wizard's words, csr.where.*).
const (
	PlaceSoftToken   = "soft_token"   // the security server's software token
	PlaceServerToken = "server_token" // a hardware token at the security server
	PlaceRutoken     = "rutoken"      // a token at this computer (Rutoken)
)

// Key names a key and where it lives.
type Key struct {
	Place string `json:"place"`
	// TokenSerial is the token's serial, or the server's token id.
	TokenSerial string `json:"token_serial,omitempty"`
	TokenLabel  string `json:"token_label,omitempty"`
	ID          string `json:"id,omitempty"` // CKA_ID in hex, or the server's key id
	Label       string `json:"label,omitempty"`
}

// Usages of a key, a CSR and a certificate.
const (
	UsageAuth = "auth"
	UsageSign = "sign"
)

// CSR is one certificate signing request made.
type CSR struct {
	Usage   string    `json:"usage"`
	Key     Key       `json:"key"`
	File    string    `json:"file,omitempty"` // the DER kept beside the record
	SHA256  string    `json:"sha256"`         // of the DER: the file is checked against it
	Subject string    `json:"subject,omitempty"`
	MadeAt  time.Time `json:"made_at"`
}

// Submission names the application in the enroll store; the store keeps
// the package and its history, the record its latest stage.
type Submission struct {
	ID     string    `json:"id"`
	Via    string    `json:"via,omitempty"`
	SentAt time.Time `json:"sent_at,omitzero"`
	Stage  string    `json:"stage"`
	// Awaiting lists the CSRs (usages) the application still waits for:
	// its first part went without them, and the letter said they follow.
	Awaiting []string `json:"awaiting,omitempty"`
}

// Sent says whether the application went to the operator (any stage from
// sent on; the enroll store's stage names).
func (s *Submission) Sent() bool {
	if s == nil {
		return false
	}
	switch s.Stage {
	case "", "prepared":
		return false
	}
	return true
}

// Certificate is one certificate the CA issued, as imported.
type Certificate struct {
	Usage      string    `json:"usage"`
	Subject    string    `json:"subject,omitempty"`
	Serial     string    `json:"serial,omitempty"`
	Hash       string    `json:"hash,omitempty"` // the admin API's id of it
	NotAfter   time.Time `json:"not_after,omitzero"`
	ImportedAt time.Time `json:"imported_at"`
	// The authentication certificate's way: registration sent, approved
	// by the central server (registered), activated.
	RegistrationSent time.Time `json:"registration_sent,omitzero"`
	RegisteredAt     time.Time `json:"registered_at,omitzero"`
	ActivatedAt      time.Time `json:"activated_at,omitzero"`
}

// LatestCSR is the newest CSR of usage, nil when none was made.
func (r Record) LatestCSR(usage string) *CSR {
	var out *CSR
	for i := range r.CSRs {
		c := &r.CSRs[i]
		if c.Usage == usage && (out == nil || !c.MadeAt.Before(out.MadeAt)) {
			out = c
		}
	}
	return out
}

// AddCSR records c unless a CSR with the same DER is there already (the
// wizard sees the server's CSRs again on each status read). It reports
// whether c was added.
func (r *Record) AddCSR(c CSR) bool {
	for _, x := range r.CSRs {
		if x.SHA256 == c.SHA256 && x.Usage == c.Usage {
			return false
		}
	}
	r.CSRs = append(r.CSRs, c)
	return true
}

// Certificate is the imported certificate of usage (the newest), nil when
// none.
func (r Record) Certificate(usage string) *Certificate {
	var out *Certificate
	for i := range r.Certificates {
		c := &r.Certificates[i]
		if c.Usage == usage && (out == nil || !c.ImportedAt.Before(out.ImportedAt)) {
			out = c
		}
	}
	return out
}

// PutCertificate records c, replacing the one with the same hash (an
// import repeated) and keeping its registration dates.
func (r *Record) PutCertificate(c Certificate) {
	for i := range r.Certificates {
		if x := &r.Certificates[i]; c.Hash != "" && x.Hash == c.Hash {
			c.RegistrationSent, c.RegisteredAt, c.ActivatedAt = x.RegistrationSent, x.RegisteredAt, x.ActivatedAt
			*x = c
			return
		}
	}
	r.Certificates = append(r.Certificates, c)
}

// SetOrganisation records o. Another organisation (class, code or server
// code changed) is another onboarding: what named the old one (the
// initialisation, the CSRs and keys, the submission, the certificates)
// goes. It reports whether anything was forgotten.
func (r *Record) SetOrganisation(o Organisation) (forgot bool) {
	if r.Organisation != nil && r.Organisation.Identity() != o.Identity() {
		forgot = r.Init != nil || r.SignKey != nil || len(r.CSRs) > 0 || r.Submission != nil || len(r.Certificates) > 0 || r.Connect != nil
		r.Init, r.SignKey, r.CSRs, r.Submission, r.Certificates, r.Connect = nil, nil, nil, nil, nil, nil
	}
	r.Organisation = &o
	return forgot
}

// SetServer records s. Another server forgets what belonged to the old
// one: its readiness result, its install, its initialisation and its
// last health check. It reports whether anything was forgotten.
func (r *Record) SetServer(s Server) (forgot bool) {
	if r.Server != nil && r.Server.Identity() != s.Identity() {
		forgot = r.Readiness != nil || r.Install != nil || r.Init != nil || r.Health != nil
		r.Readiness, r.Install, r.Init, r.Health = nil, nil, nil, nil
	}
	r.Server = &s
	return forgot
}
