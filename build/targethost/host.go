package targethost

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	gossh "golang.org/x/crypto/ssh"
)

// Options configure one target host.
type Options struct {
	// Hostname of the container; default "ss<octet>.example.test".
	Hostname string
	// User is the non-root login user (password sudo, authorized key);
	// default "ops".
	User string
	// BootTimeout bounds boot until SSH answers and systemd is up;
	// default 2 minutes.
	BootTimeout time.Duration
}

// Host is a booted container reachable at IP:22.
type Host struct {
	Name     string // network namespace name, unique on this machine
	Hostname string
	IP       string
	Port     int
	User     string
	Password string // the user's login and sudo password
	Dir      string // host-side dir: root/, console.log, keys, known_hosts
	Root     string // the container's root filesystem, seen from this machine

	KeyPath string             // the user's authorized private key (OpenSSH, 0600)
	Key     ed25519.PrivateKey // the same key; a crypto.Signer
	Signer  gossh.Signer

	// HostKeys are sshd's public keys, ed25519 first.
	HostKeys []gossh.PublicKey

	// BootTime is from starting systemd-nspawn until the system was up.
	BootTime time.Duration

	t   testing.TB
	oct int

	mu       sync.Mutex
	nspawn   *os.Process // the current boot; replaced on reboot
	stopping bool
	exited   chan struct{} // closed when the boot loop ends
}

