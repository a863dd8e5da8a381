package ansible

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// TestHoldRunLockOnHost: the export's hold script and an Apply's lead,
// run by root's sh on a booted Debian (systemd as PID 1, as systemd-run
// needs), with a 10-second idle bound. The hold takes the lock through
// its service, whose words say when it lets go and how to stop it. An
// Apply that runs longer than the bound keeps the lease, so the lock is
// held throughout; a second hold started meanwhile waits for the Ansible
// holder and takes the lock once the holder, its lease idle after the
// Apply ended, lets go (within the bound, a touch and a look). An Apply
// whose run's holder is gone is refused and does not run. A lock held by
// anything else (install's) refuses a hold at once.
func TestHoldRunLockOnHost(t *testing.T) {
	if testing.Short() {
		t.Skip("boots a container")
	}
	h := targethost.Start(t, targethost.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const idle = 10
	if err := write(h.Path("/root/hold.sh"), []byte(holdScript()), 0o755); err != nil {
		t.Fatal(err)
	}
	root := func(cmd string, args ...string) (string, error) { return h.RootExec(ctx, cmd, args...) }
	hold := func() (string, error) { return root("sh /root/hold.sh 10") }
	unitRE := regexp.MustCompile(`LOCKED (` + HoldUnit + `-[0-9-]+)`)
	held := func() bool {
		_, err := root("flock -n " + remote.Quote(installer.DefaultRunLock) + " true")
		return err != nil
	}
	active := func(unit string) bool {
		_, err := root("systemctl is-active --quiet " + remote.Quote(unit))
		return err == nil
	}
	// apply is an Apply's lead, as Ansible templates it, then script.
	apply := func(unit, script string) (string, error) {
		lead := strings.NewReplacer("{{ tunduk_lock_unit | quote }}", remote.Quote(unit), "{{ "+IdleVar+" }}", "10").Replace(applyLead())
		return root(lead + script)
	}

	out, err := hold()
	m := unitRE.FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("hold: %q %v", out, err)
	}
	first := m[1]
	who, _ := root("cat " + remote.Quote(installer.DefaultRunLock+".who"))
	if w := strings.Split(who, "\n"); len(w) < 5 || w[2] != "Ansible (lets go 10 seconds after the last step's activity, or sooner: systemctl stop "+first+")" || w[4] != "10" {
		t.Errorf("the holder's words: %q", who)
	}
	if out, err := apply(HoldUnit+"-0-0", "touch /root/applied"); err == nil || !strings.Contains(err.Error(), "has ended") {
		t.Errorf("an Apply without its run's holder: %q %v", out, err)
	}
	if _, err := root("test -e /root/applied"); err == nil {
		t.Error("an Apply ran without its run's holder")
	}

	// An Apply of 1.8 idle bounds; a second hold meanwhile.
	applied := make(chan time.Time, 1)
	go func() {
		if out, err := apply(first, "sleep 18; echo done"); err != nil || out != "done\n" {
			t.Errorf("apply: %q %v", out, err)
		}
		applied <- time.Now()
	}()
	time.Sleep(2 * time.Second)
	type result struct {
		out string
		err error
		at  time.Time
	}
	second := make(chan result, 1)
	go func() {
		out, err := hold()
		second <- result{out, err, time.Now()}
	}()
	time.Sleep(14 * time.Second) // the Apply runs past the bound
	if !held() || !active(first) {
		t.Fatal("the holder let go while an Apply ran")
	}
	select {
	case r := <-second:
		t.Fatalf("the second hold did not wait for the Ansible holder: %q %v", r.out, r.err)
	default:
	}
	end := <-applied
	r := <-second
	if active(first) {
		t.Error("the first holder did not let go")
	}
	m = unitRE.FindStringSubmatch(r.out)
	if r.err != nil || m == nil || !strings.Contains(r.out, "Waiting for the run lock, held by Ansible (lets go 10 seconds") ||
		!strings.Contains(r.out, "Waited ") {
		t.Fatalf("the second hold: %q %v", r.out, r.err)
	}
	// The last touch was at most touchEvery before the Apply's end. The
	// upper bound leaves room for a loaded machine (two lanes of make
	// test on two cores: systemd-run and the looks slow down); it is
	// still far below the hold's own bound (hours).
	lag := r.at.Sub(end)
	t.Logf("the lock went %s after the Apply's end (bound %d s)", lag.Round(100*time.Millisecond), idle)
	if lag < (idle-touchEvery-1)*time.Second || lag > (idle+touchEvery+holderPoll+20)*time.Second {
		t.Errorf("the holder let go %s after the Apply's end, want about %d s", lag, idle)
	}
	root("systemctl stop " + remote.Quote(m[1]))

	// install's lock (another holder's words): refused at once.
	if _, err := root(`systemd-run --quiet --unit=fake-install --collect sh -c 'exec 9>>"$$1"; flock -n 9 || exit 75; ` +
		`{ echo abc; echo "$$$$"; echo "tunduk-onboard-cli install, ops@laptop"; echo 2026-12-03T09:00:00Z; } > "$$1.who"; exec sleep 60' sh ` +
		remote.Quote(installer.DefaultRunLock)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50 && !held(); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	start := time.Now()
	out, err = hold()
	if err == nil || !strings.Contains(out, "Another run drives this server: tunduk-onboard-cli install, ops@laptop") || time.Since(start) > 5*time.Second {
		t.Errorf("a hold against install's lock: %q %v after %s", out, err, time.Since(start))
	}
	root("systemctl stop fake-install")
}
