package enroll

// An application sent in parts: a participant whose security server is
// not ready yet sends what is ready (the signing CSR, made on the token
// at the user's machine) with a letter saying the authentication CSR
// follows, and sends that CSR later as the next part of the same
// application: the same ID, so the CA and the operator see one
// application, and one record in the store with one package per part.

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Continues tells whether in is the rest of prev, an application sent in
// parts: prev awaits CSRs (Awaited), in brings at least one of them, the
// participant is the same in every field, and each other CSR of in is
// one prev's parts hold byte for byte (the wizard passes both CSRs; the
// command line only the new one). next is the new part's content: the
// awaited CSRs of in, with in's readiness report (the server's, now that
// it is ready), announcing what is still awaited after it. A changed CSR
// or participant is a new application, as with Reusable.
func Continues(prev *Record, in Input) (next Input, ok bool) {
	if prev == nil || len(prev.Awaited()) == 0 || prev.Participant != in.Participant {
		return next, false
	}
	awaited := prev.Awaited()
	sent, err := prev.csrSums()
	if err != nil {
		return next, false
	}
	next = Input{Participant: in.Participant, ReportJSON: in.ReportJSON, ReportHTML: in.ReportHTML, Lang: in.Lang}
	for _, c := range in.CSRs {
		switch {
		case slices.Contains(awaited, c.Usage):
			next.CSRs = append(next.CSRs, c)
		case !sent[sha256Hex(c.DER)]:
			return Input{}, false
		}
	}
	if len(next.CSRs) == 0 {
		return Input{}, false
	}
	for _, u := range awaited {
		if !slices.Contains(usages(next.CSRs), u) {
			next.Follows = append(next.Follows, u)
		}
	}
	return next, true
}

// packages opens every package of the record (the whole application's,
// or each part's in order), verified against its manifest.
func (r *Record) packages() ([]*Package, error) {
	if len(r.Parts) == 0 {
		p, err := Open(r.Dir)
		if err != nil {
			return nil, err
		}
		return []*Package{p}, nil
	}
	var out []*Package
	for _, pt := range r.Parts {
		p, err := Open(r.PartDir(pt.N))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// csrSums are the SHA-256 of every CSR (DER) the record's packages hold.
func (r *Record) csrSums() (map[string]bool, error) {
	pkgs, err := r.packages()
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, p := range pkgs {
		for _, f := range p.Manifest.Files {
			if f.Role == RoleCSRDER {
				out[f.SHA256] = true
			}
		}
	}
	return out, nil
}

// AddPart makes the next part of application id from next (Continues'
// answer): its package in the record's folder (PartDir), the record's
// parts and history. The application's stage does not change: it was
// sent with its first part. A key used by a CSR of an earlier part is
// refused, as Build refuses one key for both CSRs.
func (s *Store) AddPart(id string, next Input) (*Package, Record, error) {
	r, err := s.Get(id)
	if err != nil {
		return nil, Record{}, err
	}
	if len(r.Awaited()) == 0 {
		return nil, r, &Error{Key: "enroll.err.nothing_awaited", Data: map[string]any{"ID": id}}
	}
	if len(r.Parts) >= maxParts {
		return nil, r, &Error{Key: "enroll.err.too_many_parts", Data: map[string]any{"ID": id, "Count": maxParts}}
	}
	infos, err := next.validate()
	if err != nil {
		return nil, r, err
	}
	if err := r.sameKey(next.CSRs); err != nil {
		return nil, r, err
	}
	n := r.Parts[len(r.Parts)-1].N + 1
	now := time.Now().UTC().Truncate(time.Second)
	m := Manifest{ID: id, Created: now, Part: n, Follows: next.Follows}
	p, err := write(r.Dir, filepath.Base(r.PartDir(n)), m, next, infos)
	if err != nil {
		return nil, r, err
	}
	r.Parts = append(r.Parts, Part{N: n, CSRs: usages(next.CSRs), Follows: next.Follows})
	r.History = append(r.History, Event{Stage: StagePrepared, At: now, Part: n})
	if err := s.write(r); err != nil {
		os.RemoveAll(p.Dir)
		return nil, Record{}, err
	}
	return p, r, nil
}

// sameKey refuses a CSR whose key a CSR of an earlier part uses.
func (r *Record) sameKey(csrs []CSR) error {
	pkgs, err := r.packages()
	if err != nil {
		return err
	}
	keys := map[string]Usage{}
	for _, p := range pkgs {
		for _, f := range p.Manifest.Files {
			if f.Role != RoleCSRDER {
				continue
			}
			der, err := readPackageFile(p.Dir, f.Name)
			if err != nil {
				return fileError(p.Dir, f.Name, err)
			}
			if req, err := x509.ParseCertificateRequest(der); err == nil {
				keys[string(req.RawSubjectPublicKeyInfo)] = usageOfFile(f.Name)
			}
		}
	}
	for _, c := range csrs {
		req, err := x509.ParseCertificateRequest(c.DER)
		if err != nil {
			continue // validate has refused it already
		}
		if other, ok := keys[string(req.RawSubjectPublicKeyInfo)]; ok {
			return &Error{Key: "enroll.err.csr_same_key", Data: map[string]any{"Usage": string(c.Usage), "Other": string(other)}}
		}
	}
	return nil
}

// usageOfFile is the usage a CSR file is named for (CSRFileName).
func usageOfFile(name string) Usage {
	for _, u := range []Usage{UsageAuth, UsageSign} {
		if name == CSRFileName(u, false) || name == CSRFileName(u, true) {
			return u
		}
	}
	return ""
}

// MarkPartSent records that part n of application id went to the
// operator (via, note); n 0 is its first part not sent yet (or its last).
// The application is sent from its first part on; a part sent after the
// application moved further (the first part's certificate came) is
// recorded without moving the stage back. A part already sent is not
// recorded again.
func (s *Store) MarkPartSent(id string, n int, via Via, note string) (Record, error) {
	r, err := s.Get(id)
	if err != nil {
		return Record{}, err
	}
	if len(r.Parts) == 0 {
		if r.Stage.Rank() > StageSent.Rank() {
			return r, nil
		}
		return s.advance(r, StageSent, via, note)
	}
	i := r.part(n)
	if i < 0 {
		return r, &Error{Key: "enroll.err.part_not_found", Data: map[string]any{"ID": id, "Part": n}}
	}
	pt := &r.Parts[i]
	if !pt.SentAt.IsZero() {
		return r, nil
	}
	now := time.Now().UTC()
	pt.SentAt, pt.Via = now, via
	if r.Stage.Rank() < StageSent.Rank() {
		r.Stage = StageSent
	}
	if via != "" {
		r.Via = via
	}
	r.History = append(r.History, Event{Stage: StageSent, At: now, Via: via, Note: note, Part: pt.N})
	if err := s.write(r); err != nil {
		return Record{}, err
	}
	return r, nil
}
