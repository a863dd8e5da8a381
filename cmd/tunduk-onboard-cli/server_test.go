package main

import (
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/internal/logging"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

const serverTestPIN = "Tunduk-soft-token-PIN-2026"

// TestServerCLI drives server init, csr, import, register --wait
// --activate and status against the spec-validated fake through a real
// sshd, and again with --local on this computer (the API dialled
// directly, the same pinning), with every secret on standard input, and
// looks for the secrets in everything printed.
func TestServerCLI(t *testing.T) {
	t.Run("ssh", func(t *testing.T) { serverCLI(t, false) })
	t.Run("local", func(t *testing.T) { serverCLI(t, true) })
}

func serverCLI(t *testing.T, local bool) {
	f := xroadtest.StartWith(t, xroadtest.Options{HardwareToken: true})
	where := []string{"--local"}
	if !local {
		h := testhost.StartSSHD(t, testhost.Options{})
		kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
		where = []string{"--ssh", h.Target().String(), "--identity", h.ClientKeyPath, "--known-hosts", kh}
	}
	dir := t.TempDir()
	api := f.AdminAPI()
	base := append(where, "--admin-user", xroadtest.AdminUser, "--admin-password-stdin", "--admin-api", api.Addr, "--admin-api-cert", api.CertPath, "--proxy-jar", api.ProxyJar, "--lang", "en")
	ids := []string{"--member-class", "GOV", "--member-code", "70000001", "--server-code", "SS1", "--name", "Test Agency"}
	admin := xroadtest.AdminPassword + "\n"
	var printed []string
	sessions := 0
	run := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		code, out, errOut := cli(t, stdin, args...)
		printed = append(printed, out, errOut)
		// The run's log files (cli gives each run its own config folder):
		// the sessions are there, the secrets must not be.
		dir, err := logging.Dir()
		if err != nil {
			t.Fatal(err)
		}
		logs, _ := filepath.Glob(filepath.Join(dir, "cli-*.log"))
		for _, name := range logs {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			sessions += strings.Count(string(data), "admin API session opened")
			printed = append(printed, string(data))
		}
		return code, out, errOut
	}
	cmd := func(verb string, extra ...string) []string {
		return append(append([]string{"server", verb}, base...), extra...)
	}
	anchor := filepath.Join(dir, "anchor.xml")
	os.WriteFile(anchor, f.Anchor(xroadtest.Instance), 0o644)
	wrong := filepath.Join(dir, "other.xml")
	os.WriteFile(wrong, f.Anchor("other-instance"), 0o644)

	// Refused before connecting: a short PIN, an anchor of another
	// instance, a bad member code.
	if code, _, errOut := run(admin+"short-PIN-1\n", append(cmd("init", "--anchor", anchor, "--pin-stdin"), ids...)...); code != exitCannot || !strings.Contains(errOut, "at least 15") {
		t.Fatalf("short PIN: %d %s", code, errOut)
	}
	if code, _, errOut := run(admin+serverTestPIN+"\n", append(cmd("init", "--anchor", wrong, "--pin-stdin"), ids...)...); code != exitCannot || !strings.Contains(errOut, "other-instance") {
		t.Fatalf("wrong anchor: %d %s", code, errOut)
	}
	if code, _, errOut := run(admin, cmd("init", "--anchor", anchor, "--member-class", "GOV", "--member-code", "12", "--server-code", "SS1")...); code != exitCannot || !strings.Contains(errOut, "--member-code") {
		t.Fatalf("bad member code: %d %s", code, errOut)
	}
	if n := len(f.Calls()); n != 0 {
		t.Fatalf("refused input reached the server: %v", f.Calls())
	}

	code, out, errOut := run(admin+serverTestPIN+"\n", append(cmd("init", "--anchor", anchor, "--pin-stdin"), ids...)...)
	if code != exitOK || !strings.Contains(out, "[done] Initialisation") || !strings.Contains(out, "[done] Timestamping service") {
		t.Fatalf("init: %d\n%s\n%s", code, out, errOut)
	}
	// Again, with no PIN (and no terminal to ask one on): everything is
	// done and the token logged in, so none is needed.
	code, out, errOut = run(admin, append(cmd("init", "--anchor", anchor), ids...)...)
	if code != exitOK || strings.Count(out, "[already done]") != 4 {
		t.Fatalf("second init: %d\n%s\n%s", code, out, errOut)
	}

	code, out, errOut = run(admin+serverTestPIN+"\n"+xroadtest.HWPIN+"\n", append(cmd("csr", "--out", dir, "--pin-stdin",
		"--sign-on-server", "--hw-token", xroadtest.HWTokenID, "--hw-pin-stdin"), ids...)...)
	if code != exitOK {
		t.Fatalf("csr: %d\n%s\n%s", code, out, errOut)
	}
	// Again, both tokens logged in now: no PIN wanted; the keys are
	// reused. A wrong --hw-token is named with the tokens there are.
	keys := f.KeyCount()
	code, out, errOut = run(admin, append(cmd("csr", "--out", dir, "--sign-on-server", "--hw-token", xroadtest.HWTokenID), ids...)...)
	if code != exitOK || f.KeyCount() != keys {
		t.Fatalf("second csr: %d, keys %d -> %d\n%s\n%s", code, keys, f.KeyCount(), out, errOut)
	}
	code, _, errOut = run(admin, append(cmd("csr", "--out", dir, "--sign-on-server", "--hw-token", "no-such-token"), ids...)...)
	if code != exitFailed || !strings.Contains(errOut, "no-such-token") || !strings.Contains(errOut, xroadtest.HWTokenID) {
		t.Fatalf("wrong --hw-token: %d %s", code, errOut)
	}
	certs := map[string][]byte{}
	for _, u := range []string{"auth", "sign"} {
		der, err := os.ReadFile(filepath.Join(dir, u+".csr.der"))
		if err != nil {
			t.Fatal(err)
		}
		p, _ := os.ReadFile(filepath.Join(dir, u+".csr.pem"))
		if blk, _ := pem.Decode(p); blk == nil || string(blk.Bytes) != string(der) {
			t.Fatalf("%s.csr.pem is not the DER", u)
		}
		certs[u] = f.Issue(t, der)
	}
	authFile, signFile := filepath.Join(dir, "auth.cer"), filepath.Join(dir, "sign.pem")
	os.WriteFile(authFile, certs["auth"], 0o644)
	os.WriteFile(signFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certs["sign"]}), 0o644)

	// A certificate for a key that is not ours: refused, nothing posted.
	foreign := filepath.Join(dir, "foreign.cer")
	os.WriteFile(foreign, f.IssueFor(t, "someone else"), 0o644)
	code, _, errOut = run(admin, append(cmd("import", foreign), "--out", dir)...)
	if code != exitFailed || !strings.Contains(errOut, "someone else") || f.Count("POST", "/token-certificates") != 0 {
		t.Fatalf("foreign import: %d %s, %d posts", code, errOut, f.Count("POST", "/token-certificates"))
	}

	code, out, errOut = run(admin, append(cmd("import", authFile, "--out", dir), signFile)...)
	if code != exitOK || !strings.Contains(out, ": the authentication certificate,") || !strings.Contains(out, ": the signing certificate,") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}

	f.ApproveAfter(2)
	code, out, errOut = run(admin, cmd("register", "--address", "ss1.agency.kg", "--wait", "--activate", "--poll", "10ms")...)
	if code != exitOK || !strings.Contains(out, "Registration: registration requested, waiting for the operator\nRegistration: registered\n") || f.RegisteredAddress() != "ss1.agency.kg" {
		t.Fatalf("register: %d\n%s\n%s", code, out, errOut)
	}

	code, out, errOut = run(admin, cmd("status", "--format", "json")...)
	var st struct {
		Schema string `json:"schema"`
		Init   struct {
			Done bool `json:"done"`
		} `json:"initialization"`
		TSA  bool `json:"timestamping_configured"`
		Auth struct {
			Cert struct {
				Status string `json:"status"`
				Active bool   `json:"active"`
			} `json:"certificate"`
		} `json:"auth"`
		Sign struct {
			Token string `json:"token"`
		} `json:"sign"`
		Tokens []struct {
			ID       string `json:"id"`
			LoggedIn bool   `json:"logged_in"`
		} `json:"tokens"`
		Exit int `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || code != exitOK {
		t.Fatalf("status: %d %v\n%s\n%s", code, err, out, errOut)
	}
	if st.Schema != "tunduk-onboard.server/v1" || !st.Init.Done || !st.TSA || st.Auth.Cert.Status != "REGISTERED" || !st.Auth.Cert.Active || st.Sign.Token != xroadtest.HWTokenID {
		t.Fatalf("status %+v", st)
	}
	if len(st.Tokens) != 2 || st.Tokens[1].ID != xroadtest.HWTokenID || !st.Tokens[1].LoggedIn {
		t.Fatalf("status tokens %+v", st.Tokens)
	}

	// A wrong admin password: exit 2, said so.
	code, _, errOut = run("not-the-password\n", cmd("status")...)
	if code != exitCannot || !strings.Contains(errOut, "did not accept the user") {
		t.Fatalf("wrong admin password: %d %s", code, errOut)
	}

	if live := f.LiveKeys(); len(live) != 0 {
		t.Fatalf("API keys left on the server: %v", live)
	}
	secrets := append([]string{serverTestPIN, xroadtest.HWPIN, xroadtest.AdminPassword, "not-the-password", "short-PIN-1"}, f.IssuedKeys()...)
	if sessions == 0 {
		t.Error("no admin API session in the runs' log files")
	}
	for _, p := range printed {
		for _, s := range secrets {
			if strings.Contains(p, s) {
				t.Errorf("a secret (%d characters) was printed: %q", len(s), p)
			}
		}
	}
}

// --local works on this computer: an SSH flag with it is refused before
// anything is asked or dialled, for install and every server verb.
func TestLocalRefusesSSHFlags(t *testing.T) {
	for _, args := range [][]string{
		{"install", "--local", "--ssh", "ops@ss1.example.kg", "--dry-run"},
		{"install", "--local", "--identity", "/nonexistent/key", "--dry-run"},
		{"server", "status", "--local", "--jump", "ops@bastion"},
		{"server", "init", "--local", "--known-hosts", "/tmp/kh", "--anchor", "/nonexistent.xml"},
		{"server", "import", "--local", "--password-stdin", "/nonexistent.cer"},
	} {
		for _, lang := range []string{"en", "ru", "ky"} {
			code, out, errOut := cli(t, "", append(args, "--lang", lang)...)
			flag := ""
			for _, a := range args[2:] {
				if strings.HasPrefix(a, "--") && a != "--local" && a != "--dry-run" && a != "--anchor" {
					flag = a
					break
				}
			}
			if code != exitCannot || !strings.Contains(errOut, "--local") || !strings.Contains(errOut, flag) || out != "" {
				t.Errorf("%s %v: exit %d\n%s%s", lang, args, code, out, errOut)
			}
			if lang != "en" && strings.Contains(errOut, "does not go with") {
				t.Errorf("%s %v: English: %s", lang, args, errOut)
			}
		}
	}
}
