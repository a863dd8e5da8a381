package profile

import (
	"regexp"
	"strings"
)

var prefixRE = regexp.MustCompile(`^[0-9A-Za-z]{1,8}$`)

// validatePrefixes: each prefix belongs to a listed class and is a few
// letters or digits.
func (p *Profile) validatePrefixes() *Error {
	for class, prefix := range p.Identifiers.MemberCodePrefix {
		field := "identifiers.member_code_prefix." + class
		if !p.ValidMemberClass(class) {
			return &Error{Field: field, Problem: "is not one of identifiers.member_classes"}
		}
		if !prefixRE.MatchString(prefix) {
			return &Error{Field: field, Problem: "must be 1-8 Latin letters or digits"}
		}
	}
	return nil
}

// MemberCodePrefix is how the member codes of class begin, or "" when the
// operator sets no rule for it.
func (p *Profile) MemberCodePrefix(class string) string {
	return p.Identifiers.MemberCodePrefix[class]
}

// MemberCodeFits reports whether code begins as the operator's codes of
// class do (always true for a class without a rule).
func (p *Profile) MemberCodeFits(class, code string) bool {
	return strings.HasPrefix(code, p.MemberCodePrefix(class))
}