// Start boots a fresh copy of Image with systemd-nspawn and waits until
// SSH answers and `systemctl is-system-running --wait` is done. The host
// is stopped and everything it made removed in t.Cleanup.
func Start(t testing.TB, opts Options) *Host {
	t.Helper()
	img := Image(t)
	if opts.User == "" {
		opts.User = "ops"
	}
	if opts.BootTimeout == 0 {
		opts.BootTimeout = 2 * time.Minute
	}
	mirror := Mirror()
	oct, err := acquireNet(mirrorHost(mirror))
	if err != nil {
		t.Fatalf("targethost: network: %v", err)
	}
	h := &Host{Name: nsName(oct), IP: fmt.Sprintf("%s%d", netPre, oct), Port: 22, User: opts.User,
		Hostname: opts.Hostname, t: t, oct: oct, exited: make(chan struct{})}
	if h.Hostname == "" {
		h.Hostname = fmt.Sprintf("ss%d.example.test", oct)
	}
	// One cleanup for everything, registered before anything is made, so
	// a failure half-way still removes the namespace and the lease.
	t.Cleanup(h.cleanup)
	// Not t.TempDir: its cleanup would run before h.cleanup (LIFO) and
	// delete the root under a running container.
	dir, err := os.MkdirTemp("", "targethost-"+h.Name+"-")
	if err != nil {
		t.Fatal(err)
	}
	h.Dir, h.Root = dir, filepath.Join(dir, "root")

	start := time.Now()
	if err := os.Mkdir(h.Root, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("tar", "--zstd", "-xpf", img, "-C", h.Root, "--numeric-owner",
		"--xattrs", "--xattrs-include=*").CombinedOutput(); err != nil {
		t.Fatalf("targethost: extracting %s: %v: %s", img, err, out)
	}
	extract := time.Since(start)
	if err := h.prepare(mirrorHost(mirror)); err != nil {
		t.Fatalf("targethost: preparing %s: %v", h.Root, err)
	}
	if err := h.netns(); err != nil {
		t.Fatalf("targethost: network namespace %s: %v", h.Name, err)
	}
	boot := time.Now()
	if err := h.boot(); err != nil {
		t.Fatalf("targethost: systemd-nspawn: %v", err)
	}
	if err := h.WaitReady(opts.BootTimeout); err != nil {
		t.Fatalf("targethost: %s did not come up: %v", h.Name, err)
	}
	h.BootTime = time.Since(boot)
	t.Logf("targethost: %s (%s) up: extract %s, prepare %s, boot %s", h.Name, h.IP, extract.Round(10*time.Millisecond),
		(boot.Sub(start) - extract).Round(10*time.Millisecond), h.BootTime.Round(10*time.Millisecond))
	return h
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// netns makes the host's namespace with eth0 (a veth onto the bridge), its
// address and a default route via the bridge.
func (h *Host) netns() error {
	veth := h.Name + "-v"
	for _, args := range [][]string{
		{"netns", "add", h.Name},
		{"link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", h.Name},
		{"link", "set", veth, "master", Bridge},
		{"link", "set", veth, "up"},
		{"-n", h.Name, "link", "set", "lo", "up"},
		{"-n", h.Name, "addr", "add", h.IP + "/24", "dev", "eth0"},
		{"-n", h.Name, "link", "set", "eth0", "up"},
		{"-n", h.Name, "route", "add", "default", "via", BridgeIP},
	} {
		if err := run("ip", args...); err != nil {
			return err
		}
	}
	return nil
}

// boot runs systemd-nspawn the way TESTING.md measured it: a private mount
// namespace with a tmpfs on /run/systemd and --register=no (this machine's
// PID 1 is not systemd), CAP_NET_ADMIN so ufw works inside. Exit status
// 133 is an in-container reboot: boot again.
func (h *Host) boot() error {
	logf, err := os.OpenFile(h.consolePath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	// mkdir: a machine without systemd may have no /run/systemd at all.
	script := `mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd && exec systemd-nspawn -D "$1" --boot --register=no --keep-unit ` +
		`--console=read-only --capability=CAP_NET_ADMIN --network-namespace-path=/run/netns/"$2" ` +
		`--resolv-conf=off --timezone=off --link-journal=no --machine="$2" --quiet`
	startOne := func() (*exec.Cmd, error) {
		cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", h.Root, h.Name)
		cmd.Stdout, cmd.Stderr = logf, logf
		cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"}
		// A test binary killed by its -timeout runs no cleanup: SIGTERM
		// still powers the container off (it survives unshare's and sh's
		// exec). Nothing here locks OS threads, whose exit would fire it early.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
		return cmd, cmd.Start()
	}
	cmd, err := startOne()
	if err != nil {
		logf.Close()
		return err
	}
	h.nspawn = cmd.Process
	go func() {
		defer close(h.exited)
		defer logf.Close()
		for {
			err := cmd.Wait()
			h.mu.Lock()
			stopping := h.stopping
			h.mu.Unlock()
			var ee *exec.ExitError
			if stopping || !errors.As(err, &ee) || ee.ExitCode() != 133 {
				fmt.Fprintf(logf, "\n[targethost] systemd-nspawn ended: %v\n", err)
				return
			}
			fmt.Fprintf(logf, "\n[targethost] reboot (exit 133): booting again\n")
			h.mu.Lock()
			if h.stopping { // Stop came in between: do not boot again
				h.mu.Unlock()
				return
			}
			if cmd, err = startOne(); err == nil {
				h.nspawn = cmd.Process
			}
			h.mu.Unlock()
			if err != nil {
				fmt.Fprintf(logf, "[targethost] restart failed: %v\n", err)
				return
			}
		}
	}()
	return nil
}

// WaitReady waits until SSH answers and `systemctl is-system-running
// --wait` says "running" or "degraded" (a failed unit is the test's
// business, not the boot's): after Start, use it after a reboot.
func (h *Host) WaitReady(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	kh := h.KnownHostsFile()
	var lastErr error
	for {
		select {
		case <-h.exited:
			return errors.New("systemd-nspawn exited")
		default:
		}
		cfg := h.Config(kh)
		cfg.ConnectTimeout = 3 * time.Second
		c, err := remote.Dial(ctx, cfg)
		if err == nil {
			out, _, err := c.Run(ctx, "systemctl is-system-running --wait", nil)
			c.Close()
			state := strings.TrimSpace(string(out))
			if state == "running" || state == "degraded" {
				return nil
			}
			lastErr = fmt.Errorf("system state %q: %v", state, err)
		} else {
			lastErr = err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%v\n--- console (tail) ---\n%s", lastErr, tail(h.Console(), 3000))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (h *Host) consolePath() string { return filepath.Join(h.Dir, "console.log") }

// Console is what the container printed on its console so far.
func (h *Host) Console() string {
	b, _ := os.ReadFile(h.consolePath())
	return string(b)
}

// Stop powers the container off (SIGTERM to systemd-nspawn, which asks
// systemd for a clean shutdown), kills it after 20 s, and deletes its
// namespace. Safe to call twice; t.Cleanup calls it.
func (h *Host) Stop() {
	h.mu.Lock()
	already := h.stopping
	h.stopping = true
	p := h.nspawn
	h.mu.Unlock()
	if already || p == nil {
		return
	}
	p.Signal(syscall.SIGTERM)
	select {
	case <-h.exited:
	case <-time.After(20 * time.Second):
		if pid := h.leader(); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL) // takes the whole PID namespace with it
		}
		h.mu.Lock()
		p = h.nspawn // a reboot may have replaced it
		h.mu.Unlock()
		p.Kill()
		select {
		case <-h.exited:
		case <-time.After(5 * time.Second):
			h.t.Errorf("targethost: systemd-nspawn (pid %d) did not exit", p.Pid)
		}
	}
}

func (h *Host) cleanup() {
	start := time.Now()
	h.Stop()
	if h.t.Failed() && h.Dir != "" {
		h.t.Logf("targethost: %s console (tail):\n%s", h.Name, tail(h.Console(), 3000))
	}
	removeNetns(h.Name)
	if err := releaseNet(h.oct); err != nil {
		h.t.Errorf("targethost: releasing network: %v", err)
	}
	if h.Dir != "" {
		if err := os.RemoveAll(h.Dir); err != nil {
			h.t.Errorf("targethost: removing %s: %v", h.Dir, err)
		}
	}
	h.t.Logf("targethost: %s stopped and removed in %s", h.Name, time.Since(start).Round(10*time.Millisecond))
}

// leader is the container's PID 1 as seen from this machine: the child of
// systemd-nspawn whose PID inside its namespace is 1. 0 when not running.
func (h *Host) leader() int {
	h.mu.Lock()
	p := h.nspawn
	h.mu.Unlock()
	if p == nil {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", p.Pid, p.Pid))
	if err != nil {
		return 0
	}
	for _, f := range strings.Fields(string(b)) {
		st, err := os.ReadFile("/proc/" + f + "/status")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(st), "\n") {
			if strings.HasPrefix(line, "NSpid:") && strings.HasSuffix(line, "\t1") {
				var pid int
				fmt.Sscan(f, &pid)
				return pid
			}
		}
	}
	return 0
}

// RootExec runs cmd with sh as root inside the container, without SSH:
// nsenter into the namespaces of the container's PID 1; args are $1...
// It returns stdout; a failure's error holds stderr.
func (h *Host) RootExec(ctx context.Context, cmd string, args ...string) (string, error) {
	pid := h.leader()
	if pid == 0 {
		return "", errors.New("targethost: container not running")
	}
	c := exec.CommandContext(ctx, "nsenter", "-t", fmt.Sprint(pid), "-m", "-u", "-i", "-n", "-p", "-C", "-r", "-w",
		"/usr/bin/env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"LANG=C.UTF-8", "HOME=/root", "/bin/sh", "-c", cmd, "sh")
	c.Args = append(c.Args, args...)
	var stdout, stderr strings.Builder
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Start(); err != nil {
		return "", fmt.Errorf("targethost: root exec: %w", err)
	}
	done := make(chan struct{})
	go unstop(c.Process.Pid, done)
	err := c.Wait()
	close(done)
	out := stdout.String()
	if err != nil {
		return out, fmt.Errorf("targethost: root exec %q: %w: %s", cmd, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// unstop resumes nsenter whenever it is stopped, until done. At shutdown
// or reboot systemd stops every process in the container (SIGSTOP, then
// SIGKILL, then SIGCONT); nsenter, outside the container, sees its child
// stop and stops itself too, and nothing in there can resume it. Stopped,
// it never reaps its child, so the container's PID namespace never
// empties and systemd-nspawn never exits.
func unstop(pid int, done <-chan struct{}) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return
		}
		if f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:])); len(f) > 0 && f[0] == "T" {
			syscall.Kill(pid, syscall.SIGCONT)
		}
	}
}

// CutSSH aborts every established TCP connection to sshd (port 22) in
// the host's namespace, as a network failure would: `ss -K` resets them
// and sshd keeps listening. Where the kernel cannot destroy sockets
// (no CONFIG_INET_DIAG_DESTROY) the user's sshd session processes are
// killed instead. It returns how many connections there were.
func (h *Host) CutSSH() (int, error) {
	// established lists the connections by their addresses, so that the
	// check after the cut looks at these connections only: the client
	// re-dials at once, and killing its new session would cut a later
	// step too (the install test saw a short step run twice).
	established := func() (map[string]bool, error) {
		out, err := exec.Command("nsenter", "--net=/run/netns/"+h.Name, "ss", "-H", "-t", "-n",
			"state", "established", "( sport = :22 )").Output()
		conns := map[string]bool{}
		for _, l := range strings.Split(string(out), "\n") {
			if f := strings.Fields(l); len(f) >= 2 {
				conns[strings.Join(f[len(f)-2:], " ")] = true
			}
		}
		return conns, err
	}
	before, err := established()
	if err != nil || len(before) == 0 {
		return 0, err
	}
	if useSSKill {
		if out, err := exec.Command("nsenter", "--net=/run/netns/"+h.Name, "ss", "-K", "-H", "-t",
			"state", "established", "( sport = :22 )").CombinedOutput(); err != nil {
			return 0, fmt.Errorf("targethost: ss -K: %v: %s", err, out)
		}
	}
	after, _ := established()
	left := 0
	for c := range after {
		if before[c] {
			left++
		}
	}
	if left > 0 {
		_, err := h.RootExec(context.Background(), `for p in /proc/[0-9]*; do
  case "$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)" in
    "sshd: $1 "*|"sshd: $1@"*) kill -KILL "${p#/proc/}" ;;
  esac
done`, h.User)
		if err != nil {
			return 0, err
		}
	}
	return len(before), nil
}

// useSSKill is false only in the test of the fallback.
var useSSKill = true

// Addr is "IP:22".
func (h *Host) Addr() string { return fmt.Sprintf("%s:%d", h.IP, h.Port) }

// Target is the login user at this host.
func (h *Host) Target() remote.Target { return remote.Target{User: h.User, Host: h.IP, Port: h.Port} }

// Config is an remote Config for the login user with its key and
// the given known_hosts file.
func (h *Host) Config(knownHosts string) remote.Config {
	return remote.Config{Target: h.Target(), KnownHostsFile: knownHosts, IdentityFiles: []string{h.KeyPath},
		ConnectTimeout: 10 * time.Second}
}

// KnownHostsLine is the known_hosts line of the ed25519 host key.
func (h *Host) KnownHostsLine() string { return remote.KnownHostsLine(h.Addr(), h.HostKeys[0], false) }

// KnownHostsLines has one line per host key.
func (h *Host) KnownHostsLines() []string {
	var out []string
	for _, k := range h.HostKeys {
		out = append(out, remote.KnownHostsLine(h.Addr(), k, false))
	}
	return out
}

// KnownHostsFile writes the current host keys to Dir/known_hosts (mode
// 0600, replacing it) and returns its path.
func (h *Host) KnownHostsFile() string {
	p := filepath.Join(h.Dir, "known_hosts")
	testhost.WriteKnownHostsFile(h.t, p, h.KnownHostsLines()...)
	return p
}

// Path is where the container's path p is on this machine (under Root).
func (h *Host) Path(p string) string { return filepath.Join(h.Root, p) }
