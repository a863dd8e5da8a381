package enroll

// One delivery of an application, for the wizard and the command line
// alike: the package built or reused by one rule, sent (or written, or
// queued) the chosen way, and every change of the record's stage made
// here, its errors returned.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
)

// Request is one delivery: what goes (an application's content, or the
// application the user continues), which way, and what that way needs.
type Request struct {
	Via Via
	// Input is the application's content. Nil: Prev's package goes as it
	// is (the command line's --id).
	Input *Input
	// Prev is the application the user continues: the wizard's latest of
	// the organisation and server on its pages, the command line's --id
	// or --follows; nil for none. Only Prev is ever reused (see Reusable)
	// or continued (see Continues), so passing it is the user's asking to
	// send that application (again, or its rest): Deliver never picks a
	// record from the store by itself.
	Prev *Record
	// Continue: Input must be the rest of Prev, an application sent in
	// parts (the command line's --follows); when it is not, nothing is
	// made. False: Input continues Prev when it can, else it is a new
	// application (the wizard).
	Continue bool

	// Mail (ViaEmail): the draft's sender (optional) and recipients.
	Mail Mail
	// SMTP (ViaSMTP): the user's server, login, sender and recipients.
	// Its Password is a secret: it goes to the server and, when asked, to
	// the OS keyring, nowhere else.
	SMTP SMTP
	// RememberPassword (ViaSMTP): once the server took the message, keep
	// SMTP.Password in the OS keyring under SMTPAccount.
	RememberPassword bool
	// Folder (ViaFolder): the folder or USB stick the package is copied to.
	Folder string
	// FolderIsSent (ViaFolder): the copy is the hand-over and is recorded
	// as sent at once (the command line: the user named the stick they
	// hand over). False: the user says when it went, with Store.MarkSent
	// (the wizard asks, as for an e-mail draft).
	FolderIsSent bool
	// URL (ViaHTTPS): the operator's intake; Client: nil for a client with
	// a one-minute timeout; Outbox: nil for the store's.
	URL    string
	Client *http.Client
	Outbox *Outbox
	// Prepared, when set, is called once the package is built or chosen,
	// before anything is sent (the wizard shows "sending").
	Prepared func(p *Package, built bool)
}

// Outcome is what a delivery did. It is filled as far as the delivery
// got, with or without an error: Package is set once there is one.
type Outcome struct {
	Package *Package
	Record  Record // as it stands after the delivery
	Built   bool   // a new package was made (false: Prev's was reused)
	// Continued: the package is a new part of Prev (Package.Manifest.Part).
	Continued bool
	// Where: the .eml written (ViaEmail), the copy (ViaFolder).
	Where string
	// Sent: the package went to the operator (SMTP, HTTPS, a folder that
	// is the hand-over). The stage is recorded after; an error then is
	// returned with Sent still true.
	Sent bool
	// Queued (ViaHTTPS): not delivered yet, kept in the outbox for a retry.
	Queued         bool
	IdempotencyKey string // ViaHTTPS
	AlreadyThere   bool   // ViaHTTPS: the intake had this package already
	// Remembered (ViaSMTP): the password was saved in the OS keyring;
	// KeyringErr: it was not (the mail went all the same).
	Remembered bool
	KeyringErr error
}

