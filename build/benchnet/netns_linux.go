package benchnet

import (
	"fmt"
	"net"
	"path/filepath"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// NetnsDir is where `ip netns add NAME` keeps a namespace by its name.
const NetnsDir = "/run/netns"

// In runs f on an OS thread that has entered the network namespace ns
// (a name `ip netns add` made). A socket keeps the namespace it was made
// in, so a listener or a connection made by f lives there for good
// while this process serves it from any thread. The thread goes back to
// this process's namespace after f; should that fail it stays locked
// and ends with f's goroutine (Go ends such a thread, or parks it for
// good when it is the main thread). It must not stay in ns unlocked:
// other goroutines would make their sockets there, and `ip netns pids`
// (build/testhosts.sh down) would count this process as the host's and
// stop it. Needs root (CAP_SYS_ADMIN).
func In(ns string, f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		home, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("benchnet: this thread's namespace: %w", err)
			return
		}
		defer unix.Close(home)
		if err := enter(filepath.Join(NetnsDir, ns)); err != nil {
			errc <- fmt.Errorf("benchnet: entering namespace %s: %w", ns, err)
			if unix.Setns(home, unix.CLONE_NEWNET) == nil {
				runtime.UnlockOSThread()
			}
			return
		}
		err = f()
		if unix.Setns(home, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
}

// enter moves this thread into the network namespace at path.
func enter(path string) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Setns(fd, unix.CLONE_NEWNET)
}

// Listen is a TCP listener on addr inside namespace ns ("": this
// process's own).
func Listen(ns, addr string) (net.Listener, error) {
	if ns == "" {
		return net.Listen("tcp", addr)
	}
	var ln net.Listener
	err := In(ns, func() (err error) {
		ln, err = net.Listen("tcp", addr)
		return err
	})
	return ln, err
}

// Dialer dials addr inside namespace ns ("": this process's own),
// giving up after timeout.
func Dialer(ns, addr string, timeout time.Duration) func() (net.Conn, error) {
	return func() (net.Conn, error) {
		if ns == "" {
			return net.DialTimeout("tcp", addr, timeout)
		}
		var c net.Conn
		err := In(ns, func() (err error) {
			c, err = net.DialTimeout("tcp", addr, timeout)
			return err
		})
		return c, err
	}
}
