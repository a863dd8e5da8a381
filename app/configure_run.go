package app

// The Configure step's state and work: the form (PINs and passwords in
// memory only), the anchor preview, the server's status and the
// Initialise run (Initialize, then MakeCSRs). Every field is touched on
// the UI goroutine only; the work runs through sessionRunner.

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// Preference keys of the Configure form; PINs and passwords have none.
const (
	prefCfgAnchor     = "configure_anchor_path"
	prefCfgAnchorHash = "configure_anchor_sha224"
	prefCfgAdminUser  = "configure_admin_user"
	prefCfgHWToken    = "configure_hw_token_id"
	// prefCfgSignOnServer is an earlier wizard's tick "the signing key is
	// on a token at the server": read once, as the place's default
	// (sign_placement.go); the place is chosen on Certificates now.
	prefCfgSignOnServer = "configure_sign_on_server"
)

type configureForm struct {
	AnchorPath, AdminUser, HWTokenID string
	AnchorHash                       string // the SHA-224 the operator published, as typed

	AdminPassword, PIN, PIN2, HWPIN string // memory only
	SudoPassword                    string // memory only; Register's too
}

type configureStep struct {
	sessionRunner
	form configureForm
	v    *configureWidgets

	// The anchor file as read, what it says locally, what the server says.
	anchor       []byte
	anchorInfo   *configure.AnchorInfo
	anchorKey    string // why the file is refused (translation key), "" when it is not
	anchorData   map[string]any
	anchorErr    error // the read error of an unreadable file, told when shown
	serverAnchor *configure.AnchorInfo
	serverErr    error // the server's refusal of the anchor

	status   *configure.Status
	statusAt time.Time
	notice   func() fyne.CanvasObject // the last error of a status or preview

	xroad presence // whether X-Road is on the server (configure_probe.go)

	rows      progressRows // the parts of the Initialise run (configure.Progress IDs)
	bk        backupRow    // the backup before the Initialise run
	resumable bool
	outcome   func() fyne.CanvasObject
	auth      *tokens.CSR // made (or found) by the last run
	sign      *tokens.CSR
}

func newConfigureStep(wz *wizard) *configureStep {
	p := wz.prefs
	cs := &configureStep{sessionRunner: sessionRunner{wz: wz, api: adminAPI(), uiDo: fyne.Do}}
	cs.form = configureForm{AnchorPath: p.String(prefCfgAnchor), AnchorHash: p.String(prefCfgAnchorHash), AdminUser: p.String(prefCfgAdminUser),
		HWTokenID: p.String(prefCfgHWToken)}
	if cs.form.AdminUser == "" {
		cs.form.AdminUser = p.String(prefAdminUser)
	}
	if cs.form.AdminUser == "" {
		cs.form.AdminUser = "xrdadmin"
	}
	if cs.form.AnchorPath != "" {
		cs.loadAnchor()
	}
	return cs
}

func (cs *configureStep) saveForm() {
	p, f := cs.wz.prefs, cs.form
	p.SetString(prefCfgAnchor, f.AnchorPath)
	p.SetString(prefCfgAnchorHash, f.AnchorHash)
	p.SetString(prefCfgAdminUser, f.AdminUser)
	p.SetString(prefCfgHWToken, f.HWTokenID)
}

// pinMin is the profile's software token PIN policy.
func (cs *configureStep) pinMin() int {
	if n := cs.wz.profile.Identifiers.SoftwareTokenPINMin; n > 0 {
		return n
	}
	return 15
}

// tokenInitialised: the last status says the software token has its PIN
// already (then it is typed once, to log in).
func (cs *configureStep) tokenInitialised() bool {
	return cs.status != nil && cs.status.Init.SoftwareTokenInitStatus == xroad.TokenInitialized
}

// loggedIn: the last status says token id is logged in (then its PIN is
// not needed).
func (cs *configureStep) loggedIn(id string) bool {
	return cs.status != nil && cs.status.LoggedIn(id)
}

// hardwareTokenIDs are the IDs of the server's tokens other than the
// software token, from the last status.
func (cs *configureStep) hardwareTokenIDs() []string {
	var ids []string
	if cs.status != nil {
		for _, t := range cs.status.Tokens {
			if t.ID != xroad.SoftwareTokenID {
				ids = append(ids, t.ID)
			}
		}
	}
	return ids
}

