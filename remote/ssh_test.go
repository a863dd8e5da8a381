package remote_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

func dial(t *testing.T, cfg remote.Config) *remote.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := remote.Dial(ctx, cfg)
	if err != nil {
		t.Fatalf("Dial %s: %v", cfg.Target, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func run(t *testing.T, c *remote.Client, cmd string) string {
	t.Helper()
	out, errOut, err := c.Run(context.Background(), cmd, nil)
	if err != nil {
		t.Fatalf("Run %q: %v (stderr %q)", cmd, err, errOut)
	}
	return string(out)
}

func TestKeyAuthEcho(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	c := dial(t, h.Config(kh))
	start := time.Now()
	if got := run(t, c, "echo hi"); got != "hi\n" {
		t.Fatalf("stdout = %q, want hi", got)
	}
	t.Logf("one exec took %v", time.Since(start))
	// stdin reaches the command.
	out, _, err := c.Run(context.Background(), "tr a-z A-Z", strings.NewReader("hello"))
	if err != nil || string(out) != "HELLO" {
		t.Fatalf("stdin: %q %v", out, err)
	}
	if c.Raw() == nil || c.Target() != h.Target() {
		t.Fatal("Raw/Target")
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	c := dial(t, h.Config(testhost.WriteKnownHosts(t, h.KnownHostsLine())))
	out, errOut, err := c.Run(context.Background(), "echo partial; echo 'bad thing\033[31m' >&2; exit 7", nil)
	var ee *remote.ExitError
	if !errors.As(err, &ee) || ee.Code != 7 {
		t.Fatalf("err = %v, want ExitError 7", err)
	}
	if string(out) != "partial\n" || !strings.Contains(string(errOut), "bad thing") {
		t.Fatalf("out=%q err=%q", out, errOut)
	}
	if !strings.Contains(ee.Error(), "status 7") || !strings.Contains(ee.Error(), "bad thing") || strings.Contains(ee.Error(), "\033") {
		t.Fatalf("ExitError text %q", ee.Error())
	}
	if !bytes.Contains(ee.Stderr, []byte("bad thing")) {
		t.Fatalf("ExitError.Stderr %q", ee.Stderr)
	}
	// Killed by a signal.
	_, _, err = c.Run(context.Background(), "kill -TERM $$", nil)
	if !errors.As(err, &ee) || ee.Signal != "TERM" || ee.Code != 128+15 {
		t.Fatalf("signal: %v %+v", err, ee)
	}
}

func TestOutputLimit(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	cfg := h.Config(testhost.WriteKnownHosts(t, h.KnownHostsLine()))
	cfg.MaxOutput = 1000
	c := dial(t, cfg)
	out, _, err := c.Run(context.Background(), "head -c 100000 /dev/zero", nil)
	if !errors.Is(err, remote.ErrOutputLimit) || len(out) != 1000 {
		t.Fatalf("len %d err %v", len(out), err)
	}
}

func TestUnknownHostRefusedThenAccepted(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	dir := t.TempDir()
	kh := filepath.Join(dir, "new", ".ssh", "known_hosts") // parents do not exist
	cfg := h.Config(kh)

	_, err := remote.Dial(context.Background(), cfg)
	var unknown *remote.HostKeyUnknownError
	if !errors.As(err, &unknown) {
		t.Fatalf("err = %v, want HostKeyUnknownError", err)
	}
	if unknown.Fingerprint != h.HostKeyFingerprint() || unknown.KeyType != "ssh-ed25519" {
		t.Fatalf("unknown = %+v, want fp %s", unknown, h.HostKeyFingerprint())
	}
	if !strings.Contains(err.Error(), h.HostKeyFingerprint()) || !strings.Contains(err.Error(), "--accept-new-host-key") {
		t.Fatalf("message %q", err)
	}
	if _, err := os.Stat(kh); !os.IsNotExist(err) {
		t.Fatalf("known_hosts written on refusal: %v", err)
	}

	// Refused by the callback: still nothing written.
	cfg.AcceptHostKey = func(host, fp, typ string) bool { return false }
	if _, err := remote.Dial(context.Background(), cfg); !errors.As(err, &unknown) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(kh); !os.IsNotExist(err) {
		t.Fatal("known_hosts written on refusal")
	}

	var asked atomic.Int32
	cfg.AcceptHostKey = func(host, fp, typ string) bool {
		asked.Add(1)
		if host != "[127.0.0.1]:"+itoa(h.Port) || fp != h.HostKeyFingerprint() || typ != "ssh-ed25519" {
			t.Errorf("AcceptHostKey(%q, %q, %q)", host, fp, typ)
		}
		return true
	}
	c := dial(t, cfg)
	if got := run(t, c, "echo hi"); got != "hi\n" {
		t.Fatal(got)
	}
	c.Close()
	if asked.Load() != 1 {
		t.Fatalf("asked %d times", asked.Load())
	}
	b, err := os.ReadFile(kh)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(b)) != h.KnownHostsLine() {
		t.Fatalf("known_hosts = %q, want %q", b, h.KnownHostsLine())
	}
	st, _ := os.Stat(kh)
	dst, _ := os.Stat(filepath.Dir(kh))
	if st.Mode().Perm() != 0o600 || dst.Mode().Perm() != 0o700 {
		t.Fatalf("modes file %v dir %v", st.Mode(), dst.Mode())
	}

	// Second connection: known now, no question asked even with nil.
	cfg.AcceptHostKey = nil
	c2 := dial(t, cfg)
	run(t, c2, "true")
}

func TestAcceptHashed(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, "# comment without newline at end")
	os.WriteFile(kh, []byte("# comment without newline at end"), 0o600)
	cfg := h.Config(kh)
	cfg.HashKnownHosts = true
	cfg.AcceptHostKey = func(string, string, string) bool { return true }
	dial(t, cfg).Close()
	b, _ := os.ReadFile(kh)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "|1|") || strings.Contains(string(b), "127.0.0.1") {
		t.Fatalf("known_hosts = %q", b)
	}
	cfg.AcceptHostKey = nil
	dial(t, cfg)
}

