package remote_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"golang.org/x/crypto/ssh/knownhosts"
)

// freezeProxy forwards TCP to backend until frozen; then it holds all
// traffic, like a peer that vanished without closing the connection.
type freezeProxy struct {
	addr   string
	frozen atomic.Bool
}

func startFreezeProxy(t *testing.T, backend string) *freezeProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	p := &freezeProxy{addr: l.Addr().String()}
	pipe := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			for p.frozen.Load() {
				time.Sleep(10 * time.Millisecond)
			}
			if n > 0 {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				if err != io.EOF {
					dst.Close()
				}
				return
			}
		}
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", backend)
			if err != nil {
				c.Close()
				continue
			}
			t.Cleanup(func() { c.Close(); b.Close() })
			go pipe(b, c)
			go pipe(c, b)
		}
	}()
	return p
}

func TestKeepAliveClosesDeadConnection(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	p := startFreezeProxy(t, h.Addr())
	_, port, _ := net.SplitHostPort(p.addr)
	kh := testhost.WriteKnownHosts(t, remote.KnownHostsLine(p.addr, h.HostKeys[0], false))
	cfg := h.Config(kh)
	cfg.Port = atoiMust(t, port)
	// 250 ms, not less: on a loaded machine sshd may take over 100 ms to
	// answer three times running, which would close a live connection.
	cfg.KeepAlive = 250 * time.Millisecond
	c := dial(t, cfg)
	time.Sleep(time.Second) // keepalives answered: still open
	run(t, c, "true")

	p.frozen.Store(true)
	closed := make(chan struct{})
	go func() { c.Raw().Wait(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
		t.Fatal("connection not closed after missed keepalives")
	}
	if _, _, err := c.Run(context.Background(), "true", nil); err == nil {
		t.Fatal("Run on a closed connection succeeded")
	}
}

func TestNoAuthMethod(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	_, err := remote.Dial(context.Background(), remote.Config{Target: h.Target(), KnownHostsFile: kh})
	var ae *remote.AuthError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "no authentication method") {
		t.Fatalf("err = %v", err)
	}
	// A key the server does not know.
	other, _ := testhost.GenerateKey("ed25519")
	path := t.TempDir() + "/id_other"
	testhost.WritePrivateKey(path, other, "")
	_, err = remote.Dial(context.Background(), remote.Config{Target: h.Target(), KnownHostsFile: kh, IdentityFiles: []string{path, "/nonexistent/id"}})
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "/nonexistent/id not readable") {
		t.Fatalf("err = %v", err)
	}
	t.Log(err)
}

func TestUnknownHostPrefersEd25519(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{HostKeyTypes: []string{"rsa", "ed25519"}})
	kh := t.TempDir() + "/known_hosts"
	cfg := h.Config(kh)
	var gotType string
	cfg.AcceptHostKey = func(host, fp, typ string) bool { gotType = typ; return true }
	dial(t, cfg)
	if gotType != "ssh-ed25519" {
		t.Fatalf("offered %s, want ssh-ed25519", gotType)
	}
}

func atoiMust(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			t.Fatalf("bad number %q", s)
		}
		n = n*10 + int(r-'0')
	}
	return n
}

func TestKnownHostsUnparsableLinesSkipped(t *testing.T) {
	t.Parallel()
	h := testhost.StartSSHD(t, testhost.Options{})
	bad := "weird.example ssh-future-algo AAAAE3NzaC1mdXR1cmU="
	kh := testhost.WriteKnownHosts(t, "# header", bad, h.KnownHostsLine())
	if _, err := knownhosts.New(kh); err == nil {
		t.Fatal("the library now parses the odd line; this test needs a new one")
	}
	dial(t, h.Config(kh))

	other := testhost.StartSSHD(t, testhost.Options{})
	stale := remote.KnownHostsLine(h.Addr(), other.HostKeys[0], false)
	kh2 := testhost.WriteKnownHosts(t, bad, "", stale)
	_, err := remote.Dial(context.Background(), h.Config(kh2))
	var changed *remote.HostKeyChangedError
	if !errors.As(err, &changed) || changed.KnownHostsFile != kh2 || changed.Line != 3 {
		t.Fatalf("err = %v (%+v)", err, changed)
	}
}