// takeOnlyHWToken fills an empty hardware token ID with the server's only
// hardware token: its ID is X-Road's (hex from the PKCS#11 module, slot,
// serial and label), one to read, never to guess.
func (cs *configureStep) takeOnlyHWToken() {
	if strings.TrimSpace(cs.form.HWTokenID) != "" || cs.status == nil {
		return
	}
	tok, err := cs.status.HardwareToken("")
	if err != nil {
		return
	}
	cs.form.HWTokenID = tok.ID
	cs.saveForm()
	if cs.v != nil {
		cs.v.hwToken.Text = tok.ID // not SetText: its OnChanged refreshes, and the caller refreshes next
		cs.v.hwToken.Refresh()
	}
}

func (cs *configureStep) anchorImported() bool {
	return cs.status != nil && cs.status.Init.AnchorImported
}

// formProblem is the translated reason Initialise is disabled, or "".
func (cs *configureStep) formProblem() string {
	f := cs.form
	hw, _ := cs.wz.signOnServer()
	if cs.wz.install.missingClass() != nil {
		return T("install.profile_class_absent")
	}
	if _, _, ok := cs.wz.adminCredentials(); !ok {
		if u := strings.TrimSpace(f.AdminUser); !installer.ValidUserName(u) {
			return i18n.T(CurrentLanguage(), "installer.opt.admin_user.invalid", map[string]any{"User": i18n.Line(u, 100)})
		}
		return T("configure.form.admin_password")
	}
	if len(cs.wz.state.Org.Problems(cs.wz.profile)) > 0 {
		return T("configure.form.org")
	}
	switch {
	case cs.anchorKey != "":
		return cs.anchorProblem()
	case cs.anchor == nil && !cs.anchorImported():
		return T("configure.form.anchor_missing")
	case cs.serverErr != nil:
		return T("configure.form.anchor_server")
	case len([]rune(f.PIN)) < cs.pinMin() && !(f.PIN == "" && cs.loggedIn(xroad.SoftwareTokenID)):
		return T("configure.form.pin_short", map[string]any{"Min": cs.pinMin()})
	case !cs.tokenInitialised() && f.PIN != f.PIN2:
		return T("configure.form.pin_differ")
	case hw && strings.TrimSpace(f.HWTokenID) == "":
		return T("configure.form.hw_token")
	case hw && f.HWPIN == "" && !cs.loggedIn(strings.TrimSpace(f.HWTokenID)):
		return T("configure.form.hw_pin")
	}
	return ""
}

// anchorParams are the session's parameters with the published anchor
// hashes: the profile's and the one typed.
func (cs *configureStep) anchorParams(p configure.Params) configure.Params {
	p.AnchorSHA224, p.AnchorSHA224Given = cs.wz.profile.Anchor.SHA224, strings.TrimSpace(cs.form.AnchorHash)
	return p
}

// anchorHashChecked: a published hash was there to compare the file with.
func (cs *configureStep) anchorHashChecked() bool {
	p := cs.anchorParams(configure.Params{})
	return p.AnchorSHA224 != "" || p.AnchorSHA224Given != ""
}

// setAnchorHash takes a typed hash and checks the file against it.
func (cs *configureStep) setAnchorHash(h string) {
	cs.form.AnchorHash = h
	cs.saveForm()
	cs.loadAnchor()
	cs.refresh()
}

// setAnchorPath reads a new anchor file and forgets the server's verdict
// on the last one.
func (cs *configureStep) setAnchorPath(path string) {
	cs.form.AnchorPath = path
	cs.saveForm()
	cs.loadAnchor()
	cs.refresh()
}

