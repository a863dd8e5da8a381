package checks

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// A rule judges one aspect of a machine. Rules never guess: where a fact
// is missing they say Unknown and explain why.
type rule func(c *ruleCtx) Result

type ruleCtx struct {
	f      *Facts
	p      *profile.Profile
	opt    Options
	remote bool
}

// Evaluate applies the profile's rules to the facts, in a fixed order.
func Evaluate(f *Facts, p *profile.Profile, opt Options, local bool) []Result {
	c := &ruleCtx{f: f, p: p, opt: opt, remote: !local}
	rules := []rule{ruleOS, ruleArch, ruleCPU, ruleAES, ruleRAM, ruleDisk,
		ruleLinkSpeed, ruleStatic, rulePublicIP, ruleTime, ruleLocale}
	out := make([]Result, 0, len(rules)+len(p.Ports)+3)
	for _, r := range rules {
		out = append(out, r(c))
	}
	for _, port := range p.Ports {
		out = append(out, c.port(port))
	}
	if c.remote {
		out = append(out, ruleSudo(c))
	}
	out = append(out, ruleToken(c), rulePCSCD(c))
	return out
}

// result starts a Result whose title, why and fix come from the catalogue
// under rule.<id>.*. Remote text inside observed is sanitised here, once.
func result(id string, st Status, observed, required i18n.Text, data map[string]any) Result {
	key := "rule." + strings.ReplaceAll(id, ".", "_")
	r := Result{ID: id, Status: st, Observed: sanitizeText(observed), Required: required,
		Title: i18n.TT(key+".title", data), Why: i18n.TT(key+".why", data)}
	if st != Pass && st != Info {
		r.Fix = i18n.TT(key+".fix", data)
	}
	return r
}

// join concatenates texts language by language.
func join(parts ...i18n.Text) i18n.Text {
	var out i18n.Text
	for _, p := range parts {
		out.EN, out.RU, out.KY = out.EN+p.EN, out.RU+p.RU, out.KY+p.KY
	}
	return out
}

func sanitizeText(t i18n.Text) i18n.Text {
	return i18n.Text{EN: i18n.Line(t.EN, i18n.MaxLine), RU: i18n.Line(t.RU, i18n.MaxLine), KY: i18n.Line(t.KY, i18n.MaxLine)}
}

// unknown is a result that could not be decided; noteKey (under note.*)
// explains why and takes the place of the fix.
func unknown(id string, required i18n.Text, noteKey string, data map[string]any) Result {
	r := result(id, Unknown, i18n.TT("obs.unknown", nil), required, data)
	r.Fix = i18n.TT("note."+noteKey, data)
	return r
}

func ruleOS(c *ruleCtx) Result {
	const id = "os.release"
	supported := c.p.SupportedUbuntu()
	data := map[string]any{"XRoad": c.p.XRoad.Version, "Supported": "Ubuntu " + strings.Join(supported, ", ")}
	required := i18n.Same(fmt.Sprintf("Ubuntu %s LTS (X-Road %s)", strings.Join(supported, " / "), c.p.XRoad.Version))
	o := c.f.OS
	if o.ID == "" {
		if files := c.f.Unreadable["os"]; len(files) > 0 {
			data["Files"] = strings.Join(files, ", ")
			return unknown(id, required, "os_release_unreadable", data)
		}
		return unknown(id, required, "no_os_release", data)
	}
	observed := o.PrettyName
	if observed == "" {
		observed = o.ID + " " + o.VersionID
	}
	switch {
	case o.ID == "ubuntu" && contains(supported, o.VersionID):
		return result(id, Pass, i18n.Same(observed), required, data)
	case o.ID == "ubuntu" && contains(c.p.XRoad.PublishedUbuntu, o.VersionID):
		r := result(id, Warn, i18n.Same(observed), required, data)
		r.Why = i18n.TT("rule.os_release.why_published", data)
		return r
	}
	return result(id, Fail, i18n.Same(observed), required, data)
}

func ruleArch(c *ruleCtx) Result {
	const id = "os.arch"
	required := i18n.Same(strings.Join(c.p.XRoad.Arch, ", "))
	if c.f.Arch == "" {
		return unknown(id, required, "no_arch", nil)
	}
	st := Fail
	if contains(c.p.XRoad.Arch, c.f.Arch) {
		st = Pass
	}
	return result(id, st, i18n.Same(c.f.Arch), required, nil)
}

