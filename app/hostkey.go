package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// askHostKey is the ssh layer's AcceptHostKey: it runs on the SSH
// goroutine, shows the question on the UI goroutine and waits for the
// answer (or for the check to be cancelled, which refuses).
func (wz *wizard) askHostKey(ctx context.Context, host, fingerprint, keyType string) bool {
	answer := make(chan bool, 1)
	var d dialog.Dialog
	fyne.Do(func() {
		d = newHostKeyDialog(wz.win, host, fingerprint, keyType, func(ok bool) {
			select {
			case answer <- ok:
			default:
			}
		})
		showSized(d, wz.win, 620)
		if wz.hostKeyShown != nil {
			wz.hostKeyShown()
		}
	})
	select {
	case ok := <-answer:
		log.WithFields(map[string]any{"host": host, "key_type": keyType, "fingerprint": fingerprint, "accepted": ok}).Info("host key decision")
		return ok
	case <-ctx.Done():
		fyne.Do(func() {
			if d != nil {
				d.Hide()
			}
		})
		return false
	}
}

// newHostKeyDialog asks whether to trust a server's SSH key seen for the
// first time. answer gets true for Accept, false for Refuse or close.
func newHostKeyDialog(w fyne.Window, host, fingerprint, keyType string, answer func(bool)) dialog.Dialog {
	content := hostKeyContent(host, fingerprint, keyType)
	d := dialog.NewCustomConfirm(T("hostkey.title"), T("hostkey.accept"), T("hostkey.refuse"), content, answer, w)
	return d
}

// hostKeyContent is the body of the host-key dialog.
func hostKeyContent(host, fingerprint, keyType string) fyne.CanvasObject {
	wrap := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	mono := func(s string) *widget.Label {
		l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		l.Wrapping = fyne.TextWrapBreak
		l.Selectable = true
		return l
	}
	form := widget.NewForm(
		widget.NewFormItem(T("hostkey.host"), mono(i18n.Line(host, 200))),
		widget.NewFormItem(T("hostkey.type"), mono(i18n.Line(keyType, 60))),
		widget.NewFormItem(T("hostkey.fingerprint"), fingerprintLabel(i18n.Line(fingerprint, 120))),
	)
	return container.NewVBox(
		wrap(T("hostkey.intro")),
		form,
		wrap(T("hostkey.compare")),
		mono("ssh-keygen -lf /etc/ssh/ssh_host_"+hostKeyFileStem(keyType)+"_key.pub"),
		wrap(T("hostkey.warning")),
	)
}

// hostKeyFileStem names the server's host key file for a key type
// (ssh_host_<stem>_key.pub).
func hostKeyFileStem(keyType string) string {
	switch {
	case strings.Contains(keyType, "ecdsa"):
		return "ecdsa"
	case strings.Contains(keyType, "rsa"):
		return "rsa"
	}
	return "ed25519"
}
