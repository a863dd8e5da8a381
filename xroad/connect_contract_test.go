package xroad_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

func initialised() xroadtest.Options {
	return xroadtest.Options{Preset: xroadtest.Preset{Anchor: true, ServerCode: serverCode, OwnerClass: memberClass, OwnerCode: memberCode, SoftTokenPIN: pin}}
}

func TestContractConnect(t *testing.T) {
	f := xroadtest.StartWith(t, initialised())
	c, _ := client(t, f)
	ctx := context.Background()
	if _, err := c.CreateAPIKey(ctx, adminUser, adminPass, []string{xroad.RoleServiceAdministrator, xroad.RoleRegistrationOfficer, xroad.RoleSystemAdministrator}); err != nil {
		t.Fatal(err)
	}
	// A subsystem: added SAVED, a second add refused, an unknown member warned.
	added, err := c.AddClient(ctx, memberClass, memberCode, "crm", xroad.ConnHTTPS, false)
	if err != nil || added.Status != xroad.ClientSaved || added.ID != xroad.ClientID(instance, memberClass, memberCode, "crm") {
		t.Fatalf("add: %+v %v", added, err)
	}
	_, err = c.AddClient(ctx, memberClass, memberCode, "crm", xroad.ConnHTTPS, false)
	apiErr(t, err, 409, xroad.CodeClientExists)
	_, err = c.AddClient(ctx, "GOV", "79999999", "x", xroad.ConnHTTPS, false)
	if e := apiErr(t, err, 400, xroad.CodeWarningsDetected); !e.HasCode(xroad.CodeUnregisteredMember) {
		t.Fatalf("no unregistered_member warning: %v", e)
	}
	// Registration waits for the operator.
	if err := c.RegisterClient(ctx, added.ID); err != nil {
		t.Fatal(err)
	}
	apiErr(t, c.RegisterClient(ctx, added.ID), 409, xroad.CodeActionNotPossible)
	if got, _ := c.GetClient(ctx, added.ID); got.Status != xroad.ClientRegistrationInProgress {
		t.Fatalf("status %s", got.Status)
	}
	f.ApproveClient(added.ID)
	if got, _ := c.GetClient(ctx, added.ID); got.Status != xroad.ClientRegistered || got.MemberName != xroadtest.OwnerName {
		t.Fatalf("after approval %+v", got)
	}
	// Connection type and the IS certificate.
	if got, err := c.SetConnectionType(ctx, added.ID, xroad.ConnHTTP); err != nil || got.ConnectionType != xroad.ConnHTTP {
		t.Fatalf("conn %+v %v", got, err)
	}
	der := xroadtest.ISCert(t)
	if d, err := c.AddClientTLSCertificate(ctx, added.ID, der); err != nil || d.Hash != xroadtest.CertHash(der) {
		t.Fatalf("tls %+v %v", d, err)
	}
	_, err = c.AddClientTLSCertificate(ctx, added.ID, der)
	apiErr(t, err, 409, xroad.CodeCertExists)
	_, err = c.AddClientTLSCertificate(ctx, added.ID, []byte("not a certificate"))
	apiErr(t, err, 400, xroad.CodeInvalidCert)
	if l, err := c.ClientTLSCertificates(ctx, added.ID); err != nil || len(l) != 1 {
		t.Fatalf("tls list %v %v", l, err)
	}
	tgz, err := c.ExportInternalTLS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if names := tarNames(t, tgz); len(names) != 2 || names[0] != "./cert.pem" {
		t.Fatalf("export holds %v", names)
	}
	// Services: REST, OpenAPI 3 and WSDL, the last two fetched by the server.
	docs := xroadtest.Descriptions(t, map[string]string{"/openapi.yaml": xroadtest.SampleOpenAPI("https://is.example.kg/api"), "/people.wsdl": xroadtest.SampleWSDL("http://is.example.kg/soap")})
	rest, err := c.AddServiceDescription(ctx, added.ID, xroad.ServiceDescriptionAdd{URL: "https://is.example.kg/rest", RestServiceCode: "people", Type: xroad.TypeREST})
	if err != nil || !rest.Disabled || len(rest.Services) != 1 {
		t.Fatalf("rest %+v %v", rest, err)
	}
	_, err = c.AddServiceDescription(ctx, added.ID, xroad.ServiceDescriptionAdd{URL: "https://is.example.kg/other", RestServiceCode: "people", Type: xroad.TypeREST})
	apiErr(t, err, 409, xroad.CodeServiceCodeExists)
	_, err = c.AddServiceDescription(ctx, added.ID, xroad.ServiceDescriptionAdd{URL: "ftp://x", RestServiceCode: "p2", Type: xroad.TypeREST})
	apiErr(t, err, 400, xroad.CodeMalformedURL)
	oa, err := c.AddServiceDescription(ctx, added.ID, xroad.ServiceDescriptionAdd{URL: docs.URL + "/openapi.yaml", RestServiceCode: "people-api", Type: xroad.TypeOpenAPI3})
	if err != nil || len(oa.Services) != 1 || len(oa.Services[0].Endpoints) != 3 || oa.Services[0].URL != "https://is.example.kg/api" {
		t.Fatalf("openapi %+v %v", oa, err)
	}
	ws, err := c.AddServiceDescription(ctx, added.ID, xroad.ServiceDescriptionAdd{URL: docs.URL + "/people.wsdl", Type: xroad.TypeWSDL})
	if err != nil || len(ws.Services) != 2 {
		t.Fatalf("wsdl %+v %v", ws, err)
	}
	_, err = c.AddServiceDescription(ctx, added.ID, xroad.ServiceDescriptionAdd{URL: docs.URL + "/missing.wsdl", Type: xroad.TypeWSDL})
	apiErr(t, err, 400, xroad.CodeWSDLDownload)
	if err := c.EnableServiceDescription(ctx, ws.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RefreshServiceDescription(ctx, ws.ID, false); err != nil {
		t.Fatal(err)
	}
	sds, err := c.ServiceDescriptions(ctx, added.ID)
	if err != nil || len(sds) != 3 || sds[2].Disabled {
		t.Fatalf("list %+v %v", sds, err)
	}
	// Access rights to another member's subsystem, picked by name.
	cands, err := c.ServiceClientCandidates(ctx, added.ID, "bank")
	if err != nil || len(cands) != 1 {
		t.Fatalf("candidates %+v %v", cands, err)
	}
	svc := rest.Services[0].ID
	if got, err := c.AddServiceClients(ctx, svc, []string{cands[0].ID}); err != nil || len(got) != 1 {
		t.Fatalf("grant %+v %v", got, err)
	}
	_, err = c.AddServiceClients(ctx, svc, []string{cands[0].ID})
	apiErr(t, err, 409, xroad.CodeDuplicateAccess)
	_, err = c.AddServiceClients(ctx, svc, []string{"central-server:GOV:79999999:none"})
	apiErr(t, err, 400, xroad.CodeServiceClientAbsent)
	if l, _ := c.ServiceClients(ctx, svc); len(l) != 1 || l[0].Name != "Demo Bank LLC" {
		t.Fatalf("subjects %+v", l)
	}
	if err := c.DeleteServiceClients(ctx, svc, []string{cands[0].ID}); err != nil {
		t.Fatal(err)
	}
	apiErr(t, c.DeleteServiceClients(ctx, svc, []string{cands[0].ID}), 400, xroad.CodeAccessNotFound)
	if n, err := c.MemberName(ctx, "GOV", "70000002"); err != nil || n == "" {
		t.Fatalf("member name %q %v", n, err)
	}
	yes, no := true, false
	if l, err := c.FindClients(ctx, xroad.ClientQuery{InternalSearch: &no, ShowMembers: &no, Name: "bank"}); err != nil || len(l) != 1 {
		t.Fatalf("global search %+v %v", l, err)
	}
	if l, err := c.FindClients(ctx, xroad.ClientQuery{InternalSearch: &yes}); err != nil || len(l) != 2 {
		t.Fatalf("local clients %+v %v", l, err)
	}
}

func tarNames(t *testing.T, tgz []byte) []string {
	gz, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
}
