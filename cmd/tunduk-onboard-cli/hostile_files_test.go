package main

// Every file flag of every verb, given what a careless or hostile user
// may give: /dev/zero, a FIFO nobody writes to, a folder, and a file of
// 200 MB. The real binary must refuse each at once, naming the file and
// why (with the limit for the large one), exit 2, and stay small: its
// peak memory is measured with /usr/bin/time.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

const (
	// hostileMemKB bounds the peak memory of one refused run (a run of
	// the CLI that reads nothing big stays near 15 MB).
	hostileMemKB = 100 << 10
	// hostileTime bounds one refused run.
	hostileTime = 20 * time.Second
)

// cgoCLI is the CLI built as a user runs it (with cgo: the token verbs),
// once per test binary.
var cgoCLI struct {
	once sync.Once
	bin  string
	err  error
}

func builtCLI(t *testing.T) string {
	t.Helper()
	cgoCLI.once.Do(func() {
		cgoCLI.bin = filepath.Join(testDir, "tunduk-onboard-cli-cgo")
		if out, err := exec.Command("go", "build", "-o", cgoCLI.bin, ".").CombinedOutput(); err != nil {
			cgoCLI.err = err
			t.Logf("%s", out)
		}
	})
	if cgoCLI.err != nil {
		t.Fatal(cgoCLI.err)
	}
	return cgoCLI.bin
}

// hostileRun runs the binary under /usr/bin/time with a deadline and
// returns the exit code, stderr and peak memory in KB.
func hostileRun(t *testing.T, env []string, args ...string) (int, string, int) {
	t.Helper()
	m := timedCLI(t, env, args...)
	if m.killed {
		t.Fatalf("%v: still running after %v", args, m.took)
	}
	return m.code, m.stderr, m.maxRSS
}

func TestEveryFileFlagRefusesDevicesFIFOsFoldersAndHugeFiles(t *testing.T) {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		t.Fatal("/usr/bin/time is missing: build/deps.sh installs the package time")
	}
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	os.MkdirAll(home, 0o700)
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "SSH_AUTH_SOCK=")
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder")
	os.Mkdir(folder, 0o700)
	// Sparse: 200 MB to read, none on disk.
	huge := filepath.Join(dir, "huge")
	if f, err := os.Create(huge); err != nil || f.Truncate(200<<20) != nil || f.Close() != nil {
		t.Fatal(err)
	}
	csr := writeCSR(t, filepath.Join(dir, "auth.der"), "SS1", false)
	store := filepath.Join(dir, "store")
	out := filepath.Join(dir, "out")
	ssh := []string{"--ssh", "root@127.0.0.1"}
	ids := []string{"--member-class", "GOV", "--member-code", "70000001", "--server-code", "SS1"}
	sub := []string{"--member-class", "GOV", "--member-code", "70000001", "--name", "Org", "--server-code", "SS1",
		"--server-address", "93.184.216.34", "--store", store}
	cat := func(parts ...[]string) []string {
		var a []string
		for _, p := range parts {
			a = append(a, p...)
		}
		return a
	}
	// Each case: the verb's arguments with F where the file goes, and the
	// cap that file kind has.
	for _, c := range []struct {
		name  string
		args  []string
		limit int64
	}{
		{"check --profile", []string{"check", "--profile", "F"}, readcap.Profile},
		{"install --profile", cat([]string{"install", "--dry-run", "--profile", "F"}, ssh), readcap.Profile},
		{"record --profile", []string{"record", "print", "--output", out + ".html", "--profile", "F"}, readcap.Profile},
		{"record --record", []string{"record", "print", "--output", out + ".html", "--record", "F"}, readcap.Record},
		{"server --profile", cat([]string{"server", "status", "--profile", "F"}, ssh, ids), readcap.Profile},
		{"server init --anchor", cat([]string{"server", "init", "--anchor", "F"}, ssh, ids), readcap.Anchor},
		{"server import --csr", cat([]string{"server", "import", "--csr", "F"}, ssh, ids, []string{csr}), readcap.CSR},
		{"server import CERT", cat([]string{"server", "import", "--csr", csr}, ssh, ids, []string{"F"}), readcap.Certificate},
		{"check --hosts", cat([]string{"check", "--hosts", "F"}, ssh), readcap.HostsList},
		{"check --identity", cat([]string{"check", "--identity", "F"}, ssh), readcap.Key},
		{"check --known-hosts", cat([]string{"check", "--known-hosts", "F"}, ssh), readcap.KnownHosts},
		{"submit --auth-csr", cat([]string{"submit", "--via", "folder", "--out", out, "--auth-csr", "F", "--sign-csr-later"}, sub), readcap.CSR},
		{"submit --sign-csr", cat([]string{"submit", "--via", "folder", "--out", out, "--sign-csr", "F", "--auth-csr-later"}, sub), readcap.CSR},
		{"submit --report", cat([]string{"submit", "--via", "folder", "--out", out, "--auth-csr", csr, "--sign-csr-later", "--report", "F"}, sub), readcap.Report},
		{"submit --tls-ca", cat([]string{"submit", "--via", "https", "--url", "https://intake.example/", "--auth-csr", csr, "--sign-csr-later", "--tls-ca", "F"}, sub), readcap.CABundle},
		{"submit flush --tls-ca", []string{"submit", "flush", "--store", store, "--tls-ca", "F"}, readcap.CABundle},
		{"submit --profile", []string{"submit", "list", "--store", store, "--profile", "F"}, readcap.Profile},
		{"token --profile", []string{"token", "list", "--profile", "F"}, readcap.Profile},
	} {
		for _, k := range []struct {
			kind, path, lang string
			err              error
		}{
			{"/dev/zero", "/dev/zero", "en", &readcap.Error{Err: readcap.ErrNotRegular}},
			{"fifo", fifo, "en", &readcap.Error{Err: readcap.ErrNotRegular}},
			{"folder", folder, "en", &os.PathError{Err: syscall.EISDIR}},
			{"huge", huge, "en", &readcap.Error{Limit: c.limit, Err: readcap.ErrTooLarge}},
			{"huge ru", huge, "ru", &readcap.Error{Limit: c.limit, Err: readcap.ErrTooLarge}},
			{"fifo ky", fifo, "ky", &readcap.Error{Err: readcap.ErrNotRegular}},
		} {
			t.Run(c.name+"/"+k.kind, func(t *testing.T) {
				args := append([]string(nil), c.args...)
				for i, a := range args {
					if a == "F" {
						args[i] = k.path
					}
				}
				builtCLI(t)
				start := time.Now()
				code, stderr, kb := hostileRun(t, env, append(args, "--lang", k.lang)...)
				took := time.Since(start)
				reason := i18n.FileReason(k.lang, k.err)
				if code != exitCannot || !strings.Contains(stderr, k.path) || !strings.Contains(stderr, reason) {
					t.Errorf("exit %d, want %d; stderr lacks %q or %q:\n%s", code, exitCannot, k.path, reason, stderr)
				}
				if kb > hostileMemKB {
					t.Errorf("peak memory %d KB, bound %d KB", kb, hostileMemKB)
				}
				if took > 5*time.Second {
					t.Errorf("took %v", took)
				}
				t.Logf("%d KB, %v", kb, took.Round(time.Millisecond))
			})
		}
	}
}
