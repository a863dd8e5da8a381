package main

import (
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// changing counts the calls that change the server (the API key's own
// left out).
func changing(f *xroadtest.Server) int {
	n := 0
	for _, c := range f.Calls() {
		if c.Method != "GET" && !strings.HasPrefix(c.Path, "/api-keys") {
			n++
		}
	}
	return n
}

// TestConnectCLI connects an information system from a plan file through
// a real sshd: a dry run that changes nothing, a run cut in the middle by
// the server, the run that finishes it, a run that changes nothing, and
// the client and service verbs on the result. The OpenAPI and WSDL URLs
// are served by a real local HTTP server and fetched by the fake; the
// OpenAPI file is served back through the SSH connection.
func TestConnectCLI(t *testing.T) {
	f := xroadtest.StartWith(t, xroadtest.Options{Preset: xroadtest.Preset{Anchor: true, ServerCode: "SS1",
		OwnerClass: "GOV", OwnerCode: "70000001", SoftTokenPIN: serverTestPIN}})
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	api := f.AdminAPI()
	base := []string{"--ssh", h.Target().String(), "--identity", h.ClientKeyPath, "--known-hosts", kh,
		"--admin-user", xroadtest.AdminUser, "--admin-password-stdin", "--admin-api", api.Addr, "--admin-api-cert", api.CertPath,
		"--member-class", "GOV", "--member-code", "70000001"}
	admin := xroadtest.AdminPassword + "\n"
	var printed []string
	run := func(lang string, args ...string) (int, string) {
		t.Helper()
		code, out, errOut := cli(t, admin, append(append(args, base...), "--lang", lang)...)
		printed = append(printed, out, errOut)
		return code, out + errOut
	}
	docs := xroadtest.Descriptions(t, map[string]string{
		"/people.yaml": xroadtest.SampleOpenAPI("https://is.example.kg/api"),
		"/people.wsdl": xroadtest.SampleWSDL("http://is.example.kg/soap"),
	})
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "is.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: xroadtest.ISCert(t)}), 0o644)
	os.WriteFile(filepath.Join(dir, "people2.yaml"), []byte(xroadtest.SampleOpenAPI("https://is.example.kg/api2")), 0o644)
	plan := filepath.Join(dir, "plan.json")
	os.WriteFile(plan, []byte(`{"subsystems": [{"code": "crm", "name": "CRM", "connection_type": "HTTPS", "tls_certs": ["is.pem"],
	  "services": [
	    {"type": "REST", "url": "https://is.example.kg/rest", "code": "people", "access": ["COM:60000003:payments"]},
	    {"type": "OPENAPI3", "url": "`+docs.URL+`/people.yaml", "code": "people-api"},
	    {"type": "OPENAPI3", "file": "people2.yaml", "code": "people-file", "access": ["COM:60000003:payments"]},
	    {"type": "WSDL", "url": "`+docs.URL+`/people.wsdl", "access": ["COM:60000003:payments"]}]}]}`), 0o644)

	// The dry run reads and changes nothing.
	code, out := run("en", "connect", "--plan", plan, "--dry-run", "--format", "json")
	var doc struct {
		Items []map[string]string `json:"items"`
		Exit  int                 `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(out), &doc); code != exitOK || err != nil || len(doc.Items) != 15 || changing(f) != 0 {
		t.Fatalf("dry run: exit %d, %d items, %d changes\n%s", code, len(doc.Items), changing(f), out)
	}
	// A run cut by the server at its second service.
	id := xroad.ClientID(xroadtest.Instance, "GOV", "70000001", "crm")
	f.FailNext("POST", "/clients/"+id+"/service-descriptions")
	code, out = run("ru", "connect", "--plan", plan)
	if code != exitFailed || !strings.Contains(out, i18n.T("ru", "cli.connect.state.done", nil)) || !strings.Contains(out, "API администрирования ответил 500") {
		t.Fatalf("cut run: exit %d\n%s", code, out)
	}
	// Run again: it finishes, then a third run changes nothing.
	code, out = run("ky", "connect", "--plan", plan)
	if code != exitOK || !strings.Contains(out, "Даяр:") || !strings.Contains(out, i18n.T("ky", "cli.client.wait_hint", map[string]any{"Code": "crm"})) {
		t.Fatalf("resumed run: exit %d\n%s", code, out)
	}
	before := changing(f)
	code, out = run("en", "connect", "--plan", plan)
	if code != exitOK || !strings.Contains(out, "Done: 0 changed, 14 were in place.") || changing(f) != before {
		t.Fatalf("second run: exit %d, %d changes\n%s", code, changing(f)-before, out)
	}
	// The operator approves; client register follows it to the end.
	f.ApproveClientsAfter(1)
	code, out = run("en", "client", "register", "--code", "crm", "--wait", "--poll", "10ms")
	if code != exitOK || !strings.Contains(out, "Subsystem crm: registered, services: -") {
		t.Fatalf("client register --wait: exit %d\n%s", code, out)
	}
	code, out = run("en", "client", "status")
	if code != exitOK || !strings.Contains(out, "Subsystem crm: registered, services: 5") {
		t.Fatalf("client status: exit %d\n%s", code, out)
	}
	code, out = run("en", "service", "list", "--code", "crm")
	if code != exitOK || !strings.Contains(out, "people-file (OPENAPI3) at https://is.example.kg/api2, endpoints: 3") ||
		!strings.Contains(out, "getPerson.v1 (WSDL) at http://is.example.kg/soap") || !strings.Contains(out, "  GET /people/*") {
		t.Fatalf("service list: exit %d\n%s", code, out)
	}
	// Access rights: a subject found by name, granted, granted again, revoked.
	code, out = run("en", "service", "subjects", "--code", "crm", "--search", "регистрац")
	if code != exitOK || !strings.Contains(out, "GOV:70000002:registry  Государственная регистрационная служба") {
		t.Fatalf("service subjects: exit %d\n%s", code, out)
	}
	grant := []string{"--code", "crm", "--service", "people", "--subject", "GOV:70000002:registry"}
	if code, out = run("en", append([]string{"service", "grant"}, grant...)...); code != exitOK || !strings.Contains(out, "GOV:70000002:registry may now call people.") {
		t.Fatalf("grant: exit %d\n%s", code, out)
	}
	if code, out = run("en", append([]string{"service", "grant"}, grant...)...); code != exitOK || !strings.Contains(out, "may call people already") {
		t.Fatalf("grant again: exit %d\n%s", code, out)
	}
	if code, out = run("en", append([]string{"service", "revoke"}, grant...)...); code != exitOK || !strings.Contains(out, "may no longer call people") {
		t.Fatalf("revoke: exit %d\n%s", code, out)
	}
	// HTTP explained in the user's language; the server's certificate exported.
	code, out = run("ru", "client", "connection", "--code", "crm", "--type", "HTTP")
	if code != exitOK || !strings.Contains(out, i18n.T("ru", "connect.conn.http", nil)) {
		t.Fatalf("client connection: exit %d\n%s", code, out)
	}
	pemFile := filepath.Join(dir, "ss.pem")
	code, out = run("en", "client", "tls", "export", "--out", pemFile)
	got, _ := os.ReadFile(pemFile)
	if blk, _ := pem.Decode(got); code != exitOK || blk == nil || string(blk.Bytes) != string(f.InternalTLS()) {
		t.Fatalf("tls export: exit %d\n%s", code, out)
	}
	// A subsystem code against the profile's rule is refused before any call.
	calls := len(f.Calls())
	if code, out = run("en", "client", "add", "--code", "crm system"); code != exitCannot || !strings.Contains(out, "Latin letters") || len(f.Calls()) != calls {
		t.Fatalf("bad code: exit %d\n%s", code, out)
	}
	for _, p := range printed {
		if strings.Contains(p, xroadtest.AdminPassword) {
			t.Fatal("the admin password appears in the output")
		}
	}
}
