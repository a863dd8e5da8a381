package app

import (
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestConfigureSudoOnThisComputer: "This computer" as a user who is not
// root and whose sudo asks for a password, the admin API's certificate
// kept from that user as X-Road keeps it (testhost.RootOnlyFile). The
// Configure step's session uses the sudo password typed on the Install
// step this run, asking nothing; in a later run (none held) the step
// offers the field, says in the user's language that sudo needs the
// password, and reads the server once it is typed; Register offers it
// too. The test runs itself again as such a user, the password on its
// standard input only.
func TestConfigureSudoOnThisComputer(t *testing.T) {
	if os.Getenv(testhost.AsUserEnv) != "" {
		configureSudoAsUser(t)
		return
	}
	f := xroadtest.StartWith(t, xroadtest.Options{})
	api := f.AdminAPI()
	testhost.RunAsSudoUserWithAPI(t, "TestConfigureSudoOnThisComputer", api.Addr, api.CertPath)
	if len(f.LiveKeys()) != 0 {
		t.Fatal("an API key outlived its session")
	}
}

func configureSudoAsUser(t *testing.T) {
	pw, addr, cert := testhost.SudoAPIChild(t)
	t.Setenv("HOME", t.TempDir())
	prefs := mapPrefs{}
	wz, _ := newTestWizard(t, prefs)
	if err := wz.install.machine().Check(false); err != nil || wz.install.machine().Root {
		t.Skipf("this computer cannot be a security server, or the test runs as root: %v", err)
	}
	p := *wz.profile
	p.CA.Name = xroadtest.CAName
	wz.profile = &p
	wz.state.Org = validOrg()
	wz.state.Server = Server{Remote: false, PublicIP: "93.184.216.34"}
	pump := newUIPump(wz)
	do := func(f func()) {
		done := make(chan struct{})
		pump <- func() { defer close(done); f() }
		<-done
	}
	api := xroad.AdminAPI{Addr: addr, CertPath: cert}
	cs, rs := wz.configure, wz.register
	cs.uiDo, rs.uiDo = do, do
	cs.api, rs.api = api, api
	show := func(id string) { wz.cur = wz.stepIndex(id); wz.showStep() }
	idle := func(what string) { pump.waitUntil(t, what, func() bool { return cs.busy == "" }) }

	// Install typed them this run: the status is read on entry, with
	// the sudo password held from Install, and no field asks for it.
	f := &wz.install.form
	f.AdminUser, f.AdminPassword, f.AdminPassword2, f.SudoPassword = xroadtest.AdminUser, xroadtest.AdminPassword, xroadtest.AdminPassword, pw
	show(stepConfigure)
	pump.waitUntil(t, "status started", func() bool { return cs.busy != "" || cs.status != nil || cs.notice != nil })
	idle("status with the Install step's sudo password")
	if cs.status == nil {
		t.Fatalf("status not read with the sudo password from Install: %q", labelsIn(cs.v.notice))
	}
	if !cs.v.sudoBox.Hidden {
		t.Error("the sudo password field is shown although Install holds it")
	}

	// A later run: nothing held. The field is offered; without it sudo's
	// need is told in the user's language; with it the status is read.
	f.AdminPassword, f.AdminPassword2, f.SudoPassword = "", "", ""
	cs.status = nil
	if err := SetLanguage("ky"); err != nil {
		t.Fatal(err)
	}
	show(stepConfigure)
	v := cs.v
	if v.sudoBox.Hidden {
		t.Fatal("no sudo password field for a user who is not root")
	}
	v.adminUser.SetText(xroadtest.AdminUser)
	test.Type(v.adminPW, xroadtest.AdminPassword)
	test.Tap(v.refreshBtn)
	idle("status without a sudo password")
	want := i18n.T("ky", "configure.err.sudo_password", map[string]any{"Path": api.CertPath})
	if cs.status != nil || !hasText(v.notice, want) {
		t.Fatalf("without the sudo password: notice %q, want %q", labelsIn(v.notice), want)
	}
	test.Type(v.sudoPW, pw)
	test.Tap(v.refreshBtn)
	idle("status with the typed sudo password")
	if cs.status == nil {
		t.Fatalf("status not read with the typed sudo password: %q", labelsIn(v.notice))
	}

	// Register offers the same field (the same in-memory value).
	show(stepRegister)
	if rs.v.sudoPW == nil || rs.v.sudoPW.Text != pw {
		t.Fatal("Register does not offer the sudo password field it shares with Configure")
	}
	for k, val := range prefs {
		if s, _ := val.(string); strings.Contains(s, pw) {
			t.Fatalf("the sudo password was saved in the preferences (%s)", k)
		}
	}
}
