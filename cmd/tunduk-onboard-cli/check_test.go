package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"golang.org/x/crypto/ssh/knownhosts"
)

func cli(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return cliConfig(t, t.TempDir(), stdin, args...)
}

// cliConfig is cli with config as the user's config folder: logs and
// what a verb keeps by default go there, not into the real home.
func cliConfig(t *testing.T, config, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", config)
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func decodeReport(t *testing.T, s string) *checks.Report {
	t.Helper()
	var rep checks.Report
	if err := json.Unmarshal([]byte(s), &rep); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, s)
	}
	if rep.Schema != checks.Schema || rep.Facts == nil || len(rep.Results) == 0 {
		t.Fatalf("incomplete report: %+v", rep)
	}
	return &rep
}

func TestCheckLocalJSON(t *testing.T) {
	code, out, errOut := cli(t, "", "check", "--format", "json")
	if code == exitCannot {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rep := decodeReport(t, out)
	if !rep.Target.Local {
		t.Error("a check without --ssh must be of this machine")
	}
	if want := exitOK; rep.Summary.Fail > 0 {
		if code != exitFailed {
			t.Errorf("exit %d with %d failed rules, want 1", code, rep.Summary.Fail)
		}
	} else if code != want {
		t.Errorf("exit %d, want 0", code)
	}
}

// The remote check of this machine over a real sshd sees the same facts
// as the local check: the two collectors agree.
func TestCheckRemoteAgreesWithLocal(t *testing.T) {
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	var remote *checks.Report
	var diff []string
	// Tests of other packages start and stop sshds meanwhile: a listener
	// may come or go between the two collections, so retry before judging.
	for attempt := 0; attempt < 5; attempt++ {
		code, out, errOut := cli(t, "", "check", "--ssh", h.Target().String(), "--identity", h.ClientKeyPath,
			"--known-hosts", kh, "--format", "json")
		if code == exitCannot {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		remote = decodeReport(t, out)
		local, err := checks.CollectLocal(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		remoteFacts := *remote.Facts
		remoteFacts.Sudo = nil // only a remote check asks about sudo
		if diff = checks.CompareFacts(local, &remoteFacts); len(diff) == 0 {
			break
		}
	}
	if len(diff) > 0 {
		t.Errorf("local and remote facts differ:\n%s", strings.Join(diff, "\n"))
	}
	if remote.Target.Local || remote.Target.Host != h.Target().String() {
		t.Errorf("target %+v", remote.Target)
	}
	if remote.Facts.Sudo == nil || !remote.Facts.Sudo.IsRoot {
		t.Errorf("sudo fact %+v, want root", remote.Facts.Sudo)
	}
}

func TestCheckUnknownHostRefusedThenAccepted(t *testing.T) {
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := filepath.Join(t.TempDir(), "known_hosts")
	args := []string{"check", "--ssh", h.Target().String(), "--identity", h.ClientKeyPath, "--known-hosts", kh, "--format", "json"}
	code, _, errOut := cli(t, "", args...)
	if code != exitCannot || !strings.Contains(errOut, h.HostKeyFingerprint()) || !strings.Contains(errOut, "--accept-new-host-key") {
		t.Fatalf("unknown host: exit %d, stderr %q; want 2 with the fingerprint and how to accept it", code, errOut)
	}
	if _, err := os.Stat(kh); err == nil {
		if b, _ := os.ReadFile(kh); len(b) > 0 {
			t.Fatal("a refused host key was recorded")
		}
	}
	code, out, errOut := cli(t, "", append(args, "--accept-new-host-key")...)
	if code == exitCannot {
		t.Fatalf("accepted host: exit %d: %s", code, errOut)
	}
	decodeReport(t, out)
	if b, _ := os.ReadFile(kh); !bytes.Contains(b, []byte(h.HostKeys[0].Type())) {
		t.Errorf("accepted key not recorded: %q", b)
	}
}

func TestCheckChangedHostKeyAlwaysRefused(t *testing.T) {
	h := testhost.StartSSHD(t, testhost.Options{})
	other := testhost.StartSSHD(t, testhost.Options{})
	// known_hosts says h has other's key: what a man in the middle looks like.
	kh := testhost.WriteKnownHosts(t, knownhosts.Line([]string{knownhosts.Normalize(h.Addr())}, other.HostKeys[0]))
	before, _ := os.ReadFile(kh)
	code, out, errOut := cli(t, "", "check", "--ssh", h.Target().String(), "--identity", h.ClientKeyPath,
		"--known-hosts", kh, "--accept-new-host-key")
	if code != exitCannot || !strings.Contains(strings.ToLower(out+errOut), "changed") {
		t.Fatalf("changed key: exit %d, out %q err %q; want 2 and a warning", code, out, errOut)
	}
	if after, _ := os.ReadFile(kh); !bytes.Equal(before, after) {
		t.Error("known_hosts was changed")
	}
}

// Several hosts are checked at once; one unreachable host makes exit 2
// and is named in the summary table, the others are still reported.
func TestCheckSeveralHosts(t *testing.T) {
	a := testhost.StartSSHD(t, testhost.Options{})
	b := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, a.KnownHostsLine(), b.KnownHostsLine())
	hosts := filepath.Join(t.TempDir(), "hosts.txt")
	os.WriteFile(hosts, []byte("# lab\n"+b.Target().String()+"\nroot@127.0.0.1:1 # nothing listens here\n"), 0o600)
	code, out, errOut := cli(t, "", "check", "--ssh", a.Target().String(), "--hosts", hosts,
		"--identity", a.ClientKeyPath, "--identity", b.ClientKeyPath, "--known-hosts", kh, "--lang", "ru")
	if code != exitCannot {
		t.Errorf("exit %d, want 2 (one host could not be checked); stderr %s", code, errOut)
	}
	for _, want := range []string{a.Target().String(), b.Target().String(), "root@127.0.0.1:1", "не удалось проверить", "Итог"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "Проверка готовности сервера безопасности") != 2 {
		t.Errorf("want two Russian reports:\n%s", out)
	}
}

func TestCheckHTMLToFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.html")
	code, out, errOut := cli(t, "", "check", "--format", "html", "--output", path, "--lang", "ky")
	if code == exitCannot {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	page, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(page, []byte("Коопсуздук серверинин даярдыгын текшерүү")) || out != "" {
		t.Errorf("html report: err %v, %d bytes, stdout %q", err, len(page), out)
	}
}

func TestCheckUsageErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(bad, []byte(`{"name": "x", "thresholds": {"min_cores": "two"}}`), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "hunter2"}, "never taken from the command line"},
		{[]string{"check", "--format", "xml"}, "--format"},
		{[]string{"check", "--lang", "de"}, "--lang"},
		{[]string{"check", "--ssh", "nohost"}, "USER@HOST"},
		{[]string{"check", "--public-ip", "1.2.3"}, "--public-ip"},
		{[]string{"check", "--profile", bad}, "thresholds.min_cores"},
		{[]string{"frobnicate"}, `"frobnicate" is not a command of tunduk-onboard-cli.`},
		// The flag package's own errors, in the user's language, with
		// where the help is, and no full help dumped.
		{[]string{"check", "--lang", "ru", "--bogus"}, "Неизвестный параметр --bogus.\nПараметры и их значения: tunduk-onboard-cli check -h\n"},
		{[]string{"server", "csr", "--lang=ky", "--sign-on-server=maybe"}, "--sign-on-server параметри «maybe» маанисин кабыл албайт."},
		{[]string{"server", "init", "--lang", "en", "--timeout"}, "The option --timeout needs a value after it."},
		{[]string{"token", "init", "--lang", "ru", "hunter2"}, "(3-й; здесь он не повторяется)"},
		{[]string{"install", "--lang", "ru"}, "ошибка: install работает ровно с одним сервером"},
	} {
		code, _, errOut := cli(t, "", c.args...)
		if code != exitCannot || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 mentioning %q", c.args, code, errOut, c.want)
		}
		if strings.Contains(errOut, "hunter2") || (len(c.args) > 1 && strings.Contains(errOut, "Usage:")) {
			t.Errorf("%v: the stray argument or the whole help was printed: %q", c.args, errOut)
		}
	}
}