func TestChangedHostKeyRefused(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	other := testhost.StartSSHD(t, testhost.Options{}) // a different ed25519 key
	old := strings.Replace(other.KnownHostsLine(), other.Addr(), h.Addr(), 1)
	old = strings.Replace(old, "]:"+itoa(other.Port), "]:"+itoa(h.Port), 1)
	kh := testhost.WriteKnownHosts(t, "# first line", old)
	before, _ := os.ReadFile(kh)

	cfg := h.Config(kh)
	var asked atomic.Int32
	cfg.AcceptHostKey = func(string, string, string) bool { asked.Add(1); return true }
	_, err := remote.Dial(context.Background(), cfg)
	var changed *remote.HostKeyChangedError
	if !errors.As(err, &changed) {
		t.Fatalf("err = %v, want HostKeyChangedError", err)
	}
	if changed.Line != 2 || changed.KnownHostsFile != kh || changed.Fingerprint != h.HostKeyFingerprint() {
		t.Fatalf("changed = %+v", changed)
	}
	msg := err.Error()
	for _, want := range []string{"CHANGED", "man-in-the-middle", kh + " line 2", h.HostKeyFingerprint()} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if asked.Load() != 0 {
		t.Fatal("AcceptHostKey asked for a changed key")
	}
	after, _ := os.ReadFile(kh)
	if !bytes.Equal(before, after) {
		t.Fatalf("known_hosts changed:\n%s\n---\n%s", before, after)
	}
}

func TestHostKeyAlgorithmNegotiation(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{HostKeyTypes: []string{"ed25519", "rsa", "ecdsa"}})
	for _, typ := range []string{"rsa", "ed25519", "ecdsa"} {
		t.Run(typ, func(t *testing.T) {
			kh := testhost.WriteKnownHosts(t, h.KnownHostsLineFor(typ))
			c := dial(t, h.Config(kh)) // AcceptHostKey nil: must match the known key
			run(t, c, "true")
		})
	}
}

