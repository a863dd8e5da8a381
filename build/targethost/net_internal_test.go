package targethost

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// What a killed test binary leaves (its lease, namespace and root copy) is
// removed by the next host's setup; the last release removes the bridge
// and stops the relay.
func TestStaleLeaseIsSwept(t *testing.T) {
	require(t)
	const oct = 249
	ns := nsName(oct)
	stale := filepath.Join(os.TempDir(), "targethost-"+ns+"-stale")
	if err := os.MkdirAll(filepath.Join(stale, "root"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := run("ip", "netns", "add", ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeNetns(ns); os.RemoveAll(stale) })
	// A process that has exited: its PID's start time no longer matches.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(netDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(leasePath(oct), []byte(owner{dead.Process.Pid, "1"}.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := acquireNet(mirrorHost(Mirror()))
	if err != nil {
		t.Fatal(err)
	}
	if exec.Command("ip", "netns", "pids", ns).Run() == nil {
		t.Errorf("stale namespace %s still there", ns)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale root copy %s still there: %v", stale, err)
	}
	if _, err := os.Stat(leasePath(oct)); !os.IsNotExist(err) {
		t.Errorf("stale lease still there: %v", err)
	}
	relay, _ := readOwner(relayPidPath())
	if !relay.alive() {
		t.Error("relay not running after acquireNet")
	}
	if err := releaseNet(got); err != nil {
		t.Fatal(err)
	}
	leases, _ := filepath.Glob(filepath.Join(netDir(), "lease-*"))
	if len(leases) == 0 {
		if exec.Command("ip", "link", "show", Bridge).Run() == nil {
			t.Error("bridge left after the last release")
		}
		if relay.alive() {
			t.Error("relay left after the last release")
		}
	}
}
