package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	ob "github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/targethost"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestInstallEndToEnd installs onto a real Debian host booted under
// systemd-nspawn (build/targethost): real apt, PostgreSQL, ufw and
// systemd, the stand-in X-Road packages uploaded with --packages-dir, a
// non-root user with password sudo. The SSH connection is cut in the
// middle of the PostgreSQL install; the run must reconnect, finish, and
// apply no step twice. Every script that ran on the host is one the dry
// run showed. Then the CLI on the host itself continues: install --local
// and server status as the non-root user (installLocally, serverAsOps).
//
// Before that, on the same fresh host, a packages folder holding one
// tampered stand-in is refused before anything is installed
// (refuseTampered). After it, what X-Road 7.4.2's packaging forces is
// checked on the host: the firewall was up when the package that listens
// on 4000 came, en_US.UTF-8 (xroad-base.preinst's LC_ALL) exists beside
// the profile's locale, and Tunduk's certificate profile class is found
// in the installed jar by the installer, and not in NIIS's.
func TestInstallEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("installs packages on a booted container (minutes)")
	}
	h := targethost.Start(t, targethost.Options{})
	debs := targethost.StandinDebs(t)
	prof := targethost.StandinProfile(t, debs)
	const adminPW = "E2e-Admin-pw-never-logged-5"
	args := []string{"install", "--ssh", h.Target().String(), "--identity", h.KeyPath, "--known-hosts", h.KnownHostsFile(),
		"--packages-dir", debs, "--profile", prof, "--force", "--token-on-server", "--admin-user", "ssadmin", "--admin-network", targethost.Subnet,
		"--lang", "en"}
	secrets := []string{"--sudo-password-stdin", "--admin-password-stdin"}
	stdin := h.Password + "\n" + adminPW + "\n"
	refuseTampered(t, h, args, secrets, stdin, debs)

	// Cut every SSH connection as soon as PostgreSQL's detached install
	// runs. At once, not after a pause: with a warm mirror the install can
	// end within a second, and a cut that lands in the next (short) step
	// tests something else (that step is then rightly run again).
	stopCut, cut := cutWhen(t, h, func(context.Context) bool {
		e, ok := readJournal(t, h)["postgresql"]
		return ok && e.Status == installer.JournalStarted && e.PID > 0
	})
	defer stopCut()
	recPath := filepath.Join(t.TempDir(), "onboarding.json")
	t.Setenv(envRecord, recPath)
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
	// A wizard opened now shows the install done, from the same record.
	if rec, err := ob.Read(recPath); err != nil || rec.StepState(ob.StepInstall) != ob.Done || rec.Install.StepsDone != rec.Install.StepsTotal ||
		rec.Install.XRoadVersion == "" || rec.Server == nil || rec.Server.Host != h.IP {
		t.Errorf("onboarding record after the install: %+v (install %+v), %v", rec, rec.Install, err)
	}
	events, res := installEvents(t, out)
	if res.Status != "installed" || res.AdminAPI == nil || res.AdminAPI.HTTPStatus != 401 || len(res.AdminAPI.CertSHA256) != 64 {
		t.Fatalf("result: %+v", res)
	}
	if pc := res.ProfileClass; pc == nil || pc.Status != installer.ClassPresent || pc.Class != "KgSkKlass3CertificateProfileInfoProvider" {
		t.Errorf("the installer's class check: %+v", pc)
	}
	checkPackagingOnHost(t, h)

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

	// The second run is the CLI on the server itself: install --local, as
	// the same non-root user with password sudo, through the same plan,
	// journal and run lock (installLocally).
	installLocally(t, h, res, j, debs, prof, adminPW)
}

