package benchnet

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestListenInNamespace: a listener made in a namespace of its own is
// reached by a dial made there and not by one from this process's
// namespace, where the same address is free.
func TestListenInNamespace(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root (network namespaces)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("no ip (iproute2)")
	}
	ns := fmt.Sprintf("tob-bn%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "delete", ns).Run() })
	if out, err := exec.Command("ip", "-n", ns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("lo up: %v %s", err, out)
	}
	ln, err := Listen(ns, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("in " + ns))
			c.Close()
		}
	}()
	c, err := Dialer(ns, addr, 5*time.Second)()
	if err != nil {
		t.Fatalf("dial in %s: %v", ns, err)
	}
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	b := make([]byte, 64)
	n, _ := c.Read(b)
	c.Close()
	if string(b[:n]) != "in "+ns {
		t.Errorf("read %q", b[:n])
	}
	if c, err := net.DialTimeout("tcp", addr, 5*time.Second); err == nil {
		c.Close()
		t.Errorf("%s answered in this process's own namespace", addr)
	}
	// No thread stays in the namespace: `ip netns pids` would then name
	// this process as the host's (testhosts.sh down stops those).
	for range 100 {
		if c, err := Dialer(ns, addr, 5*time.Second)(); err == nil {
			c.Close()
		}
	}
	var want unix.Stat_t
	if err := unix.Stat(filepath.Join(NetnsDir, ns), &want); err != nil {
		t.Fatal(err)
	}
	tasks, _ := filepath.Glob("/proc/self/task/*/ns/net")
	for _, task := range tasks {
		var st unix.Stat_t
		if unix.Stat(task, &st) == nil && st.Ino == want.Ino && st.Dev == want.Dev {
			t.Errorf("thread %s is still in %s", task, ns)
		}
	}
	if out, _ := exec.Command("ip", "netns", "pids", ns).Output(); strings.Contains(" "+strings.Join(strings.Fields(string(out)), " ")+" ", fmt.Sprintf(" %d ", os.Getpid())) {
		t.Errorf("ip netns pids %s names this process", ns)
	}
}
