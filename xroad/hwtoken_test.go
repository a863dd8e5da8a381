package xroad_test

import (
	"context"
	"crypto/x509"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestCAsAndExistingKey: the approved CAs, a hardware token that needs a
// login, a CSR for a key already on it (POST /keys/{id}/csrs) and the
// key's details (GET /keys/{id}), all checked against the definition.
func TestCAsAndExistingKey(t *testing.T) {
	f := xroadtest.StartWith(t, xroadtest.Options{HardwareToken: true, HWKey: true, ExtraCA: "Other CA"})
	c, _ := client(t, f)
	ctx := context.Background()
	if _, err := c.CreateAPIKey(ctx, adminUser, adminPass, []string{xroad.RoleSecurityOfficer}); err != nil {
		t.Fatal(err)
	}
	cas, err := c.CertificateAuthorities(ctx, xroad.UsageSigning)
	if err != nil || len(cas) != 2 || cas[0].Name != caName || !cas[0].TopCA || cas[1].Name != "Other CA" {
		t.Fatalf("CAs %+v, %v", cas, err)
	}
	if err := c.UploadInitialAnchor(ctx, f.Anchor(instance)); err != nil {
		t.Fatal(err)
	}
	if err := c.Initialize(ctx, xroad.InitialServerConf{OwnerMemberClass: memberClass, OwnerMemberCode: memberCode, SecurityServerCode: serverCode, SoftwareTokenPIN: pin}); err != nil {
		t.Fatal(err)
	}
	toks, err := c.Tokens(ctx)
	if err != nil || len(toks) != 2 || toks[1].Type != xroad.TokenTypeHardware || toks[1].LoggedIn || len(toks[1].Keys) != 1 {
		t.Fatalf("tokens %+v, %v", toks, err)
	}
	hwKey := toks[1].Keys[0]
	if hwKey.Usage != "" || len(hwKey.CSRs) != 0 {
		t.Fatalf("the key made on the Rutoken: %+v", hwKey)
	}
	memberID := instance + ":" + memberClass + ":" + memberCode
	req := xroad.CSRGenerate{KeyUsageType: xroad.UsageSigning, CAName: caName, CSRFormat: xroad.FormatDER, MemberID: memberID,
		SubjectFieldValues: map[string]string{"C": "KG", "O": "Test LLC", "serialNumber": "x", "CN": memberCode}}
	_, err = c.GenerateCSR(ctx, hwKey.ID, req)
	apiErr(t, err, 409, "action_not_possible")
	_, err = c.LoginToken(ctx, xroadtest.HWTokenID, pin)
	apiErr(t, err, 400, "pin_incorrect")
	if tok, err := c.LoginToken(ctx, xroadtest.HWTokenID, xroadtest.HWPIN); err != nil || !tok.LoggedIn {
		t.Fatalf("hardware login %+v, %v", tok, err)
	}
	der, err := c.GenerateCSR(ctx, hwKey.ID, req)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil || csr.Subject.CommonName != memberCode {
		t.Fatalf("CSR %v, %v", csr, err)
	}
	k, err := c.Key(ctx, hwKey.ID)
	if err != nil || k.Usage != xroad.UsageSigning || len(k.CSRs) != 1 || k.CSRs[0].OwnerID != memberID {
		t.Fatalf("key after CSR %+v, %v", k, err)
	}
	again, err := c.DownloadCSR(ctx, k.ID, k.CSRs[0].ID, xroad.FormatDER)
	if err != nil || string(again) != string(der) {
		t.Fatalf("downloaded CSR differs: %v", err)
	}
	_, err = c.Key(ctx, "NOPE")
	apiErr(t, err, 404, "key_not_found")
	// An authentication key on a hardware token is refused, as X-Road does,
	// and the key made for it is not kept.
	keys := f.KeyCount()
	_, err = c.AddKeyWithCSR(ctx, xroadtest.HWTokenID, "a", xroad.CSRGenerate{KeyUsageType: xroad.UsageAuthentication,
		CAName: caName, CSRFormat: xroad.FormatDER, SubjectFieldValues: map[string]string{"O": "Test LLC"}})
	apiErr(t, err, 409, "action_not_possible")
	if f.KeyCount() != keys {
		t.Fatal("the refused key was kept")
	}
}
