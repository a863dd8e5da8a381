package app

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"text/template"
	"time"

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

// Preference keys of the token steps. PINs have none, on purpose.
const (
	prefModulePath = "token_module_path" // the PKCS#11 library the user chose ("" = find it)
	prefKeySerial  = "token_key_serial"  // the token holding the signing key
	prefKeyID      = "token_key_id"      // the signing key's CKA_ID, hex
)

// tokenModule is what the token steps use of *tokens.Module (tests wrap it
// to count the attempts).
type tokenModule interface {
	Path() string
	Library() tokens.LibraryInfo
	Tokens() ([]tokens.TokenInfo, error)
	Find(serialOrLabel string) (tokens.TokenInfo, error)
	Objects(tok tokens.TokenInfo, userPIN string) ([]tokens.ObjectInfo, error)
	InitToken(tok tokens.TokenInfo, soPIN, label, newUserPIN, userPIN string, confirm func(tokens.Wipe) bool) (tokens.TokenInfo, error)
	ChangeUserPIN(tok tokens.TokenInfo, oldPIN, newPIN string) error
	ChangeSOPIN(tok tokens.TokenInfo, oldPIN, newPIN string) error
	UnblockUserPIN(tok tokens.TokenInfo, soPIN, newUserPIN string) error
	VerifySOPIN(tok tokens.TokenInfo, soPIN string) error
	ProbeFactorySOPIN(tok tokens.TokenInfo, factory string) (tokens.SOProbe, error)
	GenerateSigningKey(ctx context.Context, tok tokens.TokenInfo, userPIN string, bits int, label string) (*tokens.KeyRef, error)
	Signer(tok tokens.TokenInfo, userPIN string, id []byte) (*tokens.Signer, error)
}

func openTokenModule(path string) (tokenModule, error) {
	m, err := tokens.FindModule(strings.TrimSpace(path))
	if err != nil {
		return nil, err
	}
	return m, nil
}

// tokenStep is the Token step: the module, the present tokens (polled
// while the page is shown), the selection and the generated key. All
// fields are touched on the UI goroutine only.
type tokenStep struct {
	wz        *wizard
	open      func(path string) (tokenModule, error)
	pollEvery time.Duration
	// startDelay holds the first poll back a moment, so a page that is
	// only passed through never loads the module nor touches the UI.
	startDelay time.Duration
	// uiDo runs f on the UI goroutine (fyne.Do; tests serialise it).
	uiDo func(f func())

	path    string // the user's library path; "" finds one
	mod     tokenModule
	modErr  error
	toks    []tokens.TokenInfo
	listed  bool // toks holds a poll result
	listErr error
	sel     string // tokenKey of the selected token

	key        *tokens.KeyRef // the signing key made in this run
	keygenBusy bool
	keyErr     error

	// pins keeps the user PIN typed in this run, per serial (never saved).
	pins pinMemory
	// soOwn tells, per serial, what this run saw of the SO PIN: true when
	// the token accepted a PIN of the person's own (or refused the factory
	// one when probed), false when it was a factory one; absent when
	// unknown (probed before a key is made: keygenWith).
	soOwn map[string]bool

	pollCancel context.CancelFunc
	pollGen    int
	poke       chan struct{}

	v *tokenWidgets

	// tests: called on the UI goroutine
	polled      func()
	keygenDone  func()
	dialogShown func(any) // *formatDialog, *wipeConfirm, *pinDialog, *pinPrompt, *factoryDialog
}

type tokenWidgets struct {
	path                     *widget.Entry
	choose, apply            *widget.Button
	module, libNote          *widget.Label
	moduleErr                *fyne.Container
	rows                     *fyne.Container
	empty                    *widget.Label
	format, pins, keygen     *widget.Button
	forget                   *widget.Button // drops the user PIN kept for the selected token
	progress                 *widget.ProgressBarInfinite
	keyNote, keyInfo, keyErr *widget.Label
	scroll                   *container.Scroll
	rowKeys                  []string // tokenKey of each row, for tests
}

