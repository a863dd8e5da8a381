package checks

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/shirou/gopsutil/v3/cpu"
	"github.com/shirou/gopsutil/v3/disk"
	"github.com/shirou/gopsutil/v3/host"
	"github.com/shirou/gopsutil/v3/mem"
	gnet "github.com/shirou/gopsutil/v3/net"
	"github.com/shirou/gopsutil/v3/process"
)

// localEnv is where the local collector gets its facts. root prefixes
// every file read (/etc, /proc, /sys, /run) so tests can point it at a
// fixture tree; each function may be nil, and then the collector reads
// the corresponding file under root instead (or leaves the fact unknown).
type localEnv struct {
	root       string
	run        func(ctx context.Context, name string, args ...string) ([]byte, error)
	hostname   func() (string, error)
	arch       func(ctx context.Context) (string, error)
	cpu        func(ctx context.Context) (CPU, error)
	memTotal   func(ctx context.Context) (uint64, error)
	usage      func(ctx context.Context, mount string) (total, free uint64, err error)
	interfaces func(ctx context.Context) ([]Interface, error)
	listeners  func(ctx context.Context) ([]Listener, error)
	processes  func(ctx context.Context) ([]string, error)
}

// CollectLocal gathers the Facts of the machine it runs on. Facts it
// cannot learn stay unknown, with the reason in Notes.
func CollectLocal(ctx context.Context) (*Facts, error) {
	return systemEnv().collect(ctx)
}

// systemEnv is the real machine, mostly through gopsutil.
func systemEnv() localEnv {
	return localEnv{
		run:      runCommand,
		hostname: os.Hostname,
		arch:     func(context.Context) (string, error) { return host.KernelArch() },
		cpu: func(ctx context.Context) (CPU, error) {
			info, err := cpu.InfoWithContext(ctx)
			if err != nil || len(info) == 0 {
				return CPU{}, errors.Join(err, errors.New("no CPU information"))
			}
			n, err := cpu.CountsWithContext(ctx, true)
			if err != nil {
				return CPU{}, err
			}
			c := CPU{Model: strings.TrimSpace(info[0].ModelName), Cores: n}
			if len(info[0].Flags) > 0 {
				aes := slices.Contains(info[0].Flags, "aes")
				c.AES = &aes
			}
			return c, nil
		},
		memTotal: func(ctx context.Context) (uint64, error) {
			v, err := mem.VirtualMemoryWithContext(ctx)
			if err != nil {
				return 0, err
			}
			return v.Total, nil
		},
		usage: func(ctx context.Context, mount string) (uint64, uint64, error) {
			u, err := disk.UsageWithContext(ctx, mount)
			if err != nil {
				return 0, 0, err
			}
			return u.Total, u.Free, nil
		},
		interfaces: func(ctx context.Context) ([]Interface, error) {
			list, err := gnet.InterfacesWithContext(ctx)
			if err != nil {
				return nil, err
			}
			var out []Interface
			for _, it := range list {
				i := Interface{Name: it.Name}
				for _, a := range it.Addrs {
					if p := canonicalPrefix(a.Addr); p != "" {
						i.Addresses = append(i.Addresses, p)
					}
				}
				out = append(out, i)
			}
			return out, nil
		},
		listeners: systemListeners,
		processes: func(ctx context.Context) ([]string, error) {
			ps, err := process.ProcessesWithContext(ctx)
			if err != nil {
				return nil, err
			}
			var names []string
			for _, p := range ps {
				if n, err := p.NameWithContext(ctx); err == nil {
					names = append(names, truncName(n))
				}
			}
			return names, nil
		},
	}
}

// systemListeners lists TCP sockets in LISTEN and unconnected UDP sockets
// with their processes' names, as `ss -tulnp` does.
func systemListeners(ctx context.Context) ([]Listener, error) {
	conns, err := gnet.ConnectionsWithContext(ctx, "inet")
	if err != nil {
		return nil, err
	}
	names := map[int32]string{}
	name := func(pid int32) string {
		if pid <= 0 {
			return ""
		}
		if n, ok := names[pid]; ok {
			return n
		}
		n := ""
		if p, err := process.NewProcessWithContext(ctx, pid); err == nil {
			n, _ = p.NameWithContext(ctx)
		}
		names[pid] = n
		return n
	}
	var out []Listener
	for _, c := range conns {
		var proto string
		switch c.Type {
		case syscall.SOCK_STREAM:
			if c.Status != "LISTEN" {
				continue
			}
			proto = "tcp"
		case syscall.SOCK_DGRAM:
			if c.Raddr.Port != 0 {
				continue
			}
			proto = "udp"
		default:
			continue
		}
		out = append(out, Listener{Port: int(c.Laddr.Port), Proto: proto,
			Address: canonicalListenAddr(c.Laddr.IP), Process: name(c.Pid)})
	}
	return NormalizeListeners(out), nil
}

// runCommand runs a program with a time limit and the C locale, keeping
// at most 1 MiB of its output.
func runCommand(ctx context.Context, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.Stdin = nil
	out, err := cmd.Output()
	if len(out) > 1<<20 {
		out = out[:1<<20]
	}
	return out, err
}

