package checks

import (
	"sort"
	"strconv"
	"strings"
)

// NormalizeLocale writes a UTF-8 codeset the way the rules expect it:
// en_US.utf8 and en_US.UTF8 become en_US.UTF-8 (a @modifier is kept).
func NormalizeLocale(s string) string {
	base, rest, ok := strings.Cut(s, ".")
	if !ok {
		return s
	}
	cs, mod, hasMod := strings.Cut(rest, "@")
	if strings.ReplaceAll(strings.ToLower(cs), "-", "") == "utf8" {
		cs = "UTF-8"
	}
	out := base + "." + cs
	if hasMod {
		out += "@" + mod
	}
	return out
}

// ParseLocales reads `locale -a` output: one locale a line, normalised,
// deduplicated and sorted.
func ParseLocales(data string) []string {
	seen := map[string]bool{}
	var out []string
	for _, line := range splitLines(data) {
		l := strings.TrimSpace(line)
		if l == "" || strings.ContainsAny(l, " \t") {
			continue
		}
		l = NormalizeLocale(l)
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// ParseDF reads `df -P -B1 PATH...` output (also -k or 512-byte blocks,
// from the header). The mount point is everything after the capacity
// column, so device names with spaces do not confuse it. Filesystems are
// deduplicated by mount point, in output order.
func ParseDF(data string) []Disk {
	unit := uint64(1)
	var out []Disk
	seen := map[string]bool{}
	for _, line := range splitLines(data) {
		f := strings.Fields(line)
		if len(f) > 1 && f[0] == "Filesystem" {
			switch strings.ToLower(strings.TrimSuffix(strings.ToLower(f[1]), "-blocks")) {
			case "1":
				unit = 1
			case "1024", "1k":
				unit = 1024
			case "512":
				unit = 512
			}
			continue
		}
		c := -1
		for j := 4; j < len(f); j++ {
			if strings.HasSuffix(f[j], "%") || f[j] == "-" {
				c = j
				break
			}
		}
		if c < 4 || c+1 >= len(f) {
			continue
		}
		total, err1 := strconv.ParseUint(f[c-3], 10, 64)
		avail, err2 := strconv.ParseUint(f[c-1], 10, 64)
		if err1 != nil || err2 != nil || total > ^uint64(0)/unit || avail > ^uint64(0)/unit {
			continue
		}
		mount := strings.Join(f[c+1:], " ")
		if seen[mount] {
			continue
		}
		seen[mount] = true
		out = append(out, Disk{Mount: mount, TotalBytes: total * unit, FreeBytes: avail * unit})
	}
	return out
}

// ParseUSB reads sysfs USB attributes as `grep -H .` prints them
// (lines "/sys/bus/usb/devices/DEV/ATTR:VALUE" for idVendor, idProduct,
// bDeviceClass and product) and returns the devices that are not hubs
// (class 09), sorted by id then product.
func ParseUSB(data string) []USBDevice {
	type dev struct{ vendor, product, class, name string }
	devs := map[string]*dev{}
	for _, line := range splitLines(data) {
		var dir, attr, val string
		for _, a := range []string{"idVendor", "idProduct", "bDeviceClass", "product"} {
			if i := strings.Index(line, "/"+a+":"); i > 0 {
				dir, attr, val = line[:i], a, line[i+len(a)+2:]
				break
			}
		}
		if attr == "" {
			continue
		}
		d := devs[dir]
		if d == nil {
			if len(devs) >= 256 {
				continue
			}
			d = &dev{}
			devs[dir] = d
		}
		val = strings.TrimSpace(val)
		switch attr {
		case "idVendor":
			d.vendor = strings.ToLower(val)
		case "idProduct":
			d.product = strings.ToLower(val)
		case "bDeviceClass":
			d.class = val
		case "product":
			d.name = strings.Join(strings.Fields(val), " ")
		}
	}
	var out []USBDevice
	for _, d := range devs {
		if !isHex4(d.vendor) || !isHex4(d.product) || d.class == "09" {
			continue
		}
		out = append(out, USBDevice{ID: d.vendor + ":" + d.product, Product: d.name})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Product < out[j].Product
	})
	return out
}

func isHex4(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ParseTimeSync decides whether the clock is synchronised, from (in this
// order) `timedatectl show -p NTPSynchronized --value` output (yes/no),
// the existence of /run/systemd/timesync/synchronized, and `chronyc
// tracking` output ("Leap status : Normal"). It returns nil and the
// reason when none of them tells.
func ParseTimeSync(timedatectl string, syncFile bool, chronyc string) (*bool, string) {
	t, f := true, false
	// systemd-timesyncd writes the flag file once it has synchronised the
	// clock: the cheapest answer, so collectors look at it first.
	if syncFile {
		return &t, ""
	}
	switch strings.TrimSpace(timedatectl) {
	case "yes":
		return &t, ""
	case "no":
		return &f, ""
	}
	for _, line := range splitLines(chronyc) {
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) != "Leap status" {
			continue
		}
		switch strings.TrimSpace(v) {
		case "Normal", "Insert second", "Delete second":
			return &t, ""
		case "Not synchronised", "Not synchronized":
			return &f, ""
		}
	}
	return nil, "neither timedatectl, systemd-timesyncd nor chronyc reported the clock's synchronisation state"
}

// parseTimeSection reads the probe's timesync section: lines
// "timedatectl: OUT", "synchronized-file: yes|no" and "chronyc: LINE".
func parseTimeSection(s string) (*bool, string) {
	var td, ch strings.Builder
	file := false
	for _, line := range splitLines(s) {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "timedatectl":
			td.WriteString(v + "\n")
		case "synchronized-file":
			file = v == "yes"
		case "chronyc":
			ch.WriteString(v + "\n")
		}
	}
	return ParseTimeSync(td.String(), file, ch.String())
}

// ParseSudo reads the probe's sudo section: "user=", "uid=", "groups="
// (`id -Gn`) and "sudo_n=" (the exit status of `sudo -n true`, or
// "absent"). It returns nil when the user is not known.
func ParseSudo(s string) *Sudo {
	var out Sudo
	known := false
	for _, line := range splitLines(s) {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "user":
			out.User = v
			known = known || v != ""
		case "uid":
			out.IsRoot = v == "0"
			known = known || v != ""
		case "groups":
			for _, g := range strings.Fields(v) {
				if g == "sudo" || g == "admin" || g == "wheel" {
					out.InSudoGroup = true
				}
			}
		case "id":
			// id's own output: uid=1000(bob) gid=1000(bob) groups=1000(bob),27(sudo)
			for _, field := range strings.Fields(v) {
				key, val, _ := strings.Cut(field, "=")
				switch key {
				case "uid":
					num, name, _ := strings.Cut(strings.TrimSuffix(val, ")"), "(")
					out.IsRoot = num == "0"
					if out.User == "" {
						out.User = name
					}
					known = true
				case "groups":
					for _, g := range strings.Split(val, ",") {
						_, name, _ := strings.Cut(strings.TrimSuffix(g, ")"), "(")
						if name == "sudo" || name == "admin" || name == "wheel" {
							out.InSudoGroup = true
						}
					}
				}
			}
		case "sudo_n":
			out.Passwordless = v == "0"
		}
	}
	if !known {
		return nil
	}
	return &out
}

// parsePCSCD reads the probe's pcscd section: "running", "stopped" or
// nothing (no pidof/pgrep on the host).
func parsePCSCD(s string) *bool {
	t, f := true, false
	switch strings.TrimSpace(s) {
	case "running":
		return &t
	case "stopped":
		return &f
	}
	return nil
}
