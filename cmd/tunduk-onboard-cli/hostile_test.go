package main

// The readiness check against hostile servers: a real sshd whose forced
// commands (authorized_keys command=) stall after the login, trickle a
// byte a second, flood, or answer the probe with escape sequences and
// bytes that are not UTF-8 in every section, or with nothing at all. The
// real CLI binary runs under /usr/bin/time: each case asserts the exit
// code, that it ended in bounded time and memory, and what it said.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/checks/checkstest"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	gossh "golang.org/x/crypto/ssh"
)

// A stalled server is given --timeout 2s here; the bounds of a run are
// hostileTime and hostileMemKB (hostile_files_test.go), generous.
const hostileTimeout = "2s"

// hostileServer is one sshd; each behaviour is a key whose login runs a
// forced command.
type hostileServer struct {
	h    *testhost.Host
	kh   string
	keys map[string]string // behaviour -> identity file
}

func startHostile(t *testing.T, opts testhost.Options, behaviours map[string]string) *hostileServer {
	t.Helper()
	s := &hostileServer{h: testhost.StartSSHD(t, opts), keys: map[string]string{}}
	s.kh = testhost.WriteKnownHosts(t, s.h.KnownHostsLine())
	var lines []byte
	for name, cmd := range behaviours {
		key, err := testhost.GenerateKey("ed25519")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(s.h.Dir, "id-"+name)
		if err := testhost.WritePrivateKey(path, key, ""); err != nil {
			t.Fatal(err)
		}
		pub, err := gossh.NewPublicKey(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, []byte(`command="`+cmd+`",no-pty `)...)
		lines = append(lines, gossh.MarshalAuthorizedKey(pub)...)
		s.keys[name] = path
	}
	f, err := os.OpenFile(s.h.AuthorizedKeysPath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(lines); err != nil {
		t.Fatal(err)
	}
	return s
}

// args are check's arguments for behaviour (its key alone); more starting
// with "install" makes them install's.
func (s *hostileServer) args(behaviour string, more ...string) []string {
	verb := []string{"check"}
	if len(more) > 0 && more[0] == "install" {
		verb, more = more[:1], more[1:]
	}
	return append(append(verb, "--ssh", s.h.Target().String(), "--identity", s.keys[behaviour], "--known-hosts", s.kh,
		"--timeout", hostileTimeout), more...)
}

// measured is one run of the real CLI binary.
type measured struct {
	code           int
	stdout, stderr string
	took           time.Duration
	killed         bool // still running after hostileTime
	maxRSS         int  // KiB, as time's %M counts
	logs           string
}

// hostileEnv is a clean environment for one run, its logs under dir.
func hostileEnv(dir string) []string {
	return []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"LANG=C.UTF-8", "NO_COLOR=1", "SSH_AUTH_SOCK="}
}

// timedCLI runs the CLI as a user runs it under /usr/bin/time, in env, in
// a process group of its own killed whole (by its id) after hostileTime:
// a CLI that hangs fails the test instead of holding it. The logs are
// read from env's XDG_CONFIG_HOME.
func timedCLI(t *testing.T, env []string, args ...string) measured {
	t.Helper()
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		t.Fatal("/usr/bin/time is missing: build/deps.sh installs the package time")
	}
	memFile := filepath.Join(t.TempDir(), "rss")
	cmd := boundedCommand(t, hostileTime, "/usr/bin/time", append([]string{"-f", "%M", "-o", memFile, builtCLI(t)}, args...)...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	m := measured{stdout: out.String(), stderr: errb.String(), took: time.Since(start), killed: cmd.ProcessState != nil && !cmd.ProcessState.Exited()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		m.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if m.killed {
		return m
	}
	// The last line: before it, time says how the command exited.
	b, _ := os.ReadFile(memFile)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if m.maxRSS, err = strconv.Atoi(lines[len(lines)-1]); err != nil {
		t.Fatalf("/usr/bin/time wrote %q", b)
	}
	for _, e := range env {
		if dir, ok := strings.CutPrefix(e, "XDG_CONFIG_HOME="); ok {
			filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
				if err == nil && !info.IsDir() {
					b, _ := os.ReadFile(p)
					m.logs += string(b)
				}
				return nil
			})
		}
	}
	return m
}

// boundedCommand is name args in a process group of its own, killed
// whole (by its id) after d.
func boundedCommand(t *testing.T, d time.Duration, name string, args ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}

// bounded fails when the run took or used more than the bounds, or did
// not end with code.
func (m measured) bounded(t *testing.T, code int) {
	t.Helper()
	t.Logf("exit %d in %v, max RSS %d KiB", m.code, m.took.Round(time.Millisecond), m.maxRSS)
	if m.code != code {
		t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", m.code, code, m.stdout, m.stderr)
	}
	if m.killed || m.took > hostileTime {
		t.Errorf("took %v, more than %v", m.took, hostileTime)
	}
	if m.maxRSS > hostileMemKB {
		t.Errorf("max RSS %d KiB, more than %d", m.maxRSS, hostileMemKB)
	}
	for what, s := range map[string]string{"stdout": m.stdout, "stderr": m.stderr, "log": m.logs} {
		noControls(t, what, s)
	}
}

