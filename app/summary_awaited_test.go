package app

import (
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
)

// An application sent in part: the Summary says that the certification
// authority awaits the authentication CSR from the user (and where to
// make and send it), and that it issues only the signing certificate
// until then. Read from the onboarding record after a restart, with no
// submissions store at hand.
func TestSummarySaysWhatIsAwaited(t *testing.T) {
	for _, lang := range Languages {
		t.Run(lang, func(t *testing.T) {
			wz, _ := newTestWizard(t, mapPrefs{})
			if err := SetLanguage(lang); err != nil {
				t.Fatal(err)
			}
			wz.state.Org = validOrg()
			sent := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
			wz.rec.rec.Submission = &onboarding.Submission{ID: "20261102-ss1", Via: "email", SentAt: sent, Stage: "sent",
				Awaiting: []string{onboarding.UsageAuth}}
			wz.cur = wz.stepIndex(stepSummary)
			wz.showStep()
			texts := strings.Join(labelsIn(wz.page), "\n")
			for _, want := range []string{
				T("summary.awaited_auth", map[string]any{"CA": wz.caTitle(), "ID": "20261102-ss1", "Date": when(sent)}),
				T("summary.wait_cert_sign", map[string]any{"CA": wz.caTitle()}),
			} {
				if !strings.Contains(texts, want) {
					t.Errorf("the Summary lacks %q:\n%s", want, texts)
				}
			}
			if both := T("summary.wait_certs", map[string]any{"CA": wz.caTitle()}); strings.Contains(texts, both) {
				t.Errorf("the Summary waits for both certificates though one CSR has not gone:\n%s", texts)
			}
		})
	}
}
