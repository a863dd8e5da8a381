package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// server csr --sign-on hw-token without --hw-token makes the signing key
// on the server's only hardware token, by the hex ID the server lists
// (X-Road's, from the PKCS#11 module), not on an ID assumed.
func TestServerCSRHardwareTokenListed(t *testing.T) {
	f := xroadtest.StartWith(t, xroadtest.Options{HardwareToken: true})
	dir := t.TempDir()
	api := f.AdminAPI()
	args := func(verb string, extra ...string) []string {
		return append([]string{"server", verb, "--local", "--admin-user", xroadtest.AdminUser, "--admin-password-stdin", "--admin-api", api.Addr,
			"--admin-api-cert", api.CertPath, "--proxy-jar", api.ProxyJar, "--lang", "en",
			"--member-class", "GOV", "--member-code", "70000001", "--server-code", "SS1", "--name", "Test Agency"}, extra...)
	}
	anchor := filepath.Join(dir, "anchor.xml")
	os.WriteFile(anchor, f.Anchor(xroadtest.Instance), 0o644)
	admin := xroadtest.AdminPassword + "\n"
	if code, out, errOut := cli(t, admin+serverTestPIN+"\n", args("init", "--anchor", anchor, "--pin-stdin")...); code != exitOK {
		t.Fatalf("init: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := cli(t, admin+xroadtest.HWPIN+"\n", args("csr", "--out", dir, "--sign-on", "hw-token", "--hw-pin-stdin", "--format", "json")...)
	if code != exitOK {
		t.Fatalf("csr: %d\n%s\n%s", code, out, errOut)
	}
	var res struct {
		CSRs []struct{ Usage, Token string } `json:"csrs"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res.CSRs) != 2 || res.CSRs[1].Usage != "sign" || res.CSRs[1].Token != xroadtest.HWTokenID ||
		f.Count("POST", "/tokens/"+xroadtest.HWTokenID+"/keys-with-csrs") != 1 {
		t.Fatalf("csr result %+v", res)
	}
}