// says fails unless the output holds every want.
func (m measured) says(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(m.stdout+m.stderr, w) {
			t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", w, m.stdout, m.stderr)
		}
	}
}

func noControls(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s is not valid UTF-8", what)
	}
	for _, c := range checkstest.Controls {
		if i := strings.Index(s, c); i >= 0 {
			t.Errorf("%s holds %q: ...%q...", what, c, s[max(0, i-60):min(len(s), i+60)])
		}
	}
}

func TestCheckHostileServer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	probe := filepath.Join(dir, "hostile-probe.txt")
	empty := filepath.Join(dir, "empty-probe.txt")
	os.WriteFile(probe, checkstest.HostileProbe(), 0o644)
	os.WriteFile(empty, checkstest.EmptyProbe(), 0o644)
	// What each key's login runs instead of the probe. A stalled one ends
	// by itself soon after the test: OpenSSH delivers no signal to a root
	// session, and nothing here is killed by name.
	s := startHostile(t, testhost.Options{}, map[string]string{
		"stall":   "sleep 20",
		"trickle": "while :; do printf x; sleep 1; done",
		"flood":   "yes",
		"flood2":  "cat /dev/zero >&2",
		"escapes": "cat " + probe,
		"empty":   "cat " + empty,
		"error":   `printf 'boom\033[2J\033]0;pwned\007\377\n' >&2; exit 3`,
	})
	for _, c := range []struct {
		name, key string
		args      []string
		code      int
		want      []string
	}{
		{"stall", "stall", nil, exitCannot, []string{"accepted the login, then stalled", "within 2 s", "--timeout"}},
		{"stall-ru", "stall", []string{"--lang", "ru"}, exitCannot, []string{"принял вход, а затем завис", "за 2 с"}},
		{"stall-ky", "stall", []string{"--lang", "ky"}, exitCannot, []string{"кабыл алып, андан кийин катып калды", "2 секунд ичинде"}},
		{"stall-json", "stall", []string{"--format", "json"}, exitCannot, []string{"then stalled", `"error": "running the probe: the host did not finish the command within 2s`}},
		{"trickle", "trickle", nil, exitCannot, []string{"then stalled", "within 2 s"}},
		{"flood", "flood", nil, exitCannot, []string{"sent more than 4 MiB in answer to the check", "the host sent more than 4 MiB on stdout"}},
		{"flood-stderr", "flood2", nil, exitCannot, []string{"sent more than 4 MiB", "on stderr"}},
		{"empty", "empty", nil, exitCannot, []string{"answer to the check was unusable", "no rule could decide"}},
		{"empty-json", "empty", []string{"--format", "json"}, exitCannot, []string{"was unusable"}},
		{"error", "error", []string{"--verbose"}, exitCannot, []string{"exited with status 3: boom)"}},
		// A server that can be judged, whose every section carries escapes:
		// exit 1 (its public address fails), everything shown clean.
		{"escapes", "escapes", nil, exitFailed, []string{"Xeon2J", "Rutoken2J", "(ev)"}},
		{"escapes-ru", "escapes", []string{"--lang", "ru"}, exitFailed, []string{"Xeon2J"}},
		{"escapes-json", "escapes", []string{"--format", "json"}, exitFailed, []string{`"hostname": "ss12Jevil"`}},
		{"escapes-html", "escapes", []string{"--format", "html", "--lang", "ky"}, exitFailed, []string{"Xeon2J"}},
		// install --dry-run checks the server first, under the same bounds.
		{"install-stall", "stall", []string{"install", "--dry-run"}, exitCannot, []string{"then stalled", "within 2 s"}},
		{"install-flood", "flood", []string{"install", "--dry-run", "--lang", "ru"}, exitCannot, []string{"больше 4 МиБ"}},
		{"install-empty", "empty", []string{"install", "--dry-run"}, exitCannot, []string{"was unusable"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := timedCLI(t, hostileEnv(t.TempDir()), s.args(c.key, c.args...)...)
			m.bounded(t, c.code)
			m.says(t, c.want...)
			if strings.Contains(c.name, "json") && !json.Valid([]byte(m.stdout)) {
				t.Errorf("not one JSON document: %s", m.stdout)
			}
		})
	}
}

