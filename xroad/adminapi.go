package xroad

// The security server's admin API listens on the host's 127.0.0.1:4000
// only (the firewall keeps 4000 closed unless an admin network is given):
// the client reaches it through the SSH connection (remote.TunnelHTTP), or
// directly when it runs on the server itself (remote.Local), with TLS
// pinned to the certificate the server itself uses.

import (
	"context"
	"fmt"
	"net/http"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// AdminAPI is where the admin API listens on the host and where its TLS
// certificate lies there; ProxyJar is where the classes behind it lie
// (HasClass looks there; "" is the packages' ProxyJar).
type AdminAPI struct {
	Addr     string
	CertPath string
	ProxyJar string
}

// DefaultAdminAPI is the security server's: 127.0.0.1:4000 with the
// certificate the packages make from the proxy-ui-api debconf subjects.
var DefaultAdminAPI = AdminAPI{Addr: "127.0.0.1:4000", CertPath: "/etc/xroad/ssl/proxy-ui-api.crt", ProxyJar: ProxyJar}

// Jar is a.ProxyJar, or the packages' ProxyJar when it is empty.
func (a AdminAPI) Jar() string {
	if a.ProxyJar == "" {
		return ProxyJar
	}
	return a.ProxyJar
}

// adminAPIProbe answers 401 without an API key on a working server.
const adminAPIProbe = "/api/v1/system/version"

// Probe asks the API, through h, for its version without credentials:
// 401 (or 200) means it is up and speaks TLS with the very certificate
// certPEM that the caller read on the host.
func (a AdminAPI) Probe(ctx context.Context, h remote.Host, certPEM []byte) (remote.PinnedCert, error) {
	hc, st, err := remote.TunnelHTTP(h, a.Addr, certPEM)
	if err != nil {
		return st, err
	}
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+st.ServerName+adminAPIProbe, nil)
	if err != nil {
		return st, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return st, fmt.Errorf("the admin API on %s does not answer: %w", a.Addr, err)
	}
	resp.Body.Close()
	st.HTTPStatus = resp.StatusCode
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("the admin API answered %s to %s", resp.Status, adminAPIProbe)
	}
	return st, nil
}
