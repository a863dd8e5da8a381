package installer

// The plan told to a person before the commands: what will be installed,
// which ports open to whom, what the user is asked for. Each item is a key
// of the report catalogue (installer.summary.*) with its data, so each
// front end says it in the user's language. The ports come from the same
// openings the firewall step applies, so the summary cannot promise what
// the plan does not do.

import (
	"net/url"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// The kinds of summary items, in the order a front end shows them.
const (
	SummaryInstall = "install" // what is installed or changed on the server
	SummaryPort    = "port"    // a port and who may connect to it
	SummaryAsk     = "ask"     // what the user gives
)

// SummaryItem is one line of the summary.
type SummaryItem struct {
	Kind string
	Key  string
	Data map[string]any
	// Port is the port a SummaryPort item is about.
	Port int
}

// Text is the item in lang. Data values that are an i18n.Text (a port's
// purpose, from the profile) are said in lang too.
func (it SummaryItem) Text(lang string) string {
	data := make(map[string]any, len(it.Data))
	for k, v := range it.Data {
		if t, ok := v.(i18n.Text); ok {
			v = t.In(lang)
		}
		data[k] = v
	}
	return i18n.T(lang, it.Key, data)
}

// Summary is the plan of p and opt in a few lines. It needs no readiness
// report and accepts options Plan would refuse (a form shows it while the
// user types): values typed by the user are cleaned for display.
func Summary(p *profile.Profile, opt Options) []SummaryItem {
	line := func(s string) string { return i18n.Line(s, 120) }
	var out []SummaryItem
	add := func(kind, key string, data map[string]any) {
		out = append(out, SummaryItem{Kind: kind, Key: "installer.summary." + key, Data: data})
	}
	in := p.Install
	if dir := strings.TrimSpace(opt.PackagesDir); dir != "" {
		add(SummaryInstall, "xroad_folder", map[string]any{"Version": p.XRoad.Version, "Package": in.Package, "Folder": line(dir)})
	} else {
		repo := in.Repository
		if in.FlatRepository != "" {
			repo = in.FlatRepository
		}
		add(SummaryInstall, "xroad_repo", map[string]any{"Version": p.XRoad.Version, "Package": in.Package, "Repo": repoHost(repo)})
	}
	if len(in.PackagePins) > 0 {
		hashed := 0
		for _, pin := range in.PackagePins {
			if pin.SHA256 != "" {
				hashed++
			}
		}
		add(SummaryInstall, "pins", map[string]any{"Pinned": len(in.PackagePins), "Hashed": hashed})
	}
	add(SummaryInstall, "postgres", nil)
	if cn, short := certName(strings.TrimSpace(opt.Hostname)); short {
		add(SummaryInstall, "cn_short", map[string]any{"Hostname": line(opt.Hostname), "Short": line(cn), "Max": maxCN})
	}
	if user := strings.TrimSpace(opt.AdminUser); user != "" {
		add(SummaryInstall, "admin", map[string]any{"User": line(user)})
	}
	if opt.TokenOnServer {
		if t, err := tokenFor(p, opt); err == nil {
			add(SummaryInstall, "hwtokens", map[string]any{"Package": in.HWTokensPackage, "Library": t.library, "Token": t.name()})
		}
	}
	if lcs := (&builder{p: p}).locales(); len(lcs) > 1 {
		add(SummaryInstall, "locale_xroad", map[string]any{"Locale": lcs[0], "XRoad": lcs[1]})
	} else {
		add(SummaryInstall, "locale", map[string]any{"Locale": lcs[0]})
	}
	add(SummaryInstall, "firewall", nil)

	opt.AdminNetwork, opt.ISNetwork = strings.TrimSpace(opt.AdminNetwork), strings.TrimSpace(opt.ISNetwork)
	b := builder{p: p, opt: opt}
	open := map[int]opening{}
	for _, o := range b.openings() {
		if o.ssh {
			out = append(out, SummaryItem{Kind: SummaryPort, Key: "installer.summary.port_ssh", Port: o.port, Data: map[string]any{"Port": o.port}})
			continue
		}
		open[o.port] = o
	}
	for _, port := range p.Ports {
		data := map[string]any{"Port": port.Port, "Proto": port.Proto, "Purpose": port.Purpose}
		key := "port_closed"
		o, ok := open[port.Port]
		switch {
		case ok && port.Proto == "tcp" && o.from == "":
			key = "port_open"
		case ok && port.Proto == "tcp":
			key, data["Network"] = "port_network", line(o.from)
		case port.Port == portAdmin:
			key = "port_closed_tunnel"
		}
		out = append(out, SummaryItem{Kind: SummaryPort, Key: "installer.summary." + key, Port: port.Port, Data: data})
	}

	add(SummaryAsk, "ask_admin", nil)
	if opt.Local {
		add(SummaryAsk, "ask_sudo_local", nil)
	} else {
		add(SummaryAsk, "ask_sudo", nil)
	}
	add(SummaryAsk, "ask_networks", nil)
	add(SummaryAsk, "ask_packages", nil)
	return out
}

// repoHost names the operator's repository by its host (deb.tunduk.kg).
func repoHost(aptLine string) string {
	for _, f := range strings.Fields(aptLine) {
		if u, err := url.Parse(f); err == nil && u.Host != "" {
			return u.Host
		}
	}
	return aptLine
}
