package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice/metaservicetest"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// connectHarness is the Configure harness on an initialised, registered
// server (the fake's preset), with the Connect step wired to it and a
// stand-in client side for the first call, reached through the sshd.
func connectHarness(t *testing.T) (*cfgHarness, *connectStep, *metaservicetest.Server) {
	t.Helper()
	o := validOrg()
	h := newCfgHarness(t, xroadtest.Options{Preset: xroadtest.Preset{Anchor: true, ServerCode: o.ServerCode,
		OwnerClass: o.MemberClass, OwnerCode: o.MemberCode, SoftTokenPIN: cfgPIN}})
	admin := h.fake.Admin()
	h.wz.configure.form.AdminUser, h.wz.configure.form.AdminPassword = admin.User, admin.Password
	cs := h.wz.connect
	cs.uiDo, cs.api = h.wz.configure.uiDo, h.fake.AdminAPI()
	cs.pollEvery = 20 * time.Millisecond
	ms := metaservicetest.Start(t, metaservicetest.State{})
	t.Setenv(envClientSide, ms.HTTP.URL)
	h.wz.submit.storeDir = t.TempDir()
	return h, cs, ms
}

// mutations counts the fake's calls that change something.
func mutations(f *xroadtest.Server) int {
	n := 0
	for _, c := range f.Calls() {
		if c.Method != "GET" && !strings.HasPrefix(c.Path, "/api-keys") {
			n++
		}
	}
	return n
}

