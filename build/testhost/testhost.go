// Package testhost starts real OpenSSH daemons (/usr/sbin/sshd) on
// 127.0.0.1 for tests, each with its own host keys, config, authorized
// client key and log, and offers helpers for known_hosts files, throwaway
// local users with passwords and a real ssh-agent.
package testhost

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
	gossh "golang.org/x/crypto/ssh"
)

// SSHDPath is the daemon started by StartSSHD.
var SSHDPath = "/usr/sbin/sshd"

// Options configure one sshd.
type Options struct {
	// HostKeyTypes lists host keys to generate: "ed25519", "rsa", "ecdsa".
	// Default: ed25519 only. The first one is the "main" key used by
	// KnownHostsLine and HostKeyFingerprint.
	HostKeyTypes []string
	// PasswordAuth enables PasswordAuthentication.
	PasswordAuth bool
	// KbdInteractiveAuth enables KbdInteractiveAuthentication. On Linux
	// sshd answers keyboard-interactive only through PAM, so this implies
	// UsePAM yes.
	KbdInteractiveAuth bool
	// UsePAM sets UsePAM yes (service "sshd" of /etc/pam.d).
	UsePAM bool
	// NoTCPForwarding sets AllowTcpForwarding no (default yes).
	NoTCPForwarding bool
	// LogLevel for sshd, default VERBOSE.
	LogLevel string
	// ExtraConfig lines are appended to sshd_config.
	ExtraConfig []string
	// KeepShellInit keeps the login user's ~/.bashrc visible to sessions.
	// By default sshd runs in a private mount namespace where ~/.bashrc of
	// the current user is an empty file, because slow init scripts there
	// (pyenv ...) would slow every command.
	KeepShellInit bool
	// Binds are files or folders bound over paths ({FROM, ONTO}) in sshd's
	// private mount namespace: what its sessions see there (an unreadable
	// /etc/os-release) without touching this machine's.
	Binds [][2]string
}

// Host is a running sshd.
type Host struct {
	IP   string
	Port int
	User string // the current user; its key is authorized
	Dir  string // temp dir with config, keys, log

	ConfigPath, LogPath, PidPath string
	AuthorizedKeysPath           string

	ClientKeyPath    string // unencrypted OpenSSH private key (ed25519), mode 0600
	ClientPubKeyPath string
	ClientKey        ed25519.PrivateKey
	ClientSigner     gossh.Signer

	HostKeys     []gossh.PublicKey // in Options.HostKeyTypes order
	HostKeyTypes []string

	t        testing.TB
	cmd      *exec.Cmd
	stopOnce sync.Once
	waitErr  chan error
}

// StartSSHD starts /usr/sbin/sshd on 127.0.0.1 and a free port and waits
// until it answers with its SSH banner. It is stopped (by PID) in
// t.Cleanup. Skips the test when not root or when sshd is missing.
func StartSSHD(t testing.TB, opts Options) *Host {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("testhost: sshd test hosts need root (sshd privilege separation, PermitRootLogin)")
	}
	if _, err := os.Stat(SSHDPath); err != nil {
		t.Skipf("testhost: %s not installed (apt-get install openssh-server)", SSHDPath)
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatalf("testhost: mkdir /run/sshd: %v", err)
	}
	if len(opts.HostKeyTypes) == 0 {
		opts.HostKeyTypes = []string{"ed25519"}
	}
	if opts.LogLevel == "" {
		opts.LogLevel = "VERBOSE"
	}
	if opts.KbdInteractiveAuth {
		opts.UsePAM = true
	}
	cur, err := user.Current()
	if err != nil {
		t.Fatalf("testhost: current user: %v", err)
	}
	dir, err := os.MkdirTemp("", "testhost-sshd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// Readable by throwaway users (authorized_keys is read with their uid).
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	h := &Host{IP: "127.0.0.1", User: cur.Username, Dir: dir, t: t,
		ConfigPath:         filepath.Join(dir, "sshd_config"),
		LogPath:            filepath.Join(dir, "sshd.log"),
		PidPath:            filepath.Join(dir, "sshd.pid"),
		AuthorizedKeysPath: filepath.Join(dir, "authorized_keys"),
		ClientKeyPath:      filepath.Join(dir, "id_ed25519"),
		ClientPubKeyPath:   filepath.Join(dir, "id_ed25519.pub"),
	}
	var hostKeyFiles []string
	for _, typ := range opts.HostKeyTypes {
		priv, err := GenerateKey(typ)
		if err != nil {
			t.Fatalf("testhost: host key: %v", err)
		}
		path := filepath.Join(dir, "ssh_host_"+typ+"_key")
		if err := WritePrivateKey(path, priv, ""); err != nil {
			t.Fatal(err)
		}
		sg, err := gossh.NewSignerFromKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		h.HostKeys = append(h.HostKeys, sg.PublicKey())
		h.HostKeyTypes = append(h.HostKeyTypes, typ)
		hostKeyFiles = append(hostKeyFiles, path)
	}
	_, ck, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h.ClientKey = ck
	if h.ClientSigner, err = gossh.NewSignerFromKey(ck); err != nil {
		t.Fatal(err)
	}
	if err := WritePrivateKey(h.ClientKeyPath, ck, ""); err != nil {
		t.Fatal(err)
	}
	pubLine := gossh.MarshalAuthorizedKey(h.ClientSigner.PublicKey())
	if err := os.WriteFile(h.ClientPubKeyPath, pubLine, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.AuthorizedKeysPath, pubLine, 0o644); err != nil {
		t.Fatal(err)
	}

	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		h.Port = port
		if err := os.WriteFile(h.ConfigPath, []byte(h.config(opts, hostKeyFiles)), 0o644); err != nil {
			t.Fatal(err)
		}
		if lastErr = h.start(opts, cur.HomeDir); lastErr == nil {
			t.Cleanup(h.Stop)
			return h
		}
		if !strings.Contains(h.Log(), "Address already in use") {
			break
		}
	}
	t.Fatalf("testhost: sshd did not start: %v\n--- sshd log ---\n%s", lastErr, h.Log())
	return nil
}

