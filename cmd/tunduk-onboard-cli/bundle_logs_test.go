package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
)

// Secrets planted in the booted host's X-Road logs; none may reach the
// bundle.
const (
	plantedJournal = "Jr-secret-4711-journal"
	plantedFile    = "Fl-secret-0815-file"
	plantedKey     = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7plantedKEY"
)

// TestSupportBundleServiceLogs: a booted Debian (systemd, journald,
// password sudo, login user "ops") with a unit named as X-Road's proxy
// whose journal holds a password, and /var/log/xroad with logs only root
// may read (one holding a password, a private key and the sudo password
// itself, one over the byte cap) and a rotated log. support-bundle
// --ssh --sudo-password-stdin adds each tail (the last --log-lines lines,
// at most 256 KiB, the end kept), none of the secrets, and a manifest
// listing the files and what was taken out. Without the sudo password
// the logs are read as ops, and the manifest says so.
func TestSupportBundleServiceLogs(t *testing.T) {
	h := targethost.Start(t, targethost.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	plant := `set -e
systemd-run --unit=xroad-proxy --wait --quiet sh -c 'echo "proxy started marker-journal"; echo "db password=` + plantedJournal + `"'
journalctl --sync
mkdir -p /var/log/xroad
chmod 0750 /var/log/xroad
i=1; while [ $i -le 3000 ]; do echo "2026-12-02 10:00:00 INFO line $i marker-file"; i=$((i+1)); done > /var/log/xroad/proxy.log
{ echo "keystore password=` + plantedFile + `"; echo "-----BEGIN PRIVATE KEY-----"; echo "` + plantedKey + `"; echo "-----END PRIVATE KEY-----"; echo "sudo said $1"; echo "last line marker-end"; } >> /var/log/xroad/proxy.log
i=1; while [ $i -le 2000 ]; do printf 'big %05d %0290d\n' $i 0; i=$((i+1)); done > /var/log/xroad/signer.log
echo "old rotated marker-rotated" | gzip > /var/log/xroad/proxy.log.1.gz
chmod 0640 /var/log/xroad/*`
	if out, err := h.RootExec(ctx, plant, h.Password); err != nil {
		t.Fatalf("planting: %v\n%s", err, out)
	}
	out := filepath.Join(t.TempDir(), "support.tar.gz")
	args := []string{"support-bundle", "--out", out, "--ssh", h.Target().String(), "--identity", h.KeyPath,
		"--known-hosts", h.KnownHostsFile(), "--log-lines", "1000", "--lang", "en"}

	code, stdout, stderr := cli(t, h.Password+"\n", append(args, "--sudo-password-stdin")...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	files, m := readBundle(t, out)
	proxy, signer, journal := files["xroad-logs/proxy.log"], files["xroad-logs/signer.log"], files["xroad-logs/journal-xroad-proxy.log"]
	if !bytes.Contains(journal, []byte("proxy started marker-journal")) {
		t.Errorf("journal:\n%s", journal)
	}
	// 1000 lines; the private key's three are one mark once redacted.
	lines := strings.Split(strings.TrimSuffix(string(proxy), "\n"), "\n")
	if len(lines) != 998 || !strings.HasPrefix(lines[0], "2026-12-02 10:00:00 INFO line 2007 ") || lines[997] != "last line marker-end" {
		t.Errorf("proxy.log: %d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
	if len(signer) > 256<<10 || len(signer) < 250<<10 || !bytes.HasSuffix(signer, []byte(fmt.Sprintf("big 02000 %0290d\n", 0))) {
		t.Errorf("signer.log: %d bytes, ends %q", len(signer), signer[max(0, len(signer)-40):])
	}
	if _, ok := files["xroad-logs/proxy.log.1.gz"]; ok {
		t.Error("a rotated log was taken")
	}
	for name, b := range files {
		for _, s := range []string{plantedJournal, plantedFile, plantedKey, h.Password} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds the secret %q", name, s)
			}
		}
	}
	kinds := map[string]bool{}
	for _, r := range m.Redactions {
		kinds[r.File+" "+r.Kind] = true
	}
	for _, want := range []string{"xroad-logs/journal-xroad-proxy.log password", "xroad-logs/proxy.log password",
		"xroad-logs/proxy.log pem_private_key", "xroad-logs/proxy.log known_secret"} {
		if !kinds[want] {
			t.Errorf("manifest lacks %q: %+v", want, m.Redactions)
		}
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		listed[f.Name] = true
	}
	if !listed["xroad-logs/proxy.log"] || !listed["xroad-logs/signer.log"] || !listed["xroad-logs/journal-xroad-proxy.log"] {
		t.Errorf("manifest files %+v", m.Files)
	}

	// No sudo password: what ops may read, and a note.
	code, stdout, stderr = cli(t, "", args...)
	if code != exitOK {
		t.Fatalf("without sudo: exit %d\n%s%s", code, stdout, stderr)
	}
	files, m = readBundle(t, out)
	if bytes.Contains(files["xroad-logs/proxy.log"], []byte("marker-file")) || !strings.Contains(strings.Join(m.Notes, "\n"), "read as the login user") {
		t.Errorf("without sudo: proxy.log %q, notes %q", files["xroad-logs/proxy.log"], m.Notes)
	}
	// A wrong sudo password is refused, its text not shown.
	code, _, stderr = cli(t, "wrong-"+h.Password+"\n", append(args, "--sudo-password-stdin")...)
	if code != exitCannot || !strings.Contains(stderr, "sudo on the server did not accept the password") || strings.Contains(stderr, h.Password) {
		t.Errorf("wrong sudo password: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
}
