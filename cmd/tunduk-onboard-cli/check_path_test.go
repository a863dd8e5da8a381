package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/checks"
)

// TestCheckAnchorPath: check --anchor tests, from the server, the
// anchor's central servers: one address accepts, one refuses; each is a
// row of the readiness report.
func TestCheckAnchorPath(t *testing.T) {
	open, closed := testhost.AcceptingAddr(t), testhost.RefusingAddr(t)
	anchor := filepath.Join(t.TempDir(), "anchor.xml")
	os.WriteFile(anchor, []byte(`<?xml version="1.0"?><tns:conf xmlns:tns="http://x-road.eu/xsd/xroad.xsd"><instanceIdentifier>central-server</instanceIdentifier>`+
		`<source><downloadURL>http://`+open+`/internalconf</downloadURL></source>`+
		`<source><downloadURL>http://`+closed+`/internalconf</downloadURL></source></tns:conf>`), 0o644)
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	_, out, errOut := cli(t, "", "check", "--ssh", h.Target().String(), "--identity", h.ClientKeyPath, "--known-hosts", kh,
		"--anchor", anchor, "--format", "json")
	rep := decodeReport(t, out)
	got := map[string]checks.Status{}
	for _, r := range rep.Results {
		got[r.ID] = r.Status
	}
	if got["path."+open] != checks.Pass || got["path."+closed] != checks.Fail {
		b, _ := json.Marshal(got)
		t.Fatalf("path rows %s\n%s", b, errOut)
	}
	if _, ok := got["path.127.0.0.1:4001"]; !ok {
		t.Errorf("no management service row: %v", got)
	}
}
