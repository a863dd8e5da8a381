package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// pinEntry is a password entry: the text is never shown, stored nor logged.
func pinEntry() *widget.Entry {
	e := widget.NewPasswordEntry()
	return e
}

// errLabel is a dialog's inline error line.
func errLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

func showErr(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// showErrIn shows an inline error in dialog d and fits d to it.
func showErrIn(d *dialog.CustomDialog, width float32, l *widget.Label, text string) {
	showErr(l, text)
	if d != nil {
		d.Resize(fyne.NewSize(width, 0))
	}
}

// newPINErrorText translates an error of tokens.ValidateNewPIN.
func newPINErrorText(err error, minLen int) string {
	return tokenText(tokens.Explain(err, minLen))
}

// pinErrorText tells a refused PIN and the token's tries state.
func pinErrorText(pe *tokens.PINError) string {
	return tokenText(tokens.Explain(pe, 0))
}

// tokenErrorText tells a token error in the UI language.
func tokenErrorText(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return T("err.cancelled")
	case errors.Is(err, tokens.ErrKeyNotFound):
		return T("cert.err.no_key_on_token")
	}
	return tokenText(tokens.Explain(err, 0))
}

// tokenText renders tokens.Explain's sentences: references translated
// first, error details sanitised and bounded (they may come from a driver).
func tokenText(msgs []tokens.Msg) string {
	parts := make([]string, 0, len(msgs))
	for _, m := range msgs {
		data := map[string]any{}
		for k, v := range m.Data {
			switch v := v.(type) {
			case tokens.Ref:
				data[k] = T(string(v))
			case string:
				data[k] = i18n.Line(v, 400)
			default:
				data[k] = v
			}
		}
		parts = append(parts, T(m.Key, data))
	}
	return strings.Join(parts, " ")
}

// dialogButtons are the OK/Cancel row of the token dialogs, which never
// close on an error (the form stays as typed).
func dialogButtons(okText string, okIcon fyne.Resource, onOK, onCancel func()) (*widget.Button, *widget.Button, fyne.CanvasObject) {
	ok := widget.NewButtonWithIcon(okText, okIcon, onOK)
	ok.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon(T("token.cancel"), theme.CancelIcon(), onCancel)
	return ok, cancel, container.NewHBox(layout.NewSpacer(), cancel, ok)
}

// formatDialog is the "Format (initialise)" form.
type formatDialog struct {
	d                       *dialog.CustomDialog
	label, soPIN, pin, pin2 *widget.Entry
	soNew, soNew2           *widget.Entry // a new SO PIN: needed when soPIN is a factory one
	err                     *widget.Label
	progress                *widget.ProgressBarInfinite
	ok, cancel              *widget.Button
	done                    chan struct{} // closed when an attempt ends (tests)
}

