package app

import (
	"errors"
	"io"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// certStep is the Certificates step: the CSR for the signing key, its
// preview and files, and the handover of the token to the server. All
// fields are touched on the UI goroutine only.
type certStep struct {
	wz *wizard

	csr     *tokens.CSR
	csrFor  string // serial/ID the CSR was made for
	running bool
	err     error
	gen     int

	// madeSign is the CSR as handed to Submit (again when the signing
	// key's place comes back to the token here: cert_placement.go).
	madeSign *madeCSR

	v *certWidgets

	uiDo func(f func()) // fyne.Do; tests serialise it
	made func()         // tests: called on the UI goroutine when a run ends
}

type certWidgets struct {
	key, org, next     *widget.Label
	toToken            *widget.Button
	pin                *widget.Entry
	pinRow             fyne.CanvasObject // the PIN entry, hidden while this run keeps the token's PIN
	pinKept            *widget.Label     // says the kept PIN is used
	forget             *widget.Button
	make               *widget.Button
	progress           *widget.ProgressBarInfinite
	err                *widget.Label
	subject, bits, sha *widget.Label
	savePEM, saveDER   *widget.Button
	preview, handover  *fyne.Container
	byInstall          *widget.Label // the install does part of the handover
	devices            *widget.Entry
	copyINI            *widget.Button
	iniBox             fyne.CanvasObject // devices.ini and its Copy button, after the step that needs it
	steps              *fyne.Container
	scroll             *container.Scroll
	place              *placementPicker  // where the signing key lives
	usb                fyne.CanvasObject // the CSR made here: a key on the token at this computer
	atServer           *fyne.Container   // a key made at the server: what happens on Configure
}

func newCertStep(wz *wizard) *certStep { return &certStep{wz: wz, uiDo: fyne.Do} }

// reset forgets the CSR (the key changed).
func (cs *certStep) reset() {
	cs.gen++
	cs.csr, cs.csrFor, cs.madeSign, cs.err, cs.running = nil, "", nil, nil, false
	cs.refresh()
}

func (cs *certStep) view() fyne.CanvasObject {
	v := &certWidgets{}
	cs.v = v
	bold := func() *widget.Label {
		l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	mono := func() *widget.Label {
		l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		l.Wrapping = fyne.TextWrapBreak
		l.Selectable = true
		return l
	}
	intro := widget.NewLabel(T("cert.intro"))
	intro.Wrapping = fyne.TextWrapWord
	v.key = bold()
	v.org = widget.NewLabel("")
	v.org.Wrapping = fyne.TextWrapWord
	v.toToken = widget.NewButtonWithIcon(T("cert.to_token"), theme.NavigateBackIcon(), func() { cs.wz.goTo(cs.wz.stepIndex(stepToken)) })
	v.pin = pinEntry()
	v.pin.SetPlaceHolder(T("token.pin.user_pin"))
	v.make = widget.NewButtonWithIcon(T("cert.make"), theme.DocumentCreateIcon(), cs.makeCSR)
	v.make.Importance = widget.HighImportance
	v.pin.OnSubmitted = func(string) { cs.makeCSR() }
	v.progress = widget.NewProgressBarInfinite()
	v.err = errLabel()
	v.subject, v.bits, v.sha = subjectLabel(""), mono(), fingerprintLabel("")
	v.savePEM = widget.NewButtonWithIcon(T("cert.save_pem"), theme.DocumentSaveIcon(), func() { cs.save(true) })
	v.saveDER = widget.NewButtonWithIcon(T("cert.save_der"), theme.DocumentSaveIcon(), func() { cs.save(false) })
	v.preview = container.NewVBox(
		widget.NewLabelWithStyle(T("cert.preview"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewForm(
			widget.NewFormItem(T("cert.subject"), v.subject),
			widget.NewFormItem(T("cert.key_size"), v.bits),
			widget.NewFormItem(T("cert.sha256"), v.sha),
		),
		container.NewHBox(v.savePEM, v.saveDER, layout.NewSpacer()))
	v.devices = widget.NewMultiLineEntry()
	v.devices.TextStyle = fyne.TextStyle{Monospace: true}
	v.devices.SetMinRowsVisible(4)
	v.copyINI = widget.NewButtonWithIcon(T("cert.copy"), theme.ContentCopyIcon(), func() {
		cs.wz.app.Clipboard().SetContent(v.devices.Text)
	})
	v.steps = container.NewVBox()
	v.iniBox = container.NewBorder(nil, nil, nil, container.NewVBox(v.copyINI), v.devices)
	v.byInstall = widget.NewLabel(T("cert.handover.by_install"))
	v.byInstall.Wrapping = fyne.TextWrapWord
	v.byInstall.Importance = widget.SuccessImportance
	v.handover = container.NewVBox(
		widget.NewSeparator(),
		widget.NewLabelWithStyle(T("cert.handover"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		v.byInstall, v.steps)
	v.next = widget.NewLabel("")
	v.next.Wrapping = fyne.TextWrapWord
	v.next.Importance = widget.LowImportance

	v.pinRow = container.NewBorder(nil, nil, widget.NewLabel(T("token.pin.user_pin")), nil, v.pin)
	v.pinKept = widget.NewLabel("")
	v.pinKept.Wrapping = fyne.TextWrapWord
	v.pinKept.Importance = widget.LowImportance
	v.forget = widget.NewButtonWithIcon(T("token.pin.forget"), theme.LogoutIcon(), func() {
		serial, _ := cs.wz.token.keyID()
		cs.wz.token.pins.forget(serial)
		log.WithField("serial", serial).Info("user PIN forgotten")
		cs.refresh()
	})
	makeRow := container.NewBorder(nil, nil, nil, container.NewHBox(v.forget, v.make), container.NewStack(v.pinRow, v.pinKept))
	v.place = cs.wz.newPlacementPicker(cs.refresh)
	v.atServer = container.NewVBox()
	v.usb = container.NewVBox(intro, v.key, v.org, container.NewHBox(v.toToken, layout.NewSpacer()), makeRow, v.progress, v.err,
		v.preview, v.next)
	v.scroll = container.NewVScroll(container.NewVBox(v.place.box, widget.NewSeparator(), v.usb, v.atServer, v.handover))
	cs.refresh()
	return v.scroll
}

// tokenName names the token with serial as the Token step lists it, or
// by the serial alone when it is not plugged in.
func (cs *certStep) tokenName(serial string) string {
	for _, t := range cs.wz.token.toks {
		if t.Serial == serial {
			return tokenName(t)
		}
	}
	return i18n.Line(serial, 64)
}

// participantProblems tells what the CSR still needs from the Organisation step.
func (cs *certStep) orgMissing() bool {
	return len(cs.wz.state.Org.Problems(cs.wz.profile)) > 0
}

func (cs *certStep) refresh() {
	v := cs.v
	if v == nil {
		return
	}
	cs.showPlacement()
	serial, id := cs.wz.token.keyID()
	if serial == "" {
		v.key.SetText(T("cert.no_key"))
		v.toToken.Show()
	} else {
		label := ""
		if k := cs.wz.token.key; k != nil {
			label = k.Label
		}
		v.key.SetText(T("cert.key", map[string]any{"ID": hexString(id), "Serial": i18n.Line(serial, 64), "Label": i18n.Line(label, 64)}))
		v.toToken.Hide()
	}
	o := cs.wz.state.Org
	v.org.SetText(T("cert.org", map[string]any{"Class": i18n.Line(o.MemberClass, 10), "Code": i18n.Line(o.MemberCode, 20),
		"Name": i18n.Line(o.Name, 200), "Server": i18n.Line(o.ServerCode, 40)}))
	if serial == "" || cs.running {
		v.make.Disable()
	} else {
		v.make.Enable()
	}
	// The PIN typed for the key (or an earlier CSR) in this run is not asked again.
	if _, kept := cs.wz.token.pins.get(serial); kept {
		v.pinKept.SetText(T("token.pin.remembered", map[string]any{"Token": cs.tokenName(serial)}))
		v.pinKept.Show()
		v.pinRow.Hide()
		v.forget.Show()
	} else {
		v.pinKept.Hide()
		v.pinRow.Show()
		v.forget.Hide()
	}
	if cs.running {
		v.progress.Show()
		v.progress.Start()
	} else {
		v.progress.Stop()
		v.progress.Hide()
	}
	switch {
	case cs.err != nil:
		showErr(v.err, cs.errText())
	case serial != "" && cs.orgMissing():
		showErr(v.err, T("cert.err.org"))
	default:
		showErr(v.err, "")
	}
	if c := cs.csr; c != nil {
		v.subject.SetText(subjectText(c.Subject))
		v.bits.SetText(T("cert.bits", map[string]any{"Bits": c.KeyBits}))
		v.sha.SetText(groupFingerprint(c.PublicKeySHA256))
		v.preview.Show()
		v.next.SetText(T("cert.next"))
		v.next.Show()
	} else {
		v.preview.Hide()
		v.next.Hide()
	}
	if serial != "" && cs.wz.signPlacement() != profile.PlacementServerSoftToken {
		vendor := cs.handoverVendor()
		ini := tokens.DevicesINI(vendor, "", serial)
		v.devices.SetText(ini)
		v.devices.OnChanged = func(s string) { // read-only, but selectable and copyable
			if s != ini {
				v.devices.SetText(ini)
			}
		}
		v.steps.Objects = nil
		for i, s := range tokens.HandoverSteps(CurrentLanguage(), vendor, "", serial) {
			l := widget.NewLabel(strconv.Itoa(i+1) + ". " + s.Text)
			l.Wrapping = fyne.TextWrapWord
			v.steps.Add(l)
			if s.Block != "" {
				v.steps.Add(v.iniBox)
			}
		}
		v.steps.Refresh()
		// "The token goes to the server" on the Install step: its plan
		// installs the hardware token support, writes devices.ini and
		// restarts the signer (installer's hwtokens step).
		if cs.wz.prefs.Bool(prefTokenOnServer) {
			v.byInstall.Show()
		} else {
			v.byInstall.Hide()
		}
		v.handover.Show()
	} else {
		v.handover.Hide()
	}
	relayout(v.scroll)
}

// handoverVendor is the vendor whose devices.ini section the handover
// shows: the Token step's library's when it is a production token's, else
// the profile's token.
func (cs *certStep) handoverVendor() string {
	fallback := cs.wz.profile.SigningKey.Vendor()
	if m := cs.wz.token.mod; m != nil {
		return m.Library().HandoverVendor(fallback)
	}
	return fallback
}

func (cs *certStep) errText() string {
	var pe *problemError
	if errors.As(cs.err, &pe) {
		return T(pe.key)
	}
	if errors.Is(cs.err, tokens.ErrNoToken) || errors.Is(cs.err, tokens.ErrTokenGone) {
		return T("cert.err.token_absent")
	}
	var pinErr *tokens.PINError
	if !errors.As(cs.err, &pinErr) && !errors.Is(cs.err, tokens.ErrKeyNotFound) && !errors.Is(cs.err, tokens.ErrModuleLoad) {
		return T("cert.err.failed", map[string]any{"Detail": i18n.Line(cs.err.Error(), 400)})
	}
	return tokenErrorText(cs.err)
}

// makeCSR signs the request on the token in a goroutine.
func (cs *certStep) makeCSR() {
	v := cs.v
	if v == nil || cs.running {
		return
	}
	serial, id := cs.wz.token.keyID()
	if serial == "" {
		return
	}
	if p := cs.wz.state.Org.Problems(cs.wz.profile); len(p) > 0 {
		cs.err = &problemError{key: "cert.err.org"}
		cs.refresh()
		return
	}
	pin, kept := cs.wz.token.pins.get(serial)
	if !kept {
		pin = v.pin.Text
	}
	if pin == "" {
		cs.err = &problemError{key: "token.err.pin_empty"}
		cs.refresh()
		return
	}
	v.pin.SetText("")
	keyLabel, tokenLabel := cs.wz.token.labels(serial)
	who := cs.wz.participant()
	prof := cs.wz.profile
	ts := cs.wz.token
	mod, path := ts.mod, ts.path
	cs.gen++
	gen := cs.gen
	cs.running, cs.err, cs.csr = true, nil, nil
	cs.refresh()
	log.WithFields(map[string]any{"serial": serial, "id": hexString(id)}).Info("CSR requested")
	go func() {
		csr, err := signCSR(mod, ts.open, path, serial, id, pin, prof, who)
		if err != nil {
			log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("CSR failed")
		} else {
			log.WithFields(map[string]any{"subject": csr.Subject, "bits": csr.KeyBits, "public_key_sha256": csr.PublicKeySHA256}).Info("CSR made")
		}
		cs.uiDo(func() {
			if err != nil {
				ts.pins.refused(serial, err) // a wrong PIN is asked again
			} else {
				ts.pins.keep(serial, pin)
			}
			pin = ""
			if gen != cs.gen {
				return
			}
			cs.running = false
			cs.csr, cs.err = csr, err
			if csr != nil {
				cs.csrFor = serial + "/" + hexString(id)
				cs.madeSign = &madeCSR{DER: csr.DER, Where: keyOnRutoken, Token: serial, KeyID: hexString(id), Label: keyLabel, TokenLabel: tokenLabel}
				cs.wz.csrs.setSign(cs.madeSign)
			}
			cs.refresh()
			if cs.made != nil {
				cs.made()
			}
		})
	}()
}

// signCSR is Signer -> SignSubject -> CreateCSR -> Close.
func signCSR(mod tokenModule, open func(string) (tokenModule, error), path, serial string, id []byte, pin string,
	prof *profile.Profile, who tokens.Participant) (*tokens.CSR, error) {
	if mod == nil {
		m, err := open(path)
		if err != nil {
			return nil, err
		}
		mod = m
	}
	tok, err := mod.Find(serial)
	if err != nil {
		return nil, err
	}
	signer, err := mod.Signer(tok, pin, id)
	if err != nil {
		return nil, err
	}
	defer signer.Close()
	subject, err := tokens.SignSubject(prof, who)
	if err != nil {
		return nil, err
	}
	return tokens.CreateCSR(signer, subject)
}

// csrFileName is e.g. sign-csr-70000001-SS1.pem.
func (cs *certStep) csrFileName(pem bool) string {
	o := cs.wz.state.Org
	safe := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
				return r
			}
			return -1
		}, s)
	}
	name := "sign-csr-" + safe(o.MemberCode) + "-" + safe(o.ServerCode)
	if pem {
		return name + ".pem"
	}
	return name + ".der"
}

// save writes the CSR as PEM or DER to a file the user chooses.
func (cs *certStep) save(pem bool) {
	data := cs.csrBytes(pem)
	if data == nil {
		return
	}
	win := cs.wz.win
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err == nil && wc == nil {
			return // cancelled
		}
		if err != nil {
			dialog.ShowError(errors.New(fileProblem("cert.save_failed", err)), win)
			return
		}
		_ = cs.writeCSR(wc, data)
	}, win)
	d.SetFileName(cs.csrFileName(pem))
	showFileDialog(d, win)
}

// csrBytes is the CSR as PEM or DER; nil without a CSR.
func (cs *certStep) csrBytes(pem bool) []byte {
	c := cs.csr
	if c == nil {
		return nil
	}
	if pem {
		return c.PEM()
	}
	return c.DER
}

// writeCSR writes data to wc, closes it and tells the user the outcome: the
// file is reported saved only when every byte was written and it closed.
func (cs *certStep) writeCSR(wc fyne.URIWriteCloser, data []byte) error {
	n, err := wc.Write(data)
	if err == nil && n != len(data) {
		err = io.ErrShortWrite
	}
	if cerr := wc.Close(); err == nil {
		err = cerr
	}
	win := cs.wz.win
	if err != nil {
		dialog.ShowError(errors.New(fileProblem("cert.save_failed", err)), win)
		return err
	}
	log.WithField("file", wc.URI().Path()).Info("CSR saved")
	dialog.ShowInformation(T("cert.saved.title"), T("cert.saved", map[string]any{"File": wc.URI().Path()}), win)
	return nil
}
