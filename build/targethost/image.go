// Package targethost boots real Debian bookworm "servers" for installer
// end-to-end tests: a root filesystem built once with mmdebstrap, booted
// per test with systemd-nspawn (systemd as PID 1, sshd, password sudo) in
// its own network namespace on a private bridge, with apt reaching the
// Debian mirror through a relay on the bridge. It also builds stand-in
// X-Road packages (StandinDebs), since the real ones cannot be fetched.
//
// The recipe is the one measured in /work/shared/TESTING.md ("A real
// remote server with systemd"). Everything needs root; without it (or
// without mmdebstrap, systemd-container, zstd, socat) tests skip, and fail
// when CI=true.
//
// Typical use in an installer end-to-end test:
//
//	h := targethost.Start(t, targethost.Options{})
//	cfg := h.Config(h.KnownHostsFile()) // remote, key auth
//	steps, _ := installer.Plan(profile, nil, installer.Options{
//		PackagesDir: targethost.StandinDebs(t), Hostname: h.Hostname, Address: h.IP, ...})
//	r := &installer.Runner{Conn: ..., Sudo: func() (string, error) { return h.Password, nil }}
//	h.RootExec(ctx, "cat "+targethost.DebconfRecord) // inspect as root without SSH
//	h.CutSSH()                                     // drop the runner's connection mid-step
//
// Hosts of parallel tests (and of test binaries running at the same time)
// share one bridge and one relay; each has its own namespace, address and
// root copy, all removed in t.Cleanup.
package targethost

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// CacheDir holds the image, the shared network state and their locks. It
// outlives a test run on purpose: the image is reused by later runs.
var CacheDir = "/var/tmp/tunduk-onboard-targethost"

// Suite is the Debian release of the image.
const Suite = "bookworm"

// Include is what the image holds beyond minbase: enough to boot with
// systemd, log in over SSH, use password sudo and fetch over HTTPS, plus
// procps and psmisc, which every Ubuntu server has and the installer's
// runner relies on (fuser for the dpkg lock), and python3, which every
// Ubuntu server has too and Ansible's modules need (the exported project,
// installer/ansible).
var Include = []string{"systemd", "systemd-sysv", "dbus", "openssh-server", "sudo",
	"iproute2", "locales", "curl", "ca-certificates", "procps", "psmisc", "python3"}

// imageMaxAge bounds how stale a cached image may get before it is
// rebuilt, so packages installed later in a test do not drift too far from
// what the image holds.
const imageMaxAge = 7 * 24 * time.Hour

// tools maps each command this package runs to its Debian package.
var tools = map[string]string{
	"mmdebstrap": "mmdebstrap", "systemd-nspawn": "systemd-container", "zstd": "zstd",
	"socat": "socat", "ip": "iproute2", "ss": "iproute2", "nsenter": "util-linux",
	"unshare": "util-linux", "tar": "tar", "chroot": "coreutils", "dpkg-deb": "dpkg",
}

// require skips the test (or fails it in CI, where a skip would hide a
// broken setup) when not root or when a tool is missing.
func require(t testing.TB) {
	t.Helper()
	stop := t.Skipf
	if os.Getenv("CI") == "true" {
		stop = t.Fatalf
	}
	if os.Geteuid() != 0 {
		stop("targethost: needs root (network namespaces, systemd-nspawn)")
	}
	var missing []string
	seen := map[string]bool{}
	for cmd, pkg := range tools {
		if _, err := exec.LookPath(cmd); err != nil && !seen[pkg] {
			seen[pkg] = true
			missing = append(missing, pkg)
		}
	}
	if len(missing) > 0 {
		stop("targethost: missing tools: apt-get install %s (build/deps.sh has them)", strings.Join(missing, " "))
	}
}

// Mirror is the Debian mirror URL the machine's apt uses (sources.list or
// deb822 .sources), http://deb.debian.org/debian when none is found.
func Mirror() string {
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*")
	files = append([]string{"/etc/apt/sources.list"}, files...)
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			for _, w := range strings.Fields(sc.Text()) {
				// The main archive, not debian-security or a snapshot comment.
				if strings.HasPrefix(w, "http://") && strings.HasSuffix(strings.TrimSuffix(w, "/"), "/debian") {
					fh.Close()
					return strings.TrimSuffix(w, "/")
				}
			}
		}
		fh.Close()
	}
	return "http://deb.debian.org/debian"
}

// Image returns the path of the root filesystem tarball (.tar.zst),
// building it on first use (about a minute). The cache is keyed by suite,
// mirror and include list; a file lock lets test binaries that run in
// parallel share one build.
func Image(t testing.TB) string {
	t.Helper()
	require(t)
	mirror := Mirror()
	sum := sha256.Sum256([]byte(Suite + "\n" + mirror + "\n" + strings.Join(Include, ",")))
	path := filepath.Join(CacheDir, "image-"+hex.EncodeToString(sum[:6])+".tar.zst")
	unlock := lockFile(t, filepath.Join(CacheDir, "image.lock"))
	defer unlock()
	if st, err := os.Stat(path); err == nil && time.Since(st.ModTime()) < imageMaxAge {
		return path
	}
	start := time.Now()
	tmp := strings.TrimSuffix(path, ".tar.zst") + ".tmp.tar.zst"
	os.Remove(tmp)
	cmd := exec.Command("mmdebstrap", "--variant=minbase", "--include="+strings.Join(Include, ","),
		"--quiet", Suite, tmp, mirror)
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		t.Fatalf("targethost: mmdebstrap: %v\n%s", err, tail(string(out), 4000))
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	t.Logf("targethost: built image %s in %s", path, time.Since(start).Round(100*time.Millisecond))
	// Images of other include lists pile up otherwise. An hour's grace
	// spares one that a test binary of an older checkout is extracting.
	old, _ := filepath.Glob(filepath.Join(CacheDir, "image-*.tar.zst"))
	for _, o := range old {
		if st, err := os.Stat(o); err == nil && o != path && time.Since(st.ModTime()) > time.Hour {
			os.Remove(o)
		}
	}
	return path
}

// lockFile takes an exclusive flock on path (created if missing) and
// returns its release. A crashed holder releases it with its process.
func lockFile(t testing.TB, path string) func() {
	t.Helper()
	f, err := openLock(path)
	if err != nil {
		t.Fatalf("targethost: lock %s: %v", path, err)
	}
	return func() { f.Close() }
}

func openLock(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
