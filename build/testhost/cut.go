package testhost

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// CutSSH aborts every established connection to this sshd, as a network
// failure would: `ss -K` resets them and sshd keeps listening. Where the
// kernel cannot destroy sockets (no CONFIG_INET_DIAG_DESTROY), or
// useSSKill is off, the session processes sshd started for them (its
// children, killed by their ids) go instead. It returns how many
// connections there were. (build/targethost's CutSSH does the same in a
// container's namespace.)
func (h *Host) CutSSH() (int, error) {
	filter := "( sport = :" + strconv.Itoa(h.Port) + " )"
	established := func() map[string]bool {
		out, _ := exec.Command("ss", "-H", "-t", "-n", "state", "established", filter).Output()
		conns := map[string]bool{}
		for _, l := range strings.Split(string(out), "\n") {
			if f := strings.Fields(l); len(f) >= 2 {
				conns[strings.Join(f[len(f)-2:], " ")] = true
			}
		}
		return conns
	}
	before := established()
	if len(before) == 0 {
		return 0, nil
	}
	if useSSKill {
		if out, err := exec.Command("ss", "-K", "-H", "-t", "state", "established", filter).CombinedOutput(); err != nil {
			return 0, fmt.Errorf("testhost: ss -K: %v: %s", err, out)
		}
	}
	left := 0
	for c := range established() {
		if before[c] {
			left++
		}
	}
	if left > 0 && h.cmd != nil && h.cmd.Process != nil {
		out, _ := exec.Command("pgrep", "-P", strconv.Itoa(h.cmd.Process.Pid)).Output()
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	return len(before), nil
}

// useSSKill is false only in the test of the fallback.
var useSSKill = true

// CutWhen cuts the connections (CutSSH) once seen says so, from a
// goroutine asking it until ctx ends; the channel gets how many were cut
// (closed without a value when ctx ended first) and the error of CutSSH.
func (h *Host) CutWhen(ctx context.Context, seen func() bool) <-chan CutResult {
	done := make(chan CutResult, 1)
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if seen() {
				n, err := h.CutSSH()
				done <- CutResult{N: n, Err: err}
				return
			}
		}
	}()
	return done
}

// CutResult is what CutWhen cut.
type CutResult struct {
	N   int
	Err error
}
