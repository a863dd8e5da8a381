package app

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// factoryDialog stands between the key generation and a token that still
// has factory PINs: the person sets their own (the user PIN, the SO PIN
// or both) and the key is made right after, in the same flow. The PINs
// typed here are cleared as soon as they are used.
type factoryDialog struct {
	d                *dialog.CustomDialog
	pin, pin2        *widget.Entry // the new user PIN (when the user PIN must change)
	soOld, so, so2   *widget.Entry // the current and new SO PIN (when the SO PIN must change)
	err              *widget.Label
	progress         *widget.ProgressBarInfinite
	ok, cancel       *widget.Button
	needUser, needSO bool
	userDone, soDone bool          // parts applied already (a later part failed)
	done             chan struct{} // tests: closed when an attempt ends
}

// showFactory asks the own PINs for tok, whose user PIN userPIN (typed a
// moment ago) or SO PIN is still a factory one (fe), changes them, keeps
// the new user PIN for this run and hands it to then.
func (ts *tokenStep) showFactory(tok tokens.TokenInfo, userPIN string, fe *tokens.FactoryPINError, then func(newUserPIN string)) {
	mod, prof := ts.mod, ts.wz.profile
	f := &factoryDialog{pin: pinEntry(), pin2: pinEntry(), soOld: pinEntry(), so: pinEntry(), so2: pinEntry(),
		err: errLabel(), progress: widget.NewProgressBarInfinite(), needUser: fe.User, needSO: fe.SO}
	f.progress.Hide()
	f.progress.Stop()
	intro := widget.NewLabel(T("token.factory.intro", map[string]any{"Token": tokenName(tok)}) + " " + tokenText(tokens.Explain(fe, 0)))
	intro.Wrapping = fyne.TextWrapWord
	intro.Importance = widget.WarningImportance
	form := widget.NewForm()
	if f.needUser {
		form.Append(T("token.pins.new_user"), f.pin)
		form.Append(T("token.pins.new_user2"), f.pin2)
	}
	content := container.NewVBox(intro, form)
	if f.needSO {
		form.Append(T("token.pins.old_so"), f.soOld)
		form.Append(T("token.pins.new_so"), f.so)
		form.Append(T("token.pins.new_so2"), f.so2)
		hint := widget.NewLabel(T("token.factory.so_hint"))
		hint.Wrapping = fyne.TextWrapWord
		hint.Importance = widget.LowImportance
		content.Add(hint)
	}
	hint := widget.NewLabel(T("token.format.hint", map[string]any{"Min": prof.Token.PINMinLength}))
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	content.Add(hint)
	all := []*widget.Entry{f.pin, f.pin2, f.soOld, f.so, f.so2}
	clear := func() {
		for _, e := range all {
			e.SetText("")
		}
	}
	var buttons fyne.CanvasObject
	f.ok, f.cancel, buttons = dialogButtons(T("token.factory.ok"), theme.ConfirmIcon(), func() {
		needUser, needSO := f.needUser && !f.userDone, f.needSO && !f.soDone
		if needUser {
			if err := tokens.ValidateNewPIN(f.pin.Text, f.pin2.Text, prof.Token.PINMinLength, prof.Token.FactoryPINs); err != nil {
				showErrIn(f.d, 620, f.err, newPINErrorText(err, prof.Token.PINMinLength))
				return
			}
		}
		if needSO {
			if msg := newSOPINProblem(f.soOld.Text, f.so.Text, f.so2.Text, prof.Token.PINMinLength, prof.Token.FactoryPINs); msg != "" {
				showErrIn(f.d, 620, f.err, msg)
				return
			}
		}
		showErrIn(f.d, 620, f.err, "")
		newUser, soOld, soNew := f.pin.Text, f.soOld.Text, f.so.Text
		if !f.needUser {
			newUser = userPIN
		}
		f.busy(true)
		done := f.done
		go func() {
			var err error
			soDone, userDone := false, false
			if needSO {
				if soNew != "" {
					err = mod.ChangeSOPIN(tok, soOld, soNew)
				} else {
					err = mod.VerifySOPIN(tok, soOld) // the person's own already: only checked
				}
				soDone = err == nil
			}
			if err == nil && needUser {
				err = mod.ChangeUserPIN(tok, userPIN, newUser)
				userDone = err == nil
			}
			if err != nil {
				log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("factory PINs not changed")
			} else {
				log.WithFields(map[string]any{"serial": tok.Serial, "user": needUser, "so": needSO}).Info("factory PINs changed")
			}
			ts.uiDo(func() {
				f.busy(false)
				if soDone {
					f.soDone = true
					so := soOld
					if soNew != "" {
						so = soNew
					}
					ts.soSeen(tok.Serial, so)
					for _, e := range []*widget.Entry{f.soOld, f.so, f.so2} {
						e.SetText("")
						e.Disable()
					}
				}
				f.userDone = f.userDone || userDone
				var pe *tokens.PINError
				switch {
				case err == nil:
					clear()
					f.d.Hide()
					ts.pins.keep(tok.Serial, newUser)
					then(newUser)
				case errors.As(err, &pe) && pe.Who != "so":
					// The user PIN typed before this dialog was refused: it is
					// asked again from the start, never retried here.
					clear()
					f.d.Hide()
					ts.pins.refused(tok.Serial, err)
					ts.keyErr = err
					ts.refresh()
				default:
					if errors.As(err, &pe) {
						f.soOld.SetText("") // a wrong SO PIN: typed again, never retried
					}
					showErrIn(f.d, 620, f.err, tokenErrorText(err))
				}
				newUser, soOld, soNew = "", "", ""
				ts.refreshSoon()
				if done != nil {
					close(done)
				}
			})
		}()
	}, func() { clear(); f.d.Hide() })
	content.Add(f.err)
	content.Add(f.progress)
	content.Add(buttons)
	f.d = dialog.NewCustomWithoutButtons(T("token.factory.title"), content, ts.wz.win)
	showSized(f.d, ts.wz.win, 620)
	if ts.dialogShown != nil {
		ts.dialogShown(f)
	}
}

func (f *factoryDialog) busy(on bool) { setBusy(on, f.progress, f.ok, f.cancel) }
