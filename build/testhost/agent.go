package testhost

import (
	"crypto"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ssh/agent"
)

// StartAgent starts a real ssh-agent (ssh-agent -D -a SOCK) loaded with
// keys and returns its socket path. The agent is killed (by PID) in
// t.Cleanup.
func StartAgent(t testing.TB, keys ...crypto.PrivateKey) string {
	t.Helper()
	bin, err := exec.LookPath("ssh-agent")
	if err != nil {
		t.Skip("testhost: ssh-agent not installed (apt-get install openssh-client)")
	}
	dir, err := os.MkdirTemp("", "agent-") // short path: sockets are limited to 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "sock")
	cmd := exec.Command(bin, "-D", "-a", sock)
	if err := cmd.Start(); err != nil {
		t.Fatalf("testhost: ssh-agent: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	var conn net.Conn
	for i := 0; i < 250; i++ {
		if conn, err = net.Dial("unix", sock); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("testhost: ssh-agent socket: %v", err)
	}
	defer conn.Close()
	ag := agent.NewClient(conn)
	for _, k := range keys {
		if err := ag.Add(agent.AddedKey{PrivateKey: k, Comment: "testhost"}); err != nil {
			t.Fatalf("testhost: adding key to ssh-agent: %v", err)
		}
	}
	return sock
}