// loadAnchor reads the anchor file and checks its instance locally: a
// wrong one is refused here, before anything goes to the server.
func (cs *configureStep) loadAnchor() {
	cs.anchor, cs.anchorInfo, cs.anchorKey, cs.anchorData, cs.anchorErr, cs.serverAnchor, cs.serverErr = nil, nil, "", nil, nil, nil, nil
	path := strings.TrimSpace(cs.form.AnchorPath)
	if path == "" {
		return
	}
	data, err := readcap.ReadFile(path, readcap.Anchor)
	if err != nil {
		log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("anchor file not read")
		cs.anchorKey, cs.anchorErr = "configure.anchor_unreadable", err
		return
	}
	info, err := configure.ReadAnchor(data)
	if err != nil {
		log.WithError(err).Warn("not a configuration anchor")
		cs.anchorKey = "configure.anchor_invalid"
		return
	}
	cs.anchorInfo = &info
	if want := cs.wz.profile.XRoad.Instance; info.Instance != want {
		cs.anchorKey, cs.anchorData = "configure.anchor_wrong_instance", map[string]any{"Got": i18n.Line(info.Instance, 60), "Want": want}
		return
	}
	// Not the hash the operator published: refused here, before the
	// server sees it.
	var ce *configure.Error
	if err := configure.CheckAnchorHash(cs.anchorParams(configure.Params{}), info); errors.As(err, &ce) {
		if ce.Key == configureErrKey("anchor_hash_bad") {
			cs.anchorKey = "configure.anchor_hash_bad"
		} else {
			cs.anchorKey, cs.anchorData = "configure.anchor_hash_mismatch", map[string]any{"Got": ce.Data["Got"], "Want": ce.Data["Want"]}
		}
		return
	}
	cs.anchor = data
}

// anchorProblem is the translated refusal of the anchor file, or "".
func (cs *configureStep) anchorProblem() string {
	if cs.anchorKey == "" {
		return ""
	}
	if cs.anchorErr != nil {
		// Told in the language of the moment, not of the reading.
		return fileText(cs.anchorKey, cs.anchorErr)
	}
	return T(cs.anchorKey, cs.anchorData)
}

// previewOnServer asks the server what it makes of the anchor.
func (cs *configureStep) previewOnServer() {
	data := cs.anchor
	if data == nil {
		return
	}
	var got configure.AnchorInfo
	cs.notice = nil
	h := cs.anchorParams(configure.Params{}) // read here, on the UI goroutine
	cs.start("preview", func(ctx context.Context, s *serverSession, in sessionInput) error {
		p := in.p
		p.AnchorSHA224, p.AnchorSHA224Given = h.AnchorSHA224, h.AnchorSHA224Given
		var err error
		got, err = s.PreviewAnchor(ctx, p, data)
		return err
	}, func(err error) {
		var ce *configure.Error
		switch {
		case cs.sawNotInstalled(err):
		case err == nil:
			cs.serverAnchor, cs.serverErr = &got, nil
		case errors.As(err, &ce):
			cs.serverAnchor, cs.serverErr = nil, err // the server refused this file
		default:
			cs.notice = func() fyne.CanvasObject { return cs.wz.errorCard(err) }
		}
	}, cs.refresh)
}

// refreshStatus reads the server's status.
func (cs *configureStep) refreshStatus() {
	var st configure.Status
	cs.notice = nil
	cs.start("status", func(ctx context.Context, s *serverSession, in sessionInput) error {
		var err error
		st, err = s.Status(ctx, in.p)
		return err
	}, func(err error) {
		if cs.sawNotInstalled(err) {
			return // the page says so, with the way to Install
		}
		if err != nil {
			cs.notice = func() fyne.CanvasObject { return cs.wz.errorCard(err) }
			return
		}
		cs.xroad.server, cs.xroad.found = cs.wz.state.Server.Display(), configure.PresenceInstalled
		cs.status, cs.statusAt = &st, time.Now()
		cs.wz.rec.serverStatus(&st)
		cs.adoptCSRs(&st)
		cs.takeOnlyHWToken()
	}, cs.refresh)
}

