package main

import (
	"strings"
	"testing"
)

// TestInstallStepTimeoutFlag: --step-timeout takes a duration and refuses
// one that is not positive before anything is dialled.
func TestInstallStepTimeoutFlag(t *testing.T) {
	code, _, errOut := cli(t, "", "install", "--local", "--dry-run", "--step-timeout", "0s", "--lang", "en")
	if code != exitCannot || !strings.Contains(errOut, "0s") {
		t.Fatalf("--step-timeout 0s: exit %d\n%s", code, errOut)
	}
	code, _, errOut = cli(t, "", "install", "--help")
	if !strings.Contains(errOut, "step-timeout") {
		t.Fatalf("install --help does not name --step-timeout (exit %d)\n%s", code, errOut)
	}
}