func TestPasswordAuth(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{PasswordAuth: true})
	name, pw := testhost.AddUser(t)
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	var calls atomic.Int32
	cfg := remote.Config{Target: h.TargetAs(name), KnownHostsFile: kh,
		Password: func() (string, error) { calls.Add(1); return pw, nil }}
	c := dial(t, cfg)
	if got := run(t, c, "id -un"); strings.TrimSpace(got) != name {
		t.Fatalf("id -un = %q", got)
	}
	if calls.Load() != 1 {
		t.Fatalf("password asked %d times", calls.Load())
	}

	// Wrong password: AuthError naming methods, never the secret.
	const wrong = "Sup3r-Secret-Wrong"
	cfg.Password = func() (string, error) { return wrong, nil }
	_, err := remote.Dial(context.Background(), cfg)
	var ae *remote.AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want AuthError", err)
	}
	if strings.Contains(err.Error(), wrong) || !strings.Contains(err.Error(), "password") {
		t.Fatalf("AuthError text %q", err)
	}
	t.Log(err)
}

func TestKeyboardInteractive(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{KbdInteractiveAuth: true})
	name, pw := testhost.AddUser(t)
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	cfg := remote.Config{Target: h.TargetAs(name), KnownHostsFile: kh,
		Password: func() (string, error) { return pw, nil }}
	c := dial(t, cfg)
	if got := run(t, c, "id -un"); strings.TrimSpace(got) != name {
		t.Fatalf("id -un = %q", got)
	}
	if !strings.Contains(h.Log(), "keyboard-interactive") {
		t.Errorf("sshd log does not show keyboard-interactive:\n%s", h.Log())
	}
}

func TestEncryptedIdentityFile(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	const pass = "correct horse battery staple"
	enc := filepath.Join(t.TempDir(), "id_enc")
	if err := testhost.WritePrivateKey(enc, h.ClientKey, pass); err != nil {
		t.Fatal(err)
	}
	var asked []string
	cfg := remote.Config{Target: h.Target(), KnownHostsFile: kh, IdentityFiles: []string{enc},
		Passphrase: func(file string) (string, error) { asked = append(asked, file); return pass, nil }}
	c := dial(t, cfg)
	run(t, c, "true")
	if len(asked) != 1 || asked[0] != enc {
		t.Fatalf("Passphrase asked %v", asked)
	}

	// Without a passphrase callback, or with a wrong one: AuthError.
	cfg.Passphrase = nil
	_, err := remote.Dial(context.Background(), cfg)
	var ae *remote.AuthError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "encrypted") {
		t.Fatalf("no passphrase: %v", err)
	}
	cfg.Passphrase = func(string) (string, error) { return "wrong-pass-xyz", nil }
	_, err = remote.Dial(context.Background(), cfg)
	if !errors.As(err, &ae) || strings.Contains(err.Error(), "wrong-pass-xyz") {
		t.Fatalf("wrong passphrase: %v", err)
	}
	t.Log(err)
}

func TestAgent(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	sock := testhost.StartAgent(t, h.ClientKey)
	cfg := remote.Config{Target: h.Target(), KnownHostsFile: kh, Agent: true, AgentSocket: sock}
	c := dial(t, cfg)
	run(t, c, "true")

	// An agent without the right key fails with AuthError naming the agent.
	empty := testhost.StartAgent(t)
	cfg.AgentSocket = empty
	_, err := remote.Dial(context.Background(), cfg)
	var ae *remote.AuthError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "ssh-agent") {
		t.Fatalf("err = %v", err)
	}
}

