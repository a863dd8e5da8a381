package app

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// Environment variables of the Submit step.
const (
	// envSubmissions points the wizard at another submissions store than
	// enroll.DefaultDir() (support sessions; build/screenshot.sh uses a
	// prepared one).
	envSubmissions = "TUNDUK_ONBOARD_SUBMISSIONS_DIR"
	// envCSRDir is for build/screenshot.sh only: a folder with auth.der
	// and sign.der, shown as the CSRs made in this run, so the Submit and
	// Summary screenshots show a filled-in page without a security server
	// or a token.
	envCSRDir = "TUNDUK_ONBOARD_CSR_DIR"
)

// startup applies the environment and retries what waits in the outbox.
// Called once by Run, before the window is built.
func (ss *submitStep) startup() {
	if d := strings.TrimSpace(os.Getenv(envSubmissions)); d != "" {
		ss.storeDir = d
	}
	if d := strings.TrimSpace(os.Getenv(envCSRDir)); d != "" {
		if der, err := readcap.ReadFile(filepath.Join(d, "auth.der"), readcap.CSR); err == nil {
			ss.wz.csrs.setAuth(&madeCSR{DER: der, Where: keyOnSoftToken})
		}
		if der, err := readcap.ReadFile(filepath.Join(d, "sign.der"), readcap.CSR); err == nil {
			ss.wz.csrs.setSign(&madeCSR{DER: der, Where: keyOnRutoken, Token: "0a1b2c3d"})
		}
	}
	ss.retryAtStart()
}