func (ts *tokenStep) showFormat() {
	tok, ok := ts.selected()
	if !ok || ts.mod == nil {
		return
	}
	mod := ts.mod
	prof := ts.wz.profile
	f := &formatDialog{label: widget.NewEntry(), soPIN: pinEntry(), pin: pinEntry(), pin2: pinEntry(), err: errLabel(),
		soNew: pinEntry(), soNew2: pinEntry(), progress: widget.NewProgressBarInfinite()}
	f.progress.Hide()
	f.progress.Stop()
	label := tok.Label
	if label == "" {
		label = strings.TrimSpace(ts.wz.state.Org.ServerCode)
	}
	f.label.SetText(label)
	warn := widget.NewLabel(T("token.format.warning", map[string]any{"Token": tokenName(tok)}))
	warn.Wrapping = fyne.TextWrapWord
	warn.Importance = widget.WarningImportance
	hint := widget.NewLabel(T("token.format.hint", map[string]any{"Min": prof.Token.PINMinLength}))
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	form := widget.NewForm(
		widget.NewFormItem(T("token.format.label"), f.label),
		widget.NewFormItem(T("token.format.so_pin"), f.soPIN),
		widget.NewFormItem(T("token.pins.new_so"), f.soNew),
		widget.NewFormItem(T("token.pins.new_so2"), f.soNew2),
		widget.NewFormItem(T("token.format.user_pin"), f.pin),
		widget.NewFormItem(T("token.format.user_pin2"), f.pin2),
	)
	soHint := widget.NewLabel(T("token.format.so_hint"))
	soHint.Wrapping = fyne.TextWrapWord
	soHint.Importance = widget.LowImportance
	clearPINs := func() {
		for _, e := range []*widget.Entry{f.soPIN, f.soNew, f.soNew2, f.pin, f.pin2} {
			e.SetText("")
		}
	}
	var buttons fyne.CanvasObject
	f.ok, f.cancel, buttons = dialogButtons(T("token.format.ok"), theme.DeleteIcon(), func() {
		lbl := strings.TrimSpace(f.label.Text)
		if lbl == "" || len(lbl) > 32 {
			showErrIn(f.d, 620, f.err, T("token.err.label"))
			return
		}
		if f.soPIN.Text == "" {
			showErrIn(f.d, 620, f.err, T("token.err.so_pin_empty"))
			return
		}
		// C_InitToken keeps the SO PIN it is given: a factory one is
		// replaced in the same step, so a key is never made under it.
		if msg := newSOPINProblem(f.soPIN.Text, f.soNew.Text, f.soNew2.Text, prof.Token.PINMinLength, prof.Token.FactoryPINs); msg != "" {
			showErrIn(f.d, 620, f.err, msg)
			return
		}
		if err := tokens.ValidateNewPIN(f.pin.Text, f.pin2.Text, prof.Token.PINMinLength, prof.Token.FactoryPINs); err != nil {
			showErrIn(f.d, 620, f.err, newPINErrorText(err, prof.Token.PINMinLength))
			return
		}
		showErrIn(f.d, 620, f.err, "")
		so, soNew, pin := f.soPIN.Text, f.soNew.Text, f.pin.Text
		// The user PIN this run has for the token opens it, so the
		// question counts its private objects (keys) too.
		current, _ := ts.pins.get(tok.Serial)
		f.busy(true)
		done := f.done
		go func() {
			newTok, err := mod.InitToken(tok, so, lbl, pin, current, func(w tokens.Wipe) bool { return ts.confirmWipe(tok, w) })
			current = ""
			// formatted: the objects are gone whatever follows; userSet: the
			// new user PIN is the token's (InitToken can fail after the wipe).
			formatted, userSet, soNow := newTok.Serial != "", err == nil, so
			if err == nil && soNew != "" {
				if err = mod.ChangeSOPIN(newTok, so, soNew); err != nil {
					err = fmt.Errorf("the token is formatted, but its SO PIN was not changed: %w", err)
				} else {
					soNow = soNew
				}
			}
			so, soNew = "", ""
			if err != nil {
				log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("token not formatted")
			} else {
				log.WithFields(map[string]any{"serial": newTok.Serial, "label": newTok.Label}).Info("token formatted")
			}
			ts.uiDo(func() {
				f.busy(false)
				if formatted {
					// The old user PIN and the key are gone; the new user PIN
					// is the one just typed twice, once the token took it.
					ts.pins.forget(tok.Serial)
					if userSet {
						ts.pins.keep(newTok.Serial, pin)
						ts.soSeen(newTok.Serial, soNow)
					}
					ts.forgetKey(tok.Serial)
					ts.sel = tokenKey(newTok)
				}
				pin, soNow = "", ""
				if err != nil {
					var pe *tokens.PINError
					if errors.As(err, &pe) {
						f.soPIN.SetText("") // wrong SO PIN: typed again, never retried
					}
					showErrIn(f.d, 620, f.err, tokenErrorText(err))
				} else {
					clearPINs()
					f.d.Hide()
					dialog.ShowInformation(T("token.format.title"), T("token.format.done", map[string]any{"Token": tokenName(newTok)}), ts.wz.win)
				}
				ts.refreshSoon()
				if done != nil {
					close(done)
				}
			})
		}()
	}, func() { clearPINs(); f.d.Hide() })
	content := container.NewVBox(warn, form, soHint, hint, f.err, f.progress, buttons)
	f.d = dialog.NewCustomWithoutButtons(T("token.format.title"), content, ts.wz.win)
	showSized(f.d, ts.wz.win, 620)
	if ts.dialogShown != nil {
		ts.dialogShown(f)
	}
}

func (f *formatDialog) busy(on bool) {
	setBusy(on, f.progress, f.ok, f.cancel)
}

