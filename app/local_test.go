package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// Machines this computer could be.
var (
	windowsPC = installer.Machine{GOOS: "windows"}
	fedoraPC  = installer.Machine{GOOS: "linux", OSRelease: "NAME=\"Fedora Linux\"\nID=fedora\nPRETTY_NAME=\"Fedora Linux 40 (Workstation Edition)\"\n",
		Has: func(cmd string) bool { return cmd == "sudo" }}
	noSudoPC = installer.Machine{GOOS: "linux", OSRelease: "ID=ubuntu\nPRETTY_NAME=\"Ubuntu 24.04 LTS\"\n",
		Has: func(cmd string) bool { return cmd == "apt-get" || cmd == "dpkg" }}
	ubuntuPC = installer.Machine{GOOS: "linux", OSRelease: "ID=ubuntu\nPRETTY_NAME=\"Ubuntu 24.04 LTS\"\n",
		Has: func(string) bool { return true }, SSHConnection: "203.0.113.9 51000 10.0.0.5 2222"}
)

// "This computer" on a machine that cannot be the security server: the
// Install step (and Configure and Register, where the reason is the
// system) says why and what to do, in the user's language, with a button
// that takes the user to the Server step.
func TestThisComputerCannotBeTheServer(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	wz.state.Org = validOrg()
	wz.state.Server = Server{Remote: false}
	wz.readiness.report = &checks.Report{Facts: &checks.Facts{Hostname: "pc"}}
	for _, tc := range []struct {
		name    string
		m       installer.Machine
		key, os string
		steps   []string // the steps that refuse
	}{
		{"windows", windowsPC, "installer.err.local_not_linux", "Windows", []string{stepInstall, stepConfigure, stepRegister}},
		{"fedora", fedoraPC, "installer.err.local_not_debian", "Fedora Linux 40 (Workstation Edition)", []string{stepInstall, stepConfigure, stepRegister}},
		{"no sudo", noSudoPC, "installer.err.local_no_sudo", "Linux", []string{stepInstall}},
	} {
		m := tc.m
		wz.install.machine = func() installer.Machine { return m }
		for _, lang := range Languages {
			if err := SetLanguage(lang); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{stepInstall, stepConfigure, stepRegister} {
				wz.cur = wz.stepIndex(id)
				wz.showStep()
				why := i18n.T(lang, tc.key, map[string]any{"OS": tc.os})
				refuses := contains(tc.steps, id)
				if hasText(wz.page, why) != refuses || hasText(wz.page, T(tc.key+".todo")) != refuses {
					t.Errorf("%s %s %s: shows the reason %v, want %v: %q", tc.name, lang, id, !refuses, refuses, labelsIn(wz.page))
					continue
				}
				if !refuses {
					continue
				}
				if strings.Contains(why, "{{") || strings.Contains(why, tc.key) {
					t.Errorf("%s %s: untranslated %q", tc.name, lang, why)
				}
				test.Tap(findButton(t, wz.page, T("server.goto")))
				if wz.stepID() != stepServer {
					t.Errorf("%s %s %s: the button went to %s, want the Server step", tc.name, lang, id, wz.stepID())
				}
			}
		}
	}
	// Where it can: the Install form, with the local sudo hint.
	if err := SetLanguage("en"); err != nil {
		t.Fatal(err)
	}
	wz.install.machine = func() installer.Machine { return ubuntuPC }
	wz.cur = wz.stepIndex(stepInstall)
	wz.showStep()
	if wz.install.v == nil || wz.install.v.sudoPW.PlaceHolder != T("install.sudo_placeholder_local") {
		t.Fatalf("an Ubuntu computer: no install form, or the SSH wording: %q", labelsIn(wz.page))
	}
	// The firewall keeps open the SSH port the session came in on.
	if opt := wz.install.options(true); opt.SSHPort != 2222 {
		t.Errorf("SSH port %d, want 2222 (from SSH_CONNECTION)", opt.SSHPort)
	}
}