func ruleCPU(c *ruleCtx) Result {
	const id = "cpu.cores"
	data := map[string]any{"Min": c.p.Thresholds.MinCores, "N": c.f.CPU.Cores, "Model": c.f.CPU.Model}
	required := i18n.TT("req.cores", data)
	if c.f.CPU.Cores == 0 {
		return unknown(id, required, "no_cpuinfo", data)
	}
	st := Pass
	if c.f.CPU.Cores < c.p.Thresholds.MinCores {
		st = Fail
	}
	return result(id, st, i18n.TT("obs.cores", data), required, data)
}

func ruleAES(c *ruleCtx) Result {
	const id = "cpu.aes"
	required := i18n.TT("req.aes", nil)
	switch {
	case c.f.CPU.AES == nil:
		return unknown(id, required, "no_cpuinfo", nil)
	case *c.f.CPU.AES:
		return result(id, Pass, i18n.Same("aes"), required, nil)
	}
	return result(id, Warn, i18n.TT("obs.no_aes", nil), required, nil)
}

// memSlack accepts a machine sold as N GiB: the kernel reserves part of
// RAM before MemTotal is counted, so a 4 GiB VM reports about 3.8 GiB.
const memSlack = 0.92

func ruleRAM(c *ruleCtx) Result {
	const id = "memory.total"
	t := c.p.Thresholds
	data := map[string]any{"Min": GiB(t.MinRAMBytes), "Recommended": GiB(t.RecommendedRAMBytes)}
	required := i18n.TT("req.at_least_recommended", data)
	total := c.f.Memory.TotalBytes
	if total == 0 {
		return unknown(id, required, "no_meminfo", data)
	}
	st := Pass
	switch {
	case float64(total) < float64(t.MinRAMBytes)*memSlack:
		st = Fail
	case float64(total) < float64(t.RecommendedRAMBytes)*memSlack:
		st = Warn
	}
	return result(id, st, i18n.Same(GiB(total)), required, data)
}

func ruleDisk(c *ruleCtx) Result {
	const id = "disk.free"
	t := c.p.Thresholds
	data := map[string]any{"Path": t.DiskPath, "Min": GB(t.MinFreeDiskBytes), "Recommended": GB(t.RecommendedFreeDiskBytes)}
	required := i18n.TT("req.disk", data)
	d := c.f.DiskFor(t.DiskPath)
	if d == nil {
		return unknown(id, required, "no_disk", data)
	}
	data["Mount"], data["Free"], data["Total"] = d.Mount, GB(d.FreeBytes), GB(d.TotalBytes)
	st := Pass
	switch {
	case d.FreeBytes < t.MinFreeDiskBytes:
		st = Fail
	case d.FreeBytes < t.RecommendedFreeDiskBytes:
		st = Warn
	}
	return result(id, st, i18n.TT("obs.disk", data), required, data)
}

func ruleLinkSpeed(c *ruleCtx) Result {
	const id = "net.speed"
	data := map[string]any{"Min": c.p.Thresholds.MinLinkMbps}
	required := i18n.TT("req.speed", data)
	nic := c.f.DefaultInterface()
	if nic == nil {
		return unknown(id, required, "no_default_route", data)
	}
	data["NIC"] = nic.Name
	if nic.SpeedMbps == nil {
		return unknown(id, required, "no_link_speed", data)
	}
	st := Pass
	if *nic.SpeedMbps < c.p.Thresholds.MinLinkMbps {
		st = Fail
	}
	return result(id, st, i18n.Same(fmt.Sprintf("%s: %d Mbit/s", nic.Name, *nic.SpeedMbps)), required, data)
}

func ruleStatic(c *ruleCtx) Result {
	const id = "net.static"
	required := i18n.TT("req.static", nil)
	nic := c.f.DefaultInterface()
	if nic == nil {
		return unknown(id, required, "no_default_route", nil)
	}
	data := map[string]any{"NIC": nic.Name, "Source": nic.AddressingSource}
	switch nic.Addressing {
	case AddressingStatic:
		return result(id, Pass, i18n.TT("obs.static", data), required, data)
	case AddressingDHCP:
		if nic.Lease == nil {
			return result(id, Fail, i18n.TT("obs.dhcp", data), required, data)
		}
		// The kernel decided: the files may well say static, so the usual
		// "set dhcp4: false" would not help on its own.
		data["Address"], data["Seconds"] = nic.Lease.Address, nic.Lease.ValidLft
		r := result(id, Fail, i18n.TT("obs.dhcp_lease", data), required, data)
		r.Fix = i18n.TT("rule.net_static.fix_lease", data)
		return r
	}
	if files := c.f.Unreadable["addressing"]; len(files) > 0 {
		// Not "no configuration found": there is some, and the checking
		// user may not read it.
		data["Files"] = strings.Join(files, ", ")
		return unknown(id, required, "addressing_unreadable", data)
	}
	return unknown(id, required, "no_addressing", data)
}

