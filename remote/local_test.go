//go:build linux

package remote_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// Run on this computer answers as an SSH exec does: output, exit status
// with stderr's tail, stdin, and a shell that is its own session (no
// terminal) with a clean environment.
func TestLocalRun(t *testing.T) {
	l := &remote.Local{}
	ctx := context.Background()
	out, errb, err := l.Run(ctx, "echo out; echo err >&2", nil)
	if err != nil || string(out) != "out\n" || string(errb) != "err\n" {
		t.Fatalf("Run = %q, %q, %v", out, errb, err)
	}
	out, _, err = l.Run(ctx, "cat; echo", strings.NewReader("from stdin"))
	if err != nil || string(out) != "from stdin\n" {
		t.Fatalf("stdin: %q, %v", out, err)
	}
	out, _, err = l.Run(ctx, "echo partial; echo why >&2; exit 3", nil)
	var ee *remote.ExitError
	if !errors.As(err, &ee) || ee.Code != 3 || string(ee.Stderr) != "why\n" || string(out) != "partial\n" {
		t.Fatalf("exit 3: %q, %#v", out, err)
	}
	_, _, err = l.Run(ctx, "kill -TERM $$", nil)
	if !errors.As(err, &ee) || ee.Code != 128+int(syscall.SIGTERM) || ee.Signal != "TERM" {
		t.Fatalf("killed: %#v", err)
	}

	// The program's environment stays out (a desktop session's SSH agent,
	// its locale): the commands see what an SSH login gives.
	t.Setenv("TUNDUK_LOCAL_TEST_LEAK", "leaked")
	out, _, err = l.Run(ctx, `echo "${TUNDUK_LOCAL_TEST_LEAK-clean} $LANG $PATH"`, nil)
	if err != nil || strings.TrimSpace(string(out)) != "clean C.UTF-8 /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" {
		t.Fatalf("environment: %q, %v", out, err)
	}
	// Field 6 of /proc/PID/stat is the session: the shell leads its own,
	// so it has no controlling terminal for sudo to ask on.
	out, _, err = l.Run(ctx, `set -- $(cat /proc/$$/stat); [ "$6" = "$$" ] && echo leader; [ "$7" = 0 ] && echo no-tty`, nil)
	if err != nil || string(out) != "leader\nno-tty\n" {
		t.Fatalf("session: %q, %v", out, err)
	}
}

// Cancelling a Run kills the command and what it started in the
// background, and returns at once with the output so far.
func TestLocalRunCancel(t *testing.T) {
	l := &remote.Local{}
	pidFile := filepath.Join(t.TempDir(), "pid")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	out, _, err := l.Run(ctx, "sleep 60 & echo $! > "+remote.Quote(pidFile)+"; echo started; wait", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, want the deadline", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("Run returned after %s", took)
	}
	if string(out) != "started\n" {
		t.Errorf("output so far %q", out)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	deadline := time.Now().Add(2 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("the background sleep %d outlived the cancelled Run", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, _, err := l.Run(ctx, "true", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run on a done context = %v", err)
	}
}

// alive: pid is a process that has not ended (a zombie has: killed, and
// not reaped yet by an init that reaps slowly).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}

func TestLocalOutputLimit(t *testing.T) {
	l := &remote.Local{MaxOutput: 1000}
	out, _, err := l.Run(context.Background(), "head -c 5000 /dev/zero", nil)
	if !errors.Is(err, remote.ErrOutputLimit) || len(out) != 1000 {
		t.Fatalf("%d bytes, %v", len(out), err)
	}
}

// Start keeps the command's input and output open; what a command printed
// before it ended stays readable (the run lock's BUSY answer); Close ends
// one that ignores its input.
func TestLocalStart(t *testing.T) {
	l := &remote.Local{}
	p, err := l.Start("while read -r line; do echo \"got $line\"; done")
	if err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(p.Stdout)
	for _, w := range []string{"a", "b"} {
		io.WriteString(p.Stdin, w+"\n")
		if line, err := rd.ReadString('\n'); err != nil || line != "got "+w+"\n" {
			t.Fatalf("read %q, %v", line, err)
		}
	}
	p.Close()
	if _, err := rd.ReadString('\n'); err == nil {
		t.Fatal("the output is still open after Close")
	}

	p, err = l.Start("echo BUSY; echo holder; exit 75")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // it has ended by now
	b, err := io.ReadAll(p.Stdout)
	if string(b) != "BUSY\nholder\n" {
		t.Fatalf("read %q, %v", b, err)
	}
	p.Close()

	defer remote.SetLocalCloseWait(300 * time.Millisecond)()
	p, err = l.Start("exec sleep 60")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p.Close()
	p.Close() // twice is harmless
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("Close took %s", took)
	}
}

func TestLocalDialTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Write([]byte("hello"))
			c.Close()
		}
	}()
	c, err := (&remote.Local{}).DialTCP(context.Background(), ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if b, _ := io.ReadAll(c); string(b) != "hello" {
		t.Fatalf("read %q", b)
	}
}

// The sudo path, as a user who is not root runs it: the password goes on
// standard input only (sudo -S -k, no prompt), as the runner sends it;
// none without it (a wrong one: the runner's test, which waits out PAM's
// delay once). The test runs itself again as a user
// made for it (testhost.SudoUser), with the password on stdin.
func TestLocalSudoAsUser(t *testing.T) {
	if name := os.Getenv(testhost.AsUserEnv); name != "" {
		localSudoAsUser(t)
		return
	}
	name, pw := testhost.SudoUser(t)
	out, err := testhost.RunTestAs(t, name, "TestLocalSudoAsUser", nil, pw+"\n")
	if err != nil || !strings.Contains(out, "--- PASS: TestLocalSudoAsUser") {
		t.Fatalf("as %s: %v\n%s", name, err, out)
	}
	if strings.Contains(out, pw) {
		t.Fatal("the password appears in the output")
	}
}

func localSudoAsUser(t *testing.T) {
	pw, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	pw = strings.TrimSuffix(pw, "\n")
	l := &remote.Local{}
	ctx := context.Background()
	if out, _, err := l.Run(ctx, "id -u", nil); err != nil || strings.TrimSpace(string(out)) == "0" {
		t.Fatalf("not a user: %q, %v", out, err)
	}
	// -n: sudo never asks (and with no terminal could not).
	if _, _, err := l.Run(ctx, "sudo -k -n true", nil); err == nil {
		t.Fatal("sudo -n worked: the user must need a password")
	}
	out, _, err := l.Run(ctx, "sudo -k -S -p '' sh -c 'id -u; cat'", strings.NewReader(pw+"\nafter the password\n"))
	if err != nil || string(out) != "0\nafter the password\n" {
		t.Fatalf("sudo: %q, %v", out, err)
	}
	// A root shell kept open, as the runner's: the password is its first
	// line of input.
	p, err := l.Start("sudo -k -S -p '' sh")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	io.WriteString(p.Stdin, pw+"\nid -u\n")
	if line, err := bufio.NewReader(p.Stdout).ReadString('\n'); err != nil || line != "0\n" {
		t.Fatalf("root shell: %q, %v", line, err)
	}
}
