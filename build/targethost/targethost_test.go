package targethost_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

func run(t *testing.T, c *remote.Client, cmd, stdin string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var in *strings.Reader
	if stdin != "" {
		in = strings.NewReader(stdin)
	}
	var out, errb []byte
	var err error
	if in != nil {
		out, errb, err = c.Run(ctx, cmd, in)
	} else {
		out, errb, err = c.Run(ctx, cmd, nil)
	}
	if err != nil {
		t.Fatalf("%s: %v\n%s\n%s", cmd, err, out, errb)
	}
	return string(out)
}

// sudo runs cmd as root through password sudo, the way the installer's
// runner does (password on stdin only).
func sudo(t *testing.T, h *targethost.Host, c *remote.Client, cmd string) string {
	t.Helper()
	return run(t, c, "sudo -k -S -p '' sh -c '"+strings.ReplaceAll(cmd, "'", `'\''`)+"'", h.Password+"\n")
}

// One booted host, everything the installer's end-to-end tests rely on.
func TestTargetHostSmoke(t *testing.T) {
	t0 := time.Now()
	targethost.Image(t)
	t.Logf("timing: image ready in %s", time.Since(t0).Round(100*time.Millisecond))
	t1 := time.Now()
	h := targethost.Start(t, targethost.Options{})
	t.Logf("timing: extract+prepare+boot %s (boot alone %s)", time.Since(t1).Round(10*time.Millisecond), h.BootTime.Round(10*time.Millisecond))
	ctx := context.Background()
	kh := h.KnownHostsFile()

	c, err := remote.Dial(ctx, h.Config(kh))
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, h.Console())
	}
	defer c.Close()
	if u := strings.TrimSpace(run(t, c, "id -un", "")); u != h.User {
		t.Fatalf("logged in as %q, want %q", u, h.User)
	}
	// Password sudo: the right password works, no NOPASSWD shortcut.
	run(t, c, "sudo -S -k -p '' true", h.Password+"\n")
	if _, _, err := c.Run(ctx, "sudo -n true", nil); err == nil {
		t.Fatal("sudo -n succeeded: the user must need a password")
	}
	if _, _, err := c.Run(ctx, "sudo -S -k -p '' true", strings.NewReader("wrong\n")); err == nil {
		t.Fatal("sudo accepted a wrong password")
	}

	// fuser and pgrep are on every Ubuntu server; the runner uses fuser.
	run(t, c, "command -v fuser && command -v pgrep", "")
	if out, err := h.RootExec(ctx, "id -u; hostname; systemctl is-system-running"); err != nil ||
		!strings.HasPrefix(out, "0\n"+h.Hostname+"\n") {
		t.Fatalf("RootExec: %q, %v", out, err)
	}

	t2 := time.Now()
	sudo(t, h, c, "export DEBIAN_FRONTEND=noninteractive; apt-get -q update && apt-get -y -q install --no-install-recommends hello")
	t.Logf("timing: apt-get update + install hello %s", time.Since(t2).Round(100*time.Millisecond))
	if out := run(t, c, "hello", ""); !strings.Contains(out, "Hello, world!") {
		t.Fatalf("hello: %q", out)
	}

	t3 := time.Now()
	sudo(t, h, c, "export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8; apt-get -y -q install postgresql && systemctl is-active postgresql")
	t.Logf("timing: apt-get install postgresql %s", time.Since(t3).Round(100*time.Millisecond))

	// Preseed every question with a distinct value, then install the
	// stand-ins from a local directory.
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"xroad-common/username":                    "xradmin",
		"xroad-common/database-host":               "127.0.0.1:5432",
		"xroad-common/service-subject":             "/CN=" + h.Hostname,
		"xroad-common/service-altsubject":          "IP:" + h.IP + ",DNS:" + h.Hostname,
		"xroad-common/proxy-ui-api-subject":        "/CN=ui." + h.Hostname,
		"xroad-common/proxy-ui-api-altsubject":     "DNS:ui." + h.Hostname + ",IP:" + h.IP,
		"xroad-addon-messagelog/enable-messagelog": "true",
	}
	var sel strings.Builder
	for k, v := range want {
		typ := "string"
		if strings.HasSuffix(k, "enable-messagelog") {
			typ = "boolean"
		}
		fmt.Fprintf(&sel, "%s %s %s %s\n", k[:strings.Index(k, "/")], k, typ, v)
	}
	if err := os.WriteFile(h.Path("root/selections"), []byte(sel.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	debs := targethost.StandinDebs(t)
	if err := os.MkdirAll(h.Path("var/tmp/debs"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(debs, "*.deb"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(h.Path("var/tmp/debs/"+filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t4 := time.Now()
	sudo(t, h, c, "export DEBIAN_FRONTEND=noninteractive; debconf-set-selections /root/selections && cd /var/tmp/debs && apt-get -y -q install ./*.deb")
	t.Logf("timing: install of the stand-ins %s", time.Since(t4).Round(100*time.Millisecond))

	rec := sudo(t, h, c, "cat "+targethost.DebconfRecord)
	for k, v := range want {
		if !strings.Contains(rec, "\n"+k+"="+v+"\n") && !strings.HasPrefix(rec, k+"="+v+"\n") {
			t.Errorf("debconf record lacks %s=%s:\n%s", k, v, rec)
		}
	}
	for _, u := range p.Install.Units {
		if out, err := h.RootExec(ctx, "systemctl is-active "+u+".service"); err != nil {
			t.Errorf("unit %s not active: %q %v", u, out, err)
		}
	}
	for _, g := range p.Install.AdminGroups {
		if _, err := h.RootExec(ctx, "getent group "+g); err != nil {
			t.Errorf("group %s missing: %v", g, err)
		}
	}
	if _, err := h.RootExec(ctx, "test -e "+p.Install.RutokenLibrary); err != nil {
		t.Errorf("%s missing: %v", p.Install.RutokenLibrary, err)
	}
	// The admin API answers like the real one: front page, 401 on the API.
	api := "i=0; until curl -ks -o /dev/null --max-time 5 https://127.0.0.1:4000/; do i=$((i+1)); [ $i -lt 50 ] || exit 1; sleep 0.2; done; " +
		"curl -ks -o /dev/null -w '%{http_code}' https://127.0.0.1:4000/api/v1/system/status"
	if code := run(t, c, api, ""); code != "401" {
		t.Errorf("admin API: status %q, want 401", code)
	}

	// The installer's own check: the API through the SSH connection, TLS
	// pinned to the certificate the package made from the preseeded
	// subjects.
	pem, err := h.RootExec(ctx, "cat "+targethost.APICert)
	if err != nil {
		t.Fatal(err)
	}
	hc, st, err := remote.TunnelHTTP(c, "127.0.0.1:4000", []byte(pem))
	if err != nil {
		t.Fatal(err)
	}
	if st.ServerName != "ui."+h.Hostname {
		t.Errorf("certificate names %q, want the preseeded ui.%s", st.ServerName, h.Hostname)
	}
	resp, err := hc.Get("https://" + st.ServerName + "/api/v1/system/version")
	if err != nil {
		t.Fatalf("admin API through the tunnel: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("admin API through the tunnel: %s, want 401", resp.Status)
	}
	if out, err := h.RootExec(ctx, "openssl x509 -noout -subject -in /etc/xroad/ssl/internal.crt"); err != nil ||
		!strings.Contains(out, "CN = "+h.Hostname) {
		t.Errorf("internal certificate: %q %v", out, err)
	}
	// Kept from other users as X-Road 7.4.2 keeps it (xroad-base.postinst:
	// /etc/xroad/ssl 0750 xroad:xroad; generate_certificate.sh: chmod 660,
	// chown xroad:xroad): call test reads it through sudo.
	if out, err := h.RootExec(ctx, "stat -c '%a %U:%G' /etc/xroad/ssl /etc/xroad/ssl/internal.crt"); err != nil ||
		strings.Fields(out) == nil || strings.Join(strings.Fields(out), " ") != "750 xroad:xroad 660 xroad:xroad" {
		t.Errorf("internal certificate's modes: %q %v", out, err)
	}

	// CutSSH drops a live session (the client sees an error at once) and
	// sshd still takes new connections.
	targethost.CheckCutSSH(t, h, c, kh, func(n int) bool { return n >= 1 })

	// After ChangeHostKey the old known_hosts is refused as changed.
	if err := h.ChangeHostKey(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = remote.Dial(ctx, h.Config(kh))
	var changed *remote.HostKeyChangedError
	if !errors.As(err, &changed) {
		t.Fatalf("dial with the old key: %v, want HostKeyChangedError", err)
	}
	c3, err := remote.Dial(ctx, h.Config(h.KnownHostsFile()))
	if err != nil {
		t.Fatalf("dial with the new key: %v", err)
	}
	c3.Close()
}