func rulePublicIP(c *ruleCtx) Result {
	const id = "net.public_ip"
	required := i18n.TT("req.public_ip", nil)
	data := map[string]any{"Given": c.opt.PublicIP}
	if c.opt.PublicIP != "" {
		given, err := netip.ParseAddr(c.opt.PublicIP)
		if err != nil || AddrClass(given) != "public" {
			r := result(id, Fail, i18n.Same("--public-ip "+c.opt.PublicIP), required, data)
			r.Fix = i18n.TT("rule.net_public_ip.fix_given", data)
			return r
		}
	}
	nic := c.f.DefaultInterface()
	if nic == nil {
		return unknown(id, required, "no_default_route", data)
	}
	data["NIC"] = nic.Name
	var seen []i18n.Text
	for _, a := range nic.Addresses {
		pfx, err := netip.ParsePrefix(a)
		if err != nil || !pfx.Addr().Is4() {
			continue
		}
		class := AddrClass(pfx.Addr())
		if class == "public" {
			return result(id, Pass, i18n.Same(pfx.Addr().String()), required, data)
		}
		seen = append(seen, join(i18n.Same(pfx.Addr().String()+" ("), i18n.TT("class."+class, nil), i18n.Same(")")))
	}
	observed := i18n.TT("obs.no_ipv4", data)
	if len(seen) > 0 {
		observed = seen[0]
		for _, t := range seen[1:] {
			observed = join(observed, i18n.Same(", "), t)
		}
	}
	if c.opt.PublicIP != "" {
		r := result(id, Warn, join(observed, i18n.Same(" -> NAT "+c.opt.PublicIP)), required, data)
		r.Why = i18n.TT("rule.net_public_ip.why_nat", data)
		r.Fix = i18n.TT("rule.net_public_ip.fix_nat", data)
		return r
	}
	return result(id, Fail, observed, required, data)
}

// AddrClass names what kind of address a is: public, private, cgnat,
// link-local, loopback or other (multicast, reserved, documentation).
func AddrClass(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return "loopback"
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsPrivate():
		return "private"
	case a.Is4() && netip.MustParsePrefix("100.64.0.0/10").Contains(a):
		return "cgnat"
	case !a.IsGlobalUnicast():
		return "other"
	}
	for _, p := range reserved {
		if p.Contains(a) {
			return "other"
		}
	}
	return "public"
}

// Ranges that are global unicast in form but never routed on the internet.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("100::/64"),       // IPv6 discard
	netip.MustParsePrefix("64:ff9b:1::/48"), // IPv6 local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),  // IPv6 documentation
	netip.MustParsePrefix("3fff::/20"),      // IPv6 documentation (RFC 9637)
}

func ruleTime(c *ruleCtx) Result {
	const id = "time.sync"
	required := i18n.TT("req.time", nil)
	switch {
	case c.f.TimeSynced == nil:
		return unknown(id, required, "no_timesync", nil)
	case *c.f.TimeSynced:
		return result(id, Pass, i18n.TT("obs.synced", nil), required, nil)
	}
	return result(id, Fail, i18n.TT("obs.not_synced", nil), required, nil)
}

func ruleLocale(c *ruleCtx) Result {
	const id = "locale"
	want := c.p.Locale
	data := map[string]any{"Locale": want}
	if c.f.Locales == nil {
		return unknown(id, i18n.Same(want), "no_locales", data)
	}
	if contains(c.f.Locales, want) {
		return result(id, Pass, i18n.Same(want), i18n.Same(want), data)
	}
	return result(id, Warn, i18n.TT("obs.missing", nil), i18n.Same(want), data)
}