// TestConnectStepRealServer: a subsystem added (a Cyrillic code refused),
// HTTP chosen, a REST service and a WSDL by URL; the plan shown without a
// change on the server, applied, the registration followed, left and
// resumed in a new start until the operator approves; a subject found
// and granted, then revoked; the plan again is all in place; the first
// call, the notice to a folder, the Catalogue export; the record holds it.
func TestConnectStepRealServer(t *testing.T) {
	h, cs, ms := connectHarness(t)
	wz := h.wz
	h.show(stepConnect)
	v := cs.v
	if !v.preview.Disabled() || !v.apply.Disabled() || !v.callBtn.Disabled() {
		t.Fatal("plan or call enabled without a subsystem")
	}
	v.subCode.SetText("црм")
	test.Tap(v.subAdd)
	if len(cs.subs) != 0 || v.problem.Text == "" {
		t.Fatalf("a Cyrillic code was taken: %+v %q", cs.subs, v.problem.Text)
	}
	v.subCode.SetText("crm")
	v.subName.SetText("Citizen register")
	test.Tap(v.subAdd)
	if len(cs.subs) != 1 || cs.subs[0].Connection != xroad.ConnHTTPS {
		t.Fatalf("subsystem %+v (HTTPS is the default)", cs.subs)
	}
	if v.connAbout.Text == "" || v.tlsAdd.Hidden {
		t.Fatal("HTTPS not explained, or no way to import the IS certificate")
	}
	// The information system's certificate: a file that is none refused,
	// a certificate kept for the plan.
	if err := cs.addTLSFile(h.writeFile(t, "not.pem", []byte("hello"))); err == nil {
		t.Fatal("a file without a certificate was taken")
	}
	if err := cs.addTLSFile(h.writeFile(t, "is.der", h.fake.IssueFor(t, "is.example.kg"))); err != nil || len(cs.subs[0].TLSFiles) != 1 {
		t.Fatalf("the IS certificate: %v, %+v", err, cs.subs[0])
	}
	cs.refresh()
	if !hasTextPart(v.tlsFiles, "is.der") {
		t.Fatalf("the certificate file not listed: %q", labelsIn(v.tlsFiles))
	}
	v.conn.SetSelected(T("connect.conn_http"))
	if cs.subs[0].Connection != xroad.ConnHTTP || !v.tlsAdd.Hidden {
		t.Fatalf("HTTP not chosen: %+v", cs.subs[0])
	}

	docs := xroadtest.Descriptions(t, map[string]string{"/people.wsdl": xroadtest.SampleWSDL("http://is.example.kg/soap")}).URL
	v.svcType.SetSelectedIndex(0) // REST
	v.svcURL.SetText("https://is.example.kg/rest")
	v.svcCode.SetText("people")
	test.Tap(v.svcAdd)
	v.svcType.SetSelectedIndex(3) // WSDL
	v.svcURL.SetText(docs + "/people.wsdl")
	test.Tap(v.svcAdd)
	v.svcType.SetSelectedIndex(0)
	v.svcURL.SetText("ftp://is.example.kg/x")
	v.svcCode.SetText("bad")
	test.Tap(v.svcAdd)
	if n := len(cs.subs[0].Services); n != 2 || !hasTextPart(v.outcome, "ftp://is.example.kg/x") {
		t.Fatalf("services %+v; a bad URL's outcome %q", cs.subs[0].Services, labelsIn(v.outcome))
	}

	test.Tap(v.preview)
	h.idle(t, &cs.sessionRunner, "the plan")
	if mutations(h.fake) != 0 {
		t.Fatalf("showing the plan changed the server: %v", h.fake.Calls())
	}
	if cs.plan == nil || cs.plan.Count(connect.StateTodo) != 7 || !hasText(v.plan, T("connect.item.register", map[string]any{"Subsystem": "crm"})+" — "+T("connect.state.todo")) {
		t.Fatalf("plan %+v: %q", cs.plan, labelsIn(v.plan))
	}

	h.fake.ApproveClientsAfter(1000)
	test.Tap(v.apply)
	h.idle(t, &cs.sessionRunner, "apply")
	id := xroad.ClientID(xroadtest.Instance, "GOV", "70000001", "crm")
	if st := h.fake.ClientStatus(id); st != xroad.ClientRegistrationInProgress || cs.subs[0].Status != st {
		t.Fatalf("status on the server %q, shown %q; outcome %q", st, cs.subs[0].Status, labelsIn(v.outcome))
	}
	if !hasText(v.outcome, T("connect.applied")) || !hasTextPart(v.services, "getPerson") {
		t.Fatalf("after apply: %q / %q", labelsIn(v.outcome), labelsIn(v.services))
	}

	// Followed, then left while the operator has not approved.
	test.Tap(v.follow)
	h.pump.waitUntil(t, "the follow", func() bool { return cs.busy == "follow" && !cs.subs[0].StatusAt.IsZero() })
	wz.Back()
	h.idle(t, &cs.sessionRunner, "the follow to stop")
	if live := h.fake.LiveKeys(); len(live) > 0 {
		t.Errorf("the follow's API key lives on: %v", live)
	}
	rec := wz.rec.snapshot()
	if rec.Connect == nil || len(rec.Connect.Subsystems) != 1 || rec.Connect.Subsystems[0].Status != xroad.ClientRegistrationInProgress {
		t.Fatalf("record %+v", rec.Connect)
	}

	// A new start: the record gives the subsystems back; the follow ends
	// when the operator approves.
	again := newConnectStep(wz)
	again.uiDo, again.api, again.pollEvery = cs.uiDo, cs.api, cs.pollEvery
	wz.connect, cs = again, again
	wz.steps[wz.stepIndex(stepConnect)].view, wz.steps[wz.stepIndex(stepConnect)].leave = again.view, again.leave
	h.show(stepConnect)
	v = cs.v
	if len(cs.subs) != 1 || cs.subs[0].Code != "crm" || len(cs.subs[0].Services) != 2 {
		t.Fatalf("a new start lost the wish list: %+v", cs.subs)
	}
	test.Tap(v.follow)
	h.pump.waitUntil(t, "the follow", func() bool { return cs.busy == "follow" })
	h.fake.ApproveClient(id)
	h.idle(t, &cs.sessionRunner, "the approval")
	if cs.subs[0].Status != xroad.ClientRegistered || !hasText(v.outcome, T("connect.registered")) {
		t.Fatalf("after approval %+v, %q", cs.subs[0], labelsIn(v.outcome))
	}

	// Access: found by name, granted the REST service, revoked.
	test.Tap(v.read)
	h.idle(t, &cs.sessionRunner, "read")
	v.search.SetText("registry")
	test.Tap(v.searchBtn)
	h.idle(t, &cs.sessionRunner, "the search")
	if len(v.subject.Options) == 0 {
		t.Fatalf("no subject found: %q", labelsIn(v.outcome))
	}
	for _, o := range v.subject.Options {
		if strings.HasPrefix(o, "GOV:70000002:registry ") {
			v.subject.SetSelected(o)
		}
	}
	v.grantTo.SetSelectedIndex(0)
	test.Tap(v.grantBtn)
	h.idle(t, &cs.sessionRunner, "grant")
	// What the server's access list says, through the flow's own check.
	calls := func(suffix string) int {
		n := 0
		for _, c := range h.fake.Calls() {
			if c.Method == "POST" && strings.HasSuffix(c.Path, suffix) {
				n++
			}
		}
		return n
	}
	if calls("/service-clients") != 1 || !hasText(v.outcome, T("connect.granted", map[string]any{"Subject": "GOV:70000002:registry"})) {
		t.Fatalf("not granted: %q", labelsIn(v.outcome))
	}
	test.Tap(v.preview)
	h.idle(t, &cs.sessionRunner, "the plan again")
	if cs.plan.Count(connect.StateTodo) != 0 {
		t.Fatalf("the plan after apply is not all in place: %+v", cs.plan.Items)
	}
	before := mutations(h.fake)
	test.Tap(v.apply)
	h.idle(t, &cs.sessionRunner, "apply again")
	if mutations(h.fake) != before {
		t.Fatal("applying again changed the server")
	}
	cs.revoke(0, "GOV:70000002:registry")
	h.idle(t, &cs.sessionRunner, "revoke")
	if calls("/service-clients/delete") != 1 || len(cs.subs[0].Services[0].Access) != 0 {
		t.Fatal("not revoked")
	}

	// The first call through the SSH connection: an explanation first
	// (the client side does not know the subsystem yet), then the answer.
	test.Tap(v.callBtn)
	h.idle(t, &cs.sessionRunner, "the first call")
	if cs.call == nil || cs.call.OK || cs.callErr == nil || len(labelsIn(v.callBox)) == 0 {
		t.Fatalf("an unknown subsystem's call: %+v %q", cs.call, labelsIn(v.callBox))
	}
	mid := metaservice.ID{Instance: xroadtest.Instance, MemberClass: "GOV", MemberCode: "70000001", Subsystem: "crm"}
	ms.Set(func(st *metaservicetest.State) {
		st.Clients = map[metaservice.ID]metaservicetest.Client{mid: {Registered: true}}
		st.Services = map[metaservice.ID][]metaservice.Service{mid: {{Code: "people", Type: "REST"}}}
	})
	test.Tap(v.callBtn)
	h.idle(t, &cs.sessionRunner, "the first call again")
	if cs.call == nil || !cs.call.OK || !hasText(v.callBox, T("connect.call.ok")) {
		t.Fatalf("call %+v: %q / %q", cs.call, labelsIn(v.callBox), labelsIn(v.outcome))
	}
	if st := wz.rec.state(stepConnect); st != onboarding.Done {
		t.Fatalf("step state %v after a first call", st)
	}

	// The notice, delivered to a folder as Submit would.
	wz.submit.form.Via, wz.submit.form.Folder = enroll.ViaFolder, t.TempDir()
	cs.refresh()
	if v.notice.Disabled() {
		t.Fatalf("notice disabled: %q", cs.noticeProblem())
	}
	test.Tap(v.notice)
	h.pump.waitUntil(t, "the notice", func() bool { return cs.busy == "" })
	rec = wz.rec.snapshot()
	if rec.Connect.NoticeID == "" || !hasText(v.outcome, T("connect.notice.folder")) {
		t.Fatalf("notice %+v, outcome %q", rec.Connect, labelsIn(v.outcome))
	}
	entries, _ := os.ReadDir(wz.submit.form.Folder)
	if len(entries) == 0 {
		t.Fatal("nothing written to the folder")
	}

	// The Catalogue export, through the save seam.
	dir, _ := savedFiles(t, wz, nil)
	test.Tap(v.csv)
	b, err := os.ReadFile(filepath.Join(dir, "catalogue-70000001.csv"))
	if err != nil || !strings.Contains(string(b), "people") {
		t.Fatalf("catalogue %q %v; outcome %q", b, err, labelsIn(v.outcome))
	}
	if wz.rec.snapshot().Connect.CatalogueFile == "" {
		t.Fatal("the export is not in the record")
	}

	// "Read the server" shows what the server holds again.
	cs.inventory = nil
	test.Tap(v.read)
	h.pump.waitUntil(t, "the server read", func() bool { return cs.busy == "" && len(cs.inventory) > 0 })

	// The server's internal TLS certificate, saved for the information system.
	test.Tap(v.tlsExport)
	h.idle(t, &cs.sessionRunner, "the export")
	if b, err := os.ReadFile(filepath.Join(dir, "security-server-tls.pem")); err != nil || !strings.Contains(string(b), "BEGIN CERTIFICATE") {
		t.Fatalf("the internal certificate %q %v; outcome %q", b, err, labelsIn(v.outcome))
	}

	// The Summary tells it.
	h.show(stepSummary)
	page := wz.page.Objects[0]
	for _, want := range []string{T("summary.connect_call_ok", map[string]any{"Date": when(cs.call.At), "Count": 1}),
		T("summary.connect_registered", map[string]any{"Code": "crm", "Name": "Citizen register", "Services": 2, "Date": when(cs.subs[0].Registered)})} {
		if !hasText(page, want) {
			t.Errorf("the Summary lacks %q: %q", want, labelsIn(page))
		}
	}
}