// adoptCSRs hands the CSRs the server already holds to the Submit step
// when none was made in this session: a wizard opened again after
// Configure does not send the user back to make them again. The signing
// CSR is taken only from where the chosen place says the key is: a
// hardware token at the server, or its software token.
func (cs *configureStep) adoptCSRs(st *configure.Status) {
	auth, sign := cs.wz.csrs.get()
	hw, soft := cs.wz.signOnServer()
	if ks := st.Auth; auth == nil && ks != nil && ks.Cert == nil && len(ks.CSR) > 0 {
		if _, err := csrInfo(ks.CSR); err == nil {
			cs.wz.csrs.setAuth(&madeCSR{DER: ks.CSR, Where: keyOnSoftToken, KeyID: i18n.Line(ks.KeyID, 80), Label: i18n.Line(ks.Label, 80)})
		}
	}
	if ks := st.Sign; sign == nil && ks != nil && ks.Cert == nil && len(ks.CSR) > 0 &&
		(hw && ks.TokenID != xroad.SoftwareTokenID || soft && ks.TokenID == xroad.SoftwareTokenID) {
		if _, err := csrInfo(ks.CSR); err == nil {
			cs.wz.csrs.setSign(signCSRAt(ks, ks.CSR))
		}
	}
}

// initialise runs Initialize then MakeCSRs, then reads the status again.
func (cs *configureStep) initialise() {
	if cs.busy != "" || cs.formProblem() != "" {
		return
	}
	f := cs.form
	anchor := cs.anchor
	h := cs.anchorParams(configure.Params{})
	hw, soft := cs.wz.signOnServer()
	opt := configure.CSROptions{SoftPIN: f.PIN, SignOnServer: hw, HWTokenID: strings.TrimSpace(f.HWTokenID), HWPIN: f.HWPIN, SignOnSoftToken: soft}
	if !hw {
		opt.HWTokenID, opt.HWPIN = "", ""
	}
	cs.rows, cs.outcome, cs.notice, cs.bk.note = nil, nil, nil, backupNote{}
	for _, id := range []string{"anchor", "init", "tsa", "login", "auth_csr", "hw_login", "sign_csr"} {
		if id == "hw_login" && hw || id == "sign_csr" && (hw || soft) || id != "hw_login" && id != "sign_csr" {
			// The parts' names are the CLI's (report catalogue).
			cs.rows = append(cs.rows, progressRow{id: id, title: i18n.TT("configure.step."+id, nil)})
		}
	}
	progress := func(p configure.Progress) { cs.uiDo(func() { cs.progress(p) }) }
	var made configure.CSRs
	var status configure.Status
	var statusErr error
	log.WithFields(map[string]any{"target": cs.wz.state.Server.Display(), "sign_placement": cs.wz.signPlacement()}).Info("configure started")
	cs.start("init", func(ctx context.Context, s *serverSession, in sessionInput) error {
		defer func() { opt = configure.CSROptions{} }()
		if err := cs.wz.backupFirst(ctx, s.API(), cs.uiDo, &cs.bk, cs.refresh); err != nil {
			return err
		}
		p := in.p
		p.AnchorSHA224, p.AnchorSHA224Given = h.AnchorSHA224, h.AnchorSHA224Given
		if err := s.Initialize(ctx, p, anchor, opt.SoftPIN, progress); err != nil {
			return err
		}
		var err error
		if made, err = s.MakeCSRs(ctx, in.p, opt, progress); err != nil {
			return err
		}
		status, statusErr = s.Status(ctx, in.p)
		return nil
	}, func(err error) {
		defer cs.showResult()
		cs.resumable = err != nil
		if cs.sawNotInstalled(err) {
			cs.rows, cs.resumable = nil, false
			return
		}
		if err != nil {
			cs.rows.failRunning()
			cs.outcome = func() fyne.CanvasObject { return cs.wz.errorCard(err) }
			cs.wz.rec.initFailed()
			return
		}
		if statusErr == nil {
			cs.status, cs.statusAt = &status, time.Now()
			cs.wz.rec.serverStatus(&status)
		}
		cs.forgetPINs()
		cs.madeCSRs(made)
	}, cs.refresh)
}

// showResult brings the page up to date and scrolls to the run's outcome
// and CSRs below the form: after a click on Initialise, the answer is
// there, not out of sight.
func (cs *configureStep) showResult() {
	cs.refresh()
	if cs.v != nil {
		cs.v.scroll.ScrollToBottom()
	}
}

