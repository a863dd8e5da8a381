package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// Where the signing CSR is made follows the place of its key: on the
// Certificates step for a token at this computer, by Configure on the
// server's hardware or software token. Submit's Next and Send, its note
// on sending what is ready, what the application awaits once part 1
// went, and the Summary each say it in the place's own words.
func TestSubmitSignTextsFollowPlacement(t *testing.T) {
	seen := map[string]string{}
	for _, tc := range []struct{ place, suffix string }{
		{profile.PlacementUSBToken, ""},
		{profile.PlacementServerHWToken, ".server_hw_token"},
		{profile.PlacementServerSoftToken, ".server_soft_token"},
	} {
		t.Run(tc.place, func(t *testing.T) {
			h := newSubmitHarness(t, t.TempDir(), mapPrefs{prefSignPlacement: tc.place})
			wz := h.wz
			wz.csrs.setAuth(&madeCSR{DER: testCSR(t, 0, "SS1"), Where: keyOnSoftToken})
			v := h.show(t)
			noSign, partial := T("submit.err.no_sign_csr"+tc.suffix), T("submit.partial.todo.sign"+tc.suffix)
			if wz.message.Text != noSign || !contains(labelsIn(v.contents), partial) {
				t.Fatalf("auth only: message %q, contents %q", wz.message.Text, labelsIn(v.contents))
			}
			if tc.suffix != "" && (strings.Contains(noSign, T("step.certificates")) || strings.Contains(partial, T("step.certificates"))) {
				t.Errorf("a key at the server is sent to Certificates: %q / %q", noSign, partial)
			}
			h.chooseVia(t, enroll.ViaFolder)
			v.folder.SetText(t.TempDir())
			h.send(t)
			test.Tap(findButtonIn(t, v.outcome, T("submit.mark_sent.folder")))
			rec := h.record(t)
			at, _, _ := eventTime(&rec, enroll.StageSent)
			awaiting := T("submit.awaiting.sign"+tc.suffix, map[string]any{"ID": rec.ID, "Date": when(at), "Part": 2})
			if got := wz.submit.awaitingText(enroll.UsageSign); got != awaiting || !contains(labelsIn(v.contents), awaiting) {
				t.Fatalf("part 1 sent: awaiting %q, contents %q", got, labelsIn(v.contents))
			}

			wz.cur = wz.stepIndex(stepSummary)
			wz.showStep()
			summary := T("summary.awaited_sign"+tc.suffix, map[string]any{"CA": wz.caTitle(), "ID": rec.ID, "Date": when(at)})
			if !strings.Contains(strings.Join(labelsIn(wz.page), "\n"), summary) {
				t.Fatalf("the Summary lacks %q:\n%s", summary, strings.Join(labelsIn(wz.page), "\n"))
			}
			for _, s := range []string{noSign, partial, awaiting, summary} {
				if other, ok := seen[s]; ok {
					t.Errorf("%s says what %s says: %q", tc.place, other, s)
				}
				seen[s] = tc.place
			}
		})
	}
}
