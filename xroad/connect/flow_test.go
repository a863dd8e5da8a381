package connect_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

var params = connect.Params{Instance: xroadtest.Instance, MemberClass: "COM", MemberCode: "60000001"}

// env is a fake server behind a real sshd, and the connect flow's
// session opened through the SSH connection.
type env struct {
	f    *xroadtest.Server
	c    *remote.Client
	api  *xroad.Client
	docs string // base URL of the information system's descriptions
}

func start(t *testing.T) *env {
	t.Helper()
	e := &env{f: xroadtest.StartWith(t, xroadtest.Options{Preset: xroadtest.Preset{Anchor: true, ServerCode: "SS1",
		OwnerClass: params.MemberClass, OwnerCode: params.MemberCode, SoftTokenPIN: "Tunduk-soft-token-PIN-2026"}})}
	c, _ := testhost.Dial(t, testhost.Options{})
	e.c = c
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin := e.f.Admin()
	s, err := configure.OpenWith(ctx, c, e.f.AdminAPI(), configure.Credentials{User: admin.User, Password: admin.Password}, connect.Roles)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	e.api = s.API()
	e.docs = xroadtest.Descriptions(t, map[string]string{
		"/people.yaml": xroadtest.SampleOpenAPI("https://is.example.kg/api"),
		"/people.wsdl": xroadtest.SampleWSDL("http://is.example.kg/soap"),
	}).URL
	return e
}

// desired is a subsystem with every kind of service: REST, OpenAPI 3 by
// URL and by file, WSDL by URL, each granted to another member's subsystem.
func (e *env) desired(t *testing.T) connect.Desired {
	registry := "GOV:70000002:registry"
	return connect.Desired{Subsystems: []connect.Want{{
		Code: "crm", Name: "CRM", Connection: "HTTPS", TLSCertFiles: []string{"is.pem"}, TLSCerts: [][]byte{xroadtest.ISCert(t)},
		Services: []connect.WantService{
			{Type: xroad.TypeREST, URL: "https://is.example.kg/rest", Code: "people", Access: []string{registry}},
			{Type: xroad.TypeOpenAPI3, URL: e.docs + "/people.yaml", Code: "people-api", Access: []string{registry}},
			{Type: xroad.TypeOpenAPI3, File: "people2.yaml", Data: []byte(xroadtest.SampleOpenAPI("https://is.example.kg/api2")), Code: "people-file"},
			{Type: xroad.TypeWSDL, URL: e.docs + "/people.wsdl", Access: []string{registry}},
		},
	}}}
}

// mutating counts the calls that change something (the API key's own
// calls left out).
func mutating(f *xroadtest.Server) int {
	n := 0
	for _, c := range f.Calls() {
		if c.Method != "GET" && !strings.HasPrefix(c.Path, "/api-keys") {
			n++
		}
	}
	return n
}

func states(pl *connect.Plan) map[string]int {
	m := map[string]int{}
	for _, it := range pl.Items {
		m[it.State]++
	}
	return m
}

