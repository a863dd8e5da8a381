package app

// The Register step's work: the certificates the CA issued are imported
// (each must belong to a CSR of this server), the authentication
// certificate is registered with the central server, the wait for the
// operator's approval (minutes to days: it can be left and resumed, the
// certificate's hash and the time it was sent are kept in preferences),
// and activation. Fields are touched on the UI goroutine only.

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// Preference keys of the Register step (no secrets among them).
const (
	prefRegAuthCert = "register_auth_cert"
	prefRegSignCert = "register_sign_cert"
	prefRegAuthHash = "register_auth_hash"
	prefRegSentAt   = "register_sent_at"
	prefRegActive   = "register_active"
)

type registerStep struct {
	sessionRunner
	v *registerWidgets

	authPath, signPath string
	imported           []configure.Imported // this run's imports
	authHash           string               // the authentication certificate's hash, once imported
	sentAt             time.Time            // registration request sent
	approved, active   bool
	lastPoll           time.Time
	lastStatus         string
	outcome            func() fyne.CanvasObject
	bk                 backupRow // the backup before an import, a registration or an activation

	pollEvery time.Duration // how often the approval is asked for

	// onStage, when set, is told each stage the submission reaches:
	// "certificates_received", "imported", "registered" (approved by the
	// central server), "active". Called on the UI goroutine.
	onStage func(stage string)
}

func newRegisterStep(wz *wizard) *registerStep {
	p := wz.prefs
	rs := &registerStep{sessionRunner: sessionRunner{wz: wz, api: adminAPI(), uiDo: fyne.Do}, pollEvery: 30 * time.Second}
	rs.authPath, rs.signPath = p.String(prefRegAuthCert), p.String(prefRegSignCert)
	rs.authHash = p.String(prefRegAuthHash)
	if t, err := time.Parse(time.RFC3339, p.String(prefRegSentAt)); err == nil {
		rs.sentAt = t
	}
	rs.active = rs.authHash != "" && p.String(prefRegActive) == rs.authHash
	rs.approved = rs.active
	return rs
}

func (rs *registerStep) save() {
	p := rs.wz.prefs
	p.SetString(prefRegAuthCert, rs.authPath)
	p.SetString(prefRegSignCert, rs.signPath)
	p.SetString(prefRegAuthHash, rs.authHash)
	sent := ""
	if !rs.sentAt.IsZero() {
		sent = rs.sentAt.UTC().Format(time.RFC3339)
	}
	p.SetString(prefRegSentAt, sent)
	active := ""
	if rs.active {
		active = rs.authHash
	}
	p.SetString(prefRegActive, active)
}

func (rs *registerStep) stage(s string) {
	log.WithField("stage", s).Info("submission stage")
	if rs.onStage != nil {
		rs.onStage(s)
	}
}

// address is where the central server reaches this security server: its
// public address, "" when it has none (Server.PublicAddress).
func (rs *registerStep) address() string { return rs.wz.state.Server.PublicAddress() }

// certFile is one issued certificate, read from the user's file.
type certFile struct {
	path string
	der  []byte
	cert *x509.Certificate
}

// readCert reads a certificate in PEM or DER; its error is a *fileError.
func readCert(path string) (certFile, error) {
	data, err := readcap.ReadFile(path, readcap.Certificate)
	if err != nil {
		return certFile{}, &fileError{path: path, key: "register.err.unreadable", err: err}
	}
	der := data
	if b, _ := pem.Decode(data); b != nil {
		if b.Type != "CERTIFICATE" {
			return certFile{}, &fileError{path: path, key: "register.err.not_cert", err: fmt.Errorf("%s: a PEM %q block, not a CERTIFICATE", path, b.Type)}
		}
		der = b.Bytes
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return certFile{}, &fileError{path: path, key: "register.err.not_cert", err: fmt.Errorf("%s: %w", path, err)}
	}
	return certFile{path: path, der: der, cert: c}, nil
}