// madeCSRs hands the CSRs to the Submit step and shows them.
func (cs *configureStep) madeCSRs(made configure.CSRs) {
	cs.auth, cs.sign = nil, nil
	if made.Auth != nil && made.Auth.Cert != nil {
		// Configure ran again after the certificate came back: nothing to send.
		cs.outcome = func() fyne.CanvasObject { return successCard(T("configure.ok_cert"), T("configure.ok_cert.next")) }
		return
	}
	var problems []string
	if made.Auth != nil && len(made.Auth.CSR) > 0 {
		if c, err := csrInfo(made.Auth.CSR); err == nil {
			cs.auth = c
			cs.wz.csrs.setAuth(&madeCSR{DER: c.DER, Where: keyOnSoftToken, KeyID: i18n.Line(made.Auth.KeyID, 80), Label: i18n.Line(made.Auth.Label, 80)})
		} else {
			problems = append(problems, err.Error())
		}
	}
	if made.Sign != nil && len(made.Sign.CSR) > 0 {
		if c, err := csrInfo(made.Sign.CSR); err == nil {
			cs.sign = c
			cs.wz.csrs.setSign(signCSRAt(made.Sign, c.DER))
		} else {
			problems = append(problems, err.Error())
		}
	}
	if cs.auth == nil || len(problems) > 0 {
		detail := i18n.Line(strings.Join(problems, "; "), 600)
		cs.outcome = func() fyne.CanvasObject {
			return messageCard(T("configure.no_csr"), T("configure.error_todo"), detail)
		}
		return
	}
	log.WithFields(map[string]any{"subject": cs.auth.Subject, "public_key_sha256": cs.auth.PublicKeySHA256}).Info("authentication CSR made")
	cs.outcome = func() fyne.CanvasObject { return successCard(T("configure.ok"), T("configure.ok.next")) }
}

// signCSRAt is the signing CSR der of the server's key ks, for Submit:
// on its software token or on a hardware token there.
func signCSRAt(ks *configure.KeyState, der []byte) *madeCSR {
	m := &madeCSR{DER: der, Where: keyOnServerToken, Token: i18n.Line(ks.TokenID, 60), KeyID: i18n.Line(ks.KeyID, 80), Label: i18n.Line(ks.Label, 80)}
	if ks.TokenID == xroad.SoftwareTokenID {
		m.Where, m.Token = keyOnSoftToken, ""
	}
	return m
}

// csrInfo parses a DER CSR into what the page shows.
func csrInfo(der []byte) (*tokens.CSR, error) {
	req, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("csr: %w", err)
	}
	if err := req.CheckSignature(); err != nil {
		return nil, fmt.Errorf("csr signature: %w", err)
	}
	sum := sha256.Sum256(req.RawSubjectPublicKeyInfo)
	bits := 0
	if k, ok := req.PublicKey.(interface{ Size() int }); ok {
		bits = k.Size() * 8
	}
	return &tokens.CSR{DER: der, Subject: req.Subject.String(), KeyBits: bits, PublicKeySHA256: hex.EncodeToString(sum[:])}, nil
}

// progress applies one report of the flow to its row.
func (cs *configureStep) progress(p configure.Progress) {
	cs.rows.apply(p)
	cs.refresh()
}

// apply applies one report of a configure flow to its row, if it has one.
func (rs progressRows) apply(p configure.Progress) {
	if r := rs.find(p.ID); r != nil {
		r.configured(p.State)
	}
}

// configured applies a configure flow's state (configure.Progress) to
// the row; a state it does not know leaves the row as it is.
func (r *progressRow) configured(state string) {
	switch state {
	case configure.StateRunning:
		r.begin()
	case configure.StateDone:
		r.end(rowDone)
	case configure.StateSkipped:
		r.end(rowAlreadyDone)
	case configure.StateFailed:
		r.end(rowFailed)
	}
}

// leave: the page goes; the work under way is cancelled (its session is
// closed and its API key revoked). The form, PINs included, stays in
// memory for this run, as the Install step keeps its passwords.
func (cs *configureStep) leave() {
	cs.cancel()
	cs.stopLooking()
	cs.v = nil
}

// keyStateView is what the status rows show of a key.
type keyStateView struct {
	csr   bool // a key with a CSR (or a certificate already)
	label string
}

func keyView(k *configure.KeyState) *keyStateView {
	if k == nil {
		return &keyStateView{}
	}
	return &keyStateView{csr: len(k.CSR) > 0 || k.Cert != nil, label: k.Label}
}
