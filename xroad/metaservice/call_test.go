package metaservice_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/testcert"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice/metaservicetest"
)

var (
	own   = metaservice.ID{Instance: "central-server", MemberClass: "GOV", MemberCode: "70000001", Subsystem: "PORTAL"}
	other = metaservice.ID{Instance: "central-server", MemberClass: "COM", MemberCode: "60000002", Subsystem: "BANK"}
)

func state() metaservicetest.State {
	return metaservicetest.State{
		Clients: map[metaservice.ID]metaservicetest.Client{own: {Registered: true}},
		Services: map[metaservice.ID][]metaservice.Service{own: {{
			Instance: own.Instance, MemberClass: own.MemberClass, MemberCode: own.MemberCode, Subsystem: own.Subsystem,
			Code: "persons", Type: "OPENAPI", Endpoints: []metaservice.Endpoint{{Method: "GET", Path: "/persons/*"}},
		}, {
			Instance: own.Instance, MemberClass: own.MemberClass, MemberCode: own.MemberCode, Subsystem: own.Subsystem,
			Code: "ping", Type: "REST", Endpoints: []metaservice.Endpoint{{Method: "*", Path: "**"}},
		}}},
	}
}

func call(t *testing.T, tg metaservice.Target, r metaservice.Request) (metaservice.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if r.Client == (metaservice.ID{}) {
		r.Client = own
	}
	if r.Provider == (metaservice.ID{}) {
		r.Provider = own
	}
	return metaservice.Call(ctx, tg, r)
}

func TestListMethodsOverHTTP(t *testing.T) {
	s := metaservicetest.Start(t, state())
	res, err := call(t, metaservice.Target{URL: s.HTTP.URL}, metaservice.Request{QueryID: "q-1", UserID: "KG123"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Services) != 2 || res.Services[0].Code != "persons" || res.Services[0].Endpoints[0].Path != "/persons/*" || res.Services[1].Type != "REST" {
		t.Fatalf("services: %+v", res.Services)
	}
	if res.QueryID != "q-1" || res.Status != 200 {
		t.Fatalf("result: %+v", res)
	}
}

func TestAllowedMethodsListsOnlyGranted(t *testing.T) {
	st := state()
	st.Clients[other] = metaservicetest.Client{Registered: true}
	st.Access = map[metaservice.ID]map[metaservice.ID][]string{own: {other: {"ping"}}}
	s := metaservicetest.Start(t, st)
	res, err := call(t, metaservice.Target{URL: s.HTTP.URL}, metaservice.Request{Client: other, Method: metaservice.AllowedMethods})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Services) != 1 || res.Services[0].Code != "ping" {
		t.Fatalf("allowed: %+v", res.Services)
	}
}

// Every failure the security server reports maps to its explanation.
func TestFailuresExplained(t *testing.T) {
	for _, c := range []struct {
		name, key string
		set       func(*metaservicetest.State)
		req       metaservice.Request
	}{
		{"globalconf", "call.err.globalconf", func(s *metaservicetest.State) { s.GlobalConfExpired = true }, metaservice.Request{}},
		{"auth cert", "call.err.auth_cert", func(s *metaservicetest.State) { s.NoAuthCert = true }, metaservice.Request{}},
		{"not registered", "call.err.not_registered", func(s *metaservicetest.State) {
			s.Clients[own] = metaservicetest.Client{Registered: false}
		}, metaservice.Request{}},
		{"client unknown", "call.err.not_registered", nil, metaservice.Request{Client: other}},
		{"provider unknown", "call.err.provider_unknown", nil, metaservice.Request{Provider: other}},
		{"provider not here", "call.err.not_registered", func(s *metaservicetest.State) { s.Known = map[metaservice.ID]bool{other: true} }, metaservice.Request{Provider: other}},
		{"sign cert", "call.err.sign_cert", func(s *metaservicetest.State) { s.NoSignCert = true }, metaservice.Request{}},
		{"ocsp", "call.err.ocsp", func(s *metaservicetest.State) { s.OCSPStatus = "UNKNOWN" }, metaservice.Request{}},
		{"http to https", "call.err.is_https", func(s *metaservicetest.State) {
			s.Clients[own] = metaservicetest.Client{Registered: true, IsAuth: metaservicetest.SSLAuth}
		}, metaservice.Request{}},
		{"http to https no auth", "call.err.is_https", func(s *metaservicetest.State) {
			s.Clients[own] = metaservicetest.Client{Registered: true, IsAuth: metaservicetest.SSLNoAuth}
		}, metaservice.Request{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := state()
			if c.set != nil {
				c.set(&st)
			}
			s := metaservicetest.Start(t, st)
			_, err := call(t, metaservice.Target{URL: s.HTTP.URL}, c.req)
			key, data := metaservice.Explain(err)
			if key != c.key {
				t.Fatalf("key %q, want %q (%v)", key, c.key, err)
			}
			if !strings.HasPrefix(data["Type"].(string), "Server.") {
				t.Fatalf("type %q", data["Type"])
			}
			for _, l := range []string{"en", "ru", "ky"} {
				if msg := i18n.T(l, key, data); msg == "" || msg == key {
					t.Fatalf("%s: no text for %s", l, key)
				}
			}
		})
	}
}

