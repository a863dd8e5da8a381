package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// server csr --sign-on soft-token makes the signing key and CSR on the
// server's software token in the same session as the authentication key
// (X-Road 7.4.2 allows it: only authentication keys are bound to the
// software token); the certificate the CA issues for it is imported and
// is active (the signer imports a signing certificate active:
// ImportCertReqHandler.java). Placements the profile does not allow, an
// unknown place and two places at once are refused before the server is
// asked anything.
func TestServerCSRSignOnSoftToken(t *testing.T) {
	f := xroadtest.StartWith(t, xroadtest.Options{})
	dir := t.TempDir()
	api := f.AdminAPI()
	base := []string{"--local", "--admin-user", xroadtest.AdminUser, "--admin-password-stdin", "--admin-api", api.Addr, "--admin-api-cert", api.CertPath, "--proxy-jar", api.ProxyJar, "--lang", "en"}
	ids := []string{"--member-class", "GOV", "--member-code", "70000001", "--server-code", "SS1", "--name", "Test Agency"}
	admin := xroadtest.AdminPassword + "\n"
	cmd := func(verb string, extra ...string) []string {
		return append(append(append([]string{"server", verb}, base...), extra...), ids...)
	}
	anchor := filepath.Join(dir, "anchor.xml")
	os.WriteFile(anchor, f.Anchor(xroadtest.Instance), 0o644)
	if code, out, errOut := cli(t, admin+serverTestPIN+"\n", cmd("init", "--anchor", anchor, "--pin-stdin")...); code != exitOK {
		t.Fatalf("init: %d\n%s\n%s", code, out, errOut)
	}

	// Refused before connecting.
	good, err := os.ReadFile("../../assets/profiles/tunduk.json")
	if err != nil {
		t.Fatal(err)
	}
	noSoft := filepath.Join(dir, "no-soft.json")
	os.WriteFile(noSoft, []byte(strings.Replace(string(good), `"placements": ["usb_token", "server_hw_token", "server_soft_token"]`,
		`"placements": ["usb_token", "server_hw_token"]`, 1)), 0o644)
	calls := len(f.Calls())
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--sign-on", "cloud"}, "--sign-on takes hw-token or soft-token, not «cloud»"},
		{[]string{"--sign-on", "soft-token", "--sign-on-server"}, "in one place"},
		{[]string{"--sign-on", "soft-token", "--profile", noSoft}, "does not allow the signing key on the security server's software token. It allows: a hardware token prepared"},
	} {
		code, _, errOut := cli(t, admin, cmd("csr", append([]string{"--out", dir}, c.args...)...)...)
		if code != exitCannot || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: %d %s", c.args, code, errOut)
		}
	}
	if n := len(f.Calls()); n != calls {
		t.Fatalf("a refused csr reached the server: %v", f.Calls()[calls:])
	}

	code, out, errOut := cli(t, admin, cmd("csr", "--out", dir, "--sign-on", "soft-token", "--format", "json")...)
	if code != exitOK {
		t.Fatalf("csr: %d\n%s\n%s", code, out, errOut)
	}
	var res struct {
		CSRs []struct {
			Usage, Token, Key, DER string
		} `json:"csrs"`
		Placement string `json:"sign_placement"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res.CSRs) != 2 || res.CSRs[1].Usage != "sign" || res.CSRs[1].Token != "0" || res.CSRs[0].Token != "0" ||
		res.CSRs[0].Key == res.CSRs[1].Key || res.Placement != "server_soft_token" {
		t.Fatalf("csr result %+v", res)
	}
	// Again: both keys are reused, nothing new is made.
	keys := f.KeyCount()
	if code, _, errOut := cli(t, admin, cmd("csr", "--out", dir, "--sign-on", "soft-token")...); code != exitOK || f.KeyCount() != keys {
		t.Fatalf("second csr: %d, keys %d -> %d: %s", code, keys, f.KeyCount(), errOut)
	}

	certs := []string{}
	for _, u := range []string{"auth", "sign"} {
		der, err := os.ReadFile(filepath.Join(dir, u+".csr.der"))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, u+".cer")
		os.WriteFile(p, f.Issue(t, der), 0o644)
		certs = append(certs, p)
	}
	code, out, errOut = cli(t, admin, append(cmd("import", "--out", dir), certs...)...)
	if code != exitOK || !strings.Contains(out, ": the signing certificate,") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = cli(t, admin, cmd("status", "--format", "json")...)
	var st struct {
		Sign struct {
			Token string `json:"token"`
			Cert  struct {
				Status string `json:"status"`
				Active bool   `json:"active"`
			} `json:"certificate"`
		} `json:"sign"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || code != exitOK {
		t.Fatalf("status: %d %v\n%s\n%s", code, err, out, errOut)
	}
	if st.Sign.Token != "0" || st.Sign.Cert.Status != "REGISTERED" || !st.Sign.Cert.Active {
		t.Fatalf("the signing certificate on the software token: %+v", st.Sign)
	}
}