func newTokenStep(wz *wizard) *tokenStep {
	return &tokenStep{wz: wz, open: openTokenModule, pollEvery: 2 * time.Second, startDelay: 250 * time.Millisecond, uiDo: fyne.Do,
		path: wz.prefs.String(prefModulePath), poke: make(chan struct{}, 1)}
}

// tokenKey identifies a token across polls: its serial, else its slot.
func tokenKey(t tokens.TokenInfo) string {
	if t.Serial != "" {
		return t.Serial
	}
	return "slot:" + strconv.FormatUint(uint64(t.SlotID), 10)
}

// selected returns the selected token, if it is still present.
func (ts *tokenStep) selected() (tokens.TokenInfo, bool) {
	for _, t := range ts.toks {
		if tokenKey(t) == ts.sel {
			return t, true
		}
	}
	return tokens.TokenInfo{}, false
}

// start (re)opens the module if needed and polls the tokens until stop.
func (ts *tokenStep) start() {
	ts.stop()
	ctx, cancel := context.WithCancel(context.Background())
	ts.pollCancel = cancel
	ts.pollGen++
	gen, path, mod, delay := ts.pollGen, ts.path, ts.mod, ts.startDelay
	go ts.pollLoop(ctx, gen, path, mod, delay)
}

// stop ends the polling (leaving the step, closing the window).
func (ts *tokenStep) stop() {
	if ts.pollCancel != nil {
		ts.pollCancel()
		ts.pollCancel = nil
	}
	ts.pollGen++
}

// refreshSoon asks the poller for a poll now (after a change to a token).
func (ts *tokenStep) refreshSoon() {
	select {
	case ts.poke <- struct{}{}:
	default:
	}
}

func (ts *tokenStep) pollLoop(ctx context.Context, gen int, path string, mod tokenModule, delay time.Duration) {
	alive := func() bool { return ctx.Err() == nil && gen == ts.pollGen && windowOpen(ts.wz) }
	select {
	case <-ctx.Done():
		return
	case <-time.After(delay):
	}
	if mod == nil {
		m, err := ts.open(path)
		if err != nil {
			log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("PKCS#11 module not loaded")
		} else {
			log.WithField("module", m.Path()).Info("PKCS#11 module loaded")
		}
		stopped := false
		ts.uiDo(func() {
			if !alive() {
				stopped = true
				return
			}
			ts.mod, ts.modErr = m, err
			ts.toks, ts.listed, ts.listErr = nil, false, nil
			ts.refresh()
		})
		if err != nil || stopped {
			return
		}
		mod = m
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-ts.poke:
		}
		toks, err := mod.Tokens()
		stopped := false
		ts.uiDo(func() {
			if !alive() {
				stopped = true
				return
			}
			ts.apply(toks, err)
			if ts.polled != nil {
				ts.polled()
			}
		})
		if stopped {
			return
		}
		timer.Reset(ts.pollEvery)
	}
}

// windowOpen reports whether the wizard's window is still open.
func windowOpen(wz *wizard) bool {
	for _, w := range wz.app.Driver().AllWindows() {
		if w == wz.win {
			return true
		}
	}
	return false
}

// apply takes a poll's result; the rows are rebuilt only when it changed.
func (ts *tokenStep) apply(toks []tokens.TokenInfo, err error) {
	changed := !ts.listed || !reflect.DeepEqual(toks, ts.toks) || (err == nil) != (ts.listErr == nil)
	ts.toks, ts.listErr, ts.listed = toks, err, true
	if _, ok := ts.selected(); !ok {
		ts.sel = ""
		for _, t := range toks { // the first initialised token, else the first
			if t.Initialized {
				ts.sel = tokenKey(t)
				break
			}
		}
		if ts.sel == "" && len(toks) > 0 {
			ts.sel = tokenKey(toks[0])
		}
	}
	if changed {
		ts.refresh()
	}
}

