package app

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
)

// startSSHD runs a throwaway sshd on 127.0.0.1 that accepts userkey.pub
// for root; it is stopped (by its PID) when the test ends.
func startSSHD(t *testing.T, dir string) (port int, stop func()) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	cfg := "Port " + strconv.Itoa(port) + "\nListenAddress 127.0.0.1\nHostKey " + dir + "/hostkey\nPidFile " + dir + "/sshd.pid\n" +
		"AuthorizedKeysFile " + dir + "/userkey.pub\nStrictModes no\nUsePAM no\nPermitRootLogin yes\n"
	if err := os.WriteFile(filepath.Join(dir, "sshd_config"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = os.MkdirAll("/run/sshd", 0o755)
	return startSSHDOnPort(t, dir, port)
}

func keygen(t *testing.T, file, passphrase string) {
	t.Helper()
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-f", file).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
}

// TestRemoteCheckRealSSHD drives the wizard's real remote check against a
// local sshd: host-key dialog on first contact, results, wrong passphrase,
// changed host key.
func TestRemoteCheckRealSSHD(t *testing.T) {
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil || os.Geteuid() != 0 {
		t.Skip("needs root and /usr/sbin/sshd")
	}
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("needs ssh-keygen")
	}
	t.Setenv("HOME", t.TempDir()) // known_hosts goes to $HOME/.ssh
	t.Setenv("SSH_AUTH_SOCK", "")
	wz, w := newTestWizard(t, nil)
	dir := t.TempDir()
	keygen(t, filepath.Join(dir, "hostkey"), "")
	keygen(t, filepath.Join(dir, "userkey"), "pp-secret")
	port, stop := startSSHD(t, dir)
	defer func() { stop() }()

	srv := Server{Remote: true, Host: "127.0.0.1", Port: strconv.Itoa(port), User: "root", Auth: AuthKey,
		KeyFile: filepath.Join(dir, "userkey"), Passphrase: "pp-secret"}
	type outcome struct {
		rep *checks.Report
		err error
	}
	done := make(chan outcome, 1)
	shown := make(chan struct{}, 1)
	wz.hostKeyShown = func() { shown <- struct{}{} }
	go func() {
		rep, err := wz.realCheck(context.Background(), srv, nil)
		done <- outcome{rep, err}
	}()
	select {
	case <-shown:
	case <-time.After(30 * time.Second):
		t.Fatal("no host-key dialog on first contact")
	}
	overlay := w.Canvas().Overlays().Top()
	walk(overlay, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == T("hostkey.accept") {
			test.Tap(b)
		}
	})
	var got outcome
	select {
	case got = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("remote check hangs")
	}
	if got.err != nil {
		t.Fatalf("remote check: %v", got.err)
	}
	if len(got.rep.Results) == 0 || got.rep.Target.Local || got.rep.Target.Host != "127.0.0.1" {
		t.Fatalf("report %+v", got.rep.Target)
	}

	// Known now: no dialog, straight through.
	if _, err := wz.realCheck(context.Background(), srv, nil); err != nil {
		t.Fatalf("second check: %v", err)
	}
	// A wrong passphrase is an authentication error.
	bad := srv
	bad.Passphrase = "wrong"
	if _, err := wz.realCheck(context.Background(), bad, nil); explain(err).What != "err.auth" {
		t.Errorf("wrong passphrase: %v -> %s", err, explain(err).What)
	}
	// A new host key on the same address is refused with advice.
	stop()
	_ = os.Remove(filepath.Join(dir, "hostkey"))
	_ = os.Remove(filepath.Join(dir, "hostkey.pub"))
	keygen(t, filepath.Join(dir, "hostkey"), "")
	_, stop = startSSHDOnPort(t, dir, port)
	_, err := wz.realCheck(context.Background(), srv, nil)
	if e := explain(err); e.What != "err.hostkey_changed" || e.Data["File"] == "" {
		t.Errorf("changed key: %v -> %+v", err, e)
	}
}

// startSSHDOnPort restarts sshd on a known port (same config file).
func startSSHDOnPort(t *testing.T, dir string, port int) (int, func()) {
	t.Helper()
	cmd := exec.Command("/usr/sbin/sshd", "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() }
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return port, stop
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	t.Fatal("sshd did not restart")
	return 0, nil
}