func setBusy(on bool, p *widget.ProgressBarInfinite, buttons ...*widget.Button) {
	for _, b := range buttons {
		if on {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if on {
		p.Show()
		p.Start()
	} else {
		p.Stop()
		p.Hide()
	}
}

// wipeConfirm is the second confirmation before a token holding objects
// is formatted: the objects are listed and the serial must be typed.
type wipeConfirm struct {
	d            *dialog.CustomDialog
	intro        *widget.Label // how many objects, or at least how many
	objects      *widget.Label
	serial       *widget.Entry
	wipe, cancel *widget.Button
}

// confirmWipe runs on InitToken's goroutine (off the module lock): it shows
// the confirmation and waits for the answer.
func (ts *tokenStep) confirmWipe(tok tokens.TokenInfo, w tokens.Wipe) bool {
	objs := w.Objects
	answer := make(chan bool, 1)
	reply := func(ok bool) {
		select {
		case answer <- ok:
		default:
		}
	}
	ts.uiDo(func() {
		c := &wipeConfirm{serial: widget.NewEntry()}
		var lines []string
		for _, o := range objs {
			line := "• " + objectClassText(o.Class)
			if o.Label != "" {
				line += " «" + i18n.Line(o.Label, 64) + "»"
			}
			if len(o.ID) > 0 {
				line += " CKA_ID " + i18n.Line(strings.ToLower(hexString(o.ID)), 80)
			}
			lines = append(lines, line)
		}
		// Without the user PIN only the objects anyone sees are listed:
		// the keys are private, so the count is "at least".
		key := "token.wipe.intro"
		switch {
		case !w.Complete && len(objs) == 0:
			key = "token.wipe.intro_unseen"
		case !w.Complete:
			key = "token.wipe.intro_least"
		}
		intro := widget.NewLabel(T(key, map[string]any{"Token": tokenName(tok), "Count": len(objs)}))
		c.intro = intro
		intro.Wrapping = fyne.TextWrapWord
		intro.Importance = widget.DangerImportance
		c.objects = widget.NewLabel(strings.Join(lines, "\n"))
		c.objects.Wrapping = fyne.TextWrapBreak
		ask := widget.NewLabel(T("token.wipe.type_serial", map[string]any{"Serial": i18n.Line(tok.Serial, 64)}))
		ask.Wrapping = fyne.TextWrapWord
		c.serial.SetPlaceHolder(i18n.Line(tok.Serial, 64))
		var buttons fyne.CanvasObject
		c.wipe, c.cancel, buttons = dialogButtons(T("token.wipe.ok"), theme.DeleteIcon(), func() {
			if tok.Serial == "" || c.serial.Text != tok.Serial {
				return
			}
			reply(true)
			c.d.Hide()
		}, func() { reply(false); c.d.Hide() })
		c.wipe.Importance = widget.DangerImportance
		c.wipe.Disable()
		c.serial.OnChanged = func(s string) {
			if tok.Serial != "" && s == tok.Serial {
				c.wipe.Enable()
			} else {
				c.wipe.Disable()
			}
		}
		list := container.NewVScroll(c.objects)
		list.SetMinSize(fyne.NewSize(0, 120))
		if len(lines) == 0 {
			list.Hide() // nothing visible to list: the intro says why
		}
		content := container.NewVBox(intro, list, ask, c.serial, buttons)
		c.d = dialog.NewCustomWithoutButtons(T("token.wipe.title"), content, ts.wz.win)
		c.d.SetOnClosed(func() { reply(false) })
		showSized(c.d, ts.wz.win, 640)
		if ts.dialogShown != nil {
			ts.dialogShown(c)
		}
	})
	ok := <-answer
	log.WithFields(map[string]any{"serial": tok.Serial, "objects": len(objs), "private_counted": w.Complete, "confirmed": ok}).Info("wipe confirmation")
	return ok
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// objectClassText names a PKCS#11 object class.
func objectClassText(class string) string {
	switch class {
	case "private key":
		return T("token.object.private_key")
	case "public key":
		return T("token.object.public_key")
	case "certificate":
		return T("token.object.certificate")
	case "data":
		return T("token.object.data")
	case "secret key":
		return T("token.object.secret_key")
	}
	return T("token.object.other", map[string]any{"Class": i18n.Line(class, 40)})
}

// PIN actions of the PIN dialog.
const (
	pinChangeUser = iota
	pinChangeSO
	pinUnblock
)

// pinDialog changes the user or SO PIN, or unblocks the user PIN.
type pinDialog struct {
	d              *dialog.CustomDialog
	action         *widget.RadioGroup
	choices        []string // the action labels as shown, indexed by pinChangeUser...
	form           *widget.Form
	old, pin, pin2 *widget.Entry
	err            *widget.Label
	progress       *widget.ProgressBarInfinite
	ok, cancel     *widget.Button
	done           chan struct{}
}

// mode is the chosen action. It compares with the labels the dialog was
// built with, so a language switch while it is open cannot change it.
func (pd *pinDialog) mode() int {
	for i, c := range pd.choices {
		if pd.action.Selected == c {
			return i
		}
	}
	return pinChangeUser
}

func (ts *tokenStep) showPINs() {
	tok, ok := ts.selected()
	if !ok || ts.mod == nil {
		return
	}
	mod := ts.mod
	prof := ts.wz.profile
	pd := &pinDialog{old: pinEntry(), pin: pinEntry(), pin2: pinEntry(), err: errLabel(), progress: widget.NewProgressBarInfinite()}
	pd.progress.Hide()
	pd.progress.Stop()
	pd.form = widget.NewForm(
		widget.NewFormItem(T("token.pins.old_user"), pd.old),
		widget.NewFormItem(T("token.pins.new_user"), pd.pin),
		widget.NewFormItem(T("token.pins.new_user2"), pd.pin2),
	)
	pd.choices = []string{pinChangeUser: T("token.pins.change_user"), pinChangeSO: T("token.pins.change_so"), pinUnblock: T("token.pins.unblock")}
	pd.action = widget.NewRadioGroup(pd.choices, func(string) {
		old, nw, nw2 := "token.pins.old_user", "token.pins.new_user", "token.pins.new_user2"
		switch pd.mode() {
		case pinChangeSO:
			old, nw, nw2 = "token.pins.old_so", "token.pins.new_so", "token.pins.new_so2"
		case pinUnblock:
			old = "token.pins.so"
		}
		pd.form.Items[0].Text, pd.form.Items[1].Text, pd.form.Items[2].Text = T(old), T(nw), T(nw2)
		pd.form.Refresh()
		showErrIn(pd.d, 620, pd.err, "")
	})
	pd.action.Required = true
	pd.action.SetSelected(pd.choices[pinChangeUser])
	if tok.UserPINLocked {
		pd.action.SetSelected(pd.choices[pinUnblock])
	}
	intro := widget.NewLabel(T("token.pins.intro", map[string]any{"Token": tokenName(tok)}))
	intro.Wrapping = fyne.TextWrapWord
	clearPINs := func() {
		for _, e := range []*widget.Entry{pd.old, pd.pin, pd.pin2} {
			e.SetText("")
		}
	}
	var buttons fyne.CanvasObject
	pd.ok, pd.cancel, buttons = dialogButtons(T("token.pins.ok"), theme.ConfirmIcon(), func() {
		if pd.old.Text == "" {
			showErrIn(pd.d, 620, pd.err, T("token.err.old_pin_empty"))
			return
		}
		if err := tokens.ValidateNewPIN(pd.pin.Text, pd.pin2.Text, prof.Token.PINMinLength, prof.Token.FactoryPINs); err != nil {
			showErrIn(pd.d, 620, pd.err, newPINErrorText(err, prof.Token.PINMinLength))
			return
		}
		showErrIn(pd.d, 620, pd.err, "")
		mode, old, pin := pd.mode(), pd.old.Text, pd.pin.Text
		pd.busy(true)
		done := pd.done
		go func() {
			var err error
			var what string
			switch mode {
			case pinChangeSO:
				what = "change SO PIN"
				err = mod.ChangeSOPIN(tok, old, pin)
			case pinUnblock:
				what = "unblock user PIN"
				err = mod.UnblockUserPIN(tok, old, pin)
			default:
				what = "change user PIN"
				err = mod.ChangeUserPIN(tok, old, pin)
			}
			if err != nil {
				log.WithError(errors.New(i18n.Line(err.Error(), 600))).WithField("action", what).Warn("PIN action failed")
			} else {
				log.WithFields(map[string]any{"serial": tok.Serial, "action": what}).Info("PIN action done")
			}
			ts.uiDo(func() {
				pd.busy(false)
				ts.pinsChanged(tok.Serial, mode, old, pin, err)
				old, pin = "", ""
				if err != nil {
					var pe *tokens.PINError
					if errors.As(err, &pe) {
						pd.old.SetText("") // typed again, never retried
					}
					showErrIn(pd.d, 620, pd.err, tokenErrorText(err))
				} else {
					clearPINs()
					pd.d.Hide()
					dialog.ShowInformation(T("token.pins.title"), T("token.pins.done"), ts.wz.win)
				}
				ts.refreshSoon()
				if done != nil {
					close(done)
				}
			})
		}()
	}, func() { clearPINs(); pd.d.Hide() })
	hint := widget.NewLabel(T("token.format.hint", map[string]any{"Min": prof.Token.PINMinLength}))
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	content := container.NewVBox(intro, pd.action, pd.form, hint, pd.err, pd.progress, buttons)
	pd.d = dialog.NewCustomWithoutButtons(T("token.pins.title"), content, ts.wz.win)
	showSized(pd.d, ts.wz.win, 620)
	if ts.dialogShown != nil {
		ts.dialogShown(pd)
	}
}

func (pd *pinDialog) busy(on bool) { setBusy(on, pd.progress, pd.ok, pd.cancel) }

// pinPrompt asks the user PIN for one operation; the entry is cleared as
// soon as the PIN is handed on. With a PIN kept from earlier in this run
// it only asks to confirm the operation (kept is true, no entry shown).
type pinPrompt struct {
	d          *dialog.CustomDialog
	pin        *widget.Entry
	err        *widget.Label
	ok, cancel *widget.Button
	kept       bool
}

func newPINPrompt(w fyne.Window, title, intro, kept string, use func(pin string)) *pinPrompt {
	p := &pinPrompt{pin: pinEntry(), err: errLabel(), kept: kept != ""}
	text := widget.NewLabel(intro)
	text.Wrapping = fyne.TextWrapWord
	var buttons fyne.CanvasObject
	p.ok, p.cancel, buttons = dialogButtons(T("token.keygen.ok"), theme.ConfirmIcon(), func() {
		pin := kept
		if pin == "" {
			if p.pin.Text == "" {
				showErrIn(p.d, 560, p.err, T("token.err.pin_empty"))
				return
			}
			pin = p.pin.Text
			p.pin.SetText("")
		}
		p.d.Hide()
		use(pin)
	}, func() { p.pin.SetText(""); p.d.Hide() })
	p.pin.OnSubmitted = func(string) { p.ok.OnTapped() }
	content := container.NewVBox(text)
	if kept == "" {
		content.Add(widget.NewForm(widget.NewFormItem(T("token.pin.user_pin"), p.pin)))
	} else {
		p.pin.Hide()
	}
	content.Add(p.err)
	content.Add(buttons)
	p.d = dialog.NewCustomWithoutButtons(title, content, w)
	return p
}

// pinsChanged keeps what a PIN action of the PIN dialog taught: the new
// user PIN, whether the SO PIN is the person's own, or that a kept user
// PIN is no longer good. UI goroutine.
func (ts *tokenStep) pinsChanged(serial string, mode int, old, pin string, err error) {
	if err != nil {
		if mode == pinChangeUser {
			ts.pins.refused(serial, err)
		}
		return
	}
	switch mode {
	case pinChangeSO:
		ts.soSeen(serial, pin)
	case pinUnblock:
		ts.soSeen(serial, old)
		ts.pins.keep(serial, pin)
	default:
		ts.pins.keep(serial, pin)
	}
}

// newSOPINProblem checks the SO PIN fields of a form that may replace
// the SO PIN: cur is required; a factory cur needs a new one; a new one
// given is checked as any new PIN. "" when all is well.
func newSOPINProblem(cur, pin, again string, minLen int, factory []string) string {
	switch {
	case cur == "":
		return T("token.err.so_pin_empty")
	case pin == "" && again == "" && tokens.IsFactoryPIN(cur, factory):
		return T("token.factory.so_needed")
	case pin == "" && again == "":
		return ""
	}
	if err := tokens.ValidateNewPIN(pin, again, minLen, factory); err != nil {
		return newPINErrorText(err, minLen)
	}
	return ""
}
