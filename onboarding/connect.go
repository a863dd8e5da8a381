package onboarding

import "time"

// StepConnect is the wizard's step that connects the information system
// (after Register, before Summary).
const StepConnect = "connect"

// Connect is what the Connect step did and wants: the subsystems with
// their registration status as last read, connection type, services and
// access rights; the first real call's result; the notice to the
// operator. Plain values the wizard writes from the connect flow's
// results: no secrets, no certificates (only where a file was).
type Connect struct {
	Subsystems []ConnectSubsystem `json:"subsystems,omitempty"`
	FirstCall  *FirstCall         `json:"first_call,omitempty"`
	// NoticeID and NoticeSent: the latest notice to the operator (the
	// enroll store's package ID, and when it went: delivered by SMTP or
	// the upload, or marked sent by the user once the letter left their
	// mail program or the folder was handed over). NoticeVia is how it
	// goes (enroll.Via); NoticeWritten when it was written as a letter
	// or a folder, or queued for the upload, without having gone yet.
	NoticeID      string    `json:"notice_id,omitempty"`
	NoticeSent    time.Time `json:"notice_sent,omitzero"`
	NoticeVia     string    `json:"notice_via,omitempty"`
	NoticeWritten time.Time `json:"notice_written,omitzero"`
	// CatalogueFile is where the Catalogue export was written last.
	CatalogueFile string `json:"catalogue_file,omitempty"`
}

// ConnectSubsystem is one subsystem of the organisation's member.
type ConnectSubsystem struct {
	Code       string `json:"code"`
	Name       string `json:"name,omitempty"`
	Connection string `json:"connection_type,omitempty"` // HTTP, HTTPS, HTTPS_NO_AUTH
	// Status is the server's registration status as last read
	// (SAVED, REGISTRATION_IN_PROGRESS, REGISTERED...), "" before.
	Status     string           `json:"status,omitempty"`
	StatusAt   time.Time        `json:"status_at,omitzero"`
	TLSFiles   []string         `json:"tls_files,omitempty"` // the IS certificates chosen
	Services   []ConnectService `json:"services,omitempty"`
	Registered time.Time        `json:"registered_at,omitzero"` // first seen REGISTERED
	// CallCertFile and CallKeyFile: the information system's certificate
	// and key files for the first call over HTTPS with client
	// authentication. Paths only: the key is read when the call is made
	// and never kept.
	CallCertFile string `json:"call_cert_file,omitempty"`
	CallKeyFile  string `json:"call_key_file,omitempty"`
}

// ConnectService is one service description wanted: REST (URL and
// code), OpenAPI 3 (URL or File, and code) or WSDL (URL); Access its
// subjects (CLASS:CODE:SUBSYSTEM or group:CODE).
type ConnectService struct {
	Type   string   `json:"type"`
	URL    string   `json:"url,omitempty"`
	File   string   `json:"file,omitempty"`
	Code   string   `json:"code,omitempty"`
	Access []string `json:"access,omitempty"`
}

// FirstCall is the last first-call test: OK, or the key of its
// explanation (call.err.*), and how many services the answer listed.
type FirstCall struct {
	At       time.Time `json:"at"`
	Client   string    `json:"client"`
	OK       bool      `json:"ok"`
	Reason   string    `json:"reason,omitempty"`
	Services int       `json:"services,omitempty"`
	URL      string    `json:"url,omitempty"` // the client side called, as the server sees it
}

// Registered says whether every subsystem is registered (and there is one).
func (c *Connect) Registered() bool {
	if c == nil || len(c.Subsystems) == 0 {
		return false
	}
	for _, s := range c.Subsystems {
		if s.Status != "REGISTERED" {
			return false
		}
	}
	return true
}

// NoticePending: the latest notice was written or queued and has not
// gone to the operator yet (as far as this record knows).
func (c *Connect) NoticePending() bool {
	return c != nil && c.NoticeID != "" && c.NoticeSent.IsZero() && !c.NoticeWritten.IsZero()
}

// connectState: done when every subsystem is registered and a first call
// went through; begun otherwise.
func (r Record) connectState() State {
	c := r.Connect
	switch {
	case c == nil || len(c.Subsystems) == 0:
		return NotStarted
	case c.Registered() && c.FirstCall != nil && c.FirstCall.OK:
		return Done
	case c.FirstCall != nil && !c.FirstCall.OK && c.Registered():
		return Failed
	}
	return Attention
}