func (c *ruleCtx) port(port profile.Port) Result {
	id := fmt.Sprintf("port.%d", port.Port)
	data := map[string]any{"Port": port.Port, "Proto": port.Proto}
	// The purpose reads in the report's language; templates get one value,
	// so the texts are built per language.
	perLang := func(key string) i18n.Text {
		var t [3]string
		for i, l := range i18n.Languages {
			d := map[string]any{"Purpose": port.Purpose.In(l)}
			for k, v := range data {
				d[k] = v
			}
			t[i] = i18n.T(l, key, d)
		}
		return i18n.Text{EN: t[0], RU: t[1], KY: t[2]}
	}
	required := perLang("req.port")
	if c.f.Listening == nil {
		r := unknown(id, required, "no_listening", data)
		r.Title, r.Why = perLang("rule.port.title"), perLang("rule.port.why")
		return r
	}
	var holders []string
	var foreign, anonymous bool
	for _, l := range c.f.Listening {
		if l.Port != port.Port || l.Proto != port.Proto {
			continue
		}
		switch {
		case l.Process == "":
			anonymous = true
			holders = append(holders, l.Address+" (?)")
		case contains(port.Owners, l.Process):
			holders = append(holders, l.Address+" ("+l.Process+")")
		default:
			foreign = true
			holders = append(holders, l.Address+" ("+l.Process+")")
		}
	}
	data["Holders"] = strings.Join(uniq(holders), ", ")
	var r Result
	switch {
	case foreign:
		r = result(id, Fail, i18n.TT("obs.port_held", data), required, data)
		r.Fix = i18n.TT("rule.port.fix", data)
	case anonymous:
		r = unknown(id, required, "port_owner_hidden", data)
		r.Observed = sanitizeText(i18n.TT("obs.port_held", data))
	case len(holders) > 0:
		r = result(id, Pass, i18n.TT("obs.port_xroad", data), required, data)
	default:
		r = result(id, Pass, i18n.TT("obs.port_free", data), required, data)
	}
	r.Title, r.Why = perLang("rule.port.title"), perLang("rule.port.why")
	return r
}

func ruleSudo(c *ruleCtx) Result {
	const id = "ssh.sudo"
	required := i18n.TT("req.sudo", nil)
	s := c.f.Sudo
	if s == nil {
		return unknown(id, required, "no_sudo", nil)
	}
	data := map[string]any{"User": s.User}
	switch {
	case s.IsRoot:
		return result(id, Pass, i18n.TT("obs.sudo_root", data), required, data)
	case s.Passwordless:
		return result(id, Pass, i18n.TT("obs.sudo_nopw", data), required, data)
	case s.InSudoGroup:
		return result(id, Pass, i18n.TT("obs.sudo_pw", data), required, data)
	}
	return result(id, Fail, i18n.TT("obs.sudo_none", data), required, data)
}

func ruleToken(c *ruleCtx) Result {
	const id = "token.usb"
	var found []string
	for _, d := range c.f.USBTokens {
		vendor, _, _ := strings.Cut(d.ID, ":")
		if name, ok := c.p.USBTokenVendors[vendor]; ok {
			found = append(found, strings.Join(strings.Fields(name+" "+d.Product+" "+d.ID), " "))
		}
	}
	sort.Strings(found)
	required := i18n.TT("req.token", nil)
	if len(found) > 0 {
		return result(id, Info, i18n.Same(strings.Join(found, ", ")), required, nil)
	}
	r := result(id, Info, i18n.TT("obs.none", nil), required, nil)
	r.Fix = i18n.TT("rule.token_usb.fix", nil)
	return r
}

func rulePCSCD(c *ruleCtx) Result {
	const id = "token.pcscd"
	required := i18n.TT("req.pcscd", nil)
	switch {
	case c.f.PCSCD == nil:
		return unknown(id, required, "no_pcscd", nil)
	case *c.f.PCSCD:
		return result(id, Info, i18n.TT("obs.running", nil), required, nil)
	}
	r := result(id, Info, i18n.TT("obs.not_running", nil), required, nil)
	r.Fix = i18n.TT("rule.token_pcscd.fix", nil)
	return r
}

// DiskFor returns the disk whose mount point is the longest prefix of path.
func (f *Facts) DiskFor(path string) *Disk {
	var best *Disk
	for i := range f.Disks {
		m := f.Disks[i].Mount
		if path == m || m == "/" || strings.HasPrefix(path, strings.TrimSuffix(m, "/")+"/") {
			if best == nil || len(m) > len(best.Mount) {
				best = &f.Disks[i]
			}
		}
	}
	return best
}

// GiB formats bytes in binary gigabytes, as RAM is sold.
func GiB(b uint64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) }

// GB formats bytes in decimal gigabytes, as disks are sold.
func GB(b uint64) string { return fmt.Sprintf("%.1f GB", float64(b)/1e9) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func uniq(in []string) []string {
	sort.Strings(in)
	out := in[:0]
	for i, s := range in {
		if i == 0 || s != in[i-1] {
			out = append(out, s)
		}
	}
	return out
}
