package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// TestInstallEndToEnd installs onto a real Debian host booted under
// systemd-nspawn (build/targethost): real apt, PostgreSQL, ufw and
// systemd, the stand-in X-Road packages uploaded with --packages-dir, a
// non-root user with password sudo. The SSH connection is cut in the
// middle of the PostgreSQL install; the run must reconnect, finish, and
// apply no step twice. Then a second run changes nothing, and every
// script that ran on the host is one the dry run showed.
func TestInstallEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("installs packages on a booted container (minutes)")
	}
	h := targethost.Start(t, targethost.Options{})
	debs := targethost.StandinDebs(t)
	const adminPW = "E2e-Admin-pw-never-logged-5"
	args := []string{"install", "--ssh", h.Target().String(), "--identity", h.KeyPath, "--known-hosts", h.KnownHostsFile(),
		"--packages-dir", debs, "--force", "--token-on-server", "--admin-user", "ssadmin", "--admin-network", targethost.Subnet,
		"--lang", "en"}
	secrets := []string{"--sudo-password-stdin", "--admin-password-stdin"}
	stdin := h.Password + "\n" + adminPW + "\n"

	// Cut every SSH connection as soon as PostgreSQL's detached install
	// runs. At once, not after a pause: with a warm mirror the install can
	// end within a second, and a cut that lands in the next (short) step
	// tests something else (that step is then rightly run again).
	ctx, stopCut := context.WithCancel(context.Background())
	defer stopCut()
	cut := make(chan int, 1)
	go func() {
		defer close(cut)
		for ctx.Err() == nil {
			j := readJournal(t, h)
			if e, ok := j["postgresql"]; ok && e.Status == installer.JournalStarted && e.PID > 0 {
				n, err := h.CutSSH()
				if err != nil {
					t.Error(err)
				}
				cut <- n
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	start := time.Now()
	code, out, errOut := cli(t, stdin, append(append(args, secrets...), "--format", "json")...)
	stopCut()
	t.Logf("first run: %s", time.Since(start).Round(time.Second))
	if code != exitOK {
		t.Fatalf("exit %d\nstderr: %s\nstdout: %s", code, errOut, tailOf(out, 4000))
	}
	for _, s := range []string{adminPW, h.Password} {
		if strings.Contains(out+errOut, s) {
			t.Fatal("a password appears in the output")
		}
	}
	if n := <-cut; n == 0 {
		t.Fatal("the connection was never cut: the test did not test resuming")
	}
	events, res := installEvents(t, out)
	if res.Status != "installed" || res.AdminAPI == nil || res.AdminAPI.HTTPStatus != 401 || len(res.AdminAPI.CertSHA256) != 64 {
		t.Fatalf("result: %+v", res)
	}

	// The journal: every step done; no detached step launched twice. A
	// short step is rightly run again when the cut lands in it (the
	// runner may have moved on between the journal read and the cut): at
	// most that one step, and only with a reconnect reported for it.
	j := readJournal(t, h)
	rerun := 0
	for id, e := range j {
		switch {
		case e.Status != installer.JournalDone || e.Attempt > 2 || (e.Detached && e.Attempt > 1):
			t.Errorf("journal %s: %+v (want done, a detached step launched once)", id, e)
		case e.Attempt == 2:
			rerun++
			if !hasEvent(events, id, installer.EventReconnecting) {
				t.Errorf("journal %s: run twice without a cut in it: %+v", id, e)
			}
		}
	}
	if !hasEvent(events, "postgresql", installer.EventReconnecting) && rerun == 0 {
		t.Error("no reconnect was reported, neither in the PostgreSQL step nor in the one after")
	}
	if rerun > 1 {
		t.Errorf("%d short steps were run twice; one cut can hit one step", rerun)
	}
	if j["postgresql"].Attempt != 1 {
		t.Errorf("PostgreSQL's install was launched %d times", j["postgresql"].Attempt)
	}

	// What the packages were told, as the stand-ins recorded it.
	rec, err := os.ReadFile(h.Path(targethost.DebconfRecord))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"xroad-common/username=ssadmin", "xroad-common/database-host=127.0.0.1:5432",
		"xroad-common/proxy-ui-api-subject=/CN=" + h.Hostname, "xroad-common/proxy-ui-api-altsubject=IP:" + h.IP + ",DNS:" + h.Hostname,
		"xroad-common/service-subject=/CN=" + h.Hostname, "xroad-addon-messagelog/enable-messagelog=true"} {
		if !strings.Contains(string(rec), want+"\n") {
			t.Errorf("debconf record lacks %q:\n%s", want, rec)
		}
	}
	p, _ := profile.Default()
	state, err := h.RootExec(context.Background(), "systemctl is-active "+strings.Join(p.Install.Units, " ")+" postgresql pcscd; id -nG ssadmin; ufw status")
	if err != nil {
		t.Fatalf("%v: %s", err, state)
	}
	for _, want := range append(p.Install.AdminGroups, "Status: active", "4000/tcp", targethost.Subnet, "22/tcp") {
		if !strings.Contains(state, want) {
			t.Errorf("host state lacks %q:\n%s", want, state)
		}
	}
	if strings.Contains(state, "inactive") || strings.Contains(state, "failed") {
		t.Errorf("a unit is not active:\n%s", state)
	}
	grep, _ := h.RootExec(context.Background(), "grep -rlF -e "+remote.Quote(adminPW)+" -e "+remote.Quote(h.Password)+" /var/lib/tunduk-onboard /var/log /tmp /etc 2>/dev/null | grep -v '^/etc/shadow' || true")
	if strings.TrimSpace(grep) != "" {
		t.Errorf("a password was written on the host: %s", grep)
	}

	// Every script that ran on the host is in the dry run, verbatim.
	code, planOut, errOut := cli(t, "", append(args, "--dry-run", "--format", "json")...)
	if code != exitOK {
		t.Fatalf("dry run: exit %d: %s", code, errOut)
	}
	var plan struct{ Steps []installer.Step }
	if err := json.Unmarshal([]byte(planOut), &plan); err != nil {
		t.Fatal(err)
	}
	applies := map[string]bool{}
	for _, s := range plan.Steps {
		applies[s.Apply] = true
	}
	scripts, _ := filepath.Glob(h.Path(installer.DefaultLogDir + "/*.sh"))
	if len(scripts) < 8 {
		t.Fatalf("only %d scripts kept on the host", len(scripts))
	}
	for _, f := range scripts {
		b, _ := os.ReadFile(f)
		if !applies[string(b)] {
			t.Errorf("%s ran on the host but is not in the dry run:\n%s", filepath.Base(f), b)
		}
	}

	// A second run finds everything done and applies nothing.
	start = time.Now()
	code, out, errOut = cli(t, stdin, append(args, secrets...)...)
	t.Logf("second run: %s\n%s", time.Since(start).Round(time.Second), out)
	if code != exitOK || strings.Contains(out, "applying") || !strings.Contains(out, "The security server is installed") {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errOut)
	}
	if after := readJournal(t, h); len(after) != len(j) {
		t.Errorf("the second run changed the journal: %d entries, was %d", len(after), len(j))
	}
}

func readJournal(t *testing.T, h *targethost.Host) installer.Journal {
	b, err := os.ReadFile(h.Path(installer.DefaultJournalPath))
	j := installer.Journal{}
	if err == nil {
		json.Unmarshal(b, &j)
	}
	return j
}

func installEvents(t *testing.T, out string) ([]installEvent, installResult) {
	t.Helper()
	var events []installEvent
	var res installResult
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var probe struct{ Schema string }
		if err := json.Unmarshal([]byte(line), &probe); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		switch probe.Schema {
		case "tunduk-onboard.install-event/v1":
			var e installEvent
			json.Unmarshal([]byte(line), &e)
			events = append(events, e)
		case "tunduk-onboard.install-result/v1":
			json.Unmarshal([]byte(line), &res)
		default:
			t.Fatalf("unknown schema in %q", line)
		}
	}
	return events, res
}

func hasEvent(events []installEvent, step, kind string) bool {
	for _, e := range events {
		if e.Step == step && e.Kind == kind {
			return true
		}
	}
	return false
}

func tailOf(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