// Install on this computer: the runner the step builds works here, without
// SSH (remote.Local), through the same journal and lock, and the admin API
// check gets this computer too. Root only: this computer runs the
// (synthetic) steps itself.
func TestInstallStepRunsOnThisComputer(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the install on this computer as root: run the tests as root (CI does)")
	}
	wz, _ := newTestWizard(t, nil)
	wz.state.Org = validOrg()
	wz.state.Server = Server{Remote: false, PublicIP: "93.184.216.34"}
	is := wz.install
	if err := is.machine().Check(true); err != nil {
		t.Skipf("this computer cannot be a security server: %v", err)
	}
	p := showInstall(wz, &checks.Report{Facts: &checks.Facts{Hostname: "ss1"}})
	dir := t.TempDir()
	is.makePlan = func(_ *profile.Profile, _ *checks.Report, opt installer.Options) ([]installer.Step, error) {
		return []installer.Step{
			{ID: "one", Title: i18n.Text{EN: "One", RU: "Один", KY: "Бир"}, Check: fmt.Sprintf("[ -e %s/one ]", dir),
				Apply: fmt.Sprintf("id -u; touch %s/one", dir)},
			{ID: "two", Title: i18n.Text{EN: "Two", RU: "Два", KY: "Эки"}, Check: fmt.Sprintf("[ -e %s/two ]", dir),
				Apply: fmt.Sprintf("cat > %s/pw; touch %s/two", dir, dir), Long: true, Stdin: opt.AdminPassword + "\n", Secrets: []string{opt.AdminPassword}},
		}, nil
	}
	var host, afterHost remote.Host
	is.tuneRunner = func(r *installer.Runner) {
		r.JournalPath, r.LogDir, r.RunLock, r.Poll = filepath.Join(dir, "journal.json"), filepath.Join(dir, "logs"), filepath.Join(dir, "run.lock"), 0
		host, _ = r.Conn(context.Background())
		// No X-Road here: the check sees which host it was given.
		r.After = func(ctx context.Context, h installer.HostAccess) error { afterHost = h.Host(); return nil }
	}
	ended := false
	is.afterRun = func() { ended = true }
	fillInstallForm(is, guiAdminPW, guiAdminPW)
	if is.v.start.Disabled() {
		t.Fatalf("Start disabled: %q", is.v.status.Text)
	}
	test.Tap(is.v.start)
	if is.status != T("install.starting_local") {
		t.Errorf("status %q, want %q", is.status, T("install.starting_local"))
	}
	p.waitUntil(t, "the install on this computer", func() bool { return ended })
	if _, ok := host.(*remote.Local); !ok {
		t.Fatalf("the runner's host is %T, want this computer (*remote.Local)", host)
	}
	if _, ok := afterHost.(*remote.Local); !ok {
		t.Fatalf("the admin API check got %T", afterHost)
	}
	if !hasText(is.v.outcome, T("install.ok")) || !hasText(is.v.outcome, T("install.ok.next_local", map[string]any{"User": "xrdadmin"})) {
		t.Fatalf("outcome %q\nlog %s", labelsIn(is.v.outcome), is.v.log.Text)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "pw")); strings.TrimSpace(string(b)) != guiAdminPW {
		t.Fatal("the detached step did not get the password on its standard input")
	}
	if !strings.Contains(is.v.log.Text, "one: 0") || strings.Contains(is.v.log.Text, guiAdminPW) {
		t.Fatalf("log:\n%s", is.v.log.Text)
	}
}

// Configure on this computer reads the admin API directly (here the
// contract fake on loopback); an API that does not answer is told in the
// configure flow's words, never as an SSH connection's.
func TestConfigureStepOnThisComputer(t *testing.T) {
	h := newCfgHarness(t, xroadtest.Options{})
	wz, cs := h.wz, h.wz.configure
	wz.state.Server = Server{Remote: false, PublicIP: "93.184.216.34"}
	if err := wz.install.machine().Check(false); err != nil {
		t.Skipf("this computer cannot be a security server: %v", err)
	}
	h.show(stepConfigure)
	v := cs.v
	admin := h.fake.Admin()
	v.adminUser.SetText(admin.User)
	test.Type(v.adminPW, admin.Password)
	test.Tap(v.refreshBtn)
	h.idle(t, &cs.sessionRunner, "status")
	if cs.status == nil || !hasText(v.statusRows, T("configure.st.anchor_no")) {
		t.Fatalf("status: %q (notice %q)", labelsIn(v.statusRows), labelsIn(v.notice))
	}
	h.initialise(t)
	if !h.fake.AnchorImported() || !cs.status.Init.Done() {
		t.Fatalf("not initialised: %q", labelsIn(v.notice))
	}

	cs.api.Addr = "127.0.0.1:1" // nothing listens
	test.Tap(v.refreshBtn)
	h.idle(t, &cs.sessionRunner, "status, refused")
	shown := strings.Join(labelsIn(wz.page), "\n")
	if !strings.Contains(shown, strings.SplitN(i18n.T("en", "configure.err.tunnel", map[string]any{"Error": "x"}), " (", 2)[0]) ||
		strings.Contains(shown, "SSH") {
		t.Fatalf("a refused local API is told as:\n%s", shown)
	}
}
