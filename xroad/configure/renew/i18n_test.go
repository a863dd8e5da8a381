package renew_test

import (
	"regexp"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/i18n/i18ntest"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure/renew"
)

// TestKeysTranslated: every configure.renew.* key the package uses, and
// the words of its steps, reasons and waits the front ends show, exist
// in en, ru and ky with English's fields.
func TestKeysTranslated(t *testing.T) {
	keys := i18ntest.SourceKeys(t, regexp.MustCompile(`"(configure\.renew\.[a-z_]+\.[a-z_]+)"`))
	for _, id := range []string{renew.StepAuthKey, renew.StepSignKey, renew.StepSubmit, renew.StepImport, renew.StepRegister,
		renew.StepApprove, renew.StepActivate, renew.StepOCSP, renew.StepDisableAuth, renew.StepUnregister, renew.StepDisableSign,
		renew.StepDeleteAuth, renew.StepDeleteSign} {
		keys["configure.renew.step."+id] = true
	}
	for _, w := range []string{renew.WhyExpiry, renew.WhyForced, renew.WhyResumed} {
		keys["configure.renew.why."+w] = true
	}
	for _, w := range []string{renew.WhyFresh, renew.WhyNone, renew.WhyManual, renew.WhySkipped} {
		keys["configure.renew.note."+w] = true
	}
	for _, s := range []string{renew.StepSubmit, renew.StepImport, renew.StepApprove, renew.StepOCSP} {
		keys["configure.renew.wait."+s] = true
	}
	i18ntest.CheckKeys(t, keys, 28, map[string]any{"Days": 9, "Date": "2026-12-12", "Threshold": 30, "Place": "p",
		"Hash": "h", "Status": "SAVED", "OCSP": "o"})
}
