package configure_test

import (
	"context"
	"net"
	"os"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// On a host without X-Road (this test machine through a real sshd: no
// X-Road package, nothing on the admin API's port), Installed says
// absent and opening a session says "not installed here yet" rather than
// "the certificate cannot be read"; something answering on the port is
// an installed X-Road (its API may be down, not its packages).
func TestInstalledOnAHostWithoutXRoad(t *testing.T) {
	if _, err := os.Stat("/var/lib/dpkg/status"); err != nil {
		t.Skip("needs a dpkg system")
	}
	c := dial(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	open := l.Addr().String()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	none := closed.Addr().String()
	closed.Close()
	defer l.Close()
	ctx := context.Background()
	api := xroad.AdminAPI{Addr: none, CertPath: "/etc/xroad/ssl/proxy-ui-api.crt"}

	if p, err := configure.Installed(ctx, c, api); err != nil || p != configure.PresenceAbsent {
		t.Fatalf("no X-Road: %v, %v", p, err)
	}
	_, err = configure.Open(ctx, c, api, configure.Credentials{User: "xrdadmin", Password: "x"})
	wantKey(t, err, "configure.err.not_installed")

	api.Addr = open
	if p, err := configure.Installed(ctx, c, api); err != nil || p != configure.PresenceInstalled {
		t.Errorf("the port answers: %v, %v", p, err)
	}
	_, err = configure.Open(ctx, c, api, configure.Credentials{User: "xrdadmin", Password: "x"})
	wantKey(t, err, "configure.err.api_cert")
}
