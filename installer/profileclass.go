package installer

// After the install: does the installed X-Road carry the operator's
// certificate profile class (profile install.profile_class)? Tunduk's
// xroad-proxy does, NIIS's does not; without it the configure flow stops
// before the CSRs. The check is xroad.HasClass, the one that flow runs.

import (
	"context"
	"errors"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// The states of a ProfileClass.
const (
	ClassPresent = "present"
	ClassAbsent  = "absent"
	ClassUnknown = "unknown" // the jar could not be read
)

// ProfileClass is what the check found: Class (the simple name) in Jar.
type ProfileClass struct {
	Class  string `json:"class"`
	Jar    string `json:"jar"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// CheckProfileClass looks for class in a's jar through the run's
// connection. It never fails the install: a jar it cannot read is
// ClassUnknown, with the reason in Detail. An empty class is nil.
func CheckProfileClass(ctx context.Context, a xroad.AdminAPI, class string, h HostAccess) *ProfileClass {
	if class == "" {
		return nil
	}
	pc := &ProfileClass{Class: class[strings.LastIndex(class, ".")+1:], Jar: a.Jar(), Status: ClassAbsent}
	ok, err := xroad.HasClass(ctx, h.Host(), a.Jar(), class)
	switch {
	case errors.Is(err, xroad.ErrNoJar):
	case err != nil:
		pc.Status, pc.Detail = ClassUnknown, i18n.Line(err.Error(), 300)
	case ok:
		pc.Status = ClassPresent
	}
	return pc
}

// Text is the finding in lang (installer.profile_class.* of the report
// catalogue).
func (pc *ProfileClass) Text(lang string) string {
	return i18n.T(lang, "installer.profile_class."+pc.Status, map[string]any{"Class": pc.Class, "Jar": pc.Jar, "Detail": pc.Detail})
}
