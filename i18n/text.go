package i18n

// Text holds one message in every language the product speaks.
type Text struct {
	EN string `json:"en"`
	RU string `json:"ru"`
	KY string `json:"ky"`
}

// Same is a text that reads the same in every language (a number, a
// name, what a remote host printed).
func Same(s string) Text { return Text{EN: s, RU: s, KY: s} }

// In returns the text in lang, falling back to English.
func (t Text) In(lang string) string {
	switch lang {
	case "ru":
		if t.RU != "" {
			return t.RU
		}
	case "ky":
		if t.KY != "" {
			return t.KY
		}
	}
	return t.EN
}