func TestAuthOrderAgentBeforeKeys(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	sock := testhost.StartAgent(t, h.ClientKey)
	enc := filepath.Join(t.TempDir(), "id_enc")
	other, _ := testhost.GenerateKey("ed25519")
	testhost.WritePrivateKey(enc, other, "pp")
	cfg := remote.Config{Target: h.Target(), KnownHostsFile: kh, Agent: true, AgentSocket: sock,
		IdentityFiles: []string{enc},
		Passphrase: func(string) (string, error) {
			t.Error("passphrase asked although the agent key was accepted")
			return "pp", nil
		},
		Password: func() (string, error) { t.Error("password asked"); return "", errors.New("no") }}
	run(t, dial(t, cfg), "true")
}

func TestJumpHost(t *testing.T) {
	t.Parallel()
	jump := testhost.StartSSHD(t, testhost.Options{LogLevel: "DEBUG1"})
	target := testhost.StartSSHD(t, testhost.Options{HostKeyTypes: []string{"rsa"}})
	target.AuthorizeKey(jump.ClientSigner.PublicKey())
	kh := testhost.WriteKnownHosts(t, jump.KnownHostsLine(), target.KnownHostsLine())
	jc := jump.Config("")
	cfg := remote.Config{Target: target.Target(), KnownHostsFile: kh, IdentityFiles: []string{jump.ClientKeyPath}, Jump: &jc}
	c := dial(t, cfg)
	if got := run(t, c, "echo via jump"); got != "via jump\n" {
		t.Fatal(got)
	}
	if !strings.Contains(jump.Log(), "direct-tcpip") {
		t.Errorf("jump host log shows no direct-tcpip channel:\n%s", jump.Log())
	}
	c.Close()

	// Each hop is verified: an unknown target behind a known jump host is refused.
	kh2 := testhost.WriteKnownHosts(t, jump.KnownHostsLine())
	cfg.KnownHostsFile = kh2
	jc2 := jump.Config("")
	cfg.Jump = &jc2
	_, err := remote.Dial(context.Background(), cfg)
	var unknown *remote.HostKeyUnknownError
	if !errors.As(err, &unknown) || unknown.KeyType != "rsa-sha2-512" && unknown.KeyType != "ssh-rsa" && unknown.KeyType != "rsa-sha2-256" {
		t.Fatalf("unknown target: %v", err)
	}
	// And an unknown jump host is refused before the target is reached.
	kh3 := testhost.WriteKnownHosts(t, target.KnownHostsLine())
	cfg.KnownHostsFile = kh3
	jc3 := jump.Config("")
	cfg.Jump = &jc3
	_, err = remote.Dial(context.Background(), cfg)
	if !errors.As(err, &unknown) || unknown.Fingerprint != jump.HostKeyFingerprint() || !strings.Contains(err.Error(), "jump host") {
		t.Fatalf("unknown jump: %v", err)
	}
}

func TestRunCancel(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	name, _ := testhost.AddUser(t) // key auth: AuthorizedKeysFile is shared
	for _, tc := range []struct {
		user string
		// OpenSSH refuses "signal" requests in root sessions ("session
		// signalling requires privilege separation"), so only a non-root
		// remote command is guaranteed to be killed.
		remoteKilled bool
	}{{name, true}, {h.User, false}} {
		t.Run(tc.user, func(t *testing.T) {
			cfg := h.Config(kh)
			cfg.User = tc.user
			c := dial(t, cfg)
			marker := "3" + strconv.Itoa(int(time.Now().UnixNano()%1000)) // unique sleep length
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(time.Second, cancel)
			start := time.Now()
			out, _, err := c.Run(ctx, "echo started; sleep "+marker, nil)
			took := time.Since(start)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v", err)
			}
			if took > 3*time.Second {
				t.Fatalf("Run returned after %v", took)
			}
			if !strings.HasPrefix("started\n", string(out)) {
				t.Errorf("partial output %q", out)
			}
			t.Logf("cancelled Run returned after %v", took)
			// The connection stays usable.
			run(t, c, "true")
			if !tc.remoteKilled {
				return
			}
			deadline := time.Now().Add(3 * time.Second)
			for {
				out := run(t, c, "pgrep -f '[s]leep "+marker+"' || true")
				if out == "" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("remote sleep still running: %s", out)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
