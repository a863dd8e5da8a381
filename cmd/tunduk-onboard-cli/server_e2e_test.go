package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/logging"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// serverAsOps runs server status on the installed host as its user, who
// is not root and whose sudo asks for a password (Ubuntu's default), with
// the admin API's certificate where and how X-Road 7.4.2 keeps it (the
// stand-ins follow it: 0660 xroad:xroad in a 0750 directory). On the host
// (--local, the CLI started over c) and from outside (--ssh): without
// --sudo-password-stdin the translated "sudo needs a password" and the
// hint naming the flag; with it the certificate is read and the API
// reached (the stand-in takes no login, so its refusal of the admin user
// is the answer). The passwords appear in no output, no log and no file
// on the host.
func serverAsOps(t *testing.T, h *targethost.Host, c *remote.Client, adminPW string) {
	ctx := context.Background()
	modes, err := h.RootExec(ctx, "stat -c '%a %U:%G %n' /etc/xroad/ssl "+targethost.APICert)
	if err != nil || modes != "750 xroad:xroad /etc/xroad/ssl\n660 xroad:xroad "+targethost.APICert+"\n" {
		t.Fatalf("the stand-in's modes (X-Road's: 750 and 660, xroad:xroad): %q %v", modes, err)
	}
	var printed []string
	refused := "did not accept the user ssadmin"
	needs := func(lang, out string) bool {
		return strings.Contains(out, i18n.T(lang, "configure.err.sudo_password", map[string]any{"Path": targethost.APICert})) &&
			strings.Contains(out, i18n.T(lang, "cli.hint.configure.err.sudo_password", nil))
	}

	local := "tunduk-onboard-cli server status --local --admin-user ssadmin --admin-password-stdin "
	start := time.Now()
	out, errb, err := c.Run(ctx, local+"--lang ru", strings.NewReader(adminPW+"\n"))
	printed = append(printed, string(out), string(errb))
	var ee *remote.ExitError
	if !errors.As(err, &ee) || ee.Code != exitCannot || !needs("ru", string(errb)) {
		t.Errorf("server status --local without the sudo password: %v\n%s%s", err, out, errb)
	}
	out, errb, err = c.Run(ctx, local+"--sudo-password-stdin --lang en", strings.NewReader(h.Password+"\n"+adminPW+"\n"))
	printed = append(printed, string(out), string(errb))
	if !errors.As(err, &ee) || ee.Code != exitCannot || !strings.Contains(string(errb), refused) {
		t.Errorf("server status --local --sudo-password-stdin: %v\n%s%s", err, out, errb)
	}
	t.Logf("timing: server status --local twice %s", time.Since(start).Round(100*time.Millisecond))

	start = time.Now()
	ssh := []string{"server", "status", "--ssh", h.Target().String(), "--identity", h.KeyPath, "--known-hosts", h.KnownHostsFile(),
		"--admin-user", "ssadmin", "--admin-password-stdin"}
	run := func(stdin string, args ...string) (int, string) {
		code, o, e := cli(t, stdin, args...)
		printed = append(printed, o, e)
		if dir, err := logging.Dir(); err == nil {
			logs, _ := filepath.Glob(filepath.Join(dir, "*"))
			for _, name := range logs {
				b, _ := os.ReadFile(name)
				printed = append(printed, string(b))
			}
		}
		return code, o + e
	}
	if code, o := run(adminPW+"\n", append(ssh, "--lang", "ky")...); code != exitCannot || !needs("ky", o) {
		t.Errorf("server status --ssh without the sudo password: exit %d\n%s", code, o)
	}
	if code, o := run(h.Password+"\n"+adminPW+"\n", append(ssh, "--sudo-password-stdin", "--lang", "en")...); code != exitCannot || !strings.Contains(o, refused) {
		t.Errorf("server status --ssh --sudo-password-stdin: exit %d\n%s", code, o)
	}
	t.Logf("timing: server status --ssh twice %s", time.Since(start).Round(100*time.Millisecond))

	for _, p := range printed {
		for _, s := range []string{adminPW, h.Password} {
			if strings.Contains(p, s) {
				t.Fatal("a password appears in the output or a log of server status")
			}
		}
	}
	files, _ := h.RootExec(ctx, "grep -rlF -e "+remote.Quote(adminPW)+" -e "+remote.Quote(h.Password)+
		" /var/lib/tunduk-onboard /var/log /tmp /etc /home 2>/dev/null | grep -v '^/etc/shadow' || true")
	if strings.TrimSpace(files) != "" {
		t.Errorf("a password was written on the host: %s", files)
	}
}
