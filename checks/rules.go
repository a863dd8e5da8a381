package checks

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// A rule judges one aspect of a machine. Rules never guess: where a fact
// is missing they say Unknown and explain why.
type rule func(c *ruleCtx) Result

type ruleCtx struct {
	f      *Facts
	p      *Profile
	opt    Options
	remote bool
}

// Evaluate applies the profile's rules to the facts, in a fixed order.
func Evaluate(f *Facts, p *Profile, opt Options, local bool) []Result {
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
// under rule.<id>.*; fixKey picks a status-specific fix where one exists.
func result(id string, st Status, observed, required string, data map[string]any) Result {
	key := "rule." + strings.ReplaceAll(id, ".", "_")
	r := Result{ID: id, Status: st, Observed: Sanitize(observed), Required: required,
		Title: TT(key+".title", data), Why: TT(key+".why", data)}
	if st != Pass && st != Info {
		r.Fix = TT(key+".fix", data)
	}
	return r
}

// unknown is a result that could not be decided; reason is a catalogue key
// under note.* explaining why, shown in place of the fix.
func unknown(id, required, noteKey string, data map[string]any) Result {
	r := result(id, Unknown, "", required, data)
	r.Observed = T("en", "observed.unknown", nil)
	r.Fix = TT("note."+noteKey, data)
	return r
}

func ruleOS(c *ruleCtx) Result {
	const id = "os.release"
	supported := c.p.SupportedUbuntu()
	data := map[string]any{"XRoad": c.p.XRoad.Version, "Supported": "Ubuntu " + strings.Join(supported, ", ")}
	required := fmt.Sprintf("Ubuntu %s LTS (X-Road %s)", strings.Join(supported, " / "), c.p.XRoad.Version)
	o := c.f.OS
	if o.ID == "" {
		return unknown(id, required, "no_os_release", data)
	}
	observed := o.PrettyName
	if observed == "" {
		observed = o.ID + " " + o.VersionID
	}
	data["Observed"] = observed
	if o.ID != "ubuntu" {
		return result(id, Fail, observed, required, data)
	}
	if contains(supported, o.VersionID) {
		return result(id, Pass, observed, required, data)
	}
	if contains(c.p.XRoad.PublishedUbuntu, o.VersionID) {
		r := result(id, Warn, observed, required, data)
		r.Why = TT("rule.os_release.why_published", data)
		return r
	}
	return result(id, Fail, observed, required, data)
}

func ruleArch(c *ruleCtx) Result {
	const id = "os.arch"
	required := strings.Join(c.p.XRoad.Arch, ", ")
	if c.f.Arch == "" {
		return unknown(id, required, "no_arch", nil)
	}
	st := Fail
	if contains(c.p.XRoad.Arch, c.f.Arch) {
		st = Pass
	}
	return result(id, st, c.f.Arch, required, nil)
}

func ruleCPU(c *ruleCtx) Result {
	const id = "cpu.cores"
	min := c.p.Thresholds.MinCores
	required := fmt.Sprintf("64-bit, >= %d cores", min)
	if c.f.CPU.Cores == 0 {
		return unknown(id, required, "no_cpuinfo", nil)
	}
	observed := fmt.Sprintf("%d cores", c.f.CPU.Cores)
	if c.f.CPU.Model != "" {
		observed += ", " + c.f.CPU.Model
	}
	st := Pass
	if c.f.CPU.Cores < min {
		st = Fail
	}
	return result(id, st, observed, required, map[string]any{"Min": min})
}

func ruleAES(c *ruleCtx) Result {
	const id = "cpu.aes"
	const required = "aes CPU flag"
	switch {
	case c.f.CPU.AES == nil:
		return unknown(id, required, "no_cpuinfo", nil)
	case *c.f.CPU.AES:
		return result(id, Pass, "aes", required, nil)
	default:
		return result(id, Warn, "no aes flag", required, nil)
	}
}

// memSlack accepts a machine sold as N GiB: the kernel reserves part of
// RAM before MemTotal is counted, so a 4 GiB VM reports about 3.8 GiB.
const memSlack = 0.92

func ruleRAM(c *ruleCtx) Result {
	const id = "memory.total"
	t := c.p.Thresholds
	required := fmt.Sprintf(">= %s (%s recommended)", GiB(t.MinRAMBytes), GiB(t.RecommendedRAMBytes))
	total := c.f.Memory.TotalBytes
	if total == 0 {
		return unknown(id, required, "no_meminfo", nil)
	}
	data := map[string]any{"Min": GiB(t.MinRAMBytes), "Recommended": GiB(t.RecommendedRAMBytes)}
	st := Pass
	switch {
	case float64(total) < float64(t.MinRAMBytes)*memSlack:
		st = Fail
	case float64(total) < float64(t.RecommendedRAMBytes)*memSlack:
		st = Warn
	}
	return result(id, st, GiB(total), required, data)
}

func ruleDisk(c *ruleCtx) Result {
	const id = "disk.free"
	t := c.p.Thresholds
	required := fmt.Sprintf(">= %s free for %s (%s recommended)", GB(t.MinFreeDiskBytes), t.DiskPath, GB(t.RecommendedFreeDiskBytes))
	data := map[string]any{"Path": t.DiskPath, "Min": GB(t.MinFreeDiskBytes), "Recommended": GB(t.RecommendedFreeDiskBytes)}
	d := c.f.DiskFor(t.DiskPath)
	if d == nil {
		return unknown(id, required, "no_disk", data)
	}
	data["Mount"] = d.Mount
	observed := fmt.Sprintf("%s free of %s on %s", GB(d.FreeBytes), GB(d.TotalBytes), d.Mount)
	st := Pass
	switch {
	case d.FreeBytes < t.MinFreeDiskBytes:
		st = Fail
	case d.FreeBytes < t.RecommendedFreeDiskBytes:
		st = Warn
	}
	return result(id, st, observed, required, data)
}

func ruleLinkSpeed(c *ruleCtx) Result {
	const id = "net.speed"
	min := c.p.Thresholds.MinLinkMbps
	required := fmt.Sprintf(">= %d Mbps", min)
	data := map[string]any{"Min": min}
	nic := c.f.DefaultInterface()
	if nic == nil {
		return unknown(id, required, "no_default_route", data)
	}
	data["NIC"] = nic.Name
	if nic.SpeedMbps == nil {
		return unknown(id, required, "no_link_speed", data)
	}
	observed := fmt.Sprintf("%s: %d Mbps", nic.Name, *nic.SpeedMbps)
	st := Pass
	if *nic.SpeedMbps < min {
		st = Fail
	}
	return result(id, st, observed, required, data)
}

func ruleStatic(c *ruleCtx) Result {
	const id = "net.static"
	const required = "static address"
	nic := c.f.DefaultInterface()
	if nic == nil {
		return unknown(id, required, "no_default_route", nil)
	}
	data := map[string]any{"NIC": nic.Name, "Source": nic.AddressingSource}
	switch nic.Addressing {
	case AddressingStatic:
		return result(id, Pass, nic.Name+": static ("+nic.AddressingSource+")", required, data)
	case AddressingDHCP:
		return result(id, Fail, nic.Name+": DHCP ("+nic.AddressingSource+")", required, data)
	}
	return unknown(id, required, "no_addressing", data)
}

func rulePublicIP(c *ruleCtx) Result {
	const id = "net.public_ip"
	const required = "public IPv4 address (static, \"white\")"
	nic := c.f.DefaultInterface()
	data := map[string]any{"Given": c.opt.PublicIP}
	if c.opt.PublicIP != "" {
		given, err := netip.ParseAddr(c.opt.PublicIP)
		if err != nil || AddrClass(given) != "public" {
			r := result(id, Fail, "--public-ip "+c.opt.PublicIP, required, data)
			r.Fix = TT("rule.net_public_ip.fix_given", data)
			return r
		}
	}
	if nic == nil {
		return unknown(id, required, "no_default_route", data)
	}
	var seen []string
	for _, a := range nic.Addresses {
		pfx, err := netip.ParsePrefix(a)
		if err != nil || !pfx.Addr().Is4() {
			continue
		}
		class := AddrClass(pfx.Addr())
		if class == "public" {
			return result(id, Pass, pfx.Addr().String(), required, data)
		}
		seen = append(seen, pfx.Addr().String()+" ("+class+")")
	}
	observed := strings.Join(seen, ", ")
	if observed == "" {
		observed = "no IPv4 address on " + nic.Name
	}
	if c.opt.PublicIP != "" {
		r := result(id, Warn, observed+" -> NAT "+c.opt.PublicIP, required, data)
		r.Why = TT("rule.net_public_ip.why_nat", data)
		r.Fix = TT("rule.net_public_ip.fix_nat", data)
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
}

func ruleTime(c *ruleCtx) Result {
	const id = "time.sync"
	const required = "synchronised (NTP)"
	switch {
	case c.f.TimeSynced == nil:
		return unknown(id, required, "no_timesync", nil)
	case *c.f.TimeSynced:
		return result(id, Pass, "synchronised", required, nil)
	default:
		return result(id, Fail, "not synchronised", required, nil)
	}
}

func ruleLocale(c *ruleCtx) Result {
	const id = "locale"
	want := c.p.Locale
	data := map[string]any{"Locale": want}
	if c.f.Locales == nil {
		return unknown(id, want, "no_locales", data)
	}
	if contains(c.f.Locales, want) {
		return result(id, Pass, want, want, data)
	}
	return result(id, Warn, "missing", want, data)
}

func (c *ruleCtx) port(port Port) Result {
	id := fmt.Sprintf("port.%d", port.Port)
	required := fmt.Sprintf("%d/%s free for X-Road (%s)", port.Port, port.Proto, port.Purpose)
	data := map[string]any{"Port": port.Port, "Purpose": port.Purpose}
	if c.f.Listening == nil {
		return unknown(id, required, "no_listening", data)
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
	holders = uniq(holders)
	data["Holders"] = strings.Join(holders, ", ")
	r := Result{}
	switch {
	case foreign:
		r = result(id, Fail, "held by "+strings.Join(holders, ", "), required, data)
	case anonymous:
		r = unknown(id, required, "port_owner_hidden", data)
		r.Observed = "held by " + strings.Join(holders, ", ")
	case len(holders) > 0:
		r = result(id, Pass, "held by X-Road: "+strings.Join(holders, ", "), required, data)
	default:
		r = result(id, Pass, "free", required, data)
	}
	r.Title = TT("rule.port.title", data)
	r.Why = TT("rule.port.why", data)
	if r.Status == Fail {
		r.Fix = TT("rule.port.fix", data)
	}
	return r
}

func ruleSudo(c *ruleCtx) Result {
	const id = "ssh.sudo"
	const required = "root or sudo"
	s := c.f.Sudo
	if s == nil {
		return unknown(id, required, "no_sudo", nil)
	}
	data := map[string]any{"User": s.User}
	switch {
	case s.IsRoot:
		return result(id, Pass, s.User+" (root)", required, data)
	case s.Passwordless:
		return result(id, Pass, s.User+": sudo without password", required, data)
	case s.InSudoGroup:
		return result(id, Pass, s.User+": sudo with password", required, data)
	}
	return result(id, Fail, s.User+": no sudo", required, data)
}

func ruleToken(c *ruleCtx) Result {
	const id = "token.usb"
	var found []string
	for _, d := range c.f.USBTokens {
		vendor, _, _ := strings.Cut(d.ID, ":")
		if name, ok := c.p.USBTokenVendors[vendor]; ok {
			found = append(found, strings.TrimSpace(name+" "+d.Product+" "+d.ID))
		}
	}
	sort.Strings(found)
	observed := "none"
	if len(found) > 0 {
		observed = strings.Join(found, ", ")
	}
	r := result(id, Info, observed, "Rutoken on USB (if the signing key lives on this server)", nil)
	if len(found) == 0 {
		r.Fix = TT("rule.token_usb.fix", nil)
	}
	return r
}

func rulePCSCD(c *ruleCtx) Result {
	const id = "token.pcscd"
	const required = "pcscd running (for a Rutoken on this server)"
	switch {
	case c.f.PCSCD == nil:
		return unknown(id, required, "no_pcscd", nil)
	case *c.f.PCSCD:
		return result(id, Info, "running", required, nil)
	}
	r := result(id, Info, "not running", required, nil)
	r.Fix = TT("rule.token_pcscd.fix", nil)
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
