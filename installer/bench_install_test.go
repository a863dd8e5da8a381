package installer_test

// The runner's cost, measured by build/bench-install.sh (TUNDUK_BENCH_INSTALL=1):
// the whole plan through the Runner on one fresh Debian host against the
// very same Apply scripts sent through one plain OpenSSH session to an
// identical fresh host, and the time the runner needs to resume a
// detached step after the connection is cut.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

const benchAdminPW = "Bench-admin-Pw-31"

func benchPlan(t *testing.T, h *targethost.Host, debs string) []installer.Step {
	t.Helper()
	p, err := profile.Load(targethost.StandinProfile(t, debs))
	if err != nil {
		t.Fatal(err)
	}
	steps, err := installer.Plan(p, nil, installer.Options{AdminUser: "ssadmin", AdminPassword: benchAdminPW,
		AdminNetwork: targethost.Subnet, PackagesDir: debs, TokenOnServer: true, Force: true,
		Hostname: h.Hostname, Address: h.IP})
	if err != nil {
		t.Fatal(err)
	}
	return steps
}

func runnerFor(h *targethost.Host, progress func(installer.Event)) *installer.Runner {
	kh := h.KnownHostsFile()
	return &installer.Runner{
		Conn:     func(ctx context.Context) (remote.Host, error) { return dialHost(ctx, h.Config(kh)) },
		Sudo:     func() (string, error) { return h.Password, nil },
		Progress: progress,
	}
}

// plainSSH applies the same scripts the way a careful admin would by hand:
// the .deb files copied in, then one `sudo sh` session running every
// step's Apply in order, stopping at the first failure.
func plainSSH(t *testing.T, h *targethost.Host, steps []installer.Step, pending map[string]bool) time.Duration {
	t.Helper()
	kh := h.KnownHostsFile()
	ssh := func(stdin []byte, cmd string) {
		c := exec.Command("ssh", "-q", "-i", h.KeyPath, "-o", "UserKnownHostsFile="+kh, "-o", "StrictHostKeyChecking=yes",
			"-o", "BatchMode=yes", h.User+"@"+h.IP, cmd)
		c.Stdin = bytes.NewReader(stdin)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("plain ssh %q: %v\n%s", cmd, err, tailStr(string(out), 3000))
		}
	}
	var script strings.Builder
	stdin := h.Password + "\n"
	start := time.Now()
	for _, st := range steps {
		if !pending[st.ID] {
			continue
		}
		if st.Upload != nil {
			debs, _ := filepath.Glob(filepath.Join(st.Upload.From, "*.deb"))
			for _, d := range debs {
				b, _ := os.ReadFile(d)
				dst := st.Upload.To + "/" + filepath.Base(d)
				ssh(append([]byte(h.Password+"\n"), b...), "sudo -S -p '' sh -c 'mkdir -p "+st.Upload.To+" && cat > "+dst+"'")
			}
		}
		in := " </dev/null"
		if st.Stdin != "" {
			in, stdin = "", stdin+st.Stdin
		}
		fmt.Fprintf(&script, "echo '== %s'\n(\n%s\n)%s || exit 1\n", st.ID, st.Apply, in)
	}
	ssh([]byte(script.String()), "cat > /tmp/plan.sh")
	ssh([]byte(stdin), "sudo -S -p '' sh /tmp/plan.sh")
	return time.Since(start)
}

func TestBenchInstall(t *testing.T) {
	if os.Getenv("TUNDUK_BENCH_INSTALL") != "1" {
		t.Skip("benchmark: run by build/bench-install.sh")
	}
	debs := targethost.StandinDebs(t)
	a := targethost.Start(t, targethost.Options{})
	b := targethost.Start(t, targethost.Options{})
	ctx := context.Background()

	// Both routes at once, each on its own fresh host from the same image,
	// so load from anything else on the machine falls on both alike. The
	// plain route skips the steps whose check already passes on a fresh
	// host (the preflight), as the runner does.
	steps := benchPlan(t, a, debs)
	plainSteps := benchPlan(t, b, debs)
	pending := map[string]bool{}
	for _, st := range plainSteps {
		if _, err := b.RootExec(ctx, st.Check); err != nil {
			pending[st.ID] = true
		}
	}
	var runner, plain time.Duration
	var runErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		start := time.Now()
		runErr = runnerFor(a, nil).Run(ctx, steps)
		runner = time.Since(start)
	}()
	plain = plainSSH(t, b, plainSteps, pending)
	<-done
	if runErr != nil {
		t.Fatal(runErr)
	}

	// Resume: a detached step of 6 s; the connection is cut 2 s in.
	const stepLen, cutAt = 6 * time.Second, 2 * time.Second
	long := installer.Step{ID: "bench-long", Check: "[ -e /root/bench-long ]", Apply: "sleep 6; touch /root/bench-long", Long: true}
	var launched, cut, reattached time.Time
	r := runnerFor(a, nil)
	r.Poll = 100 * time.Millisecond
	r.Progress = func(e installer.Event) {
		switch {
		case e.Kind == installer.EventApplying && launched.IsZero():
			launched = time.Now()
			go func() {
				time.Sleep(cutAt)
				cut = time.Now()
				a.CutSSH()
			}()
		case e.Kind == installer.EventApplying && strings.Contains(e.Text, "re-attaching"):
			reattached = time.Now()
		}
	}
	if err := r.Run(ctx, []installer.Step{long}); err != nil {
		t.Fatal(err)
	}
	end := time.Now()
	if reattached.IsZero() || cut.IsZero() {
		t.Fatal("the connection cut did not happen or was not resumed")
	}
	remaining := stepLen - cut.Sub(launched)
	resume := end.Sub(cut) - remaining

	ratio := runner.Seconds() / plain.Seconds()
	fmt.Printf("install: runner %.1f s, plain ssh %.1f s (the same %d scripts): ratio %.3f (target <= 1.10)\n",
		runner.Seconds(), plain.Seconds(), len(pending), ratio)
	fmt.Printf("resume after a cut: re-attached %.2f s after the cut; finished %.2f s after the step's own remaining time (target < 2 s)\n",
		reattached.Sub(cut).Seconds(), resume.Seconds())
	if ratio > 1.10 || resume > 2*time.Second {
		t.Errorf("target missed")
	}
}

func tailStr(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