// refuseTampered runs the install with a copy of the packages folder in
// which one stand-in has other bytes under its name: the CLI refuses it
// before anything is installed, naming the file and both SHA-256 sums, and
// the host is as it was.
func refuseTampered(t *testing.T, h *targethost.Host, args, secrets []string, stdin, debs string) {
	t.Helper()
	bad := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(debs, "*.deb"))
	var victim, good string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(filepath.Base(f), "xroad-proxy_") {
			victim, good = filepath.Base(f), fmt.Sprintf("%x", sha256.Sum256(b))
			b = append(b, '\n') // one byte more: dpkg would still read it
		}
		if err := os.WriteFile(filepath.Join(bad, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tampered, _ := os.ReadFile(filepath.Join(bad, victim))
	badSum := fmt.Sprintf("%x", sha256.Sum256(tampered))
	a := append([]string(nil), args...)
	for i := range a {
		if a[i] == debs {
			a[i] = bad
		}
	}
	code, out, errOut := cli(t, stdin, append(a, secrets...)...)
	if code == exitOK || !strings.Contains(errOut, victim) || !strings.Contains(errOut, good) || !strings.Contains(errOut, badSum) ||
		!strings.Contains(errOut, "Nothing was installed") {
		t.Fatalf("a tampered package: exit %d\nstderr: %s\nstdout: %s", code, errOut, tailOf(out, 2000))
	}
	state, _ := h.RootExec(context.Background(), "ls -d "+installer.StateDir+" 2>&1; ufw status 2>&1; dpkg-query -W -f='${Status}' postgresql 2>&1; id ssadmin 2>&1")
	for _, want := range []string{"No such file", "not found", "no packages found", "no such user"} {
		if !strings.Contains(state, want) {
			t.Errorf("the host changed after a refused package (want %q):\n%s", want, state)
		}
	}
}

// checkPackagingOnHost: what X-Road 7.4.2's packaging forces, on the host
// after the install.
func checkPackagingOnHost(t *testing.T, h *targethost.Host) {
	t.Helper()
	ctx := context.Background()
	// The firewall was active, SSH allowed, when xroad-proxy-ui-api (4000
	// on every address) was unpacked: its preinst recorded ufw status.
	ufw, err := os.ReadFile(h.Path(targethost.UfwAtInstall))
	if err != nil || !strings.Contains(string(ufw), "Status: active") || !regexp.MustCompile(`(?m)^22/tcp +ALLOW`).Match(ufw) {
		t.Errorf("the firewall when the admin API's package came: %v\n%s", err, ufw)
	}
	// xroad-base.preinst's LC_ALL, and the locale it names.
	loc, err := h.RootExec(ctx, "locale -a; grep '^LC_ALL=' /etc/environment")
	if err != nil || !strings.Contains(loc, "en_US.utf8\n") || !strings.Contains(loc, "ru_RU.utf8\n") || !strings.Contains(loc, "LC_ALL=en_US.UTF-8") {
		t.Errorf("locales: %v\n%s", err, loc)
	}
	// The class check over SSH as the user, on the installed jar; then on
	// NIIS's, put in its place.
	c, err := remote.Dial(ctx, h.Config(h.KnownHostsFile()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, err := xroad.HasClass(ctx, c, xroad.ProxyJar, xroadtest.KyrgyzProfileClass); err != nil || !ok {
		t.Errorf("Tunduk's class in the installed jar: %v %v", ok, err)
	}
	niis := targethost.StandinDebsWith(t, targethost.StandinOptions{NIISProxy: true})
	debs, _ := filepath.Glob(filepath.Join(niis, "xroad-proxy_*.deb"))
	x := t.TempDir()
	if out, err := exec.Command("dpkg-deb", "-x", debs[0], x).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	jar := strings.TrimPrefix(xroad.ProxyJar, "/")
	kept, _ := os.ReadFile(h.Path(jar))
	copyInto(t, h, filepath.Join(x, jar), jar, 0o644)
	if ok, err := xroad.HasClass(ctx, c, xroad.ProxyJar, xroadtest.KyrgyzProfileClass); err != nil || ok {
		t.Errorf("Tunduk's class in NIIS's jar: %v %v", ok, err)
	}
	if err := os.WriteFile(h.Path(jar), kept, 0o644); err != nil {
		t.Fatal(err)
	}
}

// installLocally runs the static CLI inside the host as its user, over an
// SSH session only to start it there (as an administrator logged in to a
// headless server does): install --local. Two steps are made to need
// their work again first: the local repository (its index removed: the
// upload, now through local sudo, and apt) and the hardware token support
// (its devices.ini section removed: a detached step under systemd-run).
// Every other step is found done. Then server status, --local and over
// SSH, reads the admin API's certificate through password sudo and
// reaches the stand-in admin API with it pinned (serverAsOps).
func installLocally(t *testing.T, h *targethost.Host, remoteRes installResult, before installer.Journal, debs, prof, adminPW string) {
	start := time.Now()
	bin := staticCLI(t)
	copyInto(t, h, bin, "usr/local/bin/tunduk-onboard-cli", 0o755)
	files, _ := filepath.Glob(filepath.Join(debs, "*.deb"))
	for _, f := range files {
		copyInto(t, h, f, "var/tmp/standin-debs/"+filepath.Base(f), 0o644)
	}
	copyInto(t, h, prof, "var/tmp/standin-profile.json", 0o644)
	ctx := context.Background()
	if out, err := h.RootExec(ctx, "rm "+installer.LocalRepoDir+"/Packages && sed -i '/^\\[rutoken\\]$/,$d' /etc/xroad/devices.ini && ! grep -q rutoken /etc/xroad/devices.ini"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	c, err := remote.Dial(ctx, h.Config(h.KnownHostsFile()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Logf("timing: static CLI built and copied in %s", time.Since(start).Round(100*time.Millisecond))

	start = time.Now()
	out, errb, err := c.Run(ctx, "tunduk-onboard-cli install --local --packages-dir /var/tmp/standin-debs --profile /var/tmp/standin-profile.json --force --token-on-server "+
		"--admin-user ssadmin --admin-network "+targethost.Subnet+" --lang en --sudo-password-stdin --admin-password-stdin --format json",
		strings.NewReader(h.Password+"\n"+adminPW+"\n"))
	t.Logf("timing: install --local %s", time.Since(start).Round(100*time.Millisecond))
	if err != nil {
		t.Fatalf("install --local: %v\nstderr: %s\nstdout: %s", err, errb, tailOf(string(out), 4000))
	}
	for _, s := range []string{adminPW, h.Password} {
		if strings.Contains(string(out)+string(errb), s) {
			t.Fatal("a password appears in the local run's output")
		}
	}
	events, res := installEvents(t, string(out))
	if res.Status != "installed" || res.Host != "localhost" || res.AdminAPI == nil || res.AdminAPI.HTTPStatus != 401 ||
		res.AdminAPI.CertSHA256 != remoteRes.AdminAPI.CertSHA256 {
		t.Fatalf("local result %+v (the remote run saw the certificate %s)", res, remoteRes.AdminAPI.CertSHA256)
	}
	after := readJournal(t, h)
	for id, e := range before {
		a := after[id]
		redo := id == "local-repository" || id == "hwtokens"
		switch {
		case a.Status != installer.JournalDone:
			t.Errorf("journal %s after the local run: %+v", id, a)
		case redo && (a.Attempt != e.Attempt+1 || !hasEvent(events, id, installer.EventApplying)):
			t.Errorf("%s was not applied again locally: %+v, was %+v", id, a, e)
		case !redo && (a.Attempt != e.Attempt || hasEvent(events, id, installer.EventApplying) || !hasEvent(events, id, installer.EventSkipped)):
			t.Errorf("%s was applied again, or not found done: %+v, was %+v", id, a, e)
		}
	}
	if e := after["hwtokens"]; !e.Detached || e.Unit != fmt.Sprintf("tunduk-onboard-hwtokens-%d", e.Attempt) || e.PID == 0 {
		t.Errorf("hwtokens did not run detached: %+v", e)
	}
	state, err := h.RootExec(ctx, "grep -c '^\\[rutoken\\]$' /etc/xroad/devices.ini; ls "+installer.LocalRepoDir+"/Packages; grep -rlF -e "+
		remote.Quote(adminPW)+" -e "+remote.Quote(h.Password)+" /var/lib/tunduk-onboard /var/log /tmp /etc /home 2>/dev/null | grep -v '^/etc/shadow' || true")
	if err != nil || !strings.HasPrefix(state, "1\n"+installer.LocalRepoDir+"/Packages\n") || strings.Count(state, "\n") != 2 {
		t.Errorf("after the local run (devices.ini section, index, files holding a password): %q %v", state, err)
	}

	// The server verbs as the same user, on the host and over SSH.
	serverAsOps(t, h, c, adminPW)
}

// copyInto copies the file src to path (relative to /) in the host's root.
func copyInto(t *testing.T, h *targethost.Host, src, path string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := h.Path(path)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, mode); err != nil {
		t.Fatal(err)
	}
}

// cutWhen cuts h's SSH connections once, as soon as cond holds (polled
// every 100 ms until stop); cut then yields how many there were (0: never
// cut).
func cutWhen(t *testing.T, h *targethost.Host, cond func(context.Context) bool) (stop func(), cut <-chan int) {
	ctx, stop := context.WithCancel(context.Background())
	c := make(chan int, 1)
	go func() {
		defer close(c)
		for ctx.Err() == nil {
			if cond(ctx) {
				n, err := h.CutSSH()
				if err != nil {
					t.Error(err)
				}
				c <- n
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	return stop, c
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