func (e localEnv) path(p string) string { return filepath.Join(e.root, p) }

func (e localEnv) read(p string) (string, error) {
	return readLimited(e.path(p), 1<<20)
}

// readLimited reads at most limit bytes of a file.
func readLimited(name string, limit int64) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit))
	return string(b), err
}

func (e localEnv) command(ctx context.Context, name string, args ...string) (string, error) {
	if e.run == nil {
		return "", errors.New("commands are not available")
	}
	out, err := e.run(ctx, name, args...)
	return string(out), err
}

// configFiles reads files matching the patterns (under root) the way the
// probe's files() does: at most 64 files of 64 KiB, directories that
// cannot be listed and files that cannot be read marked Unreadable.
// Paths are reported as on the host (without root).
func (e localEnv) configFiles(patterns ...string) []ConfigFile {
	var out []ConfigFile
	n := 0
	for _, pat := range patterns {
		matches, _ := filepath.Glob(e.path(pat))
		if !strings.ContainsAny(pat, "*?[") {
			matches = []string{e.path(pat)}
		}
		sort.Strings(matches)
		for _, m := range matches {
			hostPath := m
			if e.root != "" {
				rel, err := filepath.Rel(e.root, m)
				if err != nil {
					continue
				}
				hostPath = "/" + filepath.ToSlash(rel)
			}
			st, err := os.Stat(m)
			if err != nil {
				continue
			}
			if st.IsDir() {
				if _, err := os.ReadDir(m); err != nil {
					out = append(out, ConfigFile{Path: hostPath, Unreadable: true})
				}
				continue
			}
			if !st.Mode().IsRegular() {
				continue
			}
			n++
			if n > 64 {
				return out
			}
			data, err := readLimited(m, 65536)
			if err != nil {
				out = append(out, ConfigFile{Path: hostPath, Unreadable: true})
				continue
			}
			out = append(out, ConfigFile{Path: hostPath, Data: data})
		}
	}
	return out
}

// mountFor returns the longest mount point in a /proc/self/mounts text
// that holds path p.
func mountFor(mounts, p string) string {
	best := ""
	for _, line := range splitLines(mounts) {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		m := unescapeMount(f[1])
		if m == p || m == "/" || strings.HasPrefix(p, strings.TrimSuffix(m, "/")+"/") {
			if len(m) > len(best) {
				best = m
			}
		}
	}
	return best
}

