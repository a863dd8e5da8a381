package xroad_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestValidatorCatchesBreaches proves the harness can fail: requests and
// an answer that break the definition, sent through the same tunnel, are
// each recorded, and a broken request never reaches the fake's handler.
func TestValidatorCatchesBreaches(t *testing.T) {
	f := xroadtest.Start(t)
	hc, base := tunnel(t, f)
	c := xroad.New(hc, base)
	ctx := context.Background()
	if _, err := c.CreateAPIKey(ctx, xroadtest.AdminUser, xroadtest.AdminPassword, []string{xroad.RoleSystemAdministrator}); err != nil {
		t.Fatal(err)
	}
	key := f.IssuedKeys()[0]
	// An anchor, so that a valid initialisation would get through.
	if err := c.UploadInitialAnchor(ctx, f.Anchor(xroadtest.Instance)); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, method, path, ctype, body string
		auth                            bool
		want                            string // in the recorded violation
	}{
		{"member code of the wrong type", "POST", "/initialization", "application/json",
			`{"owner_member_class":"COM","owner_member_code":60000001,"security_server_code":"SS1","software_token_pin":"x"}`, true, "owner_member_code"},
		{"no API key", "GET", "/tokens", "", "", false, "security"},
		{"unknown CSR format", "GET", "/keys/AB/csrs/CD?csr_format=XML", "", "", true, "csr_format"},
		{"CSR request without subject", "POST", "/tokens/0/keys-with-csrs", "application/json",
			`{"key_label":"k","csr_generate_request":{"key_usage_type":"SIGNING","ca_name":"x","csr_format":"DER"}}`, true, "subject_field_values"},
		{"CSR request without format (the spec gives it a default)", "POST", "/tokens/0/keys-with-csrs", "application/json",
			`{"key_label":"k","csr_generate_request":{"key_usage_type":"SIGNING","ca_name":"x","subject_field_values":{}}}`, true, "csr_format"},
		{"no such operation", "POST", "/tokens/0/keys-with-csr", "application/json", `{}`, true, "no such operation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(ctx, tc.method, base+tc.path, strings.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.auth {
				req.Header.Set("Authorization", "X-Road-ApiKey token="+key)
			}
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			v := f.TakeViolations()
			if resp.StatusCode != http.StatusBadRequest || len(v) != 1 || v[0].Side != "request" {
				t.Fatalf("status %d, violations %+v", resp.StatusCode, v)
			}
			if !strings.Contains(v[0].Err.Error(), tc.want) {
				t.Fatalf("violation does not name %q: %v", tc.want, v[0].Err)
			}
		})
	}
	if f.InitRequest() != nil || f.KeyCount() != 0 {
		t.Error("a request that broke the contract reached the fake")
	}
	// An answer against the spec (version without "info") is caught too.
	f.BreakVersionAnswer(true)
	c.Version(ctx)
	v := f.TakeViolations()
	if len(v) != 1 || v[0].Side != "response" || !strings.Contains(v[0].Err.Error(), "info") {
		t.Fatalf("a broken answer went unnoticed: %+v", v)
	}
}
