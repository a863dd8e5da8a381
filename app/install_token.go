package app

// The Install step's choice of the hardware token the server is made
// ready for: its vendor decides the PKCS#11 library installed and the
// devices.ini section written (installer's hwtokens step). The profile's
// token (signing_key.token_vendor) is chosen until the user picks another.

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/tokens/vendors"
)

// prefTokenVendor is the vendor chosen (a tokens/vendors ID).
const prefTokenVendor = "install_token_vendor"

// tokenVendor is the token the server is made ready for.
func (is *installStep) tokenVendor() string {
	if id := is.wz.prefs.String(prefTokenVendor); slices.Contains(vendors.IDs(false), id) {
		return id
	}
	return is.wz.profile.SigningKey.Vendor()
}

// tokenVendorRow is the choice, a select of the tokens by name, shown
// while the token goes to the server.
func (is *installStep) tokenVendorRow() (*widget.Select, fyne.CanvasObject) {
	byName := map[string]string{}
	var names []string
	for _, id := range vendors.IDs(false) {
		n := i18n.T(CurrentLanguage(), "handover.vendor."+id, nil)
		byName[n] = id
		names = append(names, n)
	}
	s := widget.NewSelect(names, nil)
	s.Selected = i18n.T(CurrentLanguage(), "handover.vendor."+is.tokenVendor(), nil)
	s.OnChanged = func(n string) {
		if id, ok := byName[n]; ok && id != is.tokenVendor() {
			is.wz.prefs.SetString(prefTokenVendor, id)
			log.WithField("vendor", id).Info("hardware token for the server chosen")
			is.refresh()
		}
	}
	return s, container.NewBorder(nil, nil, widget.NewLabel(T("install.token_vendor")), nil, s)
}
