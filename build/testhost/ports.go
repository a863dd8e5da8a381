package testhost

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

// AcceptingAddr is a loopback address that accepts TCP connections (and
// closes each at once) until t ends: an address a network path reaches.
func AcceptingAddr(t testing.TB) string {
	t.Helper()
	return ServeTCP(t, "127.0.0.1:0", func(c net.Conn) { c.Close() })
}

// ServeTCP listens on addr until t ends and hands each connection to h
// on a goroutine of its own; it returns the address listened on.
func ServeTCP(t testing.TB, addr string, h func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go h(c)
		}
	}()
	return ln.Addr().String()
}

// RefusingAddr is a loopback address nothing listens on (one just
// freed): a connect there is refused.
func RefusingAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// StubSystemctl writes a systemctl for hosts without systemd (this
// machine, the sshd test host), to bind over /usr/bin/systemctl
// (Options.Binds): `systemctl is-active UNIT[.service]` prints active
// and exits 0, or, for a unit listed in the file stopped, prints
// inactive and exits 3 (systemctl(1)). Write unit names, one a line, to
// stopped to stop them.
func StubSystemctl(t testing.TB) (stub, stopped string) {
	t.Helper()
	dir := t.TempDir()
	os.Chmod(dir, 0o755) // the sshd's sessions read it
	stub, stopped = filepath.Join(dir, "systemctl"), filepath.Join(dir, "stopped")
	script := "#!/bin/sh\n[ \"$1\" = is-active ] || exit 1\nu=${2%.service}\nif grep -qx \"$u\" " + stopped + "; then echo inactive; exit 3; fi\necho active\n"
	if err := os.WriteFile(stub, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stopped, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return stub, stopped
}
