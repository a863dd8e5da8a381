package xroad_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

const (
	pin         = "Tunduk-soft-token-PIN-2026" // 15+ characters, as the operator asks
	weakPin     = "aaaaaaaaaaaa1"              // long enough, two classes only
	memberClass = "COM"
	memberCode  = "60000001"
	serverCode  = "SS1"

	adminUser  = xroadtest.AdminUser
	adminPass  = xroadtest.AdminPassword
	instance   = xroadtest.Instance
	caName     = xroadtest.CAName
	serverName = xroadtest.ServerName
)

// client is a client over the tunnel to f, logging at debug level into
// the returned buffer, with short waits so rate-limit tests stay fast.
func client(t *testing.T, f *xroadtest.Server) (*xroad.Client, *bytes.Buffer) {
	hc, base := tunnel(t, f)
	var buf bytes.Buffer
	log := logrus.New()
	log.SetOutput(&buf)
	log.SetLevel(logrus.DebugLevel)
	c := xroad.New(hc, base)
	c.Log, c.MaxWait = log, 20*time.Millisecond
	return c, &buf
}

// apiErr asserts err is an *xroad.Error with code.
func apiErr(t *testing.T, err error, status int, code string) *xroad.Error {
	t.Helper()
	var e *xroad.Error
	if !errors.As(err, &e) || e.Status != status || (code != "" && !e.HasCode(code)) {
		t.Fatalf("want an API error %d %s, got %v", status, code, err)
	}
	return e
}

// TestContractFlow drives the whole onboarding flow through a real SSH
// channel against the fake, which checks every request and answer against
// the 7.4.2 definition.
func TestContractFlow(t *testing.T) {
	f := xroadtest.StartWith(t, xroadtest.Options{PINPolicy: true})
	c, logs := client(t, f)
	anchor := f.Anchor
	ctx := context.Background()
	var errs []string // every error the flow saw, to look for secrets in

	if _, err := c.Version(ctx); err == nil {
		t.Fatal("a call without an API key went through")
	}
	key, err := c.CreateAPIKey(ctx, adminUser, adminPass, []string{xroad.RoleSystemAdministrator, xroad.RoleSecurityOfficer, xroad.RoleRegistrationOfficer})
	if err != nil || key.ID != 61 || len(key.Roles) != 3 {
		t.Fatalf("api key %+v, %v", key, err)
	}
	if v, err := c.Version(ctx); err != nil || !strings.HasPrefix(v.Info, "7.4.2") || v.JavaVersion != 17 {
		t.Fatalf("version %+v, %v", v, err)
	}
	st, err := c.InitializationStatus(ctx)
	if err != nil || st.AnchorImported || st.SoftwareTokenInitStatus != xroad.TokenNotInitialized || st.Done() || !st.EnforceTokenPinPolicy {
		t.Fatalf("status before init %+v, %v", st, err)
	}

	// Anchor: preview (no instance to check yet), upload, once only.
	a, err := c.PreviewAnchor(ctx, anchor(instance), false)
	if err != nil || a.Hash != xroadtest.AnchorHash(anchor(instance)) || len(a.CreatedAt) != 24 {
		t.Fatalf("preview %+v, %v", a, err)
	}
	// Asked to check the instance with no owner saved to compare with,
	// X-Road fails (500), as its code does.
	_, err = c.PreviewAnchor(ctx, anchor(instance), true)
	apiErr(t, err, 500, "")
	if err := c.UploadInitialAnchor(ctx, anchor(instance)); err != nil {
		t.Fatal(err)
	}
	err = c.UploadInitialAnchor(ctx, anchor(instance))
	apiErr(t, err, 409, "anchor_already_exists")
	if got, err := c.Anchor(ctx); err != nil || got.Hash != a.Hash {
		t.Fatalf("anchor after upload %+v, %v", got, err)
	}

	// Initialisation: a weak PIN is refused with the policy in metadata.
	conf := xroad.InitialServerConf{OwnerMemberClass: memberClass, OwnerMemberCode: memberCode, SecurityServerCode: serverCode, SoftwareTokenPIN: weakPin}
	err = c.Initialize(ctx, conf)
	e := apiErr(t, err, 400, xroad.CodeWeakPin)
	if len(e.Metadata) != 4 || e.Metadata[0] != "pin_min_length" || e.Metadata[1] != "10" {
		t.Fatalf("weak PIN metadata %q", e.Metadata)
	}
	errs = append(errs, err.Error())
	conf.SoftwareTokenPIN = pin
	if err := c.Initialize(ctx, conf); err != nil {
		t.Fatal(err)
	}
	sent := f.InitRequest()
	want := map[string]any{"owner_member_class": memberClass, "owner_member_code": memberCode,
		"security_server_code": serverCode, "software_token_pin": pin, "ignore_warnings": false}
	if len(sent) != len(want) {
		t.Fatalf("initialization sent %d fields, want %d", len(sent), len(want))
	}
	for k, v := range want {
		if sent[k] != v {
			t.Errorf("initialization sent %s=%v, want %v", k, sent[k], v)
		}
	}
	// A fully initialised server refuses another initialisation.
	err = c.Initialize(ctx, conf)
	apiErr(t, err, 409, "server_already_fully_initialized")
	errs = append(errs, err.Error())
	if st, err := c.InitializationStatus(ctx); err != nil || !st.Done() {
		t.Fatalf("status after init %+v, %v", st, err)
	}
	// Now the server has an instance: an anchor of another is refused.
	_, err = c.PreviewAnchor(ctx, anchor("other-instance"), true)
	apiErr(t, err, 400, xroad.CodeAnchorWrongInstance)

	// Timestamping: pick an approved TSA.
	tsas, err := c.ApprovedTimestampingServices(ctx)
	if err != nil || len(tsas) != 1 || tsas[0] != xroadtest.ApprovedTSA {
		t.Fatalf("approved TSAs %+v, %v", tsas, err)
	}
	if got, err := c.AddTimestampingService(ctx, tsas[0]); err != nil || got != xroadtest.ApprovedTSA {
		t.Fatalf("add TSA %+v, %v", got, err)
	}
	if got, err := c.ConfiguredTimestampingServices(ctx); err != nil || len(got) != 1 || got[0] != xroadtest.ApprovedTSA {
		t.Fatalf("configured TSAs %+v, %v", got, err)
	}

	flowKeys(t, ctx, f, c)

	if err := c.RevokeAPIKey(ctx, adminUser, adminPass, key.ID); err != nil {
		t.Fatal(err)
	}
	if left := len(f.LiveKeys()); left != 0 {
		t.Fatalf("key %d still there after revoke", key.ID)
	}
	if _, err := c.Version(ctx); err == nil {
		t.Fatal("a call after revoking the key went through")
	}

	noSecrets(t, f, logs.String(), strings.Join(errs, "\n"))
	if !strings.Contains(logs.String(), "/tokens/0/login") || !strings.Contains(logs.String(), "/initialization") {
		t.Fatalf("the client logged no calls, so the secret check saw nothing: %q", logs.String())
	}
}

