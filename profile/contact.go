package profile

// Who the participant deals with besides the wizard: the operator and the
// certification authority, as people reach them. Every value is the
// operator's data, never guessed: a contact the operator has not published
// stays empty and the screens leave it out.
//
// Tunduk's values (assets/profiles/tunduk.json) come from the operator's
// own pages in ../shared/seeds: its name, postal address and web site from
// the offer contract (seed 003: ОАО «Түндүк», г. Бишкек, ул. Ахунбаева,
// 119, https://tunduk.gov.kg), its phone from its Kyrgyz page (seed 002),
// its hours and reply time from the contract's consultation terms (seed
// 003, 1.2.3), the CA's name as the contract writes it (ГУ «Кызмат»; the
// Kyrgyz pages give no Kyrgyz form, so it stays Russian there). The seeds
// give no contact of the CA and no typical waiting time, so none is set.

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// Contact is how people reach an organisation. Every field is optional.
type Contact struct {
	// Phone as the operator writes it, e.g. "0 (312) 988 123".
	Phone string `json:"phone"`
	Email string `json:"email"`
	// Web is an http(s) address.
	Web     string    `json:"web"`
	Address i18n.Text `json:"address"`
	// Hours are when the organisation answers, and how soon.
	Hours i18n.Text `json:"hours"`
}

// Empty reports whether the contact holds nothing to show.
func (c Contact) Empty() bool {
	return c.Phone == "" && c.Email == "" && c.Web == "" && c.Address == (i18n.Text{}) && c.Hours == (i18n.Text{})
}

// Operator is the operator of the X-Road instance: who registers the
// participant and its security server, and whom the participant asks.
type Operator struct {
	// Title names the operator for people, in each language.
	Title   i18n.Text `json:"title"`
	Contact Contact   `json:"contact"`
	// TypicalWait is how long the operator usually takes to approve a
	// security server's registration; empty when it has not said.
	TypicalWait i18n.Text `json:"typical_wait"`
	// Lang is the language the operator is written to in (en, ru, ky);
	// empty: Russian. Tunduk's pages and its offer contract are Russian
	// first (seeds 000, 003).
	Lang string `json:"lang,omitempty"`
}

// LetterLang is the language letters to the operator are written in.
func (o Operator) LetterLang() string {
	if o.Lang == "" {
		return "ru"
	}
	return o.Lang
}

var (
	phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{3,28}[0-9]$`)
	emailRE = regexp.MustCompile(`^[^@\s<>,;"]+@[^@\s<>,;"]+\.[^@\s<>,;".]+$`)
)

// validText: a text is given in all three languages, or (when optional)
// in none.
func validText(field string, t i18n.Text, required bool) *Error {
	none := t.EN == "" && t.RU == "" && t.KY == ""
	switch {
	case none && !required:
		return nil
	case t.EN == "" || t.RU == "" || t.KY == "":
		return &Error{Field: field, Problem: "needs en, ru and ky"}
	}
	return nil
}

func (c *Contact) validate(field string) *Error {
	if c.Phone != "" && !phoneRE.MatchString(c.Phone) {
		return &Error{Field: field + ".phone", Problem: "must be a phone number: digits, spaces, ( ) - and an optional leading +"}
	}
	if c.Email != "" && !emailRE.MatchString(c.Email) {
		return &Error{Field: field + ".email", Problem: "must be one e-mail address"}
	}
	if c.Web != "" {
		u, err := url.Parse(c.Web)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || strings.ContainsAny(c.Web, " '\"\n\\") {
			return &Error{Field: field + ".web", Problem: "must be an http:// or https:// address"}
		}
	}
	if err := validText(field+".address", c.Address, false); err != nil {
		return err
	}
	return validText(field+".hours", c.Hours, false)
}

// validateParties checks the operator's and the CA's names and contacts.
func (p *Profile) validateParties() *Error {
	if err := validText("operator.title", p.Operator.Title, true); err != nil {
		return err
	}
	switch p.Operator.Lang {
	case "", "en", "ru", "ky":
	default:
		return &Error{Field: "operator.lang", Problem: "must be en, ru or ky"}
	}
	if err := p.Operator.Contact.validate("operator.contact"); err != nil {
		return err
	}
	if err := validText("operator.typical_wait", p.Operator.TypicalWait, false); err != nil {
		return err
	}
	if err := validText("ca.title", p.CA.Title, true); err != nil {
		return err
	}
	if err := p.CA.Contact.validate("ca.contact"); err != nil {
		return err
	}
	return validText("ca.typical_wait", p.CA.TypicalWait, false)
}
