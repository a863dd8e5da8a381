package benchnet

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/internal/srcdir"
	"github.com/tunduk-onboard/tunduk-onboard/internal/testcert"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// fleet is build/testhosts.sh's hosts made security servers in service
// for `status`: each host's sshd (on its namespace's loopback) behind a
// delaying relay on the host's address, a stub systemctl that finds
// every unit active, and an admin API of its own: one xroadtest fake
// per host, served on that host's 127.0.0.1:4000 as X-Road serves it,
// with a TLS certificate of its own at the same path on every host (a
// file bind-mounted in the host's mount namespace), read over SSH as
// the CLI reads /etc/xroad/ssl/proxy-ui-api.crt.
type fleet struct {
	dir     string // testhosts.sh's DIR: key, known_hosts, hosts.txt
	cert    string // the admin API certificate's path on every host
	profile string // the embedded profile, its data paths on this machine
	fakes   []*xroadtest.Server
}

const (
	fleetNet = "10.213.0." // build/testhosts.sh's network and names
	fleetNS  = "tob-h"
)

func startFleet(t *testing.T, n int, delay time.Duration) *fleet {
	t.Helper()
	root, err := srcdir.Root()
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	os.Chmod(base, 0o755)
	f := &fleet{dir: filepath.Join(base, "hosts"), cert: filepath.Join(base, "proxy-ui-api.crt")}
	stub, _ := testhost.StubSystemctl(t)
	keys := make([]tls.Certificate, n)
	for i := range keys {
		var pem []byte
		keys[i], pem = testcert.KeyPair(t, xroadtest.ServerName)
		writeFile(t, filepath.Join(base, fmt.Sprintf("api-%d.crt", i)), pem)
	}
	writeFile(t, f.cert, nil) // the mount point
	up := exec.Command(filepath.Join(root, "build/testhosts.sh"), "up", strconv.Itoa(n), f.dir)
	up.Env = append(os.Environ(), "TOB_SSHD_LOOPBACK=1",
		"TOB_BINDS="+stub+"=/usr/bin/systemctl "+filepath.Join(base, "api-{i}.crt")+"="+f.cert)
	if out, err := up.CombinedOutput(); err != nil {
		t.Fatalf("testhosts.sh up: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command(filepath.Join(root, "build/testhosts.sh"), "down", f.dir).Run() })

	// The OCSP responder and TSA the fakes name: an address that accepts,
	// on the bridge, so each host's network path finds it open.
	open := testhost.ServeTCP(t, fleetNet+"1:0", func(c net.Conn) { c.Close() })
	for i := range n {
		ns, ip := fleetNS+strconv.Itoa(i), fleetNet+strconv.Itoa(10+i)
		fake := xroadtest.Start(t)
		fake.Operate(t, 200)
		fake.SetOCSP("http://"+open, "")
		fake.SetTSAURL("http://" + open)
		f.fakes = append(f.fakes, fake)
		ln, err := Listen(ns, "127.0.0.1:4000")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: fake.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{keys[i]}}))
		t.Cleanup(func() { srv.Close() })
		relay(t, ns, ip+":22", delay)
	}
	f.profile = dataPathsProfile(t, base)
	return f
}

// relay puts a Relay on listen in ns, in front of the sshd on its loopback.
func relay(t *testing.T, ns, listen string, delay time.Duration) {
	t.Helper()
	ln, err := Listen(ns, listen)
	if err != nil {
		t.Fatal(err)
	}
	r := &Relay{Delay: delay, Dial: Dialer(ns, "127.0.0.1:22", 10*time.Second)}
	done := make(chan struct{})
	go func() { r.Serve(ln); close(done) }()
	t.Cleanup(func() { ln.Close(); <-done; r.Close() })
}

// dataPathsProfile is the embedded Tunduk profile with the data and
// archive paths at dir, which exists on every host (the filesystem is
// shared) with room above the 1 MiB asked.
func dataPathsProfile(t *testing.T, dir string) string {
	t.Helper()
	var p map[string]any
	raw, _ := assets.FS.ReadFile("profiles/tunduk.json")
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	h := p["health"].(map[string]any)
	h["data_paths"], h["archive_path"], h["min_free_bytes"] = []string{dir}, dir, 1<<20
	b, _ := json.Marshal(p)
	path := filepath.Join(dir, "profile.json")
	writeFile(t, path, b)
	return path
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// hostsFile writes the first n lines of hosts.txt to a file of its own.
func (f *fleet) hostsFile(t *testing.T, n int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.dir, "hosts.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSpace(string(b)), "\n")
	path := filepath.Join(f.dir, fmt.Sprintf("hosts-%d.txt", n))
	writeFile(t, path, []byte(strings.Join(lines[:n], "")+"\n"))
	return path
}

// status is the CLI's argv for status over the hosts in file.
func (f *fleet) status(cli, file string, more ...string) []string {
	return append([]string{cli, "status", "--hosts", file,
		"--identity", filepath.Join(f.dir, "id_ed25519"), "--known-hosts", filepath.Join(f.dir, "known_hosts"),
		"--admin-user", xroadtest.AdminUser, "--admin-password-stdin", "--admin-api-cert", f.cert,
		"--profile", f.profile}, more...)
}

// ran is one run of the CLI.
type ran struct {
	code      int
	out       []byte
	errOut    string
	wall, cpu time.Duration // cpu: the CLI's own, user and system
}

// run runs argv with the admin password on stdin, in a clean
// environment.
func run(t *testing.T, argv []string) ran {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(xroadtest.AdminPassword + "\n")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=en_US.UTF-8", "LC_ALL=en_US.UTF-8"}
	var errb strings.Builder
	cmd.Stderr = &errb
	start := time.Now()
	out, err := cmd.Output()
	wall := time.Since(start)
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("%s: %v", argv[0], err)
	}
	ps := cmd.ProcessState
	return ran{code: ps.ExitCode(), out: out, errOut: errb.String(), wall: wall, cpu: ps.UserTime() + ps.SystemTime()}
}

// hostsCPU is the CPU time of every host's sshd listener with its
// finished sessions and their commands (each waits for its children, so
// theirs is counted in its cutime and cstime once they have ended). It
// first waits, 5 s at most, for the sessions of the last run to end, so
// their time is counted with that run and not the next.
func (f *fleet) hostsCPU(t *testing.T) time.Duration {
	t.Helper()
	var ticks int64
	pids, _ := filepath.Glob(filepath.Join(f.dir, "h*", "sshd.pid"))
	deadline := time.Now().Add(5 * time.Second)
	for _, p := range pids {
		b, _ := os.ReadFile(p)
		pid := strings.TrimSpace(string(b))
		for time.Now().Before(deadline) {
			kids, _ := os.ReadFile("/proc/" + pid + "/task/" + pid + "/children")
			if len(strings.TrimSpace(string(kids))) == 0 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			t.Fatalf("sshd of %s: %v", p, err)
		}
		// Fields after the command's closing parenthesis: utime, stime,
		// cutime, cstime are the 14th to 17th of proc(5).
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		for _, v := range fields[11:15] {
			n, _ := strconv.ParseInt(v, 10, 64)
			ticks += n
		}
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}