func TestHTTPSWithClientCertificate(t *testing.T) {
	isCert, _ := testcert.KeyPair(t, "is.example")
	st := state()
	st.Clients[own] = metaservicetest.Client{Registered: true, IsAuth: metaservicetest.SSLAuth, IsCerts: []*x509.Certificate{isCert.Leaf}}
	s := metaservicetest.Start(t, st)
	tg := metaservice.Target{URL: s.HTTPS.URL, ServerCertPEM: s.CertPEM, ClientCert: &isCert}
	if res, err := call(t, tg, metaservice.Request{}); err != nil || len(res.Services) != 2 {
		t.Fatalf("%v %+v", err, res)
	}
	// Another certificate than the one imported is refused by the server.
	wrong, _ := testcert.KeyPair(t, "wrong.example")
	tg.ClientCert = &wrong
	if _, err := call(t, tg, metaservice.Request{}); keyOf(err) != "call.err.is_cert" {
		t.Fatalf("wrong cert: %v", err)
	}
	// No certificate with SSLAUTH over TLS: the server says so.
	tg.ClientCert = nil
	if _, err := call(t, tg, metaservice.Request{}); keyOf(err) != "call.err.is_https" {
		t.Fatalf("no cert: %v", err)
	}
	// A certificate of another server than the pinned one is refused here.
	_, otherPEM := testcert.KeyPair(t, "localhost")
	tg.ServerCertPEM = otherPEM
	if _, err := call(t, tg, metaservice.Request{}); keyOf(err) != "call.err.server_cert" {
		t.Fatalf("pinned: %v", err)
	}
	tg.ServerCertPEM = nil
	if _, err := call(t, tg, metaservice.Request{}); keyOf(err) != "call.err.https_cert" {
		t.Fatalf("no pin: %v", err)
	}
}

func keyOf(err error) string { k, _ := metaservice.Explain(err); return k }

func TestUnreachableAndNotXRoad(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := call(t, metaservice.Target{URL: "http://" + addr}, metaservice.Request{}); keyOf(err) != "call.err.unreachable" {
		t.Fatalf("closed port: %v", err)
	}
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>nginx</html>", http.StatusBadGateway)
	}))
	defer web.Close()
	if _, err := call(t, metaservice.Target{URL: web.URL}, metaservice.Request{}); keyOf(err) != "call.err.not_xroad" {
		t.Fatalf("web server: %v", err)
	}
	s := metaservicetest.Start(t, state())
	// HTTP spoken to the HTTPS port.
	if _, err := call(t, metaservice.Target{URL: "http://" + s.HTTPS.Listener.Addr().String()}, metaservice.Request{}); keyOf(err) != "call.err.not_xroad" {
		t.Fatalf("http to https port: %v", err)
	}
	for _, bad := range []string{"ftp://x", "http://u:p@x:8080", "http://x/path", ""} {
		if _, err := call(t, metaservice.Target{URL: bad}, metaservice.Request{}); keyOf(err) != "call.err.url" {
			t.Fatalf("%q: %v", bad, err)
		}
	}
	if _, err := metaservice.ParseID("a/b/c"); keyOf(err) != "call.err.id" {
		t.Fatal("short id accepted")
	}
	if _, err := metaservice.ParseID("a/b/c/d e"); keyOf(err) != "call.err.id" {
		t.Fatal("space accepted")
	}
}

// A hostile server's texts reach the explanation escaped, and an
// endless answer is cut.
func TestHostileAnswers(t *testing.T) {
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "listMethods") {
			w.Header().Set("X-Road-Error", "Server.ClientProxy.Weird")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			w.Write([]byte(`{"type":"Server.ClientProxy.Weird\u001b[2J","message":"evil\u001b]0;title\u0007 \u202eline\nnext","detail":"x"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"service":[`))
		for i := 0; i < 200000; i++ {
			w.Write([]byte(`{"service_code":"aaaaaaaaaaaaaaaaaaaaaaaa"},`))
		}
	}))
	defer hostile.Close()
	_, err := call(t, metaservice.Target{URL: hostile.URL}, metaservice.Request{})
	key, data := metaservice.Explain(err)
	if key != "call.err.xroad" {
		t.Fatalf("key %q", key)
	}
	for _, v := range []any{data["Type"], data["Message"], i18n.T("en", key, data)} {
		if s := v.(string); strings.ContainsAny(s, "\x1b\x07\n\u202e") {
			t.Fatalf("unescaped: %q", s)
		}
	}
	_, err = call(t, metaservice.Target{URL: hostile.URL}, metaservice.Request{Method: metaservice.AllowedMethods})
	if keyOf(err) != "call.err.too_big" {
		t.Fatalf("endless: %v", err)
	}
}

// The SSH way: the call reaches the server's own 127.0.0.1:8080 through
// a direct-tcpip channel of a real SSH connection to a real sshd.
func TestThroughSSH(t *testing.T) {
	s := metaservicetest.Start(t, state())
	c, _ := testhost.Dial(t, testhost.Options{})
	res, err := call(t, metaservice.Target{URL: s.HTTP.URL, Via: c}, metaservice.Request{})
	if err != nil || len(res.Services) != 2 {
		t.Fatalf("%v %+v", err, res)
	}
	before := s.Calls
	// HTTPS through the tunnel, pinned to the server's certificate.
	isCert, _ := testcert.KeyPair(t, "is.example")
	s.Set(func(st *metaservicetest.State) {
		st.Clients[own] = metaservicetest.Client{Registered: true, IsAuth: metaservicetest.SSLAuth, IsCerts: []*x509.Certificate{isCert.Leaf}}
	})
	if _, err := call(t, metaservice.Target{URL: s.HTTPS.URL, Via: c, ServerCertPEM: s.CertPEM, ClientCert: &isCert}, metaservice.Request{}); err != nil {
		t.Fatal(err)
	}
	if s.Calls != before+1 {
		t.Fatalf("calls %d", s.Calls)
	}
	// Nothing listens on the server's port: the proxy is not running.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	if _, err := call(t, metaservice.Target{URL: "http://" + addr, Via: c}, metaservice.Request{}); keyOf(err) != "call.err.unreachable" {
		t.Fatalf("closed port via ssh: %v", err)
	}
	_ = tls.VersionTLS12
}
