package app

// Where the signing key lives: the operator's profile allows some places
// (signing_key.placements) and recommends one (signing_key.default); the
// Certificates step lets the user choose among them, the Token step says
// what the choice asks of it, and Configure makes the key and CSR when the
// place is at the server. The choice is a preference (no secret) and goes
// into the onboarding record.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// prefSignPlacement is the chosen place: a profile.Placement* word.
const prefSignPlacement = "sign_placement"

// placeWord is the onboarding record's word for a placement.
var placeWord = map[string]string{
	profile.PlacementUSBToken:        onboarding.PlaceRutoken,
	profile.PlacementServerHWToken:   onboarding.PlaceServerToken,
	profile.PlacementServerSoftToken: onboarding.PlaceSoftToken,
}

// placeText are the catalogue keys of a place's words: its option on
// Certificates and what it means there, what Certificates and the Token
// step say when the key is made at the server, and Configure's line.
type placeText struct{ label, about, atServer, atServerTodo, tokenNote, tokenTodo, configure string }

var placeTexts = map[string]placeText{
	profile.PlacementUSBToken: {label: "cert.place.usb_token", about: "cert.place.usb_token.about",
		configure: "configure.sign_place.usb_token"},
	profile.PlacementServerHWToken: {label: "cert.place.server_hw_token", about: "cert.place.server_hw_token.about",
		atServer: "cert.at_server.server_hw_token", atServerTodo: "cert.at_server.server_hw_token.todo",
		tokenNote: "token.place.server_hw_token", tokenTodo: "token.place.server_hw_token.todo",
		configure: "configure.sign_place.server_hw_token"},
	profile.PlacementServerSoftToken: {label: "cert.place.server_soft_token", about: "cert.place.server_soft_token.about",
		atServer: "cert.at_server.server_soft_token", atServerTodo: "cert.at_server.server_soft_token.todo",
		tokenNote: "token.place.server_soft_token", tokenTodo: "token.place.server_soft_token.todo",
		configure: "configure.sign_place.server_soft_token"},
}

// signPlacement is the place chosen, when the profile allows it; else an
// earlier wizard's "signing key on a token at the server" tick; else the
// profile's recommendation.
func (wz *wizard) signPlacement() string {
	sk := wz.profile.SigningKey
	if pl := wz.prefs.String(prefSignPlacement); sk.Allows(pl) {
		return pl
	}
	if wz.prefs.Bool(prefCfgSignOnServer) && sk.Allows(profile.PlacementServerHWToken) {
		return profile.PlacementServerHWToken
	}
	return sk.Default
}

// setSignPlacement keeps the user's choice, records it and brings the
// pages that depend on it up to date.
func (wz *wizard) setSignPlacement(pl string) {
	if !wz.profile.SigningKey.Allows(pl) || pl == wz.prefs.String(prefSignPlacement) {
		return
	}
	wz.prefs.SetString(prefSignPlacement, pl)
	log.WithField("placement", pl).Info("signing key placement chosen")
	wz.rec.signPlacement(pl)
	wz.placementChanged(pl)
	wz.configure.refresh()
	if wz.list != nil {
		wz.list.Refresh() // the Token and Certificates states follow the place
	}
}

// signOnServer says where Configure makes the signing key: on a hardware
// token at the server, on its software token, or neither.
func (wz *wizard) signOnServer() (hw, soft bool) {
	pl := wz.signPlacement()
	return pl == profile.PlacementServerHWToken, pl == profile.PlacementServerSoftToken
}

// signTextKey is key, a text that sends the user to where the signing
// CSR is made, in the variant of the chosen place: at the server
// (key.server_hw_token, key.server_soft_token) Configure makes it, not
// Certificates.
func (wz *wizard) signTextKey(key string) string {
	switch pl := wz.signPlacement(); pl {
	case profile.PlacementServerHWToken, profile.PlacementServerSoftToken:
		return key + "." + pl
	}
	return key
}

// placementPicker is the choice of place: a radio of the allowed places,
// which one the operator recommends and, under it, what the chosen one
// means.
type placementPicker struct {
	radio *widget.RadioGroup
	about *widget.Label
	box   fyne.CanvasObject
}

// newPlacementPicker builds the picker; changed runs after a choice. The
// place shown is recorded: seen, the recommendation is the user's choice
// until another is made.
func (wz *wizard) newPlacementPicker(changed func()) *placementPicker {
	sk := wz.profile.SigningKey
	wz.rec.signPlacement(wz.signPlacement())
	labels := map[string]string{}
	var options []string
	for _, pl := range sk.Offered() {
		l := T(placeTexts[pl].label)
		labels[l] = pl
		options = append(options, l)
	}
	// Said apart from the options, so each option is its own words.
	recommended := widget.NewLabel(T("cert.place.recommended", map[string]any{"Place": T(placeTexts[sk.Default].label)}))
	recommended.Wrapping = fyne.TextWrapWord
	recommended.Importance = widget.LowImportance
	pp := &placementPicker{about: widget.NewLabel("")}
	pp.about.Wrapping = fyne.TextWrapWord
	pp.radio = widget.NewRadioGroup(options, nil)
	pp.radio.Required = true
	for l, pl := range labels {
		if pl == wz.signPlacement() {
			pp.radio.Selected = l
		}
	}
	pp.radio.OnChanged = func(l string) {
		if pl, ok := labels[l]; ok {
			wz.setSignPlacement(pl)
		}
		pp.show(wz)
		if changed != nil {
			changed()
		}
	}
	title := widget.NewLabelWithStyle(T("cert.place.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	pp.box = container.NewVBox(title, recommended, pp.radio, pp.about)
	pp.show(wz)
	return pp
}

// show explains the chosen place.
func (pp *placementPicker) show(wz *wizard) {
	pl := wz.signPlacement()
	pp.about.SetText(T(placeTexts[pl].about, map[string]any{"Token": wz.tokenName()}))
}

// tokenName is the hardware token the operator's profile names, in the
// user's language (the handover's words).
func (wz *wizard) tokenName() string {
	return i18n.T(CurrentLanguage(), "handover.vendor."+wz.profile.SigningKey.Vendor(), nil)
}

// placementNote is what the Token step says of the chosen place: nothing
// for a key made on this computer, else what the step is (not) for, with
// the way to the Certificates step where the place is chosen.
func (wz *wizard) placementNote() fyne.CanvasObject {
	pl := wz.signPlacement()
	if pl == profile.PlacementUSBToken {
		return container.NewVBox()
	}
	pt := placeTexts[pl]
	return container.NewVBox(infoCard(T(pt.tokenNote), T(pt.tokenTodo, map[string]any{"Token": wz.tokenName()})),
		container.NewHBox(wz.goToButton(stepCertificates)))
}

// signPlacement: the user chose where the signing key lives.
func (r *recorder) signPlacement(pl string) {
	r.update("signing key placement", func(rec *onboarding.Record) { rec.SignPlacement = placeWord[pl] })
}
