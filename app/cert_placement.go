package app

// The Certificates step and the signing key's place: the CSR is made on
// this page only for a key on the token at this computer; for a key at
// the server the page says what Configure does and where it goes.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// showPlacement shows the part of the page the chosen place needs.
func (cs *certStep) showPlacement() {
	v := cs.v
	pl := cs.wz.signPlacement()
	if pl == profile.PlacementUSBToken {
		v.usb.Show()
		v.atServer.Hide()
		return
	}
	v.usb.Hide()
	data := map[string]any{"Token": cs.wz.tokenName()}
	v.atServer.Objects = []fyne.CanvasObject{
		infoCard(T(placeTexts[pl].atServer), T(placeTexts[pl].atServerTodo, data)),
		container.NewHBox(cs.wz.goToButton(stepConfigure), layout.NewSpacer()),
	}
	v.atServer.Show()
	v.atServer.Refresh()
}

// placementChanged: the CSR handed to Submit is the chosen place's. One
// made for another place is taken back; this page's own comes back when
// the place returns to the token at this computer.
func (wz *wizard) placementChanged(pl string) {
	_, sign := wz.csrs.get()
	if sign != nil && sign.Where != placeWord[pl] {
		wz.csrs.setSign(nil)
		sign = nil
	}
	if c := wz.certs.madeSign; pl == profile.PlacementUSBToken && sign == nil && c != nil {
		wz.csrs.setSign(c)
	}
}
