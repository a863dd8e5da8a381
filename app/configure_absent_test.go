package app

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// buttonIn is the button with text under o, nil when there is none.
func buttonIn(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	walk(o, func(c fyne.CanvasObject) {
		if b, ok := c.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	return found
}

// Configure on a server without X-Road (a real sshd, this test machine,
// which has no X-Road packages, and no admin API behind the port): the
// step says "X-Road is not installed here yet", without asking for an
// admin login nobody has yet, and its button goes to Install. With the
// login typed, the session's opening tells the same. A server whose
// admin API answers gets the form.
func TestConfigureWithoutXRoad(t *testing.T) {
	if _, err := os.Stat("/var/lib/dpkg/status"); err != nil {
		t.Skip("needs a dpkg system: the look reads the X-Road packages with dpkg-query")
	}
	h := testhost.StartSSHD(t, testhost.Options{})
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SSH_AUTH_SOCK", "")
	_ = os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	testhost.WriteKnownHostsFile(t, filepath.Join(home, ".ssh", "known_hosts"), h.KnownHostsLine())

	wz, _ := newTestWizard(t, nil)
	wz.state.Org = validOrg()
	wz.state.Server = Server{Remote: true, Host: h.IP, Port: strconv.Itoa(h.Port), User: h.User, Auth: AuthKey,
		KeyFile: h.ClientKeyPath, PublicIP: "93.184.216.34"}
	pump := make(uiPump)
	wz.configure.uiDo = func(f func()) {
		done := make(chan struct{})
		pump <- func() { defer close(done); f() }
		<-done
	}
	cs := wz.configure
	cs.api = xroad.AdminAPI{Addr: closedPort(t), CertPath: "/etc/xroad/ssl/proxy-ui-api.crt"}
	show := func() {
		wz.cur = wz.stepIndex(stepConfigure)
		wz.showStep()
		pump.waitUntil(t, "the look at the server", func() bool { return cs.busy == "" && !cs.xroad.looking })
	}
	goInstall := T("nav.go_to", map[string]any{"Step": T("step.install")})

	show()
	if !cs.xroadAbsent() || !contains(labelsIn(wz.page), T("configure.not_installed")) {
		t.Fatalf("no X-Road, no login: the page says %q", labelsIn(wz.page))
	}
	if contains(labelsIn(wz.page), T("configure.status_unknown")) {
		t.Error("the admin password is asked for on a server without X-Road")
	}
	b := buttonIn(wz.page, goInstall)
	if b == nil {
		t.Fatalf("no %q button", goInstall)
	}
	test.Tap(b)
	if wz.stepID() != stepInstall {
		t.Fatalf("the button went to %s", wz.stepID())
	}

	// The login known (typed on Configure another day): the session's
	// opening finds no X-Road either, and says the same.
	cs.xroad = presence{}
	cs.form.AdminUser, cs.form.AdminPassword = "xrdadmin", "Admin-Password-1"
	show()
	if cs.status != nil || !cs.xroadAbsent() || buttonIn(wz.page, goInstall) == nil {
		t.Fatalf("with a login: absent %v, page %q", cs.xroadAbsent(), labelsIn(wz.page))
	}
	certErr := i18n.T("en", "configure.err.api_cert", map[string]any{"Path": cs.api.CertPath})
	for _, l := range labelsIn(wz.page) {
		if l == certErr || l == T("configure.error_todo") {
			t.Errorf("told as an error: %q", l)
		}
	}

	// Something answers on the admin API's port: installed, the form shows.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cs.api.Addr = l.Addr().String()
	cs.form.AdminPassword = ""
	cs.xroad = presence{}
	show()
	if cs.xroadAbsent() || contains(labelsIn(wz.page), T("configure.not_installed")) || cs.v.initBtn == nil {
		t.Errorf("an answering admin API is taken for no X-Road: %q", labelsIn(wz.page))
	}
}
