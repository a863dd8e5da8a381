package health

import (
	"encoding/xml"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// Endpoint is one address the server must reach, and what for.
type Endpoint struct {
	Host, Port string
	Purpose    string // "central", "management", "ocsp", "tsa", "profile"
}

// Addr is host:port.
func (e Endpoint) Addr() string { return net.JoinHostPort(e.Host, e.Port) }

// maxAnchor bounds an anchor read here as xroad/configure does: real
// ones are a few KB.
const maxAnchor = 50 << 10

// AnchorEndpoints are the central servers an anchor names: each
// source's downloadURL (global configuration, HTTP, port 80 unless the
// URL says) and the management service on the same host, port 4001
// (X-Road 7.4.2: the central server's registration and management
// requests, the install guide's "out 4001"; the address global
// configuration gives is the same host).
func AnchorEndpoints(anchor []byte) []Endpoint {
	if len(anchor) == 0 || len(anchor) > maxAnchor {
		return nil
	}
	var a struct {
		Sources []struct {
			URL string `xml:"downloadURL"`
		} `xml:"source"`
	}
	if xml.Unmarshal(anchor, &a) != nil {
		return nil
	}
	var out []Endpoint
	for _, s := range a.Sources {
		if e, ok := urlEndpoint(strings.TrimSpace(s.URL), "central"); ok {
			out = append(out, e, Endpoint{Host: e.Host, Port: "4001", Purpose: "management"})
		}
	}
	return out
}

// urlEndpoint is the host and port of an http(s) URL, if safe to probe.
func urlEndpoint(raw, purpose string) (Endpoint, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return Endpoint{}, false
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	e := Endpoint{Host: u.Hostname(), Port: port, Purpose: purpose}
	if !profile.ValidEndpoint(e.Host + ":" + port) {
		return Endpoint{}, false
	}
	return e, true
}

// endpoints are the addresses of the network path: the anchor's, the
// OCSP responders' and time-stamping services' the diagnostics named,
// and the profile's own, each once.
func (g *gatherer) endpoints(anchor []byte) []Endpoint {
	out := AnchorEndpoints(anchor)
	for _, u := range g.ocspURLs {
		if e, ok := urlEndpoint(u, "ocsp"); ok {
			out = append(out, e)
		}
	}
	for _, u := range g.tsaURLs {
		if e, ok := urlEndpoint(u, "tsa"); ok {
			out = append(out, e)
		}
	}
	out = append(out, ProfileEndpoints(g.th)...)
	return dedupe(out)
}

// ProfileEndpoints are the profile's extra addresses.
func ProfileEndpoints(th profile.Health) []Endpoint {
	var out []Endpoint
	for _, s := range th.Endpoints {
		if h, p, err := net.SplitHostPort(s); err == nil && profile.ValidEndpoint(s) {
			out = append(out, Endpoint{Host: h, Port: p, Purpose: "profile"})
		}
	}
	return out
}

func dedupe(es []Endpoint) []Endpoint {
	seen := map[string]bool{}
	var out []Endpoint
	for _, e := range es {
		if !seen[e.Addr()] {
			seen[e.Addr()] = true
			out = append(out, e)
		}
	}
	return out
}

// pathFindings: one finding per address, from the probe's exit codes.
func pathFindings(addrs []Endpoint, tcp map[string]int) []Finding {
	var out []Finding
	for _, a := range addrs {
		d := map[string]any{"Addr": a.Addr(), "Purpose": a.Purpose}
		id := "path." + a.Addr()
		l := map[string]string{"address": a.Addr(), "purpose": a.Purpose}
		code, ok := tcp[a.Addr()]
		switch {
		case !ok || code == 127:
			out = append(out, mk(id, Unknown, "path", "unchecked", d))
		case code == 0:
			out = append(out, withValue(mk(id, OK, "path", "open", d), 1, "tunduk_onboard_endpoint_up", l))
		case code == 124:
			out = append(out, withValue(mk(id, Critical, "path", "timeout", d), 0, "tunduk_onboard_endpoint_up", l))
		default:
			d["Code"] = strconv.Itoa(code)
			out = append(out, withValue(mk(id, Critical, "path", "refused", d), 0, "tunduk_onboard_endpoint_up", l))
		}
	}
	for i := range out {
		if out[i].Status != OK {
			out[i].Why = i18n.TT("health.path.why_"+addrs[i].Purpose, nil)
		}
	}
	return out
}

func (g *gatherer) path(addrs []Endpoint, p probeOut) {
	g.out = append(g.out, pathFindings(addrs, p.tcp)...)
}
