package xroadtest

// A backup file made as X-Road 7.4.2 makes one, by the same programs:
// src/packages/src/xroad/common/base/usr/share/xroad/scripts/_backup_xroad.sh
// (create_backup_tarball) pipes `tar --create --label LABEL` of /etc/xroad
// (without gpghome, postgresql, services/*.conf, xroad.properties) and the
// database dump into `gpg --sign` with the server's key from
// /etc/xroad/gpghome; backup_xroad_proxy_configuration.sh asks for
// signing only (-E signonly) unless proxy.backup-encryption-enabled, then
// for encryption to the server's own key too (-E encrypt). The label is
// _backup_restore_common.sh's make_tarball_label:
// "security_XROAD_7.1_" + the server's SecurityServerId.toShortString()
// (XRoadId.java: INSTANCE/CLASS/CODE/SERVER). The key is
// generate_gpg_keypair.sh's, named by the server ID, but RSA-2048 here
// (4096 there) to keep tests fast: nothing reads its size.

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// TarLabel is the label of a backup of the server with that short ID.
func TarLabel(shortID string) string { return "security_XROAD_7.1_" + shortID }

// gpgHome is the fake server's /etc/xroad/gpghome with its key, made
// on first use; its agent is ended when the test ends.
func (s *Server) gpgHome(shortID string) (string, error) {
	if s.gpg != "" {
		return s.gpg, nil
	}
	// Short: gpg-agent's socket path must fit 108 bytes.
	dir, err := os.MkdirTemp("", "xrgpg")
	if err != nil {
		return "", err
	}
	s.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		exec.CommandContext(ctx, "gpgconf", "--homedir", dir, "--kill", "gpg-agent").Run()
		os.RemoveAll(dir)
	})
	params := "Key-Type: 1\nKey-Length: 2048\nName-Real: " + shortID + "\nExpire-Date: 0\n%no-protection\n"
	if _, err := run(dir, strings.NewReader(params), "gpg", "--homedir", dir, "--quiet", "--batch", "--gen-key"); err != nil {
		return "", err
	}
	s.gpg = dir
	return dir, nil
}

// archive is a backup of sn: the tar X-Road makes, signed (and encrypted
// when encrypt) by the server's gpg key. s.mu is held: a backup takes as
// long as gpg does, as on a real server.
func (s *Server) archive(sn *snapshot, encrypt bool) ([]byte, error) {
	id := shortID(sn)
	home, err := s.gpgHome(id)
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "xrbackup")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(root)
	files := map[string]string{
		"etc/xroad/configuration-anchor.xml": sn.anchorInstance,
		"etc/xroad/signer/keyconf.xml":       keyconf(sn),
		"etc/xroad/conf.d/local.ini":         "[proxy]\n",
		"var/lib/xroad/dbdump.dat":           "-- serverconf of " + id + "\n",
	}
	for name, body := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o640); err != nil {
			return nil, err
		}
	}
	tarball, err := run(root, nil, "tar", "--create", "--label", TarLabel(id), "etc/xroad/", "var/lib/xroad/dbdump.dat")
	if err != nil {
		return nil, err
	}
	args := []string{"--batch", "--no-tty", "--homedir", home, "--sign", "--digest-algo", "SHA256"}
	if encrypt {
		args = append(args, "--encrypt", "--trust-model", "direct", "--cipher-algo", "AES256", "--no-auto-key-locate", "-r", id)
	}
	return run(root, bytes.NewReader(tarball), "gpg", append(args, "--output", "-")...)
}

// shortID is SecurityServerId.toShortString of the snapshot's server.
func shortID(sn *snapshot) string {
	return sn.ownerInstance + "/" + sn.ownerClass + "/" + sn.ownerCode + "/" + sn.serverCode
}

func keyconf(sn *snapshot) string {
	var b strings.Builder
	b.WriteString("<keyconf>\n")
	for _, k := range sn.keys {
		b.WriteString("  <key id=\"" + k.id + "\" usage=\"" + k.usage + "\"/>\n")
	}
	b.WriteString("</keyconf>\n")
	return b.String()
}

// run runs a program in dir under a bound, its standard output returned.
func run(dir string, stdin io.Reader, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	// gpg may start gpg-agent, which could hold the output pipes past
	// gpg's end: Wait gives up on them 5 s after the program ends or
	// is killed, so the bound above holds (s.mu is held meanwhile).
	cmd.WaitDelay = 5 * time.Second
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, errString(name + ": " + err.Error() + ": " + strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}
