package configure_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestOpenAsSudoUser: the admin API's certificate kept as X-Road 7.4.2
// keeps it (0660 in a 0750 directory, of a user and group the login is
// not in), read by a login that is not root and whose sudo asks for a
// password (Ubuntu's default). The test runs itself again as such a user
// (testhost.SudoUser) on this computer (remote.Local: the same commands
// as over SSH), the password on its standard input only.
func TestOpenAsSudoUser(t *testing.T) {
	if os.Getenv(testhost.AsUserEnv) != "" {
		openAsSudoUser(t)
		return
	}
	f := xroadtest.StartWith(t, xroadtest.Options{})
	api := f.AdminAPI()
	testhost.RunAsSudoUserWithAPI(t, "TestOpenAsSudoUser", api.Addr, api.CertPath)
	if len(f.LiveKeys()) != 0 {
		t.Fatal("an API key outlived its session")
	}
}

func openAsSudoUser(t *testing.T) {
	pw, addr, cert := testhost.SudoAPIChild(t)
	api := xroad.AdminAPI{Addr: addr, CertPath: cert}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h := &recordingHost{Host: &remote.Local{}}
	if _, _, err := h.Run(ctx, "cat -- "+remote.Quote(api.CertPath), nil); err == nil {
		t.Fatal("the user reads the certificate without sudo: the test tests nothing")
	}
	cr := configure.Credentials{User: xroadtest.AdminUser, Password: xroadtest.AdminPassword}

	// No sudo password: told so, in every language, without asking sudo
	// for one.
	_, err := configure.Open(ctx, h, api, cr)
	data := wantKey(t, err, configure.KeySudoPassword)
	if data["Path"] != api.CertPath {
		t.Errorf("data %v", data)
	}
	if n := h.withStdin(); n != 0 {
		t.Errorf("%d commands got a standard input without a password to give", n)
	}

	// A wrong one: refused after one check (one PAM attempt), never tried
	// again, never shown.
	h.reset()
	cr.SudoPassword = pw + "-wrong"
	_, err = configure.Open(ctx, h, api, cr)
	data = wantKey(t, err, configure.KeySudoRefused)
	if s := fmt.Sprint(err, data); strings.Contains(s, cr.SudoPassword) || strings.Contains(s, pw) {
		t.Fatalf("the error shows the password: %s", s)
	}
	if n := h.withStdin(); n != 1 {
		t.Errorf("the wrong password went to sudo %d times, want once", n)
	}

	// The right one: the session opens (the certificate read, TLS pinned
	// to it), and closes.
	h.reset()
	cr.SudoPassword = pw
	s, err := configure.Open(ctx, h, api, cr)
	if err != nil {
		t.Fatalf("open with the sudo password: %v", err)
	}
	if _, err := s.Status(ctx, params); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	for _, c := range h.cmds {
		if strings.Contains(c, pw) {
			t.Errorf("a command line holds the password: %s", c)
		}
	}
	h.mu.Unlock()

	// The right password and no certificate there: the certificate is
	// missing, not sudo.
	api.CertPath += ".missing"
	_, err = configure.Open(ctx, h, api, cr)
	wantKey(t, err, "configure.err.api_cert")
}

// recordingHost keeps every command line run and counts those given a
// standard input (the only way the sudo password travels).
type recordingHost struct {
	remote.Host
	mu    sync.Mutex
	cmds  []string
	stdin int
}

func (h *recordingHost) Run(ctx context.Context, cmd string, stdin io.Reader) ([]byte, []byte, error) {
	h.mu.Lock()
	h.cmds = append(h.cmds, cmd)
	if stdin != nil {
		if b, _ := io.ReadAll(stdin); len(b) > 0 {
			h.stdin++
			stdin = strings.NewReader(string(b))
		} else {
			stdin = nil
		}
	}
	h.mu.Unlock()
	return h.Host.Run(ctx, cmd, stdin)
}

func (h *recordingHost) withStdin() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stdin
}

func (h *recordingHost) reset() {
	h.mu.Lock()
	h.cmds, h.stdin = nil, 0
	h.mu.Unlock()
}

// admin is the fake's admin login as the flow's credentials (no sudo
// password: the tests' sshd logs in as root).
func admin(f *xroadtest.Server) configure.Credentials {
	a := f.Admin()
	return configure.Credentials{User: a.User, Password: a.Password}
}