// The CLI runs on headless servers: nothing in its build may pull Fyne
// (and with it OpenGL and X11).
func TestCLIHasNoFyne(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "fyne.io/") || strings.Contains(dep, "go-gl") {
			t.Errorf("the CLI depends on %s", dep)
		}
	}
}

// --output /dev/null must write into the device, never rename over it.
func TestCheckOutputToDevice(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := exec.Command("mkfifo", fifo).Run(); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte)
	go func() { b, _ := os.ReadFile(fifo); got <- b }()
	code, _, errOut := cli(t, "", "check", "--format", "json", "--output", fifo)
	if code == exitCannot {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	decodeReport(t, string(<-got))
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", st.Mode(), err)
	}
}

// A non-root user logs in with --password-stdin; the password never
// reaches the report, the output or the log file, and sudo is judged.
func TestCheckPasswordStdinKeepsTheSecret(t *testing.T) {
	h := testhost.StartSSHD(t, testhost.Options{PasswordAuth: true})
	name, pw := testhost.AddUser(t)
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	logs := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", logs)
	var out, errb bytes.Buffer
	code := run([]string{"check", "--ssh", h.TargetAs(name).String(), "--password-stdin", "--known-hosts", kh,
		"--format", "json", "--verbose"}, strings.NewReader(pw+"\n"), &out, &errb)
	if code == exitCannot {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	rep := decodeReport(t, out.String())
	if s := rep.Facts.Sudo; s == nil || s.IsRoot || s.User != name {
		t.Errorf("sudo fact %+v, want the non-root user %s", s, name)
	}
	var logText []byte
	filepath.Walk(logs, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			logText = append(logText, b...)
		}
		return nil
	})
	if len(logText) == 0 {
		t.Error("no log file was written")
	}
	for what, s := range map[string]string{"report": out.String(), "stderr": errb.String(), "log": string(logText)} {
		if strings.Contains(s, pw) {
			t.Errorf("the password reached the %s", what)
		}
	}
	// A wrong password: exit 2, a clear message, still no secret.
	code, _, errOut := cli(t, "wrong-"+pw+"\n", "check", "--ssh", h.TargetAs(name).String(), "--password-stdin",
		"--known-hosts", kh, "--format", "json")
	if code != exitCannot || !strings.Contains(errOut, "authentication") || strings.Contains(errOut, pw) {
		t.Errorf("wrong password: exit %d, stderr %q", code, errOut)
	}
}

// The server self-check is built without cgo (static, any glibc): the
// verbs that need the PKCS#11 loader must stay out of that build.
func TestCLIBuildsWithoutCgo(t *testing.T) { staticCLI(t) }

// static is the CLI built without cgo, once per test binary: the end-to-end
// install runs it on its host (install_e2e_test.go).
var static struct {
	once sync.Once
	bin  string
	err  error
}

// staticCLI builds the CLI as it goes onto a server (CGO_ENABLED=0) and
// returns its path.
func staticCLI(t *testing.T) string {
	t.Helper()
	static.once.Do(func() {
		static.bin = filepath.Join(testDir, "tunduk-onboard-cli")
		cmd := exec.Command("go", "build", "-o", static.bin, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			static.err = fmt.Errorf("CGO_ENABLED=0 build: %v\n%s", err, out)
		}
	})
	if static.err != nil {
		t.Fatal(static.err)
	}
	return static.bin
}