// view builds the Token page.
func (ts *tokenStep) view() fyne.CanvasObject {
	v := &tokenWidgets{}
	ts.v = v
	v.path = widget.NewEntry()
	v.path.SetPlaceHolder(T("token.library.auto"))
	v.path.SetText(ts.path)
	v.apply = widget.NewButtonWithIcon(T("token.library.use"), theme.ViewRefreshIcon(), func() { ts.usePath(v.path.Text) })
	v.choose = widget.NewButtonWithIcon(T("token.library.choose"), theme.FolderOpenIcon(), ts.chooseLibrary)
	v.module = widget.NewLabel("")
	v.module.Wrapping = fyne.TextWrapWord
	v.libNote = widget.NewLabel(T("token.library.note.softhsm"))
	v.libNote.Wrapping = fyne.TextWrapWord
	v.libNote.Importance = widget.WarningImportance
	v.moduleErr = container.NewVBox()
	v.rows = container.NewVBox()
	v.empty = widget.NewLabel("")
	v.empty.Wrapping = fyne.TextWrapWord
	v.format = widget.NewButtonWithIcon(T("token.format"), theme.DeleteIcon(), ts.showFormat)
	v.pins = widget.NewButtonWithIcon(T("token.pins"), theme.AccountIcon(), ts.showPINs)
	v.keygen = widget.NewButtonWithIcon(T("token.keygen"), theme.ContentAddIcon(), ts.askKeygen)
	v.keygen.Importance = widget.HighImportance
	v.forget = widget.NewButtonWithIcon(T("token.pin.forget"), theme.LogoutIcon(), ts.forgetPIN)
	v.progress = widget.NewProgressBarInfinite()
	v.keyNote = widget.NewLabel("")
	v.keyNote.Wrapping = fyne.TextWrapWord
	v.keyInfo = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	v.keyInfo.Wrapping = fyne.TextWrapBreak
	v.keyInfo.Selectable = true
	v.keyErr = widget.NewLabel("")
	v.keyErr.Wrapping = fyne.TextWrapWord
	v.keyErr.Importance = widget.DangerImportance

	intro := widget.NewLabel(T("token.intro"))
	intro.Wrapping = fyne.TextWrapWord
	library := container.NewBorder(nil, nil, widget.NewLabel(T("token.library")), container.NewHBox(v.choose, v.apply), v.path)
	// Wrapped, not a row: four buttons side by side in Russian or Kyrgyz
	// made the window wider than a 1024 px screen (the real-window walk).
	actions := container.New(layout.NewRowWrapLayout(), v.format, v.pins, v.keygen, v.forget)
	tokensTitle := widget.NewLabelWithStyle(T("token.list"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	keyTitle := widget.NewLabelWithStyle(T("token.key.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.scroll = container.NewVScroll(container.NewVBox(
		ts.wz.placementNote(), intro, library, v.module, v.libNote, v.moduleErr, widget.NewSeparator(),
		tokensTitle, v.empty, v.rows, actions, widget.NewSeparator(),
		keyTitle, v.progress, v.keyNote, v.keyInfo, v.keyErr))
	ts.refresh()
	ts.start()
	return v.scroll
}

// usePath switches to the library at path ("" finds one) and remembers it.
func (ts *tokenStep) usePath(path string) {
	path = strings.TrimSpace(path)
	ts.path = path
	ts.wz.prefs.SetString(prefModulePath, path)
	ts.mod, ts.modErr = nil, nil
	ts.toks, ts.listed, ts.listErr, ts.sel = nil, false, nil, ""
	log.WithField("module", path).Info("PKCS#11 library chosen")
	ts.refresh()
	ts.start()
}

func (ts *tokenStep) chooseLibrary() {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		p := rc.URI().Path()
		_ = rc.Close()
		if ts.v != nil {
			ts.v.path.SetText(p)
		}
		ts.usePath(p)
	}, ts.wz.win)
	showFileDialog(d, ts.wz.win)
}