// certFiles reads the chosen files; an error names the file.
func (rs *registerStep) certFiles() ([]certFile, error) {
	var out []certFile
	for _, p := range []string{rs.authPath, rs.signPath} {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		c, err := readCert(p)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// fileError is a certificate file that cannot be read or parsed, or none
// chosen: key says which (register.err.*), err is the cause for the log.
type fileError struct {
	path, key string
	err       error
}

func (e *fileError) Error() string { return e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// text is the problem in the user's words: the file's name and why.
func (e *fileError) text() string {
	return T(e.key, map[string]any{"File": i18n.Line(filepath.Base(e.path), 200), "Reason": i18n.FileReason(CurrentLanguage(), e.err)})
}

// matchCSR reports whether cert's public key is that of one of csrs.
func matchCSR(cert *x509.Certificate, csrs [][]byte) bool {
	for _, der := range csrs {
		if req, err := x509.ParseCertificateRequest(der); err == nil && bytes.Equal(req.RawSubjectPublicKeyInfo, cert.RawSubjectPublicKeyInfo) {
			return true
		}
	}
	return false
}

// importCerts imports every chosen certificate, or none: each is matched
// to a CSR of this run, of the latest application or of the server before
// the first is sent.
func (rs *registerStep) importCerts() {
	if rs.busy != "" {
		return
	}
	files, err := rs.certFiles()
	rs.outcome = nil
	if err == nil && len(files) == 0 {
		err = &fileError{key: "register.err.no_file", err: errors.New("no certificate file chosen")}
	}
	if err != nil {
		log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("certificate file refused")
		detail := func() string { return i18n.Line(err.Error(), 600) }
		var fe *fileError
		if errors.As(err, &fe) {
			detail = fe.text
		}
		rs.outcome = func() fyne.CanvasObject {
			return messageCard(T("register.err.file"), T("register.err.file.todo"), detail())
		}
		rs.refresh()
		return
	}
	rs.stage("certificates_received")
	// This run's CSRs, and those sent in the latest application (a
	// restart forgets the first, the store keeps the second).
	csrs := rs.wz.submittedCSRs()
	auth, sign := rs.wz.csrs.get()
	for _, c := range []*madeCSR{auth, sign} {
		if c != nil {
			csrs = append(csrs, c.DER)
		}
	}
	var got []configure.Imported
	rs.bk.note = backupNote{}
	rs.start("import", func(ctx context.Context, s *serverSession, in sessionInput) error {
		// The server's own CSRs count too: the Configure step may have run
		// in an earlier session of the wizard.
		if st, err := s.Status(ctx, in.p); err == nil {
			for _, k := range []*configure.KeyState{st.Auth, st.Sign} {
				if k != nil && len(k.CSR) > 0 {
					csrs = append(csrs, k.CSR)
				}
			}
		}
		for _, f := range files {
			if !matchCSR(f.cert, csrs) {
				return &configure.Error{Key: configureErrKey("cert_no_csr"), Data: map[string]any{"Subject": f.cert.Subject.String(), "Serial": f.cert.SerialNumber.String()}}
			}
		}
		if err := rs.wz.backupFirst(ctx, s.API(), rs.uiDo, &rs.bk, rs.refresh); err != nil {
			return err
		}
		for _, f := range files {
			im, err := s.Import(ctx, f.der, csrs)
			if err != nil {
				return err
			}
			got = append(got, im)
		}
		return nil
	}, func(err error) {
		if err != nil {
			rs.outcome = func() fyne.CanvasObject { return rs.wz.errorCard(err) }
			return
		}
		rs.imported = got
		rs.wz.rec.certsImported(got)
		for _, im := range got {
			if isAuthUsage(im.Usage) {
				if im.Hash != rs.authHash {
					rs.sentAt, rs.approved, rs.active = time.Time{}, false, false
				}
				rs.authHash = im.Hash
			}
		}
		rs.save()
		rs.stage("imported")
	}, rs.refresh)
}

// isAuthUsage: the usage names the authentication key, in either of the
// API's spellings.
func isAuthUsage(u string) bool {
	u = strings.ToLower(u)
	return u == "auth" || u == strings.ToLower(xroad.UsageAuthentication)
}

// register sends the registration request, then waits and activates.
func (rs *registerStep) register() {
	if rs.authHash == "" || rs.busy != "" || rs.address() == "" {
		return
	}
	rs.run(true)
}

// resume waits for the approval (and activates) without a new request.
func (rs *registerStep) resume() {
	if rs.authHash == "" || rs.sentAt.IsZero() || rs.busy != "" {
		return
	}
	rs.run(false)
}

// run: [register,] wait until approved, activate. The wait shows each poll.
func (rs *registerStep) run(send bool) {
	hash, addr, every := rs.authHash, rs.address(), rs.pollEvery
	approved := rs.approved
	rs.outcome, rs.bk.note = nil, backupNote{}
	// One backup a run, before its first change: the request, or (when
	// resumed) the activation after the wait.
	backupFirst := func(ctx context.Context, s *serverSession) error {
		return rs.wz.backupFirst(ctx, s.API(), rs.uiDo, &rs.bk, rs.refresh)
	}
	rs.start("register", func(ctx context.Context, s *serverSession, in sessionInput) error {
		if send {
			if err := backupFirst(ctx, s); err != nil {
				return err
			}
			if err := s.Register(ctx, hash, addr); err != nil {
				return err
			}
			rs.uiDo(func() { rs.sentAt = time.Now(); rs.save(); rs.wz.rec.registration(hash, regSent); rs.refresh() })
		}
		if !approved {
			seen := func(c xroad.TokenCertificate) {
				rs.uiDo(func() { rs.lastPoll, rs.lastStatus = time.Now(), c.Status; rs.refresh() })
			}
			if err := s.WaitRegistered(ctx, hash, every, seen); err != nil {
				return err
			}
			rs.uiDo(func() {
				rs.approved = true
				rs.wz.rec.registration(hash, regApproved)
				rs.stage("registered")
				rs.refresh()
			})
		}
		if !send {
			if err := backupFirst(ctx, s); err != nil {
				return err
			}
		}
		return s.Activate(ctx, hash)
	}, func(err error) {
		if err != nil {
			rs.outcome = func() fyne.CanvasObject { return rs.wz.errorCard(err) }
			return
		}
		rs.active = true
		rs.save()
		rs.wz.rec.registration(hash, regActive)
		rs.stage("active")
		rs.outcome = func() fyne.CanvasObject { return successCard(T("register.ok"), T("register.ok.next")) }
	}, rs.refresh)
}

// leave: the wait stops with the page (its API key is revoked); Resume
// picks it up later.
func (rs *registerStep) leave() {
	rs.cancel()
	rs.v = nil
}
