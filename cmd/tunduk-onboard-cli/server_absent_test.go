package main

import (
	"net"
	"os"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// "server status" on a host without X-Road (a real sshd on this machine,
// which has no X-Road packages, and nothing on the admin API's port)
// says X-Road is not installed there yet, in the user's language, and
// how to install it: not that a certificate file cannot be read.
func TestServerOnAHostWithoutXRoad(t *testing.T) {
	if _, err := os.Stat("/var/lib/dpkg/status"); err != nil {
		t.Skip("needs a dpkg system")
	}
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	for _, lang := range []string{"en", "ru", "ky"} {
		code, _, errOut := cli(t, "password\n", "server", "status", "--ssh", h.Target().String(), "--identity", h.ClientKeyPath,
			"--known-hosts", kh, "--admin-user", "xrdadmin", "--admin-password-stdin", "--admin-api", closed, "--lang", lang)
		for _, want := range []string{i18n.T(lang, "configure.err.not_installed", nil), "tunduk-onboard-cli install"} {
			if code == exitOK || !strings.Contains(errOut, want) {
				t.Errorf("%s: exit %d, stderr lacks %q:\n%s", lang, code, want, errOut)
			}
		}
	}
}
