package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// The wizard joins its steps: what the Register step reaches moves the
// organisation's submission on in the store (so the Submit timeline and
// the Summary show it after a restart), and the Configure step's last
// reading of the server is a Summary line.
func TestStepsShareTheSubmissionAndServerState(t *testing.T) {
	dir := t.TempDir()
	h := newSubmitHarness(t, dir, nil)
	auth, sign := setTestCSRs(t, h.wz)
	store, rec := prepareSubmission(t, h, dir, auth, sign)
	if _, err := store.Advance(rec.ID, enroll.StageSent, enroll.ViaFolder, "USB"); err != nil {
		t.Fatal(err)
	}

	// The hook the wizard wires, called the way the Register step calls it.
	for _, s := range []string{"certificates_received", "certificates_received", "imported", "registered"} {
		h.wz.register.onStage(s)
	}
	got, err := store.Get(rec.ID)
	if err != nil || got.Stage != enroll.StageRegistered {
		t.Fatalf("after the Register step's stages the submission is %q (%v), want registered", got.Stage, err)
	}

	h.wz.configure.status = &configure.Status{TSAConfigured: true, Init: xroad.InitializationStatus{
		AnchorImported: true, ServerCodeInitialized: true, ServerOwnerInitialized: true,
		SoftwareTokenInitStatus: xroad.TokenInitialized}}
	h.wz.configure.statusAt = time.Date(2026, 11, 22, 10, 0, 0, 0, time.Local)
	h.wz.state.Server.Remote, h.wz.state.Server.Host, h.wz.state.Server.User, h.wz.state.Server.Auth = true, "ss1.agency.kg", "admin", AuthAgent
	if !h.wz.goTo(h.wz.stepIndex(stepSummary)) {
		t.Fatalf("Summary not reached: %s", h.wz.stepID())
	}
	texts := strings.Join(labelsIn(h.wz.page), "\n")
	for _, want := range []string{
		T("summary.configure_done", map[string]any{"Date": when(h.wz.configure.statusAt)}),
		T("summary.wait_approval"), // registered, not active yet
	} {
		if !strings.Contains(texts, want) {
			t.Errorf("summary lacks %q:\n%s", want, texts)
		}
	}
	if strings.Contains(texts, T("summary.wait_certs", map[string]any{"CA": h.wz.profile.CA.Name})) {
		t.Errorf("summary still waits for the certificates after they were imported:\n%s", texts)
	}
}

// Where a CSR's key lives is told in each language (the wizard's own and
// Russian for the letter to the CA), never as a raw key or in English
// only.
func TestCSRSourceInEveryLanguage(t *testing.T) {
	for _, where := range []string{keyOnSoftToken, keyOnServerToken, keyOnRutoken} {
		m := &madeCSR{Where: where, Token: "0a1b2c3d"}
		en := m.source("en")
		for _, lang := range []string{"ru", "ky"} {
			got := m.source(lang)
			if got == "" || strings.HasPrefix(got, "csr.where.") || (got == en && where != keyOnRutoken) {
				t.Errorf("%s in %s: %q", where, lang, got)
			}
		}
		if where != keyOnSoftToken && !strings.Contains(en, "0a1b2c3d") {
			t.Errorf("%s does not name the token: %q", where, en)
		}
	}
}

// After a restart the Register step still knows the CSRs that went to the
// CA: they are read back from the latest application's verified package,
// and a changed package file is not trusted.
func TestSubmittedCSRsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	h := newSubmitHarness(t, dir, nil)
	if got := h.wz.submittedCSRs(); len(got) != 0 {
		t.Fatalf("no application yet, but %d CSRs", len(got))
	}
	auth, sign := setTestCSRs(t, h.wz)
	_, rec := prepareSubmission(t, h, dir, auth, sign)
	again := newSubmitHarness(t, dir, nil) // a new run: nothing in memory
	got := again.wz.submittedCSRs()
	if len(got) != 2 || string(got[0]) != string(auth) || string(got[1]) != string(sign) {
		t.Fatalf("read back %d CSRs, want the two sent", len(got))
	}
	if err := os.WriteFile(filepath.Join(rec.Dir, enroll.CSRFileName(enroll.UsageSign, false)), auth, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := again.wz.submittedCSRs(); len(got) != 0 {
		t.Errorf("a package whose file changed gave %d CSRs", len(got))
	}
}
