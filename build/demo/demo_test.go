//go:build demo

// Package demo runs a security server stand-in for build/screenshot.sh:
// a real sshd on loopback and, behind it, the spec-checked admin API fake
// of the tests (xroad/xroadtest), so the wizard's Configure
// and Register steps can be shown at work in a real window. It is a test
// (built only with -tags demo) because both parts are test rigs.
//
//	DEMO_DIR=/tmp/d go test -tags demo -run TestDemoServer ./build/demo/ &
//	# wait for /tmp/d/demo.env, use it, then: touch /tmp/d/stop
package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

func TestDemoServer(t *testing.T) {
	dir := os.Getenv("DEMO_DIR")
	if dir == "" {
		t.Skip("DEMO_DIR is not set: run through build/screenshot.sh")
	}
	h := testhost.StartSSHD(t, testhost.Options{})
	f := xroadtest.StartWith(t, xroadtest.Options{HardwareToken: true})
	api := f.AdminAPI()
	anchor := filepath.Join(dir, "anchor.xml")
	if err := os.WriteFile(anchor, f.Anchor(xroadtest.Instance), 0o644); err != nil {
		t.Fatal(err)
	}
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	env := []string{
		"DEMO_HOST=" + q(h.IP), "DEMO_PORT=" + strconv.Itoa(h.Port), "DEMO_USER=" + q(h.User),
		"DEMO_KEY=" + q(h.ClientKeyPath), "DEMO_KNOWN_HOSTS_LINE=" + q(h.KnownHostsLine()),
		"DEMO_ADMIN_API=" + q(api.Addr), "DEMO_ADMIN_API_CERT=" + q(api.CertPath),
		"DEMO_PROXY_JAR=" + q(api.ProxyJar),
		"DEMO_ADMIN_USER=" + q(xroadtest.AdminUser), "DEMO_ADMIN_PASSWORD=" + q(xroadtest.AdminPassword),
		"DEMO_ANCHOR=" + q(anchor), "DEMO_AUTH_CERT=" + q(filepath.Join(dir, "auth.cer")),
	}
	// Written under another name and renamed: the script waits for it.
	tmp := filepath.Join(dir, "demo.env.tmp")
	if err := os.WriteFile(tmp, []byte(strings.Join(env, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "demo.env")); err != nil {
		t.Fatal(err)
	}
	// Once initialised with an authentication CSR, the CA's answer is
	// ready (auth.cer) and the central server approves a registration at
	// its second look; "initialised" and "registration-sent" tell the
	// script its clicks reached the server.
	f.ApproveAfter(2)
	marked, sent := false, false
	for end := time.Now().Add(15 * time.Minute); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if csr := f.CSR(xroad.UsageAuthentication); !marked && f.InitRequest() != nil && csr != nil {
			if err := os.WriteFile(filepath.Join(dir, "auth.cer"), f.Issue(t, csr), 0o644); err != nil {
				t.Fatal(err)
			}
			marked = os.WriteFile(filepath.Join(dir, "initialised"), nil, 0o644) == nil
		}
		if !sent && f.RegisteredAddress() != "" {
			sent = os.WriteFile(filepath.Join(dir, "registration-sent"), nil, 0o644) == nil
		}
		if _, err := os.Stat(filepath.Join(dir, "stop")); err == nil {
			fmt.Println("demo: stopped")
			return
		}
	}
	t.Log("demo: 15 minutes passed, stopping")
}
