package installer

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// The root shell gives back exactly what each command printed, whatever
// it printed, with its status, and survives a failing command.
func TestRootShellFraming(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	c, err := g.r.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := &session{r: g.r, c: c}
	defer c.Close()
	bin := make([]byte, 100<<10)
	rand.Read(bin)
	for _, tc := range []struct {
		cmd, data   string
		out, errOut string
		code        int
	}{
		{cmd: "echo hello", out: "hello\n"},
		{cmd: "printf 'no newline'; echo oops >&2; exit 3", out: "no newline", errOut: "oops\n", code: 3},
		{cmd: "echo __END_fake 0 0 0; echo ')'", out: "__END_fake 0 0 0\n)\n"},
		{cmd: "cat", data: "line one\n__B64_x\n'quotes' \"and\" $HOME\n", out: "line one\n__B64_x\n'quotes' \"and\" $HOME\n"},
		{cmd: "exit 0 # a comment at the end", out: ""},
		{cmd: "cat", data: string(bin), out: string(bin)},
	} {
		var out, errb string
		if tc.data != "" {
			out, errb, err = s.execData(ctx, tc.cmd, tc.data)
		} else {
			out, errb, err = s.exec(ctx, tc.cmd, "")
		}
		var ee *remote.ExitError
		switch {
		case tc.code == 0 && err != nil, tc.code != 0 && (!errors.As(err, &ee) || ee.Code != tc.code):
			t.Errorf("%q: err %v, want status %d", tc.cmd, err, tc.code)
		case out != tc.out || errb != tc.errOut:
			t.Errorf("%q: out %q (%d bytes) err %q", tc.cmd, trunc(out), len(out), errb)
		}
	}
	if s.shell == nil || s.shellFailures != 0 {
		t.Fatal("the commands did not go through one root shell")
	}
	first := s.shell
	s.exec(ctx, "true", "")
	if s.shell != first {
		t.Error("a new shell was started for the next command")
	}
	// Stdin (a secret) never goes through the shell's input.
	if !bytes.Equal([]byte(mustOut(t, s, "cat", "secret-on-stdin")), []byte("secret-on-stdin")) {
		t.Error("stdin command")
	}
}

func mustOut(t *testing.T, s *session, cmd, stdin string) string {
	out, _, err := s.exec(context.Background(), cmd, stdin)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func trunc(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return strings.TrimSpace(s)
}