func TestConnectWholeFlowThenNoOp(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	d := e.desired(t)
	prof, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := connect.Check(prof, d); err != nil {
		t.Fatal(err)
	}
	pl, err := connect.Read(ctx, e.api, params, d)
	if err != nil {
		t.Fatal(err)
	}
	if mutating(e.f) != 0 {
		t.Fatalf("reading the plan changed the server: %v", e.f.Calls())
	}
	// subsystem, register, tls, 4 services, 4 enables, 3 accesses; approval waits.
	if got := states(pl); got[connect.StateTodo] != 14 || got[connect.StateWait] != 1 || got[connect.StateSkip] != 0 {
		t.Fatalf("first plan %v: %+v", got, pl.Items)
	}
	r := &connect.Runner{API: e.api, Host: e.c}
	var seen []connect.Item
	if err := r.Apply(ctx, pl, func(it connect.Item) { seen = append(seen, it) }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 14 || pl.Count(connect.StateDone) != 14 {
		t.Fatalf("done %d of 14", len(seen))
	}
	id := xroad.ClientID(params.Instance, params.MemberClass, params.MemberCode, "crm")
	if st := e.f.ClientStatus(id); st != xroad.ClientRegistrationInProgress {
		t.Fatalf("status %s", st)
	}
	inv, err := connect.Inventory(ctx, e.api)
	if err != nil || len(inv) != 1 || len(inv[0].Services) != 5 {
		t.Fatalf("inventory %+v %v", inv, err)
	}
	var file *connect.Service
	for i, s := range inv[0].Services {
		if s.Code == "people-file" {
			file = &inv[0].Services[i]
		}
	}
	// The file was served through the SSH connection and read by the
	// server: its operations are the service's endpoints.
	if file == nil || file.URL != "https://is.example.kg/api2" || len(file.Endpoints) != 3 || file.Endpoints[2].Path != "/people/*" {
		t.Fatalf("file service %+v", file)
	}
	sds, err := e.api.ServiceDescriptions(ctx, id)
	if err != nil || len(sds) != 4 {
		t.Fatalf("descriptions %v %v", sds, err)
	}
	for _, sd := range sds {
		if sd.Disabled {
			t.Errorf("%s left disabled", sd.URL)
		}
		for _, v := range sd.Services {
			subs, _ := e.api.ServiceClients(ctx, v.ID)
			if want := v.ServiceCode != "people-file"; (len(subs) == 1) != want {
				t.Errorf("%s has %d subjects", v.ID, len(subs))
			}
		}
	}
	// A second run changes nothing, before and after the operator approves.
	before := mutating(e.f)
	for round := 0; round < 2; round++ {
		again, err := connect.Read(ctx, e.api, params, d)
		if err != nil {
			t.Fatal(err)
		}
		if n := again.Count(connect.StateTodo); n != 0 {
			t.Fatalf("round %d: %d items to do: %+v", round, n, again.Items)
		}
		if w := again.Waiting(); (round == 0) != (len(w) == 1) {
			t.Fatalf("round %d waiting %v", round, w)
		}
		if err := r.Apply(ctx, again, nil); err != nil {
			t.Fatal(err)
		}
		e.f.ApproveClient(id)
	}
	if after := mutating(e.f); after != before {
		t.Fatalf("a second run made %d changing calls", after-before)
	}
	if err := connect.WaitRegistered(ctx, e.api, params, "crm", time.Millisecond, nil); err != nil {
		t.Fatal(err)
	}
}

func TestConnectResumesAfterACut(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	d := e.desired(t)
	id := xroad.ClientID(params.Instance, params.MemberClass, params.MemberCode, "crm")
	e.f.FailNext("POST", "/clients/"+id+"/service-descriptions")
	r := &connect.Runner{API: e.api, Host: e.c}
	pl, err := connect.Read(ctx, e.api, params, d)
	if err != nil {
		t.Fatal(err)
	}
	err = r.Apply(ctx, pl, nil)
	var ie *connect.ItemError
	if !errors.As(err, &ie) || ie.Item.Kind != connect.KindService {
		t.Fatalf("want the cut at the first service, got %v", err)
	}
	if key, _, ok := connect.Explain(err); !ok || key != "connect.err.api" {
		t.Fatalf("explained as %q", key)
	}
	done := pl.Count(connect.StateDone)
	pl, err = connect.Read(ctx, e.api, params, d)
	if err != nil {
		t.Fatal(err)
	}
	if n := pl.Count(connect.StateTodo); n != 14-done {
		t.Fatalf("after the cut %d to do, want %d", n, 14-done)
	}
	if err := r.Apply(ctx, pl, nil); err != nil {
		t.Fatal(err)
	}
	pl, err = connect.Read(ctx, e.api, params, d)
	if err != nil || pl.Count(connect.StateTodo) != 0 {
		t.Fatalf("not finished: %v %+v", err, pl)
	}
	sds, err := e.api.ServiceDescriptions(ctx, id)
	if err != nil || len(sds) != 4 {
		t.Fatalf("%d descriptions, want 4 (none twice): %v", len(sds), err)
	}
}

func TestConnectRefusesBeforeSending(t *testing.T) {
	prof, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	rel := "openapi: 3.0.3\ninfo: {title: x, version: '1'}\nservers: [{url: /api}]\npaths: {}\n"
	for want, d := range map[string]connect.Desired{
		"connect.err.plan_empty":       {},
		"connect.err.subsystem_code":   {Subsystems: []connect.Want{{Code: "срм"}}},
		"connect.err.connection_type":  {Subsystems: []connect.Want{{Code: "crm", Connection: "FTP"}}},
		"connect.err.plan_duplicate":   {Subsystems: []connect.Want{{Code: "crm"}, {Code: "CRM"}}},
		"connect.err.service_source":   {Subsystems: []connect.Want{{Code: "crm", Services: []connect.WantService{{Type: "REST", Code: "x"}}}}},
		"connect.err.service_url":      {Subsystems: []connect.Want{{Code: "crm", Services: []connect.WantService{{Type: "REST", Code: "x", URL: "file:///etc/passwd"}}}}},
		"connect.err.wsdl_file":        {Subsystems: []connect.Want{{Code: "crm", Services: []connect.WantService{{Type: "WSDL", File: "a.wsdl"}}}}},
		"connect.err.subject":          {Subsystems: []connect.Want{{Code: "crm", Services: []connect.WantService{{Type: "REST", Code: "x", URL: "https://a.kg", Access: []string{"nobody"}}}}}},
		"connect.err.openapi_relative": {Subsystems: []connect.Want{{Code: "crm", Services: []connect.WantService{{Type: "OPENAPI3", Code: "x", File: "a.yaml", Data: []byte(rel)}}}}},
	} {
		err := connect.Check(prof, d)
		if key, _, _ := connect.Explain(err); key != want {
			t.Errorf("want %s, got %v", want, err)
		}
	}
}

// TestConnectLocalGroup: a local group is a subject by its code; a
// second grant and a revoke of what is not there change nothing.
func TestConnectLocalGroup(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	d := connect.Desired{Subsystems: []connect.Want{{Code: "crm", Services: []connect.WantService{{Type: xroad.TypeREST, URL: "https://is.example.kg/rest", Code: "people"}}}}}
	pl, err := connect.Read(ctx, e.api, params, d)
	if err != nil {
		t.Fatal(err)
	}
	r := &connect.Runner{API: e.api, Host: e.c}
	if err := r.Apply(ctx, pl, nil); err != nil {
		t.Fatal(err)
	}
	id := xroad.ClientID(params.Instance, params.MemberClass, params.MemberCode, "crm")
	gid := e.f.AddLocalGroup(id, "ADMINS", "Administrators")
	if _, err := (&connect.Runner{API: e.api}).Grant(ctx, params, "crm", "people", "group:NOPE"); err == nil {
		t.Fatal("a group the subsystem lacks was granted")
	}
	for i, want := range []bool{true, false} {
		if changed, err := (&connect.Runner{API: e.api}).Grant(ctx, params, "crm", "people", "group:ADMINS"); err != nil || changed != want {
			t.Fatalf("grant %d: changed %v, %v", i, changed, err)
		}
	}
	subs, _ := e.api.ServiceClients(ctx, connect.ServiceID(params, "crm", "people"))
	if len(subs) != 1 || subs[0].ID != gid || subs[0].LocalGroupCode != "ADMINS" {
		t.Fatalf("subjects %+v", subs)
	}
	for i, want := range []bool{true, false} {
		if changed, err := (&connect.Runner{API: e.api}).Revoke(ctx, params, "crm", "people", "group:ADMINS"); err != nil || changed != want {
			t.Fatalf("revoke %d: changed %v, %v", i, changed, err)
		}
	}
}
