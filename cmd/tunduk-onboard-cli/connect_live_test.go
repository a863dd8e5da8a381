package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestExportNotifyLive: without --inventory, "service export" and
// "client notify" read the subsystems and services from the server,
// through a real sshd to the admin API fake, and change nothing there.
func TestExportNotifyLive(t *testing.T) {
	f := xroadtest.StartWith(t, xroadtest.Options{Preset: xroadtest.Preset{Anchor: true, ServerCode: "SS1",
		OwnerClass: "GOV", OwnerCode: "70000001", SoftTokenPIN: serverTestPIN}})
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	api := f.AdminAPI()
	session := []string{"--ssh", h.Target().String(), "--identity", h.ClientKeyPath, "--known-hosts", kh,
		"--admin-user", xroadtest.AdminUser, "--admin-password-stdin", "--admin-api", api.Addr, "--admin-api-cert", api.CertPath}
	admin := xroadtest.AdminPassword + "\n"
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.json")
	os.WriteFile(plan, []byte(`{"subsystems": [{"code": "crm", "name": "CRM", "connection_type": "HTTP",
	  "services": [{"type": "REST", "url": "https://is.example.kg/rest", "code": "people"}]},
	  {"code": "hr", "name": "HR", "connection_type": "HTTP"}]}`), 0o644)
	if code, out, errOut := cli(t, admin, append([]string{"connect", "--plan", plan, "--member-class", "GOV", "--member-code", "70000001"}, session...)...); code != exitOK {
		t.Fatalf("connect: %d\n%s\n%s", code, out, errOut)
	}
	before := changing(f)

	code, out, errOut := cli(t, admin, append([]string{"service", "export", "--format", "json", "--name", "Минцифры", "--server-code", "SS1"}, session...)...)
	var j struct{ Rows []map[string]string }
	if code != exitOK || json.Unmarshal([]byte(out), &j) != nil || len(j.Rows) != 2 {
		t.Fatalf("export: %d\n%s\n%s", code, out, errOut)
	}
	got := map[string]string{}
	for _, r := range j.Rows {
		got[r["subsystem_code"]] = r["service_code"]
	}
	if got["crm"] != "people" || got["hr"] != "" || len(got) != 2 {
		t.Fatalf("export rows: %v", j.Rows)
	}

	folder := filepath.Join(dir, "usb")
	os.Mkdir(folder, 0o755)
	store := filepath.Join(dir, "store")
	code, out, errOut = cli(t, admin, append([]string{"client", "notify", "--via", "folder", "--out", folder, "--member-class", "GOV",
		"--member-code", "70000001", "--name", submitOrg, "--server-code", "SS1", "--server-address", "93.184.216.34",
		"--store", store, "--format", "json", "--lang", "ru"}, session...)...)
	var sub submitOut
	if code != exitOK || json.Unmarshal([]byte(out), &sub) != nil {
		t.Fatalf("notify: %d\n%s\n%s", code, out, errOut)
	}
	st, _ := enroll.OpenStore(store)
	p, err := st.Open(sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := p.Notice()
	var codes []string
	for _, s := range n.Subsystems {
		codes = append(codes, s.Code+":"+s.Status)
	}
	if strings.Join(codes, ",") != "crm:SAVED,hr:SAVED" && strings.Join(codes, ",") != "crm:REGISTRATION_IN_PROGRESS,hr:REGISTRATION_IN_PROGRESS" {
		t.Fatalf("notice subsystems: %v", codes)
	}
	if changing(f) != before {
		t.Fatalf("reading the server changed it: %d calls", changing(f)-before)
	}
	// Both sources, or none: refused before any connection.
	calls := len(f.Calls())
	if code, _, errOut := cli(t, admin, append([]string{"service", "export", "--inventory", plan}, session...)...); code != exitCannot || !strings.Contains(errOut, "--local") {
		t.Fatalf("two sources: %d %s", code, errOut)
	}
	if code, _, errOut := cli(t, admin, append([]string{"client", "notify", "--via", "folder", "--out", folder, "--inventory", plan}, session...)...); code != exitCannot || !strings.Contains(errOut, "--inventory") {
		t.Fatalf("notify two sources: %d %s", code, errOut)
	}
	if len(f.Calls()) != calls {
		t.Fatal("a refused command reached the server")
	}
	for _, s := range []string{out, errOut} {
		if strings.Contains(s, xroadtest.AdminPassword) {
			t.Fatal("the admin password appears in the output")
		}
	}
}
