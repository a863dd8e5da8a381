package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// TestCallTestReadsInternalCert: "call test" over SSH with https and no
// --server-cert reads the server's internal TLS certificate on the
// server, kept from the login as X-Road keeps /etc/xroad/ssl/internal.crt
// (testhost.RootOnlyFile: 0660 in a 0750 directory, not the login's), by
// a user who is not root and whose sudo asks for a password: told what
// to give without it, refused with a wrong one, and the call goes through
// with the right one, pinned to that certificate.
func TestCallTestReadsInternalCert(t *testing.T) {
	s := callServer(t)
	h := testhost.StartSSHD(t, testhost.Options{PasswordAuth: true})
	name, pw := testhost.SudoUser(t)
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	cert := testhost.RootOnlyFile(t, "internal.crt", s.CertPEM)
	asked := 0
	prompt := promptTTY
	t.Cleanup(func() { promptTTY = prompt })
	promptTTY = func(string) (string, error) { asked++; return "", errNoTTY }
	base := []string{"call", "test", "--client", callOwn.String(), "--ssh", h.TargetAs(name).String(), "--password-stdin",
		"--known-hosts", kh, "--client-side-url", s.HTTPS.URL, "--server-cert-path", cert}
	var printed []string
	run := func(stdin string, args ...string) (int, string) {
		code, out, errOut := cli(t, stdin, append(append([]string{}, base...), args...)...)
		printed = append(printed, out, errOut)
		return code, out + errOut
	}
	before := s.Calls
	code, out := run(pw+"\n", "--lang", "ky")
	want := i18n.T("ky", "configure.err.internal_sudo_password", map[string]any{"Path": cert})
	if code != exitCannot || !strings.Contains(out, want) || !strings.Contains(out, "--sudo-password-stdin") || asked != 1 || s.Calls != before {
		t.Fatalf("no sudo password: exit %d, asked %d\n%s", code, asked, out)
	}
	code, out = run(pw+"\n"+pw+"-wrong\n", "--sudo-password-stdin", "--lang", "ru")
	if code != exitCannot || !strings.Contains(out, "sudo на сервере не принял пароль") || s.Calls != before {
		t.Fatalf("wrong sudo password: exit %d\n%s", code, out)
	}
	code, out = run(pw+"\n"+pw+"\n", "--sudo-password-stdin", "--format", "json")
	var got callOut
	if code != exitOK || json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &got) != nil || !got.OK || s.Calls != before+1 ||
		!strings.HasPrefix(got.URL, "https://") {
		t.Fatalf("with the sudo password: exit %d\n%s", code, out)
	}
	// Not there even for root: said so, with the other ways.
	code, out = run(pw+"\n"+pw+"\n", "--sudo-password-stdin", "--server-cert-path", cert+".none")
	if code != exitCannot || !strings.Contains(out, "could not be read") || !strings.Contains(out, "--server-cert FILE") {
		t.Fatalf("no certificate: exit %d\n%s", code, out)
	}
	for _, p := range printed {
		if strings.Contains(p, pw) {
			t.Fatal("a password was printed")
		}
	}
}
