package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/health/bundle"
	"github.com/tunduk-onboard/tunduk-onboard/health/bundle/bundletest"
)

// support-bundle end to end: the files named go in, their secrets do
// not, and the manifest lists what was taken out.
func TestSupportBundleVerb(t *testing.T) {
	dir := t.TempDir()
	const apiKey, pass = "0f9e8d7c-6b5a-4321-api-key-verb", "verb-pa55-secret"
	report := filepath.Join(dir, "check.json")
	health := filepath.Join(dir, "health.json")
	journal := filepath.Join(dir, "journal.json")
	os.WriteFile(report, []byte(`{"schema":"tunduk-onboard.check/v1","note":"password=`+pass+`"}`), 0o600)
	os.WriteFile(health, []byte(`{"schema":"tunduk-onboard.health/v1","host":"ss1"}`), 0o600)
	os.WriteFile(journal, []byte(`{"cmd":"curl -H 'X-Road-ApiKey token=`+apiKey+`'"}`), 0o600)
	out := filepath.Join(dir, "support.tar.gz")
	code, stdout, stderr := cli(t, "", "support-bundle", "--out", out, "--report", report, "--health", health, "--journal", journal, "--lang", "en")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "The support bundle is written to "+out) || !strings.Contains(stderr, "install-journal.json:1 xroad_api_key") {
		t.Errorf("stderr:\n%s", stderr)
	}
	files, m := readBundle(t, out)
	var names []string
	for name, b := range files {
		if strings.Contains(string(b), apiKey) || strings.Contains(string(b), pass) {
			t.Errorf("%s holds a secret", name)
		}
		names = append(names, name)
	}
	for _, want := range []string{"readiness-report.json", "health-report.json", "install-journal.json", "versions.json"} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("%s missing: %v", want, names)
		}
	}
	if len(m.Redactions) != 2 {
		t.Errorf("redactions %+v", m.Redactions)
	}
	if code, _, stderr := cli(t, "", "support-bundle", "--lang", "en"); code != exitCannot || !strings.Contains(stderr, "--out FILE") {
		t.Errorf("no --out: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := cli(t, "", "support-bundle", "--out", out, "--report", filepath.Join(dir, "none.json")); code != exitCannot || !strings.Contains(stderr, "none.json") {
		t.Errorf("missing report: exit %d\n%s", code, stderr)
	}
}

// readBundle is the bundle at path: each file by its name inside the
// archive's folder, and the manifest.
func readBundle(t *testing.T, path string) (map[string][]byte, bundle.Manifest) {
	t.Helper()
	files := bundletest.Files(t, path)
	var m bundle.Manifest
	if err := json.Unmarshal(files[bundle.ManifestName], &m); err != nil {
		t.Fatal(err)
	}
	return files, m
}