// flowKeys: token login, auth and sign keys with CSRs, CSR download,
// certificates issued by a throwaway CA, import, register, activate.
func flowKeys(t *testing.T, ctx context.Context, f *xroadtest.Server, c *xroad.Client) {
	tokens, err := c.Tokens(ctx)
	if err != nil || len(tokens) != 1 || tokens[0].Type != xroad.TokenTypeSoftware || tokens[0].LoggedIn {
		t.Fatalf("tokens %+v, %v", tokens, err)
	}
	_, err = c.LoginToken(ctx, tokens[0].ID, weakPin)
	apiErr(t, err, 400, "pin_incorrect")
	tok, err := c.LoginToken(ctx, tokens[0].ID, pin)
	if err != nil || !tok.LoggedIn || tok.Status != "OK" {
		t.Fatalf("login %+v, %v", tok, err)
	}

	memberID := instance + ":" + memberClass + ":" + memberCode
	type made struct {
		usage string
		kc    xroad.KeyWithCSR
		cert  []byte
	}
	var keys []made
	for _, k := range []struct{ usage, member string }{{xroad.UsageAuthentication, ""}, {xroad.UsageSigning, memberID}} {
		fields, err := c.CSRSubjectFields(ctx, caName, k.usage, k.member, false)
		if err != nil || len(fields) != 4 {
			t.Fatalf("%s subject fields %+v, %v", k.usage, fields, err)
		}
		values := map[string]string{}
		for _, fl := range fields {
			values[fl.ID] = fl.DefaultValue
		}
		if values["serialNumber"] != instance+"/"+serverCode+"/"+memberClass || values["CN"] != memberCode {
			t.Fatalf("subject defaults %v", values)
		}
		values["O"] = "Test LLC"
		kc, err := c.AddKeyWithCSR(ctx, tok.ID, strings.ToLower(k.usage), xroad.CSRGenerate{
			KeyUsageType: k.usage, CAName: caName, CSRFormat: xroad.FormatDER, MemberID: k.member, SubjectFieldValues: values})
		if err != nil || kc.CSRID == "" || kc.Key.ID == "" || len(kc.Key.CSRs) != 1 || kc.Key.CSRs[0].ID != kc.CSRID || kc.Key.Usage != k.usage {
			t.Fatalf("%s key %+v, %v", k.usage, kc, err)
		}
		der, err := c.DownloadCSR(ctx, kc.Key.ID, kc.CSRID, xroad.FormatDER)
		if err != nil {
			t.Fatal(err)
		}
		csr, err := x509.ParseCertificateRequest(der)
		if err != nil {
			t.Fatalf("%s CSR is not DER: %v", k.usage, err)
		}
		if csr.Subject.SerialNumber != values["serialNumber"] || csr.Subject.CommonName != memberCode || csr.PublicKey.(*rsa.PublicKey).N.BitLen() != 2048 {
			t.Fatalf("%s CSR subject %v", k.usage, csr.Subject)
		}
		p, err := c.DownloadCSR(ctx, kc.Key.ID, kc.CSRID, xroad.FormatPEM)
		if blk, _ := pem.Decode(p); err != nil || blk == nil || !bytes.Equal(blk.Bytes, der) {
			t.Fatalf("PEM CSR differs from DER: %v", err)
		}
		keys = append(keys, made{k.usage, kc, f.Issue(t, der)})
	}

	auth, sign := keys[0], keys[1]
	tc, err := c.ImportCertificate(ctx, auth.cert)
	if err != nil || tc.Status != xroad.CertSaved || tc.Active || tc.Details.Hash != xroadtest.CertHash(auth.cert) || tc.Details.IssuerCommonName != caName {
		t.Fatalf("auth import %+v, %v", tc, err)
	}
	_, err = c.ImportCertificate(ctx, auth.cert)
	apiErr(t, err, 409, "")
	if err := c.RegisterCertificate(ctx, tc.Details.Hash, serverName); err != nil {
		t.Fatal(err)
	}
	if addr := f.RegisteredAddress(); addr != serverName {
		t.Fatalf("registered with address %q", addr)
	}
	if err := c.ActivateCertificate(ctx, tc.Details.Hash); err != nil {
		t.Fatal(err)
	}
	got, err := c.Certificate(ctx, tc.Details.Hash)
	if err != nil || got.Status != xroad.CertRegistrationInProgress || !got.Active || got.Details.SubjectCommonName != memberCode {
		t.Fatalf("auth certificate after register+activate %+v, %v", got, err)
	}
	// The signing certificate goes in as PEM, the way a CA often mails it.
	sc, err := c.ImportCertificate(ctx, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sign.cert}))
	if err != nil || sc.Status != xroad.CertRegistered || !sc.Active || sc.OwnerID != memberID {
		t.Fatalf("sign import %+v, %v", sc, err)
	}
	err = c.RegisterCertificate(ctx, sc.Details.Hash, serverName)
	apiErr(t, err, 400, "sign_cert_not_supported")
	err = c.RegisterCertificate(ctx, tc.Details.Hash, serverName)
	apiErr(t, err, 409, "action_not_possible")

	tokens, err = c.Tokens(ctx)
	if err != nil || len(tokens[0].Keys) != 2 {
		t.Fatalf("tokens after import %+v, %v", tokens, err)
	}
	// The signer drops a key's CSR when its certificate comes in.
	for _, k := range tokens[0].Keys {
		if len(k.Certificates) != 1 || len(k.CSRs) != 0 {
			t.Errorf("key %s (%s): %d certificates, %d CSRs", k.ID, k.Usage, len(k.Certificates), len(k.CSRs))
		}
	}
}

// noSecrets fails when a PIN, the password or an issued API key shows in
// any of texts.
func noSecrets(t *testing.T, f *xroadtest.Server, texts ...string) {
	t.Helper()
	secrets := append([]string{pin, weakPin, adminPass}, f.IssuedKeys()...)
	if len(secrets) < 4 {
		t.Fatal("no API key was issued, the check would be empty")
	}
	for _, txt := range texts {
		for _, s := range secrets {
			if strings.Contains(txt, s) {
				t.Errorf("a secret (%d characters) leaked into: %q", len(s), txt)
			}
		}
	}
}