func (h *Host) config(opts Options, hostKeys []string) string {
	yn := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Port %d\nListenAddress %s\n", h.Port, h.IP)
	for _, k := range hostKeys {
		fmt.Fprintf(&b, "HostKey %s\n", k)
	}
	fmt.Fprintf(&b, "PidFile %s\nAuthorizedKeysFile %s\n", h.PidPath, h.AuthorizedKeysPath)
	b.WriteString("StrictModes no\nPermitRootLogin yes\nPubkeyAuthentication yes\n")
	fmt.Fprintf(&b, "UsePAM %s\nPasswordAuthentication %s\nKbdInteractiveAuthentication %s\n",
		yn(opts.UsePAM), yn(opts.PasswordAuth), yn(opts.KbdInteractiveAuth))
	fmt.Fprintf(&b, "AllowTcpForwarding %s\n", yn(!opts.NoTCPForwarding))
	b.WriteString("Subsystem sftp /usr/lib/openssh/sftp-server\n")
	b.WriteString("UseDNS no\nPrintMotd no\nPrintLastLog no\nMaxStartups 100:30:200\nMaxAuthTries 10\nLoginGraceTime 60\n")
	fmt.Fprintf(&b, "LogLevel %s\n", opts.LogLevel)
	for _, l := range opts.ExtraConfig {
		b.WriteString(l + "\n")
	}
	return b.String()
}

