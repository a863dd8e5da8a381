package app

import (
	"os"
	"strings"
)

// envSubmissions points the wizard at another submissions store than
// enroll.DefaultDir() (support sessions).
const envSubmissions = "TUNDUK_ONBOARD_SUBMISSIONS_DIR"

// startup applies the environment and retries what waits in the outbox.
// Called once by Run, before the window is built.
func (ss *submitStep) startup() {
	if d := strings.TrimSpace(os.Getenv(envSubmissions)); d != "" {
		ss.storeDir = d
	}
	ss.retryAtStart()
}