// unescapeMount decodes the octal escapes (\040 for a space) of
// /proc/self/mounts.
func unescapeMount(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// diskPaths are the paths whose filesystems the rules look at.
var diskPaths = []string{"/", "/var/lib"}

func (e localEnv) collect(ctx context.Context) (*Facts, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f := &Facts{}

	if e.hostname != nil {
		if h, err := e.hostname(); err == nil && h != "" {
			f.Hostname = h
		}
	} else if h, err := e.read("/proc/sys/kernel/hostname"); err == nil {
		f.Hostname = strings.TrimSpace(h)
	}
	if f.Hostname == "" {
		f.Note("hostname", "the host name could not be read")
	}

	if e.arch != nil {
		if a, err := e.arch(ctx); err == nil {
			f.Arch = a
		}
	} else if e.root == "" {
		f.Arch = runtime.GOARCH
	}
	if f.Arch == "" {
		f.Note("arch", "the machine architecture could not be read")
	}

	osr, err := e.read("/etc/os-release")
	if err != nil {
		var err2 error
		if osr, err2 = e.read("/usr/lib/os-release"); err2 != nil {
			// As the probe: each file that exists but may not be read.
			for p, err := range map[string]error{"/etc/os-release": err, "/usr/lib/os-release": err2} {
				if errors.Is(err, fs.ErrPermission) {
					f.MarkUnreadable("os", p)
				}
			}
			slices.Sort(f.Unreadable["os"])
		}
	}
	f.OS = ParseOSRelease(osr)
	if f.OS.ID == "" {
		noteOS(f)
	}

	cpuText, _ := e.read("/proc/cpuinfo")
	parsed := ParseCPUInfo(cpuText)
	if e.cpu != nil {
		if c, err := e.cpu(ctx); err == nil {
			f.CPU = c
		}
	}
	if f.CPU.Model == "" {
		f.CPU.Model = parsed.Model
	}
	if f.CPU.Cores == 0 {
		f.CPU.Cores = parsed.Cores
	}
	if f.CPU.AES == nil {
		f.CPU.AES = parsed.AES
	}
	noteCPU(f)

	if e.memTotal != nil {
		if t, err := e.memTotal(ctx); err == nil {
			f.Memory.TotalBytes = t
		}
	}
	if f.Memory.TotalBytes == 0 {
		mi, _ := e.read("/proc/meminfo")
		f.Memory.TotalBytes = ParseMeminfo(mi)
	}
	if f.Memory.TotalBytes == 0 {
		f.Note("memory", "/proc/meminfo has no MemTotal")
	}

	e.collectDisks(ctx, f)
	e.collectInterfaces(ctx, f)

	if e.listeners != nil {
		if l, err := e.listeners(ctx); err == nil {
			f.Listening = l
		} else {
			f.Note("listening", "the listening sockets could not be read: "+err.Error())
		}
	} else {
		f.Note("listening", "the listening sockets could not be read")
	}

	if out, err := e.command(ctx, "locale", "-a"); err == nil || out != "" {
		f.Locales = ParseLocales(out)
	}
	if len(f.Locales) == 0 {
		f.Note("locales", "`locale -a` printed nothing")
	}

	// The same order as the probe: the timesyncd flag file first (no
	// process), then timedatectl, then chronyc.
	_, serr := os.Stat(e.path("/run/systemd/timesync/synchronized"))
	syncFile := serr == nil
	td := ""
	if !syncFile {
		td, _ = e.command(ctx, "timedatectl", "show", "-p", "NTPSynchronized", "--value")
		td = strings.TrimSpace(td)
	}
	chrony := ""
	if td != "yes" && td != "no" && !syncFile {
		chrony, _ = e.command(ctx, "chronyc", "-n", "tracking")
	}
	var why string
	f.TimeSynced, why = ParseTimeSync(td, syncFile, chrony)
	if f.TimeSynced == nil {
		f.Note("time_synced", why)
	}

	f.USBTokens = ParseUSB(e.usbText())

	if e.processes != nil {
		if names, err := e.processes(ctx); err == nil {
			running := slices.Contains(names, "pcscd")
			f.PCSCD = &running
		}
	}
	if f.PCSCD == nil {
		f.Note("pcscd_running", "the process list could not be read")
	}
	return f, nil
}

func (e localEnv) collectDisks(ctx context.Context, f *Facts) {
	mounts, err := e.read("/proc/self/mounts")
	if err != nil || e.usage == nil {
		f.Note("disks", "the mounted filesystems could not be read")
		return
	}
	seen := map[string]bool{}
	var fails []string
	for _, p := range diskPaths {
		m := mountFor(mounts, p)
		if m == "" || seen[m] {
			continue
		}
		seen[m] = true
		total, free, err := e.usage(ctx, m)
		if err != nil {
			fails = append(fails, m+": "+err.Error())
			continue
		}
		f.Disks = append(f.Disks, Disk{Mount: m, TotalBytes: total, FreeBytes: free})
	}
	if len(f.Disks) == 0 {
		f.Note("disks", "no filesystem usage for / and /var/lib: "+strings.Join(fails, "; "))
	}
}

func (e localEnv) collectInterfaces(ctx context.Context, f *Facts) {
	var list []Interface
	var err error
	if e.interfaces != nil {
		list, err = e.interfaces(ctx)
	} else {
		err = errors.New("no interface source")
	}
	if err != nil || len(list) == 0 {
		f.Note("interfaces", "the network interfaces could not be listed")
	}
	speeds := map[string]*int{}
	for _, it := range list {
		s, err := e.read("/sys/class/net/" + filepath.Base(it.Name) + "/speed")
		if err == nil {
			speeds[it.Name] = parseSpeed(s)
		}
	}
	route, _ := e.read("/proc/net/route")
	f.Interfaces = finishInterfaces(list, speeds, ParseRoute(route))
	// gopsutil shows no address flags: the kernel's lease marks come from
	// ip, as in the probe (runCommand bounds its time and output).
	ipAddr, _ := e.command(ctx, "ip", "-o", "addr", "show")
	addressingConfig{
		netplan: e.configFiles("/lib/netplan/*.yaml", "/etc/netplan/*.yaml", "/run/netplan/*.yaml"),
		nm: e.configFiles("/etc/NetworkManager/system-connections",
			"/etc/NetworkManager/system-connections/*.nmconnection",
			"/run/NetworkManager/system-connections/*.nmconnection"),
		ifupdown: e.configFiles("/etc/network/interfaces", "/etc/network/interfaces.d/*"),
		ipAddr:   ipAddr,
	}.apply(f)
	noteSpeeds(f)
}

// usbText renders /sys/bus/usb/devices the way the probe does
// (`grep -H .` of four attributes: first line of each, at most 256 bytes).
func (e localEnv) usbText() string {
	dirs, _ := filepath.Glob(e.path("/sys/bus/usb/devices/*"))
	sort.Strings(dirs)
	var b strings.Builder
	for i, d := range dirs {
		if i >= 256 {
			break
		}
		hostDir := "/sys/bus/usb/devices/" + filepath.Base(d)
		for _, attr := range []string{"idVendor", "idProduct", "bDeviceClass", "product"} {
			v, err := readLimited(filepath.Join(d, attr), 4096)
			if err != nil {
				continue
			}
			v, _, _ = strings.Cut(v, "\n")
			if v == "" {
				continue
			}
			line := hostDir + "/" + attr + ":" + v
			if len(line) > 256 {
				line = line[:256]
			}
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