func (h *Host) start(opts Options, home string) error {
	logf, err := os.OpenFile(h.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	args := []string{SSHDPath, "-D", "-e", "-f", h.ConfigPath}
	var cmd *exec.Cmd
	binds := opts.Binds
	bashrc := filepath.Join(home, ".bashrc")
	if _, err := os.Stat(bashrc); err == nil && !opts.KeepShellInit {
		empty := filepath.Join(h.Dir, "empty-bashrc")
		if err := os.WriteFile(empty, nil, 0o644); err != nil {
			return err
		}
		binds = append(binds, [2]string{empty, bashrc})
	}
	if len(binds) > 0 && (hasUnshare() || len(opts.Binds) > 0) {
		// unshare and sh exec into sshd: the PID we hold is sshd's.
		script := `while [ "$1" != -- ]; do mount --bind "$1" "$2" || exit 1; shift 2; done; shift; exec "$@"`
		a := []string{"--mount", "--propagation", "private", "sh", "-c", script, "sh"}
		for _, b := range binds {
			a = append(a, b[0], b[1])
		}
		cmd = exec.Command("unshare", append(append(a, "--"), args...)...)
	} else {
		cmd = exec.Command(args[0], args[1:]...)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "LANG=C")
	if err := cmd.Start(); err != nil {
		return err
	}
	h.cmd = cmd
	h.waitErr = make(chan error, 1)
	go func() { h.waitErr <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-h.waitErr:
			h.waitErr <- err
			return fmt.Errorf("sshd exited: %v", err)
		default:
		}
		if banner(h.Addr()) {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.Stop()
	return fmt.Errorf("sshd did not answer on %s within 10s", h.Addr())
}

var (
	unshareOnce sync.Once
	unshareOK   bool
)

func hasUnshare() bool {
	unshareOnce.Do(func() {
		unshareOK = exec.Command("unshare", "--mount", "--propagation", "private", "true").Run() == nil
	})
	return unshareOK
}

func banner(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "SSH-")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Stop kills sshd (by PID) and waits for it. Safe to call twice.
func (h *Host) Stop() {
	h.stopOnce.Do(func() {
		if h.cmd == nil || h.cmd.Process == nil {
			return
		}
		h.cmd.Process.Kill()
		select {
		case <-h.waitErr:
		case <-time.After(5 * time.Second):
		}
	})
}

// Addr is "127.0.0.1:PORT".
func (h *Host) Addr() string { return net.JoinHostPort(h.IP, strconv.Itoa(h.Port)) }

// Target is the current user at this host.
func (h *Host) Target() remote.Target { return remote.Target{User: h.User, Host: h.IP, Port: h.Port} }

// TargetAs is another user at this host.
func (h *Host) TargetAs(user string) remote.Target {
	return remote.Target{User: user, Host: h.IP, Port: h.Port}
}

// HostKey returns the public host key of type typ ("ed25519", "rsa",
// "ecdsa"), or nil.
func (h *Host) HostKey(typ string) gossh.PublicKey {
	for i, t := range h.HostKeyTypes {
		if t == typ {
			return h.HostKeys[i]
		}
	}
	return nil
}

// KnownHostsLine is the known_hosts line for the main (first) host key,
// "[127.0.0.1]:PORT ssh-ed25519 AAAA...".
func (h *Host) KnownHostsLine() string { return remote.KnownHostsLine(h.Addr(), h.HostKeys[0], false) }

// KnownHostsLineFor is the line for the host key of type typ.
func (h *Host) KnownHostsLineFor(typ string) string {
	k := h.HostKey(typ)
	if k == nil {
		h.t.Fatalf("testhost: no %s host key", typ)
	}
	return remote.KnownHostsLine(h.Addr(), k, false)
}

// KnownHostsLines returns one line per host key.
func (h *Host) KnownHostsLines() []string {
	var out []string
	for _, k := range h.HostKeys {
		out = append(out, remote.KnownHostsLine(h.Addr(), k, false))
	}
	return out
}

// HostKeyFingerprint is the SHA256 fingerprint of the main host key.
func (h *Host) HostKeyFingerprint() string { return gossh.FingerprintSHA256(h.HostKeys[0]) }

// Log returns what sshd logged so far.
func (h *Host) Log() string {
	b, _ := os.ReadFile(h.LogPath)
	return string(b)
}

// AuthorizeKey adds a public key to the authorized_keys file.
func (h *Host) AuthorizeKey(pub gossh.PublicKey) {
	f, err := os.OpenFile(h.AuthorizedKeysPath, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(gossh.MarshalAuthorizedKey(pub)); err != nil {
		h.t.Fatal(err)
	}
}

// Config returns an remote Config for the current user with the
// client key and the given known_hosts file.
func (h *Host) Config(knownHosts string) remote.Config {
	return remote.Config{Target: h.Target(), KnownHostsFile: knownHosts, IdentityFiles: []string{h.ClientKeyPath},
		ConnectTimeout: 10 * time.Second}
}

// WriteKnownHosts writes lines to a new known_hosts file (mode 0600) in a
// temp dir and returns its path.
func WriteKnownHosts(t testing.TB, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "known_hosts")
	WriteKnownHostsFile(t, path, lines...)
	return path
}

// WriteKnownHostsFile writes lines to path (mode 0600), replacing it.
func WriteKnownHostsFile(t testing.TB, path string, lines ...string) {
	t.Helper()
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.TrimRight(l, "\n") + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// GenerateKey makes a private key: "ed25519", "rsa" (2048 bits: fast enough for tests) or
// "ecdsa" (P-256).
func GenerateKey(typ string) (crypto.Signer, error) {
	switch typ {
	case "ed25519":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	case "rsa":
		return rsa.GenerateKey(rand.Reader, 2048)
	case "ecdsa":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	return nil, fmt.Errorf("unknown key type %q", typ)
}

// WritePrivateKey writes key in OpenSSH format (mode 0600), encrypted when
// passphrase is not empty, and the .pub beside it only when asked by
// callers (not here).
func WritePrivateKey(path string, key crypto.PrivateKey, passphrase string) error {
	var (
		blk *pem.Block
		err error
	)
	if passphrase == "" {
		blk, err = gossh.MarshalPrivateKey(key, "")
	} else {
		blk, err = gossh.MarshalPrivateKeyWithPassphrase(key, "", []byte(passphrase))
	}
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(blk), 0o600)
}

// AddUser creates a throwaway local user with a random password, a home
// directory and /bin/sh as shell; it is deleted in t.Cleanup. Skips when
// not root.
func AddUser(t testing.TB) (name, password string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("testhost: creating a local user needs root")
	}
	rb := make([]byte, 4)
	rand.Read(rb)
	name = "tto" + hex.EncodeToString(rb)
	pb := make([]byte, 12)
	rand.Read(pb)
	password = "Pw-" + hex.EncodeToString(pb)
	home := filepath.Join("/tmp", name+"-home")
	if out, err := exec.Command("useradd", "-m", "-d", home, "-s", "/bin/sh", name).CombinedOutput(); err != nil {
		t.Fatalf("testhost: useradd: %v: %s", err, out)
	}
	t.Cleanup(func() {
		exec.Command("userdel", "-r", "-f", name).Run()
		os.RemoveAll(home)
	})
	cmd := exec.Command("chpasswd")
	cmd.Stdin = strings.NewReader(name + ":" + password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("testhost: chpasswd: %v: %s", err, out)
	}
	return name, password
}