// refresh shows the data.
func (ts *tokenStep) refresh() {
	v := ts.v
	if v == nil {
		return
	}
	v.libNote.Hide()
	switch {
	case ts.mod != nil:
		li := ts.mod.Library()
		v.module.SetText(T("token.library.using", map[string]any{"Kind": libraryText(li), "Path": i18n.Line(ts.mod.Path(), 300)}))
		v.module.Importance = widget.LowImportance
		if li.Kind == tokens.LibrarySoftHSM { // its keys are files here: never the server's key
			v.libNote.Show()
		}
	case ts.modErr != nil:
		v.module.SetText("")
	default:
		v.module.SetText(T("token.library.loading"))
		v.module.Importance = widget.LowImportance
	}
	v.module.Refresh()
	v.moduleErr.Objects = nil
	if ts.modErr != nil {
		v.moduleErr.Add(messageCard(T("token.err.module"), T("token.err.module.todo"), i18n.Line(ts.modErr.Error(), 600)))
	}
	v.moduleErr.Refresh()

	v.rows.Objects = nil
	v.rowKeys = nil
	for i, t := range ts.toks {
		if i > 0 {
			v.rows.Add(widget.NewSeparator())
		}
		v.rows.Add(ts.tokenRow(t))
		v.rowKeys = append(v.rowKeys, tokenKey(t))
	}
	v.rows.Refresh()
	switch {
	case ts.mod == nil:
		v.empty.SetText("")
	case ts.listErr != nil:
		v.empty.SetText(T("token.err.list", map[string]any{"Error": i18n.Line(ts.listErr.Error(), 300)}))
	case !ts.listed:
		v.empty.SetText(T("token.searching"))
	case len(ts.toks) == 0:
		v.empty.SetText(T("token.none"))
	default:
		v.empty.SetText("")
	}
	if v.empty.Text == "" {
		v.empty.Hide()
	} else {
		v.empty.Show()
	}

	tok, ok := ts.selected()
	for _, b := range []*widget.Button{v.format, v.pins, v.keygen} {
		if ok && !ts.keygenBusy {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if ok && !tok.Initialized {
		v.pins.Disable()
		v.keygen.Disable()
	}
	if _, kept := ts.pins.get(tok.Serial); ok && kept {
		v.forget.Show()
	} else {
		v.forget.Hide()
	}

	if ts.keygenBusy {
		v.progress.Show()
		v.progress.Start()
		v.keyNote.SetText(T("token.key.running", map[string]any{"Bits": ts.keyBits(tok)}))
		v.keyNote.Show()
	} else {
		v.progress.Stop()
		v.progress.Hide()
		v.keyNote.Hide()
	}
	if k := ts.key; k != nil {
		text := T("token.key.done", map[string]any{"ID": k.IDHex(), "Label": i18n.Line(k.Label, 100), "Bits": k.Bits, "Serial": i18n.Line(k.TokenSerial, 64)})
		if k.AttributesRelaxed {
			text += "\n" + T("token.key.relaxed")
		}
		v.keyInfo.TextStyle.Monospace = true
		v.keyInfo.SetText(text)
	} else if serial, id := ts.wz.prefs.String(prefKeySerial), ts.wz.prefs.String(prefKeyID); serial != "" && id != "" {
		v.keyInfo.TextStyle.Monospace = false
		v.keyInfo.SetText(T("token.key.saved", map[string]any{"ID": i18n.Line(id, 80), "Serial": i18n.Line(serial, 64)}))
	} else {
		v.keyInfo.TextStyle.Monospace = false
		v.keyInfo.SetText(T("token.key.none"))
	}
	if ts.keyErr != nil {
		v.keyErr.SetText(tokenErrorText(ts.keyErr))
		v.keyErr.Show()
	} else {
		v.keyErr.SetText("")
		v.keyErr.Hide()
	}
	relayout(v.scroll)
}

// tokenRow is one token: a selector, names, serial, badges and RSA range.
func (ts *tokenStep) tokenRow(t tokens.TokenInfo) fyne.CanvasObject {
	k := tokenKey(t)
	icon := theme.RadioButtonIcon()
	if k == ts.sel {
		icon = theme.NewPrimaryThemedResource(theme.RadioButtonCheckedIcon())
	}
	pick := widget.NewButtonWithIcon("", icon, func() {
		ts.sel = k
		ts.refresh()
	})
	pick.Importance = widget.LowImportance
	label := t.Label
	if label == "" {
		label = T("token.no_label")
	}
	title := widget.NewLabelWithStyle(i18n.Line(label, 64), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	serial := t.Serial
	if serial == "" {
		serial = "—"
	}
	rsaText := T("token.rsa_unknown")
	if t.RSAMaxBits > 0 {
		rsaText = T("token.rsa", map[string]any{"Min": t.RSAMinBits, "Max": t.RSAMaxBits})
	}
	details := widget.NewLabel(T("token.details", map[string]any{
		"Manufacturer": i18n.Line(t.Manufacturer, 64), "Model": i18n.Line(t.Model, 64), "Serial": i18n.Line(serial, 64)}) + " · " + rsaText)
	details.Wrapping = fyne.TextWrapWord
	// The name and its flags wrap into rows: three flags of a worn token
	// in Russian are wider than the page at 1024 px.
	head := container.New(layout.NewRowWrapLayout(), title)
	for _, b := range tokenBadges(t) {
		l := widget.NewLabelWithStyle(b.text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Importance = b.imp
		head.Add(l)
	}
	return container.NewBorder(nil, nil, container.NewVBox(pick), nil,
		container.NewVBox(head, details))
}

type badge struct {
	text string
	imp  widget.Importance
}

// tokenBadges are the flags a user must see, worst first.
func tokenBadges(t tokens.TokenInfo) []badge {
	var out []badge
	add := func(on bool, key string, imp widget.Importance) {
		if on {
			out = append(out, badge{T(key), imp})
		}
	}
	if !t.Initialized { // PIN flags mean nothing before the first format
		return []badge{{T("token.badge.not_initialized"), widget.WarningImportance}}
	}
	add(t.UserPINLocked, "token.badge.user_locked", widget.DangerImportance)
	add(t.SOPINLocked, "token.badge.so_locked", widget.DangerImportance)
	add(t.UserPINFinalTry && !t.UserPINLocked, "token.badge.user_final", widget.DangerImportance)
	add(t.SOPINFinalTry && !t.SOPINLocked, "token.badge.so_final", widget.DangerImportance)
	add(t.UserPINCountLow && !t.UserPINFinalTry && !t.UserPINLocked, "token.badge.user_low", widget.WarningImportance)
	add(t.SOPINCountLow && !t.SOPINFinalTry && !t.SOPINLocked, "token.badge.so_low", widget.WarningImportance)
	add(t.UserPINToBeChanged, "token.badge.user_change", widget.WarningImportance)
	add(t.SOPINToBeChanged, "token.badge.so_change", widget.WarningImportance)
	if len(out) == 0 {
		out = append(out, badge{T("token.badge.ready"), widget.SuccessImportance})
	}
	return out
}

// participant is the organisation's data for the profile's templates.
func (wz *wizard) participant() tokens.Participant {
	o := wz.state.Org
	return tokens.Participant{MemberClass: o.MemberClass, MemberCode: strings.TrimSpace(o.MemberCode),
		OrgName: strings.TrimSpace(o.Name), ServerCode: strings.TrimSpace(o.ServerCode), Instance: wz.profile.XRoad.Instance}
}

// keyLabelFor renders the profile's key label template (token.key_label).
func keyLabelFor(p *profile.Profile, who tokens.Participant) (string, error) {
	t, err := template.New("key_label").Option("missingkey=error").Parse(p.Token.KeyLabel)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, who); err != nil {
		return "", err
	}
	s := strings.TrimSpace(b.String())
	if s == "" {
		return "", errors.New("the key label renders empty")
	}
	return s, nil
}

// keyBits is the profile's key size (the token checks its own range).
func (ts *tokenStep) keyBits(tok tokens.TokenInfo) int {
	bits := ts.wz.profile.Token.KeySize
	if bits == 0 {
		bits = tokens.DefaultKeyBits
	}
	return bits
}

// askKeygen asks the user PIN (unless this run already has it for the
// token), then generates the key.
func (ts *tokenStep) askKeygen() {
	tok, ok := ts.selected()
	if !ok || ts.keygenBusy || ts.mod == nil {
		return
	}
	label, err := keyLabelFor(ts.wz.profile, ts.wz.participant())
	if err != nil || strings.TrimSpace(ts.wz.state.Org.ServerCode) == "" {
		ts.keyErr = errors.New(T("token.err.key_label"))
		ts.refresh()
		return
	}
	bits := ts.keyBits(tok)
	data := map[string]any{"Bits": bits, "Label": i18n.Line(label, 64), "Token": tokenName(tok)}
	intro, kept := T("token.keygen.intro", data), ""
	if pin, ok := ts.pins.get(tok.Serial); ok {
		intro, kept = T("token.keygen.intro_remembered", data), pin
	}
	p := newPINPrompt(ts.wz.win, T("token.keygen.title"), intro, kept,
		func(pin string) { ts.keygenWith(tok, pin, bits, label) })
	showSized(p.d, ts.wz.win, 560)
	if ts.dialogShown != nil {
		ts.dialogShown(p)
	}
}

// keygenWith makes the key with the user PIN pin, unless a PIN of the
// token is still a factory one: then the person sets their own first, in
// the same flow, and the key is made right after with the new user PIN.
// An SO PIN this run has not seen is asked of the token first (off the UI
// goroutine: a login on a Rutoken takes a moment).
func (ts *tokenStep) keygenWith(tok tokens.TokenInfo, pin string, bits int, label string) {
	_, known := ts.soOwn[tok.Serial]
	if known || ts.mod == nil || !tokens.IsFactoryPIN(tokens.FactorySOPIN, ts.wz.profile.Token.FactoryPINs) {
		ts.keygenChecked(tok, pin, bits, label)
		return
	}
	mod := ts.mod
	ts.keygenBusy, ts.keyErr = true, nil
	ts.refresh()
	go func() {
		got, err := mod.ProbeFactorySOPIN(tok, tokens.FactorySOPIN)
		if err != nil {
			log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("SO PIN not probed")
		}
		log.WithFields(map[string]any{"serial": tok.Serial, "probe": got.String()}).Info("SO PIN probed with the factory value")
		ts.uiDo(func() {
			ts.keygenBusy = false
			switch got {
			case tokens.SOFactory:
				ts.soSeen(tok.Serial, tokens.FactorySOPIN)
			case tokens.SOOwn:
				ts.soSeen(tok.Serial, "") // refused: the owner's own
			}
			ts.refresh()
			ts.keygenChecked(tok, pin, bits, label)
			pin = ""
		})
	}()
}

// keygenChecked: keygenWith once what can be known of the SO PIN is.
func (ts *tokenStep) keygenChecked(tok tokens.TokenInfo, pin string, bits int, label string) {
	if fe := ts.factoryCheck(tok, pin); fe != nil {
		log.WithFields(map[string]any{"serial": tok.Serial, "user": fe.User, "so": fe.SO}).Info("factory PINs: the key waits for own PINs")
		ts.showFactory(tok, pin, fe, func(newPIN string) { ts.generate(tok, newPIN, bits, label) })
		return
	}
	ts.generate(tok, pin, bits, label)
}

// factoryCheck tells which PINs of tok must change before a key is made:
// the user PIN just typed, the token's own "to be changed" flags, and
// what this run saw of the SO PIN. A factory user PIN means a token as it
// left the factory, so its SO PIN is asked too unless this run saw the
// person's own.
func (ts *tokenStep) factoryCheck(tok tokens.TokenInfo, userPIN string) *tokens.FactoryPINError {
	fe := &tokens.FactoryPINError{}
	if err := tokens.CheckFactoryPINs(tok, userPIN, "", ts.wz.profile.Token.FactoryPINs); err != nil {
		errors.As(err, &fe)
	}
	own, known := ts.soOwn[tok.Serial]
	if (known && !own) || (fe.User && !own) {
		fe.SO = true
	}
	if !fe.User && !fe.SO {
		return nil
	}
	return fe
}

// soSeen notes that tok accepted so as its SO PIN.
func (ts *tokenStep) soSeen(serial, so string) {
	if serial == "" {
		return
	}
	if ts.soOwn == nil {
		ts.soOwn = map[string]bool{}
	}
	ts.soOwn[serial] = !tokens.IsFactoryPIN(so, ts.wz.profile.Token.FactoryPINs)
}

// forgetPIN drops the user PIN kept for the selected token.
func (ts *tokenStep) forgetPIN() {
	tok, _ := ts.selected()
	ts.pins.forget(tok.Serial)
	log.WithField("serial", tok.Serial).Info("user PIN forgotten")
	ts.refresh()
	ts.wz.certs.refresh()
}

// generate runs the key generation in a goroutine; the window stays usable.
func (ts *tokenStep) generate(tok tokens.TokenInfo, pin string, bits int, label string) {
	mod := ts.mod
	ts.keygenBusy, ts.keyErr = true, nil
	ts.refresh()
	log.WithFields(map[string]any{"serial": tok.Serial, "bits": bits, "label": label}).Info("key generation started")
	go func() {
		start := time.Now()
		key, err := mod.GenerateSigningKey(context.Background(), tok, pin, bits, label)
		if err != nil {
			log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("key generation failed")
		} else {
			log.WithFields(map[string]any{"serial": key.TokenSerial, "id": key.IDHex(), "bits": key.Bits,
				"relaxed": key.AttributesRelaxed, "took": time.Since(start).String()}).Info("key generated")
		}
		ts.uiDo(func() {
			ts.keygenBusy = false
			if err != nil {
				ts.keyErr = err
				ts.pins.refused(tok.Serial, err)
			} else {
				ts.pins.keep(tok.Serial, pin) // the token took it: the CSR does not ask again
				ts.key = key
				ts.wz.prefs.SetString(prefKeySerial, key.TokenSerial)
				ts.wz.prefs.SetString(prefKeyID, key.IDHex())
				ts.wz.rec.signKey(key, tok.Label)
				ts.wz.certs.reset()
			}
			pin = ""
			ts.refresh()
			ts.refreshSoon()
			if ts.keygenDone != nil {
				ts.keygenDone()
			}
		})
	}()
}

// keyID is the signing key to use: this run's, else the remembered one.
func (ts *tokenStep) keyID() (serial string, id []byte) {
	if ts.key != nil {
		return ts.key.TokenSerial, ts.key.ID
	}
	serial = ts.wz.prefs.String(prefKeySerial)
	id, err := hex.DecodeString(ts.wz.prefs.String(prefKeyID))
	if err != nil || serial == "" || len(id) == 0 {
		return "", nil
	}
	return serial, id
}

// libraryText names the PKCS#11 library found: its family, or for
// another library its maker's own words (sanitised: the driver gives them).
func libraryText(li tokens.LibraryInfo) string {
	switch li.Kind {
	case tokens.LibraryRutoken:
		return T("token.library.kind.rutoken")
	case tokens.LibraryJaCarta:
		return T("token.library.kind.jacarta")
	case tokens.LibrarySoftHSM:
		return T("token.library.kind.softhsm")
	case tokens.LibraryOpenSC:
		return T("token.library.kind.opensc")
	}
	name := strings.TrimSpace(li.Manufacturer + " " + li.Description)
	if name == "" {
		name = li.File
	}
	return T("token.library.kind.other", map[string]any{"Name": i18n.Line(name, 120)})
}

// forgetKey drops the remembered key when its token was formatted.
func (ts *tokenStep) forgetKey(serial string) {
	s, _ := ts.keyID()
	if s == "" || s != serial {
		return
	}
	ts.key = nil
	ts.wz.prefs.SetString(prefKeySerial, "")
	ts.wz.prefs.SetString(prefKeyID, "")
	ts.wz.rec.signKey(nil, "")
	ts.wz.certs.reset()
}

// tokenName is how messages name a token: label (serial).
func tokenName(t tokens.TokenInfo) string {
	label := t.Label
	if label == "" {
		label = T("token.no_label")
	}
	if t.Serial == "" {
		return i18n.Line(label, 64)
	}
	return fmt.Sprintf("%s (%s)", i18n.Line(label, 64), i18n.Line(t.Serial, 64))
}

// messageCard is an error with what to do and the technical detail.
func messageCard(what, todo, detail string) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(what, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	title.Importance = widget.DangerImportance
	body := widget.NewLabel(todo)
	body.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, body)
	if detail != "" {
		d := widget.NewLabel(T("err.detail", map[string]any{"Detail": detail}))
		d.Wrapping = fyne.TextWrapWord
		d.Importance = widget.LowImportance
		d.Selectable = true
		box.Add(d)
	}
	icon := widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon()))
	return container.NewBorder(nil, nil, container.NewVBox(icon), nil, box)
}
