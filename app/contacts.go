package app

// Help where the user is stuck: who the operator and the certification
// authority are, in the user's language, how to reach them (only what the
// operator profile gives: a contact it leaves out is never made up), and
// who acts next while the user waits.

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// caTitle names the certification authority in the current language.
func (wz *wizard) caTitle() string {
	if t := wz.profile.CA.Title.In(CurrentLanguage()); t != "" {
		return t
	}
	return wz.profile.CA.Name
}

// operatorTitle names the operator in the current language.
func (wz *wizard) operatorTitle() string { return wz.profile.Operator.Title.In(CurrentLanguage()) }

// contactLines are the contact's lines ("Phone: ..."), in a fixed order,
// leaving out what the profile does not give.
func contactLines(c profile.Contact) []string {
	lang := CurrentLanguage()
	var out []string
	add := func(key, value string) {
		if value = i18n.Line(value, 300); value != "" {
			out = append(out, T(key, map[string]any{"Value": value}))
		}
	}
	add("app.contact.phone", c.Phone)
	add("app.contact.email", c.Email)
	add("app.contact.web", c.Web)
	add("app.contact.address", c.Address.In(lang))
	add("app.contact.hours", c.Hours.In(lang))
	return out
}

// contactBox is a heading and the contact's lines, selectable so a number
// or an address can be copied.
func contactBox(title string, c profile.Contact) *fyne.Container {
	box := container.NewVBox()
	if title != "" {
		h := heading(title)
		h.Wrapping = fyne.TextWrapWord // a long name never widens the page
		box.Add(h)
	}
	for _, l := range contactLines(c) {
		lbl := wrapped(l)
		lbl.Selectable = true
		box.Add(lbl)
	}
	return box
}

// operatorContact: the operator, named and with its contacts.
func (wz *wizard) operatorContact() *fyne.Container {
	return contactBox(T("app.operator", map[string]any{"Operator": wz.operatorTitle()}), wz.profile.Operator.Contact)
}

// caContact: the CA, named, with its contacts or, when the profile gives
// none, a word that the operator can tell them.
func (wz *wizard) caContact() *fyne.Container {
	box := contactBox(T("app.ca", map[string]any{"CA": wz.caTitle()}), wz.profile.CA.Contact)
	if wz.profile.CA.Contact.Empty() {
		box.Add(wrappedLow(T("app.ca.no_contact")))
	}
	return box
}

// nextCard says who acts next (the CA after Submit, the operator after
// Register), how long that usually takes when the profile says it, and
// how to reach them.
func (wz *wizard) nextCard(ca bool) fyne.CanvasObject {
	var text string
	var wait i18n.Text
	var who *fyne.Container
	if ca {
		text, wait, who = T("app.wait.ca", map[string]any{"CA": wz.caTitle()}), wz.profile.CA.TypicalWait, wz.caContact()
	} else {
		text, wait, who = T("app.wait.operator", map[string]any{"Operator": wz.operatorTitle()}), wz.profile.Operator.TypicalWait, wz.operatorContact()
	}
	if t := wait.In(CurrentLanguage()); t != "" {
		text += " " + T("app.wait.typical", map[string]any{"Time": t})
	}
	body := container.NewVBox(wrapped(text), who)
	if ca {
		body.Add(wrappedLow(T("app.ask_operator")))
		body.Add(wz.operatorContact())
	}
	icon := widget.NewIcon(theme.NewPrimaryThemedResource(theme.HistoryIcon()))
	return container.NewVBox(heading(T("app.next")), container.NewBorder(nil, nil, container.NewVBox(icon), nil, body))
}

// operatorErrKeys are the configure errors only the operator can clear
// (its anchor, its CA list, its approval, its global configuration): their
// cards say how to reach it.
var operatorErrKeys = map[string]bool{
	configureErrKey("anchor_bad"):          true,
	configureErrKey("anchor_instance"):     true,
	configureErrKey("anchor_hash_profile"): true,
	configureErrKey("anchor_hash_typed"):   true,
	configureErrKey("ca_choice"):           true,
	configureErrKey("approval_wait"):       true,
	configureErrKey("tsa_none"):            true,
}

// errorCard is sessionErrorCard, with the operator's contacts when only
// the operator can clear the error.
func (wz *wizard) errorCard(err error) fyne.CanvasObject {
	c := sessionErrorCard(err)
	var ce *configure.Error
	if errors.As(err, &ce) && operatorErrKeys[ce.Key] {
		return container.NewVBox(c, wz.operatorContact())
	}
	return c
}
