package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// statusEnv is a fake server in service, a profile whose data paths
// exist on this machine, a stub systemctl for the sshd's sessions (no
// systemd runs here) and an address that accepts, for the fake's OCSP
// responder and TSA.
type statusEnv struct {
	f             *xroadtest.Server
	profile, stub string
	stopped       string
}

func newStatusEnv(t *testing.T) *statusEnv {
	t.Helper()
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	e := &statusEnv{}
	e.stub, e.stopped = testhost.StubSystemctl(t)
	open := testhost.AcceptingAddr(t)
	e.f = xroadtest.Start(t)
	e.f.Operate(t, 200)
	e.f.SetOCSP("http://"+open, "")
	e.f.SetTSAURL("http://" + open)

	var p map[string]any
	raw, _ := assets.FS.ReadFile("profiles/tunduk.json")
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	h := p["health"].(map[string]any)
	h["data_paths"], h["archive_path"], h["min_free_bytes"] = []string{dir}, dir, 1<<20
	b, _ := json.Marshal(p)
	e.profile = filepath.Join(dir, "profile.json")
	os.WriteFile(e.profile, b, 0o644)
	return e
}

func (e *statusEnv) host(t *testing.T) *testhost.Host {
	return testhost.StartSSHD(t, testhost.Options{Binds: [][2]string{{e.stub, "/usr/bin/systemctl"}}})
}

func (e *statusEnv) args(kh string, hosts ...*testhost.Host) []string {
	api := e.f.AdminAPI()
	a := []string{"status", "--known-hosts", kh, "--admin-user", xroadtest.AdminUser, "--admin-password-stdin",
		"--admin-api", api.Addr, "--admin-api-cert", api.CertPath, "--profile", e.profile}
	for _, h := range hosts {
		a = append(a, "--ssh", h.Target().String(), "--identity", h.ClientKeyPath)
	}
	return a
}

// TestStatusOneServer: a server in service is ok (exit 0), one line in
// the table; a token logged out is critical (exit 2) with why and fix,
// in each language; a unit stopped too.
func TestStatusOneServer(t *testing.T) {
	e := newStatusEnv(t)
	h := e.host(t)
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	admin := xroadtest.AdminPassword + "\n"
	code, out, errOut := cli(t, admin, e.args(kh, h)...)
	if code != 0 || !strings.Contains(out, h.Target().String()) || !strings.Contains(out, "central-server:COM:60000001:SS1") {
		t.Fatalf("healthy: exit %d\n%s\n%s", code, out, errOut)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 {
		t.Fatalf("want a header and one line:\n%s", out)
	}
	e.f.LogOutToken(xroad.SoftwareTokenID)
	os.WriteFile(e.stopped, []byte("xroad-proxy\n"), 0o644)
	for lang, want := range map[string][]string{
		"en": {"critical", "Logged out, and it holds the signing key", "Fix:", "sudo systemctl restart xroad-proxy"},
		"ru": {"критично", "Вход не выполнен, а на нём ключ подписи", "Что делать:"},
		"ky": {"олуттуу", "Кирүү аткарылган эмес", "Эмне кылуу керек:"},
	} {
		code, out, errOut = cli(t, admin, append(e.args(kh, h), "--lang", lang)...)
		if code != health.ExitCode(health.Critical) {
			t.Errorf("%s: exit %d\n%s\n%s", lang, code, out, errOut)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in\n%s", lang, w, out)
			}
		}
	}
	if live := e.f.LiveKeys(); len(live) != 0 {
		t.Errorf("API keys left behind: %v", live)
	}
}

