package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/enroll/enrolltest"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice/metaservicetest"
)

var callOwn = metaservice.ID{Instance: "central-server", MemberClass: "GOV", MemberCode: "70000001", Subsystem: "PORTAL"}

func callServer(t *testing.T) *metaservicetest.Server {
	return metaservicetest.Start(t, metaservicetest.State{
		Clients: map[metaservice.ID]metaservicetest.Client{callOwn: {Registered: true}},
		Services: map[metaservice.ID][]metaservice.Service{callOwn: {{Instance: "central-server", MemberClass: "GOV",
			MemberCode: "70000001", Subsystem: "PORTAL", Code: "persons\x1b[2J", Type: "OPENAPI",
			Endpoints: []metaservice.Endpoint{{Method: "GET", Path: "/persons/*"}}}}},
	})
}

func TestCallTest(t *testing.T) {
	s := callServer(t)
	code, out, errOut := cli(t, "", "call", "test", "--client", callOwn.String(), "--client-side-url", s.HTTP.URL, "--lang", "ru")
	if code != exitOK || !strings.Contains(out, "Вызов прошёл") || !strings.Contains(out, "persons (OPENAPI): GET /persons/*") {
		t.Fatalf("%d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out, "\x1b") {
		t.Fatal("escape sequence from the server printed")
	}
	code, out, _ = cli(t, "", "call", "test", "--client", callOwn.String(), "--client-side-url", s.HTTP.URL, "--format", "json")
	var got callOut
	if code != exitOK || json.Unmarshal([]byte(out), &got) != nil || !got.OK || len(got.Services) != 1 || got.Provider != callOwn.String() {
		t.Fatalf("%d %s", code, out)
	}
	// The server answers with a fault: exit 1, the key in the JSON, the
	// explanation with the CLI's hint on stderr.
	s.Set(func(st *metaservicetest.State) {
		st.Clients[callOwn] = metaservicetest.Client{Registered: true, IsAuth: metaservicetest.SSLAuth}
	})
	code, out, errOut = cli(t, "", "call", "test", "--client", callOwn.String(), "--client-side-url", s.HTTP.URL, "--format", "json")
	if code != exitFailed || !strings.Contains(out, `"key": "call.err.is_https"`) || !strings.Contains(errOut, "--is-cert") {
		t.Fatalf("%d\n%s\n%s", code, out, errOut)
	}
	// Bad input: exit 2 before any call.
	before := s.Calls
	for _, args := range [][]string{
		{"--client", "GOV/70000001"},
		{"--client", callOwn.String(), "--client-side-url", "ftp://x"},
		{"--client", callOwn.String()},
		{"--client", callOwn.String(), "--client-side-url", s.HTTP.URL, "--is-cert", "x.pem"},
	} {
		if code, _, errOut := cli(t, "", append([]string{"call", "test"}, args...)...); code != exitCannot || errOut == "" {
			t.Errorf("%v: %d %s", args, code, errOut)
		}
	}
	if s.Calls != before {
		t.Fatal("a bad input reached the server")
	}
}

func writeInventory(t *testing.T) string {
	inv := `[{"Instance":"central-server","MemberClass":"GOV","MemberCode":"70000001","Code":"PORTAL",
	  "Name":"Портал, \"главный\"\nвторой","Status":"REGISTERED",
	  "Services":[{"Code":"persons","Type":"OPENAPI3","URL":"https://is.local/api","Title":"=cmd|' /C calc'!A0",
	    "Endpoints":[{"Method":"GET","Path":"/persons/*"}]}]},
	 {"Instance":"central-server","MemberClass":"GOV","MemberCode":"70000001","Code":"REGISTRY","Name":"Реестр","Status":"SAVED"}]`
	p := filepath.Join(t.TempDir(), "inventory.json")
	os.WriteFile(p, []byte(inv), 0o644)
	return p
}

func TestServiceExport(t *testing.T) {
	inv := writeInventory(t)
	out := filepath.Join(t.TempDir(), "catalogue.csv")
	code, stdout, errOut := cli(t, "", "service", "export", "--inventory", inv, "--format", "csv", "--out", out, "--name", "Минцифры", "--server-code", "SS1")
	if code != exitOK || !strings.Contains(stdout, "catalog.ordo.gov.kg") {
		t.Fatalf("%d %s %s", code, stdout, errOut)
	}
	data, _ := os.ReadFile(out)
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("%v %q", err, recs)
	}
	line := strings.Join(recs[1], "|")
	for _, want := range []string{"Портал, \"главный\" второй", "Минцифры", "SS1", "'=cmd|' /C calc'!A0", "GET /persons/*"} {
		if !strings.Contains(line, want) {
			t.Errorf("row lacks %q: %q", want, recs[1])
		}
	}
	code, stdout, _ = cli(t, "", "service", "export", "--inventory", inv, "--format", "json")
	var j struct{ Rows []map[string]string }
	if code != exitOK || json.Unmarshal([]byte(stdout), &j) != nil || len(j.Rows) != 2 || j.Rows[1]["subsystem_code"] != "REGISTRY" {
		t.Fatalf("%d %s", code, stdout)
	}
	if code, _, errOut := cli(t, "", "service", "export", "--inventory", inv, "--format", "xml", "--out", out); code != exitCannot || !strings.Contains(errOut, "csv") {
		t.Fatalf("xml: %d %s", code, errOut)
	}
}

