package xroad_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestContractRenewalCalls: what a renewal does to certificates after
// the first registration, through the SSH tunnel against the fake (every
// request and answer checked against the 7.4.2 definition as its code
// amends it): the refusals X-Road's PossibleActionsRuleEngine makes when
// the order is wrong, and the states each call leaves.
func TestContractRenewalCalls(t *testing.T) {
	f := xroadtest.Start(t)
	f.Operate(t, 10)
	c, _ := client(t, f)
	ctx := context.Background()
	if _, err := c.CreateAPIKey(ctx, adminUser, adminPass, []string{xroad.RoleSecurityOfficer, xroad.RoleRegistrationOfficer}); err != nil {
		t.Fatal(err)
	}
	oldAuth, oldSign := inUse(t, c)
	if srv, err := c.CurrentServer(ctx); err != nil || srv.Address != xroadtest.OperatedAddress {
		t.Fatalf("the registered server's address: %+v %v", srv, err)
	}

	// A signing certificate is not unregistered; a registered
	// authentication certificate is not deleted, nor its key without
	// ignore_warnings.
	apiErr(t, c.UnregisterCertificate(ctx, oldSign.cert), 400, "sign_cert_not_supported")
	apiErr(t, c.DeleteCertificate(ctx, oldAuth.cert), 409, xroad.CodeActionNotPossible)
	e := apiErr(t, c.DeleteKey(ctx, oldAuth.key, false), 400, xroad.CodeWarningsDetected)
	if len(e.Warnings) != 1 || e.Warnings[0].Code != "auth_key_with_registered_cert_warning" || !slices.Equal(e.Warnings[0].Metadata, []string{oldAuth.key}) {
		t.Fatalf("warnings %+v", e.Warnings)
	}

	// A new authentication key, its certificate imported: SAVED and
	// inactive; activated before its registration it has no OCSP status
	// (TokenCertificateConverter: null, left out).
	kc, err := c.AddKeyWithCSR(ctx, xroad.SoftwareTokenID, "new-auth", xroad.CSRGenerate{KeyUsageType: xroad.UsageAuthentication,
		CAName: caName, CSRFormat: xroad.FormatDER, SubjectFieldValues: map[string]string{"O": "Test"}})
	if err != nil {
		t.Fatal(err)
	}
	der, err := c.DownloadCSR(ctx, kc.Key.ID, kc.CSRID, xroad.FormatDER)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := c.ImportCertificate(ctx, f.Issue(t, der))
	if err != nil || tc.Status != xroad.CertSaved || tc.Active || tc.OCSPStatus != xroad.OCSPDisabled {
		t.Fatalf("imported %+v %v", tc, err)
	}
	newAuth := tc.Details.Hash
	apiErr(t, c.UnregisterCertificate(ctx, newAuth), 409, xroad.CodeActionNotPossible) // SAVED: nothing to unregister
	if err := c.ActivateCertificate(ctx, newAuth); err != nil {
		t.Fatal(err)
	}
	if tc, _ := c.Certificate(ctx, newAuth); tc.OCSPStatus != "" || !tc.Active {
		t.Fatalf("active, not registered: %+v", tc)
	}
	// Registered, approved by the central server, its OCSP response
	// fetched once it is active and registered.
	if err := c.RegisterCertificate(ctx, newAuth, xroadtest.OperatedAddress); err != nil {
		t.Fatal(err)
	}
	if !f.ApproveRegistration(newAuth) || f.ApproveRegistration(newAuth) {
		t.Fatal("the approval of a registration in progress, once")
	}
	f.OCSPGoodAfter(1)
	for i, want := range []string{xroad.OCSPUnknown, xroad.OCSPGood} {
		if tc, _ := c.Certificate(ctx, newAuth); tc.Status != xroad.CertRegistered || tc.OCSPStatus != want {
			t.Fatalf("poll %d: %+v", i, tc)
		}
	}

	// The old one disabled (twice: refused), unregistered (the deletion
	// request sent, DELETION_IN_PROGRESS, for good), then deletable.
	if err := c.DisableCertificate(ctx, oldAuth.cert); err != nil {
		t.Fatal(err)
	}
	apiErr(t, c.DisableCertificate(ctx, oldAuth.cert), 409, xroad.CodeActionNotPossible)
	if tc, _ := c.Certificate(ctx, oldAuth.cert); tc.Active || tc.OCSPStatus != xroad.OCSPDisabled || tc.Status != xroad.CertRegistered {
		t.Fatalf("disabled %+v", tc)
	}
	if err := c.UnregisterCertificate(ctx, oldAuth.cert); err != nil {
		t.Fatal(err)
	}
	apiErr(t, c.UnregisterCertificate(ctx, oldAuth.cert), 409, xroad.CodeActionNotPossible)
	if tc, _ := c.Certificate(ctx, oldAuth.cert); tc.Status != xroad.CertDeletionInProgress {
		t.Fatalf("unregistered %+v", tc)
	}
	reqs := f.ManagementRequests()
	if len(reqs) != 2 || reqs[0] != (xroadtest.ManagementRequest{Kind: xroadtest.RequestAuthCertRegistration, Hash: newAuth}) ||
		reqs[1] != (xroadtest.ManagementRequest{Kind: xroadtest.RequestAuthCertDeletion, Hash: strings.ToUpper(oldAuth.cert)}) {
		t.Fatalf("management requests %+v", reqs)
	}
	if err := c.DeleteKey(ctx, oldAuth.key, false); err != nil {
		t.Fatal(err)
	}
	apiErr(t, c.DeleteKey(ctx, oldAuth.key, false), 404, "key_not_found")
	_, err = c.Certificate(ctx, oldAuth.cert)
	apiErr(t, err, 404, "certificate_not_found")

	// An active signing certificate may be deleted (nothing keeps one in
	// service); a key with its certificates goes on a logged-out token
	// no more than a key is made there.
	f.LogOutToken(xroad.SoftwareTokenID)
	apiErr(t, c.DeleteKey(ctx, oldSign.key, true), 409, xroad.CodeActionNotPossible)
	if err := c.DeleteCertificate(ctx, oldSign.cert); err != nil {
		t.Fatal(err)
	}
	apiErr(t, c.DeleteCertificate(ctx, oldSign.cert), 404, "certificate_not_found")
	if auth, sign := f.InService(); !auth || sign {
		t.Fatalf("in service: auth %v sign %v (the signing certificate was deleted)", auth, sign)
	}
}

// keyCert is a key's id and its certificate's hash.
type keyCert struct{ key, cert string }

// inUse are the authentication and signing certificates of the server in
// service.
func inUse(t *testing.T, c *xroad.Client) (auth, sign keyCert) {
	t.Helper()
	toks, err := c.Tokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		for _, k := range tk.Keys {
			for _, cert := range k.Certificates {
				kc := keyCert{k.ID, cert.Details.Hash}
				if k.Usage == xroad.UsageAuthentication {
					auth = kc
				} else {
					sign = kc
				}
			}
		}
	}
	if auth.cert == "" || sign.cert == "" {
		t.Fatalf("no certificates in use: %+v", toks)
	}
	return auth, sign
}