// TestStatusFleetOneStalled: three servers, the middle one accepts the
// login and then stalls: the run ends within its --timeout (and the
// grace after it), the two good servers are reported in full, the
// stalled one unknown, and the exit code is unknown's (3).
func TestStatusFleetOneStalled(t *testing.T) {
	e := newStatusEnv(t)
	a, b := e.host(t), e.host(t)
	stalled := testhost.StartSSHD(t, testhost.Options{ExtraConfig: []string{"ForceCommand sleep 30"}})
	kh := testhost.WriteKnownHosts(t, a.KnownHostsLine(), stalled.KnownHostsLine(), b.KnownHostsLine())
	start := time.Now()
	code, out, errOut := cli(t, xroadtest.AdminPassword+"\n", append(e.args(kh, a, stalled, b), "--timeout", "10s", "--format", "json")...)
	took := time.Since(start)
	// 10 s, not less: on a loaded machine (load 30 and more) a good
	// server's whole look has taken over 4 s. The stalled one sleeps 30.
	t.Logf("3 servers, one stalled, --timeout 10s: %v", took)
	if took > 20*time.Second {
		t.Errorf("took %v", took)
	}
	if code != health.ExitCode(health.Unknown) {
		t.Errorf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Schema  string          `json:"schema"`
		Reports []health.Report `json:"reports"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Schema != StatusSchema || len(doc.Reports) != 3 {
		t.Fatalf("document (%v):\n%s", err, out)
	}
	for i, want := range []string{a.Target().String(), stalled.Target().String(), b.Target().String()} {
		r := doc.Reports[i]
		if r.Host != want {
			t.Errorf("report %d is %s, want %s", i, r.Host, want)
		}
		if i == 1 {
			if r.Worst() != health.Unknown || !strings.Contains(r.Err, "10s") {
				t.Errorf("stalled: %+v", r)
			}
		} else if r.Worst() != health.OK || len(r.Findings) < 20 {
			t.Errorf("good %s: %s %+v", r.Host, r.Worst(), r.Findings)
		}
	}
}

// TestStatusMetricsFile: --metrics-file writes the exposition whatever
// the servers' state (here one critical), named as the collector reads.
func TestStatusMetricsFile(t *testing.T) {
	e := newStatusEnv(t)
	h := e.host(t)
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	e.f.LogOutToken(xroad.SoftwareTokenID)
	prom := filepath.Join(t.TempDir(), "tunduk.prom")
	code, _, errOut := cli(t, xroadtest.AdminPassword+"\n", append(e.args(kh, h), "--metrics-file", prom)...)
	b, err := os.ReadFile(prom)
	if code != health.ExitCode(health.Critical) || err != nil {
		t.Fatalf("exit %d, %v: %s", code, err, errOut)
	}
	for _, want := range []string{"tunduk_onboard_status", "tunduk_onboard_cert_expiry_seconds", "tunduk_onboard_token_logged_in"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("no %s in\n%s", want, b)
		}
	}
	if code, _, _ := cli(t, "", append(e.args(kh, h), "--metrics-file", prom+".txt")...); code != exitUnknown {
		t.Errorf("a name the collector does not read: exit %d", code)
	}
}

// TestStatusUsageExitsUnknown: status is read by monitoring systems, so
// when it could not look at all (a bad flag, a bad value, no server
// named, a stray argument; TestStatusMetricsFile: a metrics file name the
// collector skips) it exits 3, UNKNOWN,
// not 2, which they read as CRITICAL; the message is told as before, in
// the user's language. Its help exits 0, and the other verbs' usage
// errors keep 2.
func TestStatusUsageExitsUnknown(t *testing.T) {
	ru := func(key string, data map[string]any) string { return i18n.T("ru", key, data) }
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"status", "--bogus", "--lang", "ru"}, exitUnknown, ru("cli.flag.unknown", map[string]any{"Flag": "--bogus"})},
		{[]string{"status", "--local", "--parallel", "x", "--lang", "ru"}, exitUnknown, "--parallel"},
		{[]string{"status", "--local", "--parallel", "0"}, exitUnknown, i18n.T("en", "cli.status.bad_parallel", nil)},
		{[]string{"status", "--lang", "ky"}, exitUnknown, i18n.T("ky", "cli.status.no_target", nil)},
		{[]string{"status", "--local", "--telegram-chat", "general"}, exitUnknown, "general"},
		{[]string{"status", "stray", "--local"}, exitUnknown, "status -h"},
		{[]string{"status", "-h"}, exitOK, ""},
		{[]string{"server", "status", "--bogus"}, exitCannot, "--bogus"},
		{[]string{"client", "add", "--bogus"}, exitCannot, "--bogus"},
		{[]string{"check", "--bogus"}, exitCannot, "--bogus"},
	} {
		code, _, errOut := cli(t, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want %d; stderr:\n%s", c.args, code, c.code, errOut)
		}
	}
	if code := health.ExitCode(health.Unknown); code != exitUnknown {
		t.Fatalf("unknown is %d to health, %d to status", code, exitUnknown)
	}
}