// The letter to the operator goes by SMTP to a real local server, and
// stays in the submissions store.
func TestClientNotify(t *testing.T) {
	srv := enrolltest.StartMail(t, enrolltest.MailOptions{User: "it@mincifra.kg", Password: cliSMTPPassword})
	dir := t.TempDir()
	ca := filepath.Join(dir, "mail-ca.pem")
	os.WriteFile(ca, srv.CertPEM, 0o644)
	store := filepath.Join(dir, "store")
	code, out, errOut := cli(t, cliSMTPPassword+"\n", "client", "notify", "--via", "smtp", "--subsystem", "PORTAL=Портал госуслуг",
		"--inventory", writeInventory(t), "--member-class", "GOV", "--member-code", "70000001", "--name", submitOrg,
		"--server-code", "SS1", "--server-address", "93.184.216.34", "--to", "info@tunduk.kg", "--from", "it@mincifra.kg",
		"--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(srv.Port), "--tls-ca", ca, "--smtp-password-stdin",
		"--registered", "2026-12-01", "--store", store, "--format", "json", "--lang", "ky")
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, out, errOut)
	}
	var got submitOut
	if json.Unmarshal([]byte(out), &got) != nil || !got.Delivered || got.Stage != enroll.StageSent {
		t.Fatalf("%s", out)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "info@tunduk.kg" {
		t.Fatalf("%d messages", len(msgs))
	}
	body := string(msgs[0].Data)
	if !strings.Contains(body, "notice.json") || strings.Contains(body+out+errOut, cliSMTPPassword) {
		t.Fatalf("message:\n%s", body)
	}
	st, _ := enroll.OpenStore(store)
	rec, err := st.Get(got.ID)
	if err != nil || rec.Kind != enroll.KindNotice {
		t.Fatalf("%+v %v", rec, err)
	}
	p, _ := st.Open(got.ID)
	n, _ := p.Notice()
	if len(n.Subsystems) != 2 || n.Subsystems[0].Name != "Портал госуслуг" || n.Subsystems[1].Code != "REGISTRY" || n.Registered.Format("2006-01-02") != "2026-12-01" {
		t.Fatalf("%+v", n)
	}
	// No address of the operator in the profile and none given: refused
	// before anything is made (never the CA's address).
	code, _, errOut = cli(t, "", "client", "notify", "--via", "email", "--subsystem", "PORTAL=P", "--member-class", "GOV",
		"--member-code", "70000001", "--name", submitOrg, "--server-code", "SS1", "--server-address", "93.184.216.34", "--store", store)
	if code != exitCannot || !strings.Contains(errOut, "--to") {
		t.Fatalf("%d %s", code, errOut)
	}
}

// The SSH way from the command line: the stand-in listens on loopback, as
// the client side does on the server, and is reached through a real sshd.
func TestCallTestThroughSSH(t *testing.T) {
	s := callServer(t)
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	before := s.Calls
	code, out, errOut := cli(t, "", "call", "test", "--client", callOwn.String(), "--ssh", h.Target().String(),
		"--identity", h.ClientKeyPath, "--known-hosts", kh, "--client-side-url", s.HTTP.URL, "--format", "json")
	var got callOut
	if code != exitOK || json.Unmarshal([]byte(out), &got) != nil || !got.OK || s.Calls != before+1 {
		t.Fatalf("%d\n%s\n%s", code, out, errOut)
	}
}
