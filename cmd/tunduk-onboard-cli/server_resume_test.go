package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// localServer is the base of a server verb against f on this computer.
func localServer(f *xroadtest.Server, verb string, extra ...string) []string {
	api := f.AdminAPI()
	args := []string{"server", verb, "--local", "--admin-user", xroadtest.AdminUser, "--admin-password-stdin",
		"--admin-api", api.Addr, "--admin-api-cert", api.CertPath, "--proxy-jar", api.ProxyJar, "--lang", "en",
		"--member-class", "GOV", "--member-code", "70000001", "--server-code", "SS1", "--name", "Test Agency"}
	return append(args, extra...)
}

// TestServerInitResumes: server init carries on from each half-done
// initialisation X-Road can leave (a part already set must not be sent
// again), asking no new PIN when the software token has one.
func TestServerInitResumes(t *testing.T) {
	anchorFile := func(t *testing.T, f *xroadtest.Server) string {
		p := filepath.Join(t.TempDir(), "anchor.xml")
		os.WriteFile(p, f.Anchor(xroadtest.Instance), 0o644)
		return p
	}
	for name, pre := range map[string]xroadtest.Preset{
		"anchor only":           {Anchor: true},
		"server code only":      {Anchor: true, ServerCode: "SS1"},
		"owner only":            {Anchor: true, OwnerClass: "GOV", OwnerCode: "70000001"},
		"token only":            {Anchor: true, SoftTokenPIN: serverTestPIN},
		"server code and owner": {Anchor: true, ServerCode: "SS1", OwnerClass: "GOV", OwnerCode: "70000001"},
		"server code and token": {Anchor: true, ServerCode: "SS1", SoftTokenPIN: serverTestPIN},
		"owner and token":       {Anchor: true, OwnerClass: "GOV", OwnerCode: "70000001", SoftTokenPIN: serverTestPIN},
	} {
		t.Run(name, func(t *testing.T) {
			f := xroadtest.StartWith(t, xroadtest.Options{Preset: pre})
			code, out, errOut := cli(t, xroadtest.AdminPassword+"\n"+serverTestPIN+"\n", localServer(f, "init", "--anchor", anchorFile(t, f), "--pin-stdin")...)
			if code != exitOK || !strings.Contains(out, "[done] Initialisation") || !strings.Contains(out, "[already done] Configuration anchor") {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			if _, sent := f.InitRequest()["software_token_pin"]; sent == (pre.SoftTokenPIN != "") {
				t.Fatalf("initialisation sent %v", f.InitRequest())
			}
		})
	}
}

// TestServerInitAnchorHash: server init shows the anchor's SHA-224 as
// X-Road does (equal to openssl's), compares it with a typed one and
// refuses a file that does not match before anything is asked or sent.
func TestServerInitAnchorHash(t *testing.T) {
	f := xroadtest.Start(t)
	path := filepath.Join(t.TempDir(), "anchor.xml")
	os.WriteFile(path, f.Anchor(xroadtest.Instance), 0o644)
	raw, err := exec.Command("openssl", "dgst", "-sha224", "-r", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.ToUpper(strings.Fields(string(raw))[0])
	wrong := strings.Repeat("AB", 28)
	code, _, errOut := cli(t, xroadtest.AdminPassword+"\n"+serverTestPIN+"\n", localServer(f, "init", "--anchor", path, "--pin-stdin", "--anchor-hash", wrong)...)
	if code != exitCannot || !strings.Contains(errOut, configure.ColonHash(want)) || !strings.Contains(errOut, configure.ColonHash(wrong)) ||
		!strings.Contains(errOut, "--anchor-hash") || len(f.Calls()) != 0 {
		t.Fatalf("a wrong hash: exit %d, %d calls\n%s", code, len(f.Calls()), errOut)
	}
	code, out, errOut := cli(t, xroadtest.AdminPassword+"\n"+serverTestPIN+"\n", localServer(f, "init", "--anchor", path, "--pin-stdin", "--anchor-hash", strings.ToLower(want))...)
	if code != exitOK || !strings.Contains(out, "SHA-224 "+configure.ColonHash(want)+"\n") || !strings.Contains(out, "matches the hash the operator published") {
		t.Fatalf("the right hash: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestServerWrongPIN: a wrong software token PIN is told as a wrong PIN,
// with what to do next.
func TestServerWrongPIN(t *testing.T) {
	f := xroadtest.StartWith(t, xroadtest.Options{Preset: xroadtest.Preset{Anchor: true, ServerCode: "SS1", OwnerClass: "GOV", OwnerCode: "70000001", SoftTokenPIN: serverTestPIN}})
	path := filepath.Join(t.TempDir(), "anchor.xml")
	os.WriteFile(path, f.Anchor(xroadtest.Instance), 0o644)
	code, _, errOut := cli(t, xroadtest.AdminPassword+"\nWrong-soft-PIN-12345\n", localServer(f, "csr", "--out", t.TempDir(), "--pin-stdin")...)
	if code != exitFailed || !strings.Contains(errOut, "The PIN is wrong") || !strings.Contains(errOut, "Type the PIN again") || !strings.Contains(errOut, "--pin-stdin") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if strings.Contains(errOut, "Wrong-soft-PIN") {
		t.Fatal("the PIN was printed")
	}
}
