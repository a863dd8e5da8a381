package installer_test

// The runner's refusals against a real Debian host (build/targethost):
// a wrong sudo password and a changed host key change nothing.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

func TestTargetWrongSudoPasswordChangesNothing(t *testing.T) {
	h := targethost.Start(t, targethost.Options{})
	steps := benchPlan(t, h, targethost.StandinDebs(t))
	r := runnerFor(h, nil)
	r.Sudo = func() (string, error) { return h.Password + "-wrong", nil }
	err := r.Run(context.Background(), steps)
	if !errors.Is(err, installer.ErrSudoPassword) {
		t.Fatalf("want ErrSudoPassword, got %v", err)
	}
	if bytes.Contains([]byte(err.Error()), []byte(h.Password)) {
		t.Fatal("the error shows the password")
	}
	out, _ := h.RootExec(context.Background(), "ls -d "+installer.StateDir+" 2>&1; dpkg-query -W -f='${Status}' postgresql 2>&1; id ssadmin 2>&1")
	for _, want := range []string{"No such file", "no packages found", "no such user"} {
		if !bytes.Contains([]byte(out), []byte(want)) {
			t.Errorf("host changed (want %q):\n%s", want, out)
		}
	}
}

// A host key that changes while the runner is reconnecting stops the run
// with the host-key error; known_hosts is left as it was.
func TestTargetChangedHostKeyRefused(t *testing.T) {
	h := targethost.Start(t, targethost.Options{})
	kh := h.KnownHostsFile()
	before, _ := os.ReadFile(kh)
	r := &installer.Runner{
		Conn: func(ctx context.Context) (remote.Host, error) { return dialHost(ctx, h.Config(kh)) },
		Sudo: func() (string, error) { return h.Password, nil },
		Poll: 100 * time.Millisecond,
	}
	step := installer.Step{ID: "slow", Check: "[ -e /root/slow ]", Apply: "sleep 5; touch /root/slow", Long: true}
	r.Progress = func(e installer.Event) {
		if e.Kind == installer.EventApplying {
			go func() {
				if err := h.ChangeHostKey(context.Background()); err != nil {
					t.Error(err)
				}
				h.CutSSH()
			}()
		}
	}
	err := r.Run(context.Background(), []installer.Step{step})
	var changed *remote.HostKeyChangedError
	if !errors.As(err, &changed) {
		t.Fatalf("want a host-key-changed error, got %v", err)
	}
	after, _ := os.ReadFile(kh)
	if !bytes.Equal(before, after) {
		t.Error("known_hosts was changed")
	}
}

// dialHost is remote.Dial as a runner's Connector: no nil *Client in a
// non-nil Host.
func dialHost(ctx context.Context, cfg remote.Config) (remote.Host, error) {
	c, err := remote.Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return c, nil
}
