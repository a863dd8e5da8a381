package targethost

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	gossh "golang.org/x/crypto/ssh"
)

// hostKeyTypes are the sshd host keys each container gets, main one first.
var hostKeyTypes = []string{"ed25519", "ecdsa", "rsa"}

// prepare edits the extracted root before its first boot.
func (h *Host) prepare(mirrorHost string) error {
	files := map[string]string{
		"etc/hostname": h.Hostname + "\n",
		// minbase has no /etc/hosts: without the host name in it, sudo and
		// sshd logins stall about 20 s on a failing lookup. The mirror's
		// name points at the relay on the bridge.
		"etc/hosts": fmt.Sprintf("127.0.0.1\tlocalhost\n%s\t%s %s\n%s\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n",
			h.IP, h.Hostname, strings.SplitN(h.Hostname, ".", 2)[0], BridgeIP, relayNames(mirrorHost)),
		// Nothing answers DNS on the bridge, so a lookup fails at once
		// (ICMP unreachable) instead of timing out.
		"etc/resolv.conf": "nameserver " + BridgeIP + "\n",
		// Reverse lookups of the client would only add delay.
		"etc/ssh/sshd_config.d/targethost.conf": "UseDNS no\n",
	}
	for p, content := range files {
		full := h.Path(p)
		os.Remove(full) // resolv.conf may be a symlink into the host
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			return err
		}
	}
	h.Password = "Pw-" + randHex(12)
	script := `set -e
useradd --create-home --shell /bin/bash --groups sudo "$1"
chpasswd`
	if err := h.chroot(script, h.User+":"+h.Password+"\n", h.User); err != nil {
		return err
	}
	if err := h.clientKey(); err != nil {
		return err
	}
	return h.writeHostKeys()
}

// relayNames are the host names that must reach the relay: the mirror's
// and deb.debian.org (security and updates are served by the same host).
func relayNames(mirrorHost string) string {
	if mirrorHost == "deb.debian.org" {
		return mirrorHost
	}
	return mirrorHost + " deb.debian.org"
}

// chroot runs a shell script inside the (not yet booted) root.
func (h *Host) chroot(script, stdin string, args ...string) error {
	cmd := exec.Command("chroot", append([]string{h.Root, "/bin/sh", "-c", script, "sh"}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"}
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("chroot: %v: %s", err, out)
	}
	return nil
}

// clientKey makes the user's ed25519 key pair: the private half stays in
// Dir, the public half is authorized in the container.
func (h *Host) clientKey() error {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	h.Key = k
	if h.Signer, err = gossh.NewSignerFromKey(k); err != nil {
		return err
	}
	h.KeyPath = filepath.Join(h.Dir, "id_ed25519")
	if err := testhost.WritePrivateKey(h.KeyPath, k, ""); err != nil {
		return err
	}
	ak := h.Path("home/" + h.User + "/.ssh/authorized_keys")
	if err := os.MkdirAll(filepath.Dir(ak), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(ak, gossh.MarshalAuthorizedKey(h.Signer.PublicKey()), 0o600); err != nil {
		return err
	}
	return h.chroot(`chown -R "$1:$1" "/home/$1/.ssh"`, "", h.User)
}

// writeHostKeys replaces the image's host keys (shared by every copy)
// with fresh ones, written straight into /etc/ssh.
func (h *Host) writeHostKeys() error {
	old, _ := filepath.Glob(h.Path("etc/ssh/ssh_host_*"))
	for _, f := range old {
		os.Remove(f)
	}
	h.HostKeys = nil
	for _, typ := range hostKeyTypes {
		priv, err := testhost.GenerateKey(typ)
		if err != nil {
			return err
		}
		path := h.Path("etc/ssh/ssh_host_" + typ + "_key")
		if err := testhost.WritePrivateKey(path, priv, ""); err != nil {
			return err
		}
		sg, err := gossh.NewSignerFromKey(priv)
		if err != nil {
			return err
		}
		if err := os.WriteFile(path+".pub", gossh.MarshalAuthorizedKey(sg.PublicKey()), 0o644); err != nil {
			return err
		}
		h.HostKeys = append(h.HostKeys, sg.PublicKey())
	}
	return nil
}

// ChangeHostKey gives sshd new host keys and restarts it, as a
// reinstalled server would; open sessions survive. HostKeys and
// KnownHostsLine then describe the new keys.
func (h *Host) ChangeHostKey(ctx context.Context) error {
	if err := h.writeHostKeys(); err != nil {
		return err
	}
	_, err := h.RootExec(ctx, "systemctl restart ssh")
	return err
}