// Deliver builds the package of req.Input, or reuses req.Prev's (the one
// rule: Reusable), and delivers it req.Via:
//   - ViaEmail writes the letter as an .eml for the user's mail client;
//     it is sent when the user says so (Store.MarkSent);
//   - ViaFolder copies the package to req.Folder (sent at once only with
//     FolderIsSent);
//   - ViaSMTP sends it through the user's server, then remembers the
//     password when asked;
//   - ViaHTTPS queues it in the outbox (on disk before any network use)
//     and flushes the outbox: what is not delivered stays for a retry.
//
// What went is recorded as sent (Store.MarkSent, FlushOutbox); an error
// writing the record is returned, never dropped. The request is checked
// before anything is built: bad input leaves nothing in the store.
func Deliver(ctx context.Context, store *Store, req Request) (Outcome, error) {
	var out Outcome
	if err := req.check(); err != nil {
		return out, err
	}
	p, rec, built, err := prepare(store, req.Prev, req.Input, req.Continue)
	if err != nil {
		return out, err
	}
	out.Package, out.Record, out.Built = p, rec, built
	out.Continued = built && p.Manifest.Part > 1
	if req.Prepared != nil {
		req.Prepared(p, built)
	}
	note := ""
	switch req.Via {
	case ViaEmail:
		out.Where, err = WriteEML(p, req.Mail)
		return out, err
	case ViaFolder:
		if out.Where, err = SaveToFolder(p, strings.TrimSpace(req.Folder)); err != nil || !req.FolderIsSent {
			return out, err
		}
		note = out.Where
	case ViaSMTP:
		if err := SendSMTP(ctx, p, req.SMTP); err != nil {
			return out, err
		}
		s := req.SMTP
		if req.RememberPassword && strings.TrimSpace(s.Username) != "" && s.Password != "" {
			out.KeyringErr = SaveSMTPPassword(s.Username, s.Host, s.Password)
			out.Remembered = out.KeyringErr == nil
		}
		note = strings.TrimSpace(s.Host)
	case ViaHTTPS:
		return deliverHTTPS(ctx, store, req, out)
	}
	out.Sent = true
	r, err := store.MarkPartSent(p.Manifest.ID, p.Manifest.Part, req.Via, note)
	if err != nil {
		return out, err
	}
	out.Record = r
	return out, nil
}

// check refuses a request that could not be delivered, before anything
// is built.
func (req *Request) check() error {
	if req.Input == nil && req.Prev == nil {
		return &Error{Key: "enroll.err.no_application"}
	}
	if req.Continue && (req.Prev == nil || req.Input == nil) {
		return &Error{Key: "enroll.err.no_application"}
	}
	switch req.Via {
	case ViaEmail:
		if len(req.Mail.To) == 0 {
			return &Error{Key: "enroll.err.no_recipient"}
		}
	case ViaSMTP:
		if strings.TrimSpace(req.SMTP.Host) == "" {
			return &Error{Key: "enroll.err.smtp_host"}
		}
		if len(req.SMTP.To) == 0 {
			return &Error{Key: "enroll.err.no_recipient"}
		}
	case ViaFolder:
		if strings.TrimSpace(req.Folder) == "" {
			return &Error{Key: "enroll.err.no_folder"}
		}
	case ViaHTTPS:
		return CheckURL(req.URL)
	default:
		return &Error{Key: "enroll.err.via_unknown", Data: map[string]any{"Via": string(req.Via)}}
	}
	return nil
}

// prepare is the package to deliver: prev's as it is when there is no
// input (its part not sent yet, else its last), prev's when Reusable for
// in, the next part of prev when in Continues it, else a new one in the
// store (refused when cont asks for a part of prev).
func prepare(store *Store, prev *Record, in *Input, cont bool) (*Package, Record, bool, error) {
	if in == nil {
		p, err := Open(prev.PartDir(prev.ResendPart()))
		return p, *prev, false, err
	}
	if p, ok := Reusable(prev, *in); ok {
		return p, *prev, false, nil
	}
	if next, ok := Continues(prev, *in); ok {
		p, rec, err := store.AddPart(prev.ID, next)
		return p, rec, err == nil, err
	}
	if cont {
		return nil, Record{}, false, notContinued(prev)
	}
	p, rec, err := store.Create(*in)
	return p, rec, err == nil, err
}

// notContinued says why an input is not the rest of prev.
func notContinued(prev *Record) error {
	if len(prev.Awaited()) == 0 {
		return &Error{Key: "enroll.err.nothing_awaited", Data: map[string]any{"ID": prev.ID}}
	}
	return &Error{Key: "enroll.err.not_the_rest", Data: map[string]any{"ID": prev.ID, "Awaited": usageList(prev.Awaited())}}
}

// usageList is "auth" or "auth, sign", for messages.
func usageList(us []Usage) string {
	var s []string
	for _, u := range us {
		s = append(s, string(u))
	}
	return strings.Join(s, ", ")
}

