package targethost

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The private network every target host sits on. build/testhosts.sh uses
// tob-br0 and 10.213.0.0/24; this one must differ so both can run at once.
const (
	Bridge   = "tob-tgbr0"
	BridgeIP = "10.218.0.1"
	Subnet   = "10.218.0.0/24"
	netPre   = "10.218.0."
	nsPrefix = "tob-tg" // namespace tob-tg<octet>, host-side veth tob-tg<octet>-v
)

// Shared state lives in netDir; netLock serialises every change to it,
// across test binaries. A lease file per host (lease-<octet>) names the
// process that owns it; the bridge and the relay stay while any lease is
// held by a live process, and the last one out removes them.
func netDir() string  { return filepath.Join(CacheDir, "net") }
func netLock() string { return filepath.Join(CacheDir, "net.lock") }

// owner identifies a process robustly against PID reuse: PID plus its
// start time in clock ticks since boot.
type owner struct {
	pid   int
	start string
}

func self() owner { return owner{os.Getpid(), procStart(os.Getpid())} }

func procStart(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// Field 22; the command name (field 2) may hold spaces, so count from
	// the closing parenthesis.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 {
		return ""
	}
	return f[19]
}

func (o owner) String() string { return fmt.Sprintf("%d %s", o.pid, o.start) }

func (o owner) alive() bool { return o.pid > 0 && o.start != "" && procStart(o.pid) == o.start }

func readOwner(path string) (owner, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return owner{}, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return owner{}, true
	}
	pid, _ := strconv.Atoi(f[0])
	return owner{pid, f[1]}, true
}

func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// acquireNet makes sure the bridge and the relay are up and leases a free
// address for one host; it returns the last octet.
func acquireNet(mirrorHost string) (int, error) {
	lk, err := openLock(netLock())
	if err != nil {
		return 0, err
	}
	defer lk.Close()
	if err := os.MkdirAll(netDir(), 0o755); err != nil {
		return 0, err
	}
	live := sweepLeases()
	if err := ensureBridge(); err != nil {
		return 0, err
	}
	if err := ensureRelay(mirrorHost); err != nil {
		return 0, err
	}
	for oct := 10; oct < 250; oct++ {
		if live[oct] {
			continue
		}
		f, err := os.OpenFile(leasePath(oct), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			continue
		}
		_, err = f.WriteString(self().String())
		f.Close()
		return oct, err
	}
	return 0, fmt.Errorf("no free address left in %s", Subnet)
}

func leasePath(oct int) string { return filepath.Join(netDir(), fmt.Sprintf("lease-%d", oct)) }

// sweepLeases removes what crashed test processes left (their namespace,
// the processes in it, the lease) and returns the octets still in use.
func sweepLeases() map[int]bool {
	live := map[int]bool{}
	paths, _ := filepath.Glob(filepath.Join(netDir(), "lease-*"))
	for _, p := range paths {
		oct, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(p), "lease-"))
		if err != nil {
			continue
		}
		if o, ok := readOwner(p); ok && o.alive() {
			live[oct] = true
			continue
		}
		removeNetns(nsName(oct))
		// The dead owner's root filesystem copies (see Start).
		dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "targethost-"+nsName(oct)+"-*"))
		for _, d := range dirs {
			os.RemoveAll(d)
		}
		os.Remove(p)
	}
	return live
}

func nsName(oct int) string { return fmt.Sprintf("%s%d", nsPrefix, oct) }

// removeNetns kills whatever still runs in the namespace (a container
// whose test process died), then deletes it; its veth pair goes with it.
func removeNetns(ns string) {
	if out, err := exec.Command("ip", "netns", "pids", ns).Output(); err == nil {
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	exec.Command("ip", "netns", "delete", ns).Run()
	exec.Command("ip", "link", "delete", ns+"-v").Run()
}

func ensureBridge() error {
	if exec.Command("ip", "link", "show", Bridge).Run() != nil {
		if err := run("ip", "link", "add", Bridge, "type", "bridge"); err != nil {
			return err
		}
	}
	out, _ := exec.Command("ip", "-o", "-4", "addr", "show", "dev", Bridge).Output()
	if !strings.Contains(string(out), " "+BridgeIP+"/24 ") {
		if err := run("ip", "addr", "add", BridgeIP+"/24", "dev", Bridge); err != nil {
			return err
		}
	}
	return run("ip", "link", "set", Bridge, "up")
}

func relayPidPath() string { return filepath.Join(netDir(), "relay.pid") }

// ensureRelay runs one socat on BridgeIP:80 forwarding to the mirror, so
// apt inside a container works unchanged once the mirror's name maps to
// BridgeIP. It runs in its own session: it must outlive the test binary
// that started it while other binaries still use it.
func ensureRelay(mirrorHost string) error {
	if o, ok := readOwner(relayPidPath()); ok && o.alive() {
		return nil
	}
	logf, err := os.OpenFile(filepath.Join(netDir(), "relay.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command("socat", "TCP-LISTEN:80,bind="+BridgeIP+",reuseaddr,fork", "TCP:"+mirrorHost+":80")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("socat relay: %w", err)
	}
	o := owner{cmd.Process.Pid, procStart(cmd.Process.Pid)}
	// Reap it if this process is still around when it ends.
	go cmd.Wait()
	if err := os.WriteFile(relayPidPath(), []byte(o.String()), 0o644); err != nil {
		return err
	}
	for i := 0; i < 100; i++ {
		if out, _ := exec.Command("ss", "-Hltn", "src", BridgeIP+":80").Output(); len(out) > 0 {
			return nil
		}
		if !o.alive() {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	b, _ := os.ReadFile(filepath.Join(netDir(), "relay.log"))
	return fmt.Errorf("socat relay on %s:80 did not listen: %s", BridgeIP, tail(string(b), 500))
}

// releaseNet gives back a lease; the last holder stops the relay and
// deletes the bridge.
func releaseNet(oct int) error {
	lk, err := openLock(netLock())
	if err != nil {
		return err
	}
	defer lk.Close()
	os.Remove(leasePath(oct))
	if len(sweepLeases()) > 0 {
		return nil
	}
	if o, ok := readOwner(relayPidPath()); ok && o.alive() {
		syscall.Kill(o.pid, syscall.SIGTERM)
		// Wait, so a next test does not find port 80 still taken.
		for i := 0; i < 100 && o.alive(); i++ {
			time.Sleep(20 * time.Millisecond)
		}
	}
	os.Remove(relayPidPath())
	if exec.Command("ip", "link", "show", Bridge).Run() == nil {
		return run("ip", "link", "delete", Bridge)
	}
	return nil
}

// mirrorHost is the host name in the mirror URL.
func mirrorHost(mirror string) string {
	u, err := url.Parse(mirror)
	if err != nil || u.Hostname() == "" {
		return "deb.debian.org"
	}
	return u.Hostname()
}