// Several servers, one stalled: the others' reports are printed as each
// is done, long before the stalled one gives up; the table keeps the
// order given; a JSON run is one document with every server.
func TestCheckStalledServerHoldsNoOther(t *testing.T) {
	t.Parallel()
	stalled := testhost.StartSSHD(t, testhost.Options{ExtraConfig: []string{"ForceCommand sleep 20"}})
	good := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, stalled.KnownHostsLine(), good.KnownHostsLine())
	args := []string{"check", "--ssh", stalled.Target().String(), "--ssh", good.Target().String(),
		"--identity", stalled.ClientKeyPath, "--identity", good.ClientKeyPath, "--known-hosts", kh, "--timeout", "4s"}
	t.Run("text", func(t *testing.T) {
		t.Parallel()
		streamedInOrderDone(t, args, stalled.Target().String(), good.Target().String())
	})
	t.Run("json", func(t *testing.T) {
		t.Parallel()
		m := timedCLI(t, hostileEnv(t.TempDir()), append(args, "--format", "json")...)
		m.bounded(t, exitCannot)
		var doc struct {
			Hosts []hostResult `json:"hosts"`
		}
		if err := json.Unmarshal([]byte(m.stdout), &doc); err != nil || len(doc.Hosts) != 2 {
			t.Fatalf("not one document of two hosts (%v): %s", err, m.stdout)
		}
		if doc.Hosts[0].Host != stalled.Target().String() || !strings.Contains(doc.Hosts[0].Error, "within 4s") || doc.Hosts[1].Report == nil {
			t.Errorf("hosts %+v", doc.Hosts)
		}
	})
}

// streamedInOrderDone runs check on the stalled and the good server, in
// that order, and reads its output as it comes: the good report first,
// long before the stall's end; the table in the order given.
func streamedInOrderDone(t *testing.T, args []string, stalled, good string) {
	cmd := boundedCommand(t, hostileTime, builtCLI(t), args...)
	cmd.Env = hostileEnv(t.TempDir())
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var goodAt, stalledAt time.Duration
	var out strings.Builder
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		switch {
		case goodAt == 0 && strings.HasSuffix(line, ": "+good):
			goodAt = time.Since(start)
		case stalledAt == 0 && strings.HasPrefix(line, stalled+": "):
			stalledAt = time.Since(start)
		}
	}
	err = cmd.Wait()
	took := time.Since(start)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitCannot {
		t.Errorf("exit %v, want 2", err)
	}
	t.Logf("good report after %v, the stalled one after %v, all after %v", goodAt, stalledAt, took)
	if goodAt == 0 || goodAt > 3*time.Second || stalledAt < 4*time.Second || took > hostileTime {
		t.Errorf("good report at %v, stalled at %v (want the good one first, before the stall's 4s), took %v:\n%s", goodAt, stalledAt, took, out.String())
	}
	table := out.String()[strings.LastIndex(out.String(), "\n"+i18n.T("en", "cli.summary_title", nil)+"\n")+1:]
	if i, j := strings.Index(table, stalled), strings.Index(table, good); i < 0 || j < i {
		t.Errorf("the table does not keep the order given:\n%s", table)
	}
}

// A file the checking user may not read (the server's /etc/os-release,
// 0600 root's in sshd's own mount namespace) is told as permission
// denied in text, JSON and HTML, in each language: by the real probe.
func TestCheckUnreadableFileSaysPermission(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "os-release")
	if err := os.WriteFile(secret, []byte("ID=ubuntu\nVERSION_ID=\"22.04\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := testhost.StartSSHD(t, testhost.Options{Binds: [][2]string{{secret, "/etc/os-release"}}})
	name, _ := testhost.AddUser(t)
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	base := []string{"check", "--ssh", h.TargetAs(name).String(), "--identity", h.ClientKeyPath, "--known-hosts", kh}
	words := map[string]string{"en": "permission denied for the checking user", "ru": "доступ запрещён", "ky": "кирүүгө тыюу салынган"}
	for _, lang := range []string{"en", "ru", "ky"} {
		code, out, errOut := cli(t, "", append(base, "--lang", lang)...)
		if code == exitCannot || !strings.Contains(out, words[lang]) || !strings.Contains(out, "/etc/os-release") {
			t.Errorf("%s: exit %d\n%s%s", lang, code, out, errOut)
		}
	}
	code, out, _ := cli(t, "", append(base, "--format", "json")...)
	rep := decodeReport(t, out)
	for _, r := range rep.Results {
		if r.ID == "os.release" && (r.Status != "unknown" || !strings.Contains(r.Fix.EN, "permission denied") || !strings.Contains(r.Fix.KY, words["ky"])) {
			t.Errorf("exit %d, os.release %+v", code, r)
		}
	}
	if got := rep.Facts.Unreadable["os"]; len(got) == 0 || got[0] != "/etc/os-release" {
		t.Errorf("facts.unreadable %v", rep.Facts.Unreadable)
	}
	page := filepath.Join(t.TempDir(), "r.html")
	cli(t, "", append(base, "--format", "html", "--output", page, "--lang", "ru")...)
	if b, _ := os.ReadFile(page); !strings.Contains(string(b), words["ru"]) {
		t.Errorf("the HTML report does not say permission denied")
	}
}