// Reusable is the one rule for reusing a package: prev's is reused when
// it was made for the same participant (every field, the server's
// address too) and, verified against its manifest, holds every CSR of in
// byte for byte. A retry, or the same application sent another way, is
// then not a new application; a changed CSR or participant, or a package
// that no longer verifies, makes a new one. prev's stage does not matter:
// it is passed only for the application the user continues. Of an
// application sent in parts, whose parts hold in's CSRs between them,
// the last part holding one of them is reused.
func Reusable(prev *Record, in Input) (*Package, bool) {
	if prev == nil || prev.Participant != in.Participant {
		return nil, false
	}
	pkgs, err := prev.packages()
	if err != nil {
		return nil, false
	}
	var best *Package
	for _, c := range in.CSRs {
		sum := sha256.Sum256(c.DER)
		found := false
		for _, p := range pkgs {
			for _, f := range p.Manifest.Files {
				if f.SHA256 == hex.EncodeToString(sum[:]) {
					found = true
					if best == nil || p.Manifest.Part > best.Manifest.Part {
						best = p
					}
				}
			}
		}
		if !found {
			return nil, false
		}
	}
	return best, best != nil
}

// deliverHTTPS queues out.Package and flushes the outbox.
func deliverHTTPS(ctx context.Context, store *Store, req Request, out Outcome) (Outcome, error) {
	ob := req.Outbox
	if ob == nil {
		var err error
		if ob, err = store.Outbox(); err != nil {
			return out, err
		}
	}
	key, err := ob.Enqueue(out.Package, req.URL)
	if err != nil {
		return out, err
	}
	out.IdempotencyKey = key
	results, err := store.FlushOutbox(ctx, ob, req.Client)
	for _, r := range results {
		if r.IdempotencyKey != key {
			continue
		}
		if r.Delivered {
			out.Sent, out.AlreadyThere = true, r.AlreadyThere
			if rec, gerr := store.Get(r.ID); gerr == nil {
				out.Record = rec
			}
			return out, err // a stage not recorded, here or for another package
		}
		out.Queued = !r.Permanent
		return out, joinErrs(r.Err, err)
	}
	// Not tried: the Flush was stopped before it (err says why), or
	// another run took the outbox meanwhile.
	out.Queued = true
	if err == nil {
		err = &Error{Key: "enroll.err.outbox_busy"}
	}
	return out, err
}

// FlushOutbox sends what waits in the store's outbox (ob; nil for the
// store's) and records every package delivered as sent, noting its
// Idempotency-Key. Errors recording a stage come first in the error
// returned, joined with the Flush's own; hc as for Outbox.Flush.
func (s *Store) FlushOutbox(ctx context.Context, ob *Outbox, hc *http.Client) ([]Result, error) {
	if ob == nil {
		var err error
		if ob, err = s.Outbox(); err != nil {
			return nil, err
		}
	}
	results, err := ob.Flush(ctx, hc)
	var errs []error
	for _, r := range results {
		if r.Delivered {
			if _, e := s.MarkPartSent(r.ID, r.Part, ViaHTTPS, "Idempotency-Key "+r.IdempotencyKey); e != nil {
				errs = append(errs, e)
			}
		}
	}
	return results, joinErrs(append(errs, err)...)
}

// joinErrs is errors.Join that returns a lone error as it is.
func joinErrs(errs ...error) error {
	var nz []error
	for _, e := range errs {
		if e != nil {
			nz = append(nz, e)
		}
	}
	switch len(nz) {
	case 0:
		return nil
	case 1:
		return nz[0]
	}
	return errors.Join(nz...)
}

// MarkSent records that application id went to the operator (via,
// note): the user sent the draft or handed the folder over, or a
// delivery went. A record already past "sent" (the certificates came,
// and the package went once more another way) stays where it is, and
// that is no error; any failure to read or write the record is returned.
// Of an application sent in parts, it is the part not sent yet
// (MarkPartSent with part 0).
func (s *Store) MarkSent(id string, via Via, note string) (Record, error) {
	return s.MarkPartSent(id, 0, via, note)
}

// SameServer: a and b are the same organisation's same security server
// (member class, member code, server code), whatever else changed.
func (a Participant) SameServer(b Participant) bool {
	return a.MemberClass == b.MemberClass && a.MemberCode == b.MemberCode && a.ServerCode == b.ServerCode
}

// LatestOf is the newest application of p's organisation and security
// server (SameServer); nil when there is none. Notices to the operator
// are not applications and are passed over.
func (s *Store) LatestOf(p Participant) (*Record, error) {
	recs, err := s.List()
	if err != nil {
		return nil, err
	}
	for i := range recs {
		if recs[i].Participant.SameServer(p) && recs[i].Kind != KindNotice {
			return &recs[i], nil
		}
	}
	return nil, nil
}
